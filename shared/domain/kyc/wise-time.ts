/**
 * Wise prints many instants as local date-times without a zone and with up to nanosecond
 * fractions (`2024-09-03T16:29:41.203225146`). JavaScript would read a zone-less date-time as the
 * machine's local time; Wise's are UTC. Returns epoch ms, or undefined when it is not a date-time.
 */
export const parseWiseInstant = (value: string | null | undefined): number | undefined => {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const fraction = m[2] ? `.${m[2].slice(0, 3).padEnd(3, '0')}` : '';
  const ms = Date.parse(`${m[1]}${fraction}${m[3] ?? 'Z'}`);
  return Number.isNaN(ms) ? undefined : ms;
};

/** The same instant as an ISO-8601 UTC string, or undefined. */
export const wiseInstantToIso = (value: string | null | undefined): string | undefined => {
  const ms = parseWiseInstant(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
};
