import type { FilterFields, FilterPattern, FilterValue } from '../../shared/stream-consumers';

/**
 * Lambda's event filtering, for the local stream runner: the subset of the pattern language the
 * stream consumers' definitions use (shared/stream-consumers.ts). Semantics as Lambda documents
 * them: every field of a pattern must match; a field's list matches when any of its values does;
 * `exists: false` matches a field that is absent (also when its parent is); a record matches a
 * mapping when any of its patterns does. DynamoDB mappings filter on the record's `dynamodb` key
 * only. An operator outside the subset is refused when the runner starts, never ignored.
 */

const OPERATORS = new Set(['prefix', 'exists', 'anything-but']);

/** Throws when a pattern uses something this matcher does not implement (or Lambda does not allow). */
export const checkPattern = (pattern: FilterPattern, where = 'pattern'): void => {
  const keys = Object.keys(pattern);
  if (keys.length !== 1 || keys[0] !== 'dynamodb') {
    throw new Error(
      `${where}: DynamoDB event source mappings filter on the "dynamodb" key only (found ${keys.join(', ')})`,
    );
  }
  const walk = (fields: FilterFields, path: string) => {
    for (const [name, value] of Object.entries(fields)) {
      const at = `${path}.${name}`;
      if (Array.isArray(value)) {
        if (value.length === 0) throw new Error(`${where}: ${at} has no values`);
        for (const v of value as readonly FilterValue[]) {
          if (v === null || typeof v !== 'object') continue;
          const ops = Object.keys(v);
          if (ops.length !== 1 || !OPERATORS.has(ops[0]!)) {
            throw new Error(
              `${where}: ${at} uses ${ops.join(', ') || 'an empty object'}, which the local runner does not implement`,
            );
          }
        }
      } else if (value !== null && typeof value === 'object') {
        walk(value as FilterFields, at);
      } else {
        throw new Error(`${where}: ${at} must be a list of values or a nested pattern`);
      }
    }
  };
  walk(pattern.dynamodb, 'dynamodb');
};

const valueMatches = (rule: FilterValue, present: boolean, value: unknown): boolean => {
  if (rule !== null && typeof rule === 'object') {
    if ('exists' in rule) return rule.exists === present;
    if (!present) return false;
    if ('prefix' in rule) return typeof value === 'string' && value.startsWith(rule.prefix);
    const excluded = rule['anything-but'];
    return !(Array.isArray(excluded) ? (excluded as unknown[]) : [excluded]).includes(value);
  }
  return present && value === rule;
};

const fieldsMatch = (fields: FilterFields, event: unknown): boolean =>
  Object.entries(fields).every(([name, rule]) => {
    const holder =
      event !== null && typeof event === 'object' ? (event as Record<string, unknown>) : undefined;
    const present =
      holder !== undefined &&
      Object.prototype.hasOwnProperty.call(holder, name) &&
      holder[name] !== undefined;
    const value = present ? holder![name] : undefined;
    if (Array.isArray(rule)) {
      const values = Array.isArray(value) ? value : [value];
      return (rule as readonly FilterValue[]).some((r) => values.some((v) => valueMatches(r, present, v)));
    }
    return fieldsMatch(rule as FilterFields, value);
  });

/** Whether a stream record (Lambda's shape) matches one pattern. */
export const matchesPattern = (pattern: FilterPattern, record: { dynamodb?: unknown }): boolean =>
  fieldsMatch(pattern.dynamodb, record.dynamodb);

/** Whether a mapping with these filters delivers the record (no filters: every record). */
export const passesFilters = (filters: readonly FilterPattern[], record: { dynamodb?: unknown }): boolean =>
  filters.length === 0 || filters.some((p) => matchesPattern(p, record));
