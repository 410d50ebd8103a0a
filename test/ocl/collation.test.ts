import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareMapKeys, sortMapKeys } from '../../src/ocl/collation.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/ocl');
const hasCorpus = existsSync(path.join(corpus, 'BYTE_STABLE.txt'));
if (!hasCorpus) console.warn(`collation corpus tests skipped: ${corpus} is absent`);

const icuAvailable = (() => {
  try {
    return new Intl.Collator('und').compare('a', 'B') < 0;
  } catch {
    return false;
  }
})();
if (!icuAvailable) console.warn('ICU comparison test skipped: this Node has no ICU collation');

const sorted = (keys: string[]) => sortMapKeys(keys, (k) => k);

describe('compareMapKeys', () => {
  it('reproduces the Octopus-written key order from ocl-spec §2.3 (ordinal would not)', () => {
    const octopusOrder = [
      'commitId',
      'draft',
      'gitHubApiKey',
      'gitHubRepository',
      'gitHubUsername',
      'Octopus.Action.Template.Id',
      'Octopus.Action.Template.Version',
      'OctopusUseBundledTooling',
      'preRelease',
      'releaseNotes',
      'versionNumber',
    ];
    expect(sorted([...octopusOrder].reverse())).toEqual(octopusOrder);
    expect([...octopusOrder].sort()).not.toEqual(octopusOrder);
  });

  it('orders whitespace < punctuation < digits < letters, lowercase first on ties', () => {
    expect(sorted(['a', '1', '_', ' ', 'B', 'b', 'A'])).toEqual([' ', '_', '1', 'a', 'A', 'b', 'B']);
    expect(sorted(['ab', 'aB', 'Ab', 'a.b', 'a-b', 'a_b'])).toEqual(['a_b', 'a-b', 'a.b', 'ab', 'aB', 'Ab']);
    expect(sorted(['a10', 'a2', 'a1'])).toEqual(['a1', 'a10', 'a2']);
  });

  it('compares accents after base letters and ignores control characters until the final tie-break', () => {
    expect(sorted(['éb', 'ea', 'eb'])).toEqual(['ea', 'eb', 'éb']);
    expect(compareMapKeys('a\u0001b', 'ab')).not.toBe(0);
    expect(sorted(['ac', 'a\u0001b'])).toEqual(['a\u0001b', 'ac']);
  });

  it('is a total order: antisymmetric, transitive, zero only for equal strings', () => {
    const key = fc.string({ unit: fc.constantFrom(...'aAbB0 _-.é\u0001Zz9"') , maxLength: 6 });
    fc.assert(
      fc.property(key, key, key, (a, b, c) => {
        expect(Math.sign(compareMapKeys(a, b)) + Math.sign(compareMapKeys(b, a))).toBe(0);
        expect(compareMapKeys(a, b) === 0).toBe(a === b);
        if (compareMapKeys(a, b) < 0 && compareMapKeys(b, c) < 0) expect(compareMapKeys(a, c)).toBeLessThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  // ICU root is what .NET uses for culture-sensitive comparison on an ICU host; Node's Intl
  // collator is ICU too, so it is an independent oracle for the keys Octopus actually writes.
  it.skipIf(!icuAvailable)(
    'agrees with ICU root (Intl.Collator "und") on ASCII and Latin-1 keys',
    () => {
      const icu = new Intl.Collator('und');
      const unit = fc.constantFrom(...' \t_-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCzZéÉèñÑ');
      const key = fc.string({ unit, maxLength: 8 });
      fc.assert(
        fc.property(key, key, (a, b) => {
          const expected = Math.sign(icu.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
          expect(Math.sign(compareMapKeys(a, b))).toBe(expected);
        }),
        { numRuns: 20000 },
      );
    },
  );
});

describe.skipIf(!hasCorpus)('compareMapKeys on the byte-stable corpus', () => {
  it('keeps every Octopus-written map in its written order', () => {
    const files = readFileSync(path.join(corpus, 'BYTE_STABLE.txt'), 'utf8').split(/\r?\n/).filter(Boolean);
    let maps = 0;
    for (const file of files) {
      for (const keys of mapKeyRuns(readFileSync(path.join(corpus, 'valid', file), 'utf8'))) {
        maps++;
        expect(sorted(keys), `${file}: ${keys.join(', ')}`).toEqual(keys);
      }
    }
    expect(maps).toBeGreaterThan(100);
  });
});

/**
 * The key sequences of the maps in a file, read line by line (independent of the parser: the
 * byte-stable files have one entry per line and `}` alone on the closing line).
 */
function mapKeyRuns(text: string): string[][] {
  const runs: string[][] = [];
  let keys: string[] | undefined;
  let heredocTag: string | undefined;
  for (const line of text.replace(/\r/g, '').split('\n')) {
    if (heredocTag !== undefined) {
      if (line.trim() === heredocTag) heredocTag = undefined;
      continue;
    }
    if (keys && /^\s*}\s*$/.test(line)) {
      runs.push(keys);
      keys = undefined;
    } else if (keys) {
      const entry = /^\s*("(?:[^"\\]|\\.)*"|\S+) = /.exec(line);
      if (entry) keys.push(entry[1]!.startsWith('"') ? (JSON.parse(entry[1]!) as string) : entry[1]!);
    }
    if (/= \{$/.test(line)) keys = [];
    const heredoc = /<<-?(\S*)\s*$/.exec(line);
    if (heredoc) heredocTag = heredoc[1];
  }
  return runs;
}
