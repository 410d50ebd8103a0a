import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashFileContent, hashFolderContent } from '../../src/templates/index.js';

function hasSha256sum(): boolean {
  try {
    execFileSync('sha256sum', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('hashFileContent', () => {
  it('is sha256: and the hex digest of the UTF-8 bytes', () => {
    expect(hashFileContent('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashFileContent('name = "é"')).toBe(hashFileContent(new TextEncoder().encode('name = "é"')));
    expect(hashFileContent('a')).not.toBe(hashFileContent('a\n'));
  });
});

describe('hashFolderContent', () => {
  const files = [
    { path: 'parameters.ocl', content: 'parameter "A" {\n}\n' },
    { path: 'deployment_process.ocl', content: 'step "s" {\n}\n' },
    { path: 'channels/default.ocl', content: 'name = "Default"\n' },
  ];

  it('does not depend on the order the files are given in', () => {
    const a = hashFolderContent(files);
    const b = hashFolderContent([...files].reverse());
    expect(a).toEqual(b);
    expect('hash' in a && a.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('changes when a file is renamed or edited', () => {
    const base = hashFolderContent(files);
    const renamed = hashFolderContent(files.map((f, i) => (i === 0 ? { ...f, path: 'params.ocl' } : f)));
    const edited = hashFolderContent(files.map((f, i) => (i === 0 ? { ...f, content: `${f.content} ` } : f)));
    expect(renamed).not.toEqual(base);
    expect(edited).not.toEqual(base);
  });

  it('is the summary construction documented in content-hash.ts', () => {
    const sorted = [...files].sort((x, y) => (x.path < y.path ? -1 : 1));
    const summary = sorted.map((f) => `${createHash('sha256').update(f.content).digest('hex')}  ${f.path}\n`).join('');
    expect(hashFolderContent(files)).toEqual({ hash: `sha256:${createHash('sha256').update(summary).digest('hex')}` });
  });

  it.skipIf(!hasSha256sum())('matches sha256sum of the sorted files piped to sha256sum', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oclhub-hash-'));
    try {
      mkdirSync(join(dir, 'channels'));
      for (const f of files) writeFileSync(join(dir, f.path), f.content);
      const paths = files.map((f) => f.path).sort();
      const listing = execFileSync('sha256sum', paths, { cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
      const expected = createHash('sha256').update(listing).digest('hex');
      expect(hashFolderContent(files)).toEqual({ hash: `sha256:${expected}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects paths it cannot hash unambiguously', () => {
    expect(hashFolderContent([{ path: 'a\nb.ocl', content: '' }])).toMatchObject({ error: { code: 'TPL_HASH_PATH' } });
    expect(hashFolderContent([{ path: '', content: '' }])).toMatchObject({ error: { code: 'TPL_HASH_PATH' } });
    expect(hashFolderContent([{ path: 'a.ocl', content: '' }, { path: 'a.ocl', content: 'x' }])).toMatchObject({ error: { code: 'TPL_HASH_PATH' } });
  });

  it('hashes an empty folder', () => {
    expect(hashFolderContent([])).toEqual({ hash: hashFileContent('') });
  });
});
