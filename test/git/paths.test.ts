import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GitErrorCode, GitStoreError, validatePath, validateRefName } from '../../src/git/index.js';
import { gitResult, tempDir, removeDir } from './helpers.js';

function outcome(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(GitStoreError);
    return (error as GitStoreError).code;
  }
}

describe('validatePath', () => {
  it('never throws anything but GIT001, and what it accepts cannot escape or alias', () => {
    const pieces = fc.constantFrom('a', 'b.ocl', '..', '.', '', '/', '\\', '\0', '.git', 'C:', ' ', 'é', '.octopus');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 8 }).map((p) => p.join('')), fc.boolean(), (path, allowRoot) => {
        let result: string;
        try {
          result = validatePath(path, { allowRoot });
        } catch (error) {
          expect(error).toBeInstanceOf(GitStoreError);
          expect((error as GitStoreError).code).toBe(GitErrorCode.InvalidPath);
          return;
        }
        const segments = result === '' ? [] : result.split('/');
        for (const segment of segments) {
          expect(['', '.', '..'].includes(segment)).toBe(false);
          expect(segment.toLowerCase()).not.toBe('.git');
        }
        expect(result.includes('\\') || result.includes('\0') || result.startsWith('/')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts ordinary repository paths unchanged', () => {
    for (const ok of ['oclhub.ocl', '.octopus/web/deployment_process.ocl', 'a b/c-d_e.ocl', '.gitignore', 'x/.github/y']) {
      expect(validatePath(ok)).toBe(ok);
    }
    expect(validatePath('', { allowRoot: true })).toBe('');
    expect(validatePath('.octopus/', { allowRoot: true })).toBe('.octopus');
  });
});

describe('validateRefName agrees with git check-ref-format', () => {
  it('on tricky and random names', () => {
    const dir = tempDir();
    try {
      const tricky = [
        'policies/no-root/v1.0.0', 'process-templates/a/v2.0.0-beta.1', 'a..b', 'a/.b', 'a.lock', 'a/b.lock/c', 'a b', 'a~1',
        'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '/a', 'a/', 'a//b', 'a.', '@', 'a@{1}', 'a@b', '-a', 'ü/v1', '.a', 'a/./b',
      ];
      const random = fc.sample(
        fc.array(fc.constantFrom('a', 'v1', '.', '/', '-', '@', '{', '~', ' ', '.lock', '..', 'é'), { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
        { numRuns: 120, seed: 42 },
      );
      for (const name of [...tricky, ...random]) {
        const ours = outcome(() => validateRefName(name, 'tag'));
        const theirs = gitResult(dir, ['check-ref-format', `refs/tags/${name}`]).status === 0;
        // Deliberately stricter than check-ref-format only where git's own tag/branch commands are.
        const expected = theirs && name !== '@' && !name.startsWith('-');
        expect(ours === 'ok', `${JSON.stringify(name)}: ours ${ours}, git ${theirs ? 'accepts' : 'rejects'}`).toBe(expected);
        if (ours !== 'ok') expect(ours).toBe(GitErrorCode.InvalidRefName);
      }
    } finally {
      removeDir(dir);
    }
  });
});
