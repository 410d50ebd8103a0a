/**
 * JSON request bodies: `application/json` only (415 otherwise), UTF-8 and well-formed (400 malformed-json), and
 * valid against the route's schema in schemas/api (400 validation-failed, with ajv's errors).
 */
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from '../env.js';
import { ProblemError } from '../problem.js';
import { apiSchemas, schemaErrors } from '../schemas.js';
import { requestHeader } from './headers.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function validateJsonBody(schemaName: string): MiddlewareHandler<ApiEnv> {
  const validate = apiSchemas().validator(schemaName);
  return async (c, next) => {
    const type = (requestHeader(c, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
      throw new ProblemError('unsupported-media-type', 'Send the request body as application/json');
    }
    let text: string;
    try {
      text = strictUtf8.decode(await c.req.arrayBuffer());
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
    c.set('body', body);
    await next();
  };
}
