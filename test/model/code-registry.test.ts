/**
 * The registry of diagnostic codes is complete (every code literal in src/ is registered, every
 * registered code is reported somewhere) and docs/validation.md lists exactly the registered codes with
 * their severities.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, KNOWN_CODES } from '../../src/model/code-registry.js';
import { REPO_ROOT } from './helpers.js';

const REGISTRY_FILE = path.join('src', 'model', 'code-registry.ts');
/** A code as a string literal: `'TPL004'`, `"TPL004"` or `` `TPL004` ``. */
const CODE_LITERAL = /['"`]([A-Z]{2,5}\d{3})['"`]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Code literals by file (relative to the repository root). */
function codeLiterals(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const file of sourceFiles(path.join(REPO_ROOT, 'src'))) {
    const codes = new Set([...readFileSync(file, 'utf8').matchAll(CODE_LITERAL)].map((m) => m[1]!));
    if (codes.size > 0) out.set(path.relative(REPO_ROOT, file), codes);
  }
  return out;
}

describe('diagnostic code registry', () => {
  const literals = codeLiterals();

  it('registers every code literal in src/', () => {
    const missing: string[] = [];
    for (const [file, codes] of literals) for (const code of codes) if (!KNOWN_CODES.has(code)) missing.push(`${code} (${file})`);
    expect(missing).toEqual([]);
  });

  it('registers no code that nothing in src/ reports', () => {
    const used = new Set<string>();
    for (const [file, codes] of literals) if (file !== REGISTRY_FILE) for (const code of codes) used.add(code);
    // The model's own tables name their codes as object keys, which the literal scan does not see.
    for (const file of ['src/model/codes.ts', 'src/templates/resolve-codes.ts', 'src/policy/codes.ts', 'src/ocl/codes.ts', 'src/practices/codes.ts', 'src/deps/codes.ts', 'src/lint/codes.ts']) {
      for (const m of readFileSync(path.join(REPO_ROOT, file), 'utf8').matchAll(/^\s+([A-Z]{2,5}\d{3}):/gm)) used.add(m[1]!);
    }
    expect([...KNOWN_CODES].filter((code) => !used.has(code))).toEqual([]);
  });

  it('gives every code a severity, a title and its layer', () => {
    for (const entry of DIAGNOSTIC_CODES.values()) {
      expect(['error', 'warning', 'info'], entry.code).toContain(entry.severity);
      expect(entry.title.length, entry.code).toBeGreaterThan(5);
      expect(entry.code.startsWith(entry.layer)).toBe(true);
    }
  });
});

describe('docs/validation.md', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/validation.md'), 'utf8');
  /** Rows of the code tables: `| TPL004 | error | … |`. */
  const rows = new Map([...doc.matchAll(/^\| `?([A-Z]{2,5}\d{3})`? \| (error|warning|info) \|/gm)].map((m) => [m[1]!, m[2]!]));

  it('lists every registered code with its default severity', () => {
    const wrong = [...DIAGNOSTIC_CODES.values()].filter((c) => rows.get(c.code) !== c.severity).map((c) => `${c.code}: doc ${rows.get(c.code) ?? 'missing'}, registry ${c.severity}`);
    expect(wrong).toEqual([]);
  });

  it('lists no code the registry does not know', () => {
    expect([...rows.keys()].filter((code) => !KNOWN_CODES.has(code))).toEqual([]);
  });

  it('says how to change a severity', () => {
    expect(doc).toMatch(/rule "TPL004" \{/);
    expect(doc).toContain('severity = "off"');
  });
});
