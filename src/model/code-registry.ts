/**
 * Every diagnostic code oclhub can report, from every layer, with its default severity and title.
 * Rule settings (`rule "<CODE>" { … }` in oclhub.ocl) are checked against it, docs/validation.md lists
 * it, and test/model/code-registry.test.ts keeps it complete by scanning src/ for code literals.
 *
 * Layers that keep their own table (the OCL parser, the model, template resolution, policies) are
 * joined here as they are; codes without a table of their own are listed below. Adding a code is one
 * line in its layer's table; adding a layer is one line in `LAYERS`.
 */
import type { Severity } from '../diagnostics.js';
import { DEP_CODES } from '../deps/codes.js';
import { LINT_CODES } from '../lint/codes.js';
import { OCL_CODE_DESCRIPTIONS } from '../ocl/codes.js';
import { POLICY_CODES } from '../policy/codes.js';
import { PRACTICE_CODE_TABLE } from '../practices/codes.js';
import { RESOLVE_CODES } from '../templates/resolve-codes.js';
import { CODES } from './codes.js';

export interface RegisteredCode {
  code: string;
  /** The severity the code is reported with unless a rule setting changes it. */
  severity: Severity;
  title: string;
  /** The code's layer: its letters (`OCL`, `SCH`, `TPL`, …). */
  layer: string;
}

type Table = Readonly<Record<string, readonly [Severity, string] | { readonly severity: Severity; readonly title: string }>>;

/** OCL→JSON conversion and formatting (src/ocl/json.ts, src/ocl/format.ts). */
const OCL_CONVERSION_CODES: Table = {
  OCL201: ['error', 'OCL JSON value has the wrong type or shape'],
  OCL202: ['error', 'OCL JSON `ocl` version missing or unsupported'],
  OCL203: ['error', 'OCL JSON property this format does not define'],
  OCL204: ['error', 'Block or attribute name OCL cannot express'],
  OCL205: ['error', 'Number outside the range OCL can hold'],
  OCL206: ['error', 'Decimal text is not `-?digits.digits`'],
  OCL207: ['error', 'Array mixes element types'],
  OCL208: ['error', 'Map inside a map'],
  OCL209: ['error', 'Duplicate map key'],
  OCL210: ['error', 'Heredoc tag contains whitespace'],
  OCL211: ['error', 'Text is not JSON'],
  OCL290: ['error', 'Formatted text would not read back as the same document'],
};

/** GitStore failures turned into diagnostics (src/git/errors.ts). */
const GIT_CODES: Table = {
  GIT001: ['error', 'Invalid repository path'],
  GIT002: ['error', 'Unknown branch, tag or commit'],
  GIT003: ['error', 'File not found at the ref'],
  GIT004: ['error', 'File where a folder was expected, or the reverse'],
  GIT005: ['error', 'Tag already exists'],
  GIT006: ['error', 'Branch moved since it was read'],
  GIT007: ['error', 'Invalid ref name'],
  GIT008: ['error', 'No repository at that location'],
  GIT009: ['error', 'Ref is locked by another writer'],
  GIT010: ['error', 'Request cannot apply to this repository'],
  GIT011: ['error', 'Cloning or fetching a remote repository failed'],
  GIT012: ['error', 'Git object missing or unreadable'],
  GIT013: ['error', 'Working copy cannot follow the commit (uncommitted changes to a file it changes)'],
  GIT014: ['error', 'Writing objects or refs failed in the file system'],
  GIT015: ['error', 'Working-directory file exists but cannot be read'],
};

/** The hub façade, lint and rule settings (src/hub, src/lint, src/model/rule-settings.ts). */
const HUB_CODES: Table = {
  HUB001: ['error', 'Hub cannot be opened or read at the ref'],
  HUB010: ['error', 'Policy activation refused'],
  HUB020: ['error', 'Registered project repository cannot be reached'],
  HUB021: ['error', 'Registered project ref does not exist'],
  HUB030: ['warning', 'Rule setting cannot lower syntax errors'],
  HUB031: ['warning', 'Rule setting names a code oclhub does not report'],
  HUB032: ['warning', 'Rule setting sets no severity'],
  HUB033: ['error', 'Rule setting severity is not off, info, warning or error'],
};

/** Every table, in the order docs/validation.md lists the layers. One line per table. */
export const LAYERS: ReadonlyArray<{ name: string; description: string; table: Table }> = [
  { name: 'OCL', description: 'OCL syntax (src/ocl): the file cannot be read, by Octopus either', table: descriptions(OCL_CODE_DESCRIPTIONS) },
  { name: 'OCL', description: 'OCL JSON conversion and formatting (src/ocl)', table: OCL_CONVERSION_CODES },
  { name: 'SCH/SEM/TPL/POL', description: 'document shape, meaning, templates and policies as written (src/model)', table: CODES },
  { name: 'TPL', description: 'template resolution and publishing (src/templates)', table: RESOLVE_CODES },
  { name: 'POL', description: 'policy evaluation and Octopus compatibility (src/policy)', table: POLICY_CODES },
  { name: 'HUB', description: 'hub, projects, lint and rule settings (src/hub, src/lint)', table: HUB_CODES },
  { name: 'HUB', description: 'linting registered projects (src/lint)', table: LINT_CODES },
  { name: 'GIT', description: 'Git repositories (src/git)', table: GIT_CODES },
  { name: 'BP', description: 'best practices, Octolint\'s checks decided offline (src/practices; docs/best-practices.md)', table: PRACTICE_CODE_TABLE },
  { name: 'DEP', description: 'project dependencies and version patterns (src/deps; docs/dependencies.md)', table: DEP_CODES },
];

function descriptions(table: Readonly<Record<string, string>>): Table {
  return Object.fromEntries(Object.entries(table).map(([code, title]) => [code, ['error', title.charAt(0).toUpperCase() + title.slice(1)] as const]));
}

function build(): Map<string, RegisteredCode> {
  const out = new Map<string, RegisteredCode>();
  for (const { table } of LAYERS) {
    for (const [code, entry] of Object.entries(table)) {
      const [severity, title] = Array.isArray(entry) ? (entry as readonly [Severity, string]) : [(entry as { severity: Severity }).severity, (entry as { title: string }).title];
      if (out.has(code)) throw new Error(`diagnostic code ${code} is registered twice`);
      out.set(code, { code, severity, title, layer: /^[A-Z]+/.exec(code)?.[0] ?? code });
    }
  }
  return out;
}

/** Every code, by code, in layer order. */
export const DIAGNOSTIC_CODES: ReadonlyMap<string, RegisteredCode> = build();

/** The codes a rule setting may name (HUB031 warns about any other). */
export const KNOWN_CODES: ReadonlySet<string> = new Set(DIAGNOSTIC_CODES.keys());
