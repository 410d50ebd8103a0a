/**
 * The real-world corpus (../shared/corpus/ocl): every valid file parses with no diagnostics; every
 * invalid file yields an error on the line its INVALID_INDEX.tsv description names. Expected lines
 * are found by searching each file for the text the description quotes, not taken from the parser.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { OclDocument, OclElement, OclMapEntry } from '../../src/ocl/ast.js';
import { parseOcl } from '../../src/ocl/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = join(resolve(repoRoot, '../shared'), 'corpus/ocl');
const present = existsSync(join(corpus, 'valid'));
if (!present) console.warn(`skipping OCL corpus tests: ${corpus} not found`);

function read(kind: 'valid' | 'invalid', file: string): string {
  return readFileSync(join(corpus, kind, file), 'utf8');
}

function* walk(elements: OclElement[]): Generator<OclElement> {
  for (const element of elements) {
    yield element;
    if (element.type === 'block') yield* walk(element.body);
  }
}

function mapEntries(document: OclDocument, key: string): OclMapEntry[] {
  const found: OclMapEntry[] = [];
  for (const element of walk(document.body)) {
    if (element.type === 'attribute' && element.value.type === 'map') {
      for (const entry of element.value.entries) if (entry.key === key) found.push(entry);
    }
  }
  return found;
}

describe.skipIf(!present)('valid corpus', () => {
  const files = present ? readdirSync(join(corpus, 'valid')).sort() : [];

  it('has the 58 files the spec describes', () => {
    expect(files).toHaveLength(58);
  });

  for (const file of files) {
    it(`parses ${file} with no diagnostics`, () => {
      const { diagnostics } = parseOcl(read('valid', file), { file });
      expect(diagnostics).toEqual([]);
    });
  }

  it('schema_version files hold their version as an int', () => {
    const version = (file: string) => {
      const element = parseOcl(read('valid', file)).document.body[0]!;
      return element.type === 'attribute' ? element.value : undefined;
    };
    expect(version('OctopusDeploy__Ocl__.octopus__schema_version.ocl')).toMatchObject({ type: 'int', value: 5 });
    expect(version('BobJWalker__HomeLab__.octopus__argocd__schema_version.ocl')).toMatchObject({ type: 'int', value: 10 });
  });

  it('the 0-byte file is an empty document', () => {
    const { document } = parseOcl(read('valid', 'Kolob2206__promptedvars__.octopus__deployment_process.ocl'));
    expect(document.body).toEqual([]);
  });

  it('2021 channels use two-label blocks', () => {
    const { document } = parseOcl(read('valid', 'OctopusDeploy__Ocl__at-4a89e763__.octopus__channels.ocl'));
    const twoLabels = [...walk(document.body)].filter((e) => e.type === 'block' && e.labels.length === 2);
    expect(twoLabels.length).toBeGreaterThan(0);
    expect(twoLabels[0]!.type === 'block' && twoLabels[0]!.labels.map((l) => l.value)).toEqual(['Push', 'Octopus.Ocl']);
  });

  it('the three CRLF files are detected as CRLF', () => {
    const crlf = files.filter((f) => parseOcl(read('valid', f)).document.lineEnding === '\r\n');
    expect(crlf.sort()).toEqual(
      [
        'OctopusDeploy__cli__.octopus__deployment_settings.ocl',
        'OctopusSamples__PlatformHubLibrary__policies__check-supply-chain__check_supply_chain.ocl',
        'OctopusSamples__PlatformHubLibrary__process-templates__verify-build-artifacts__verify-build-artifacts.ocl',
      ].sort(),
    );
  });

  it('a pre-v6 file keeps 4 extra spaces under the current heredoc rule, none under legacy', () => {
    const text = read('valid', 'OctopusSamples__OctoPetShop__.octopus__deployment_process.ocl');
    const body = (mode: 'current' | 'legacy') => {
      const entry = mapEntries(parseOcl(text, { heredocMode: mode }).document, 'Octopus.Action.Script.ScriptBody')[0]!;
      expect(entry.value.type).toBe('heredoc');
      return entry.value.type === 'heredoc' ? entry.value.value : '';
    };
    expect(body('legacy').startsWith('$URL = $OctopusParameters')).toBe(true);
    expect(body('current').startsWith('    $URL = $OctopusParameters')).toBe(true);
    for (const line of body('current').split('\n')) expect(line.startsWith('    ')).toBe(true);
  });

  it('unquoted map keys with brackets and dots are kept whole', () => {
    let keys = 0;
    for (const file of files) {
      for (const element of walk(parseOcl(read('valid', file)).document.body)) {
        if (element.type === 'attribute' && element.value.type === 'map') {
          for (const entry of element.value.entries) {
            keys++;
            if (!entry.quoted) expect(entry.key).not.toMatch(/[\s"]/);
          }
        }
      }
    }
    expect(keys).toBeGreaterThan(100);
  });
});

/** For each invalid file, the text its INVALID_INDEX.tsv description points at. */
const INVALID_NEEDLES: Record<string, string> = {
  'ClearMeasureLabs__onion-architecture-dotnet-8-flyway-azure__at-d368f465__.octopus__variables.ocl':
    'variable "container_version": {',
  'ClearMeasureLabs__onion-architecture-dotnet-8-flyway-azure__at-96a9a318__.octopus__variables.ocl': 'value "2.4.46"',
  'OctopusDeploy__Library__at-f001270e__.octopus__deployment_settings.ocl': '{}',
  'OctopusDeploy__Library__at-e9783a1a__.octopus__deployment-process.octo': 'notify_octopus-library_on_slack',
};

describe.skipIf(!present)('invalid corpus', () => {
  const index = present ? readFileSync(join(corpus, 'INVALID_INDEX.tsv'), 'utf8') : '';
  const files = index
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t')[0]!);

  it('INVALID_INDEX.tsv lists the files this test knows', () => {
    expect(files.sort()).toEqual(Object.keys(INVALID_NEEDLES).sort());
  });

  for (const [file, needle] of Object.entries(INVALID_NEEDLES)) {
    it(`rejects ${file} on the described line`, () => {
      const text = read('invalid', file);
      const lines = text.split('\n');
      const expectedLine = lines.findIndex((l) => l.includes(needle)) + 1;
      expect(expectedLine).toBeGreaterThan(0);
      const { diagnostics } = parseOcl(text, { file });
      const errors = diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      // The first error is the one Octopus would stop at.
      expect(errors[0]!.range!.start.line).toBe(expectedLine);
      expect(errors[0]!.file).toBe(file);
    });
  }
});
