/**
 * JSON request bodies: `application/json` only (415 otherwise), UTF-8 and well-formed (400 malformed-json), and
 * valid against the route's schema in schemas/api (400 validation-failed, with ajv's errors).
 *
 * Read in two steps (router.ts): the bytes, after the media type is checked, then the parsed and
 * validated value — so that a route can answer a request it has answered before from its bytes
 * (`RouteSpec.answerFromBody`) without parsing them again.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { ValidateFunction } from 'ajv';
import { ProblemError } from '../problem.js';
import { schemaErrors } from '../schemas.js';
import { requestHeader } from './headers.js';

const EMPTY = new Uint8Array(0);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The request's JSON body as bytes, once its media type is checked (415 otherwise). */
export async function jsonBodyBytes(c: Context): Promise<Uint8Array> {
  const type = (requestHeader(c, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    throw new ProblemError('unsupported-media-type', 'Send the request body as application/json');
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const declared = incoming?.headers['content-length'];
  // A body with a declared length (held to the limit by middleware/body-limit.ts; Node's parser gives
  // this request exactly that many bytes) that Node has already received whole is taken from Node's
  // buffer: no web stream, no copy. Anything else (chunked, counted against the limit as it streams;
  // still arriving; not served by Node) is read by Hono.
  if (incoming !== undefined && declared !== undefined && incoming.headers['transfer-encoding'] === undefined && typeof incoming.read === 'function') {
    const length = Number(declared);
    if (incoming.readableFlowing === null && !incoming.readableDidRead) {
      // Node parses the rest of the packet that carried the headers just after the request event.
      if (incoming.readableLength < length) await undefined;
      if (incoming.readableLength === length) {
        const bytes = length === 0 ? EMPTY : (incoming.read(length) as Buffer);
        // Flowing, the stream reaches its end (and says so) once Node has parsed the message's end.
        incoming.resume();
        return bytes;
      }
    }
  }
  return new Uint8Array(await c.req.arrayBuffer());
}

/** The body's bytes decoded as strict UTF-8, parsed and validated (400 malformed-json or validation-failed). */
export function parseJsonBody(bytes: Uint8Array, validate: ValidateFunction): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    // Decoding with replacement characters would store text the client never sent.
    throw new ProblemError('malformed-json', 'The body is not valid UTF-8');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ProblemError('malformed-json', `The body is not valid JSON: ${(error as Error).message}`);
  }
  if (!validate(body)) {
    const errors = schemaErrors(validate.errors);
    const first = errors[0];
    const detail = first ? `${first.instancePath || '(body)'} ${first.message}` : 'The body does not match its schema';
    throw new ProblemError('validation-failed', detail, { errors });
  }
  return body;
}
