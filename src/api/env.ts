/** The Hono environment every API route shares: what middleware hands on to handlers. */
import type { TokenEntry } from './tokens.js';

export interface ApiEnv {
  Variables: {
    /** The request body after JSON parsing and schema validation. */
    body: unknown;
    /** The request body's exact bytes as a string (one latin1 character per byte): what a route may remember an answer by. */
    bodyKey: string | undefined;
    /** The token the request authenticated with, if any. */
    token: TokenEntry | undefined;
  };
}
