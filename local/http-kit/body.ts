import type { Readable } from 'node:stream';

/** The request body is over the caller's limit; the caller answers 413 in its own words. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body over ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export interface BodyLimit {
  readonly limitBytes: number;
  /**
   * Read an oversized body to its end (keeping none of it) before failing, so the connection can
   * carry the 413 and stay open. Without it reading stops at the limit, and the caller should
   * answer with `connection: close`.
   */
  readonly drain?: boolean;
}

/**
 * The whole request body, at most `limitBytes` of it.
 *
 * @example
 * try { body = await readBody(req, { limitBytes: 1024 }); }
 * catch (e) { if (e instanceof BodyTooLargeError) return answer413(); throw e; }
 * @throws BodyTooLargeError when the body is longer than `limitBytes`
 */
export async function readBody(req: Readable, { limitBytes, drain = false }: BodyLimit): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size <= limitBytes) chunks.push(buf);
    else if (!drain) throw new BodyTooLargeError(limitBytes);
  }
  if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
  return Buffer.concat(chunks);
}
