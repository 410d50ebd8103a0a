/** The Hono environment every API route shares: what middleware hands on to handlers. */
import type { TokenEntry } from './tokens.js';

export interface ApiEnv {
  Variables: {
    /** The request body after JSON parsing and schema validation. */
    body: unknown;
    /** The token the request authenticated with, if any. */
    token: TokenEntry | undefined;
  };
}
