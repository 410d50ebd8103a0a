/** The answer of a route whose port method does not exist yet: 501, never made-up data. */
import type { Context } from 'hono';
import { problem, problemResponse } from '../problem.js';

export function notImplemented(c: Context, feature: string): Response {
  return problemResponse(c, problem('not-implemented', `This hub does not provide ${feature} yet`));
}
