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
    [GitErrorCode.RefLocked, 409, 'conflict'],
    [GitErrorCode.RemoteFailed, 502, 'bad-gateway'],
  ] as [GitErrorCodeValue, number, string][])('%s → %i %s, with the code', async (code, status, type) => {
    expect(httpStatusFor(code)).toBe(status);
    thrown = new GitStoreError(code, `store says ${code}`);
    const problem = await expectProblem(await api.get('/api/policies/no_root/versions'), status, type);
    expect(problem.code).toBe(code);
    expect(problem.detail).toBe(`store says ${code}`);
  });

  it('hides the message of a corrupt-object error (it names internals, not the request)', async () => {
    thrown = new GitStoreError(GitErrorCode.ObjectUnreadable, 'cannot read object 1234abcd in /srv/hub/.git/objects');
    const problem = await expectProblem(await api.get('/api/policies/no_root/versions'), 500, 'internal-error');
    expect(JSON.stringify(problem)).not.toContain('/srv/hub');
  });
});
