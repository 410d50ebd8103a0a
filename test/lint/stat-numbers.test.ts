/** statNumbers: the numbers `statSync` gives, from Node's fs binding when it proves to be the one statSync calls, else from statSync. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PathKind, resetStatNumbers, STAT, statNumbers, statNumbersSource } from '../../src/lint/stat-numbers.js';
import { removeDir, tempDir } from '../git/helpers.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
afterEach(() => resetStatNumbers());

function tree(): string {
  const dir = tempDir();
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'folder'));
  fs.writeFileSync(path.join(dir, 'folder', 'file.ocl'), 'x = 1\n');
  fs.symlinkSync('folder/file.ocl', path.join(dir, 'link.ocl'));
  // Neither a file nor a folder.
  if (process.platform !== 'win32') execFileSync('mkfifo', [path.join(dir, 'fifo')]);
  return dir;
}

/** What statNumbers gives for `file`: its kind and, unless missing, its numbers. */
function numbers(file: string, probe: string): [PathKind, ...number[]] {
  const kind = statNumbers(file, probe);
  return kind === PathKind.Missing ? [kind] : [kind, ...STAT];
}

/** The same from statSync. */
function expected(file: string): [PathKind, ...number[]] {
  const info = fs.statSync(file, { throwIfNoEntry: false });
  if (info === undefined) return [PathKind.Missing];
  const kind = info.isFile() ? PathKind.File : info.isDirectory() ? PathKind.Folder : PathKind.Other;
  return [kind, info.size, info.mtimeMs, info.ctimeMs, info.ino, info.uid, info.gid];
}

describe('statNumbers', () => {
  it("gives statSync's kind and numbers for folders, files, links followed, missing paths and others, from the binding and without it", () => {
    const dir = tree();
    const paths = ['', 'folder', 'folder/file.ocl', 'link.ocl', 'missing.ocl', 'folder/missing/file.ocl'].map((p) => path.join(dir, p));
    if (process.platform !== 'win32') paths.push(path.join(dir, 'fifo'));
    for (const off of [false, true]) {
      resetStatNumbers(off);
      for (const file of paths) expect(numbers(file, dir), `${file} (${statNumbersSource() ?? 'unproven'})`).toEqual(expected(file));
      expect(statNumbersSource()).toBe(off || process.platform === 'win32' ? 'statSync' : 'binding');
    }
    // A path under a file is not a folder: statSync throws, and so does statNumbers.
    expect(() => statNumbers(path.join(dir, 'folder/file.ocl/x'), dir)).toThrow();
  });

  it('uses statSync when process.binding would print a deprecation warning (--pending-deprecation), or is not there', () => {
    const dir = tree();
    const own = Object.getOwnPropertyDescriptor(process, 'binding');
    try {
      // util.deprecate's wrapper is named `deprecated`.
      Object.defineProperty(process, 'binding', { value: function deprecated() { throw new Error('not to be called'); }, configurable: true, writable: true });
      resetStatNumbers();
      expect(numbers(path.join(dir, 'folder'), dir)).toEqual(expected(path.join(dir, 'folder')));
      expect(statNumbersSource()).toBe('statSync');
      Object.defineProperty(process, 'binding', { value: undefined, configurable: true, writable: true });
      resetStatNumbers();
      expect(numbers(path.join(dir, 'folder/file.ocl'), dir)).toEqual(expected(path.join(dir, 'folder/file.ocl')));
      expect(statNumbersSource()).toBe('statSync');
      // A binding whose numbers are not statSync's is not used either.
      Object.defineProperty(process, 'binding', { value: function binding() { return { stat: () => new Float64Array(18) }; }, configurable: true, writable: true });
      resetStatNumbers();
      expect(numbers(path.join(dir, 'folder/file.ocl'), dir)).toEqual(expected(path.join(dir, 'folder/file.ocl')));
      expect(statNumbersSource()).toBe('statSync');
    } finally {
      if (own) Object.defineProperty(process, 'binding', own);
    }
  });
});
