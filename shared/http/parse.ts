import type * as z from '../zod';
import { DomainError, ValidationError } from '../errors/domain-error';
import { parseWith } from '../errors/validation';
import type { GatewayEvent } from './types';

/** Partner request bodies are small JSON documents; anything larger is refused before parsing. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export { fieldErrors, parseWith } from '../errors/validation';

/** The raw bytes of the request body, whatever API Gateway did to them. */
export const rawBody = (event: GatewayEvent): Buffer => {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
};

export const header = (event: GatewayEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

/** Parses a JSON body: size first, then media type, then syntax, then the schema. */
export const parseJsonBody = <T>(
  event: GatewayEvent,
  schema: z.core.$ZodType<T>,
  maxBytes = DEFAULT_MAX_BODY_BYTES,
): T => {
  const bytes = rawBody(event);
  if (bytes.length > maxBytes) {
    throw new DomainError('PAYLOAD_TOO_LARGE', { detail: `The body exceeds ${maxBytes} bytes.` });
  }
  const contentType = header(event, 'content-type');
  if (bytes.length > 0 && contentType && !/^application\/(.+\+)?json\b/i.test(contentType.trim())) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', { detail: 'Send the body as application/json.' });
  }
  let json: unknown;
  if (bytes.length === 0) {
    json = undefined;
  } else {
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ValidationError(
        [{ path: '(body)', message: 'The body is not valid JSON.' }],
        'The body is not valid JSON.',
      );
    }
  }
  return parseWith(schema, json);
};
