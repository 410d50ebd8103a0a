/**
 * A request that ran into a corrupt object anywhere — even where a caller turned the failed read into
 * "absent" — is answered 503 `repository-corrupt`, never with a result computed over missing content
 * (a gate answering 404 "no such project" because oclhub.ocl could not be read). The watch sees the
 * whole process (src/git/corruption.ts says why): a request in flight while another meets a corrupt
 * object is answered 503 too — fail closed, never an answer over a repository found corrupt.
 */
import type { MiddlewareHandler } from 'hono';
import { describeCorruption, watchCorruption } from '../../git/index.js';
import { problem, problemResponse, withoutPaths } from '../problem.js';

export const failOnCorruption: MiddlewareHandler = async (c, next) => {
  const watched = await watchCorruption(() => next());
  if ('error' in watched) throw watched.error;
  const first = watched.found[0];
  if (first === undefined) return;
  const detail = `The hub repository is corrupt: ${withoutPaths(describeCorruption(first))}. Run \`git fsck --full\` on the hub repository and restore the object.`;
  c.res = undefined;
  c.res = problemResponse(c, problem('repository-corrupt', detail, { code: 'GIT012', errors: watched.found.map((o) => ({ oid: o.oid, ...(o.path !== undefined ? { path: o.path } : {}), reason: o.reason })) }));
};
