/** GitStoreErrors thrown by a port become problems with the status httpStatusFor gives their code. */
import { beforeAll, describe, expect, it } from 'vitest';
import { GitErrorCode, GitStoreError, httpStatusFor, type GitErrorCodeValue } from '../../src/git/index.js';
import type { HubPort } from '../../src/api/ports.js';
import { gitPort } from './git-port.js';
import { buildHub, expectProblem, startApi, type Api } from './helpers.js';

let api: Api;
let thrown: GitStoreError;

beforeAll(async () => {
  const port = await gitPort(buildHub().dir);
  const throwing: HubPort = {
    ...port,
    versions: async () => {
      throw thrown;
    },
  };
  api = await startApi(throwing);
});

describe('GitStoreError → problem', () => {
  it.each([
    [GitErrorCode.RefNotFound, 404, 'not-found'],
    [GitErrorCode.InvalidPath, 400, 'invalid-request'],
    [GitErrorCode.InvalidRefName, 400, 'invalid-request'],
    [GitErrorCode.TagExists, 409, 'conflict'],
    [GitErrorCode.WorktreeConflict, 409, 'conflict'],
    [GitErrorCode.RemoteFailed, 502, 'bad-gateway'],
    [GitErrorCode.WriteFailed, 503, 'repository-unavailable'],
  ] as [GitErrorCodeValue, number, string][])('%s → %i %s, with the code', async (code, status, type) => {
    expect(httpStatusFor(code)).toBe(status);
    thrown = new GitStoreError(code, `store says ${code}`);
    const problem = await expectProblem(await api.get('/api/policies/no_root/versions'), status, type);
    expect(problem.code).toBe(code);
    expect(problem.detail).toBe(`store says ${code}`);
  });

  it('answers a corrupt object with 503 repository-corrupt, naming the object but not the server path', async () => {
    thrown = new GitStoreError(GitErrorCode.ObjectUnreadable, 'The repository is corrupt: object 1234abcd cannot be read in /srv/hub/.git/objects/12/34abcd');
    const problem = await expectProblem(await api.get('/api/policies/no_root/versions'), 503, 'repository-corrupt');
    expect(problem.code).toBe('GIT012');
    expect(problem.detail).toContain('object 1234abcd');
    expect(JSON.stringify(problem)).not.toContain('/srv/hub');
  });

  it('answers a held lock with 503 repository-busy and Retry-After, never 500', async () => {
    thrown = new GitStoreError(GitErrorCode.RefLocked, 'refs/tags/x is locked by another writer (.git/refs/tags/x.lock exists); retry in 3 s.', { retryAfterSeconds: 3 });
    const response = await api.get('/api/policies/no_root/versions');
    expect(response.headers.get('retry-after')).toBe('3');
    const problem = await expectProblem(response, 503, 'repository-busy');
    expect(problem.code).toBe('GIT009');
  });
});
