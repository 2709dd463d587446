import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors/domain-error';

/**
 * The opaque `cursor` of routes 21 and 22: base64url of where the last page ended and a digest
 * binding it to its query (route, customer or status). No key is needed to keep a cursor from
 * reaching other data: the query's partition always comes from the request itself, never from
 * the cursor, which only says where in that partition to go on. The digest makes a cursor of
 * another customer, another query or an edited one a 400 naming `cursor`, instead of a page that
 * silently starts somewhere else.
 */
const bad = () => new ValidationError([{ path: 'cursor', message: 'is not a cursor of this query' }]);

const digest = (binding: string, position: string) =>
  createHash('sha256').update(`${binding}\u0000${position}`).digest('base64url').slice(0, 22);

export const encodeCursor = (binding: string, position: string): string =>
  Buffer.from(JSON.stringify({ p: position, h: digest(binding, position) }), 'utf8').toString('base64url');

/** The position a cursor carries, when it is one of this query's and the position has `shape`. */
export const decodeCursor = (binding: string, cursor: string, shape: RegExp): string => {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw bad();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const { p, h } = (decoded ?? {}) as { p?: unknown; h?: unknown };
  if (typeof p !== 'string' || typeof h !== 'string' || !shape.test(p) || h !== digest(binding, p))
    throw bad();
  return p;
};

/** An instant as this service writes it (`Date#toISOString()`). */
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
/** An audit event's sort key: `{at}#{uuid}`. */
export const AUDIT_POSITION = new RegExp(
  `^${ISO}#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
);
/** A status index position: `{status write time}#{customerId}`. */
export const STATUS_POSITION = new RegExp(`^${ISO}#[A-Za-z0-9_.-]{1,64}$`);
