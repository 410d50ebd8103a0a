/**
 * Legacy forms found in real Octopus files. Each becomes a warning that states the migration to make;
 * the document is then validated as its modern equivalent (so legacy files get warnings, not errors).
 */
import type { Diagnostic, LineIndex, Range } from '../../diagnostics.js';
import type { OclBlock, OclDocument, OclElement, OclHeredoc } from '../../ocl/ast.js';
import { modelDiagnostic } from '../codes.js';
import type { BlockCache } from '../block-cache.js';
import type { DocumentKind, PathInfo } from '../kinds.js';
import { blockHeaderRange } from '../projection.js';
import { renameFileFix, replaceFix } from '../fixes.js';

export interface LegacyResult {
  diagnostics: Diagnostic[];
  /** Block renames for the projection (`steps` → `step`, `actions` → `action`). */
  renameBlocks: Record<string, string>;
  /** Build the model reading `steps`/`actions` as `step`/`action`. */
  legacyBlockNames: boolean;
  /** Names reported here, so the schema does not also call them unknown. */
  suppressUnknown: Set<string>;
}

export interface LegacyOptions {
  kind: DocumentKind;
  document: OclDocument;
  path?: PathInfo | undefined;
  file?: string | undefined;
  schemaVersion?: number | undefined;
  /** The source text, to see where heredoc end tags sit. */
  lines?: LineIndex | undefined;
  /** Findings for top-level blocks kept from an earlier version of the file (see block-cache.ts). */
  cache?: BlockCache | undefined;
}

/** Octopus slugs: lower-case letters and digits separated by single dashes. */
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function documentStart(document: OclDocument): Range {
  return { start: document.range.start, end: document.range.start };
}

function walk(body: readonly OclElement[], visit: (element: OclElement, parents: readonly OclBlock[]) => void, parents: OclBlock[] = []): void {
  for (const element of body) {
    visit(element, parents);
    if (element.type === 'block') {
      parents.push(element);
      walk(element.body, visit, parents);
      parents.pop();
    }
  }
}

function hasHeredoc(body: readonly OclElement[]): boolean {
  let found = false;
  walk(body, (element) => {
    if (found || element.type !== 'attribute') return;
    if (element.value.type === 'heredoc' && element.value.indented) found = true;
    if (element.value.type === 'map' && element.value.entries.some((e) => e.value.type === 'heredoc' && e.value.indented)) found = true;
  });
  return found;
}

const PROJECT_FOLDER_KINDS: ReadonlySet<DocumentKind> = new Set(['deployment_process', 'deployment_settings', 'variables', 'runbook', 'channels']);

/** The number of leading spaces and tabs of a line. */
function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

interface OldWriterHeredoc {
  owner: Range;
  heredoc: OclHeredoc;
}

/**
 * Indented heredocs written the pre-2023 way: the end tag at the column of the attribute (or map key)
 * that holds it and every content line deeper, where today's writer puts the end tag at the content's
 * column (ocl-spec §2.2). Returns the heredocs in that shape, each with the range of its owner's name.
 */
export function oldWriterHeredocs(document: OclDocument, lines: LineIndex): OldWriterHeredoc[] {
  return oldWriterHeredocsIn(document.body, lines);
}

function oldWriterHeredocsIn(body: readonly OclElement[], lines: LineIndex): OldWriterHeredoc[] {
  const out: OldWriterHeredoc[] = [];
  const check = (owner: Range, heredoc: OclHeredoc) => {
    if (!heredoc.indented) return;
    const endLine = heredoc.range.end.line;
    const endTag = lines.lineText(endLine);
    if (endTag.trim() !== heredoc.tag || indentOf(endTag) !== owner.start.column - 1) return;
    let content = Number.MAX_SAFE_INTEGER;
    for (let line = heredoc.range.start.line + 1; line < endLine; line++) {
      const text = lines.lineText(line);
      if (text.trim() !== '') content = Math.min(content, indentOf(text));
    }
    if (content !== Number.MAX_SAFE_INTEGER && content > indentOf(endTag)) out.push({ owner, heredoc });
  };
  walk(body, (element) => {
    if (element.type !== 'attribute') return;
    if (element.value.type === 'heredoc') check(element.nameRange, element.value);
    if (element.value.type === 'map') for (const entry of element.value.entries) if (entry.value.type === 'heredoc') check(entry.keyRange, entry.value);
  });
  return out;
}

/** SCH108 naming the first of the old-writer heredocs of a file that has no schema_version.ocl. */
function unsettledHeredocDiagnostic(old: readonly OldWriterHeredoc[], file: string | undefined): Diagnostic | undefined {
  const first = old[0];
  if (!first) return undefined;
  return modelDiagnostic('SCH108', `${old.length === 1 ? 'A heredoc has its' : `${old.length} heredocs have their`} end tag at the attribute's column, as Octopus wrote before schema_version 6, and no schema_version.ocl says which rule applies`, {
    file,
    range: first.owner,
    detail:
      "Read with today's rule, every line of such a heredoc keeps 4 extra leading spaces. Check the file together with its project folder's schema_version.ocl (validate the folder, or `validate --hub`); if the project is at schema_version 6 or later, move each end tag to the content's column.",
  });
}

/**
 * SCH108 for a project file with no schema_version.ocl whose heredocs have the pre-v6 writer's shape,
 * for commands that look at one file outside a validation (fmt, convert): which unindent rule applies
 * cannot be known from the file alone.
 */
export function unsettledHeredocRule(kind: DocumentKind, document: OclDocument, lines: LineIndex, file?: string): Diagnostic | undefined {
  if (!PROJECT_FOLDER_KINDS.has(kind)) return undefined;
  return unsettledHeredocDiagnostic(oldWriterHeredocs(document, lines), file);
}

export function legacyPass(options: LegacyOptions): LegacyResult {
  const { kind, document, path, file, schemaVersion } = options;
  const result: LegacyResult = { diagnostics: [], renameBlocks: {}, legacyBlockNames: false, suppressUnknown: new Set() };
  // A file of schema_version 6 or later reads its heredocs with today's rule and has its step labels
  // checked by nobody here: without any name of a legacy form it has nothing to report (most files).
  if (options.cache === undefined && !path?.legacyName && schemaVersion !== undefined && schemaVersion >= 6 && !namesLegacyForm(document.body)) return result;
  const out = result.diagnostics;

  if (path?.legacyName) {
    if (kind === 'channels') {
      out.push(
        modelDiagnostic('SCH102', 'channels.ocl is a 2021 format that Octopus no longer reads', {
          file,
          range: documentStart(document),
          detail: 'Since 2022 channels live in the Octopus database, not in Git: recreate any channel that is missing in Octopus, then delete this file.',
        }),
      );
    } else {
      const modern = path.legacyName.replace(/-/g, '_');
      out.push(
        modelDiagnostic('SCH101', `Legacy file name "${path.legacyName}"`, {
          file,
          range: documentStart(document),
          detail: `Octopus renamed the file to "${modern}" (schema_version 3, 2022): rename it.`,
          fix: renameFileFix(`Rename the file to ${modern}`, modern),
        }),
      );
    }
  }

  // Each top-level element is looked at once (and a kept block not at all, see block-cache.ts); the
  // findings are then put together in document order.
  const oldWriterCheck = schemaVersion === undefined && options.lines !== undefined && PROJECT_FOLDER_KINDS.has(kind);
  const scan: ScanSettings = { kind, file, schemaVersion, lines: oldWriterCheck ? options.lines : undefined };
  const setting = `${file ?? ''}|${kind}|${schemaVersion ?? ''}|${oldWriterCheck}`;
  const findings: ElementFindings[] = [];
  for (const element of document.body) {
    if (element.type !== 'block' || !options.cache) {
      findings.push(scanElement(element, scan));
      continue;
    }
    const kept = options.cache.legacy.get(element, setting);
    findings.push(kept ?? options.cache.legacy.set(element, setting, scanElement(element, scan)));
  }

  if (findings.some((f) => f.indentedHeredoc)) {
    out.push(
      modelDiagnostic('SCH108', `Heredocs read with the pre-2023 indentation rule (schema_version ${schemaVersion})`, {
        file,
        range: documentStart(document),
        detail:
          'Before schema_version 6 the `<<-` end tag could sit left of the content; today\'s rule would keep extra leading spaces. Octopus migration 6 re-indents end tags to the content column: let Octopus migrate the project, or re-indent the end tags and set `version = 6` or later.',
      }),
    );
  }

  // Only project files sit next to a schema_version.ocl; hub files (policies, templates) never had one.
  if (oldWriterCheck) {
    const unsettled = unsettledHeredocDiagnostic(findings.flatMap((f) => f.oldWriter), file);
    if (unsettled) out.push(unsettled);
  }

  if (isProcessKind(kind)) {
    const legacySteps = findings.flatMap((f) => f.legacySteps);
    const nameLabelled = findings.flatMap((f) => f.nameLabelled);
    if (legacySteps.length > 0) {
      result.renameBlocks = { steps: 'step', actions: 'action' };
      result.legacyBlockNames = true;
      const first = legacySteps[0]!;
      const steps = legacySteps.filter((b) => b.name === 'steps').length;
      const actions = legacySteps.length - steps;
      out.push(
        modelDiagnostic('SCH104', `\`steps\`/\`actions\` are the Dec-2020 pre-release forms of \`step\`/\`action\` (${steps} steps, ${actions} actions)`, {
          file,
          range: first.nameRange,
          detail: 'Rename every `steps` block to `step` and every `actions` block to `action`: Octopus 2021+ writes `step "<slug>" { action { … } }`.',
          fix: {
            title: 'Rename `steps`/`actions` blocks to `step`/`action`',
            edits: legacySteps.map((b) => ({ range: b.nameRange, newText: b.name === 'steps' ? 'step' : 'action' })),
          },
        }),
      );
    }
    const knownOld = schemaVersion !== undefined && schemaVersion < 4;
    const first = nameLabelled[0];
    if (first && (knownOld || schemaVersion === undefined)) {
      const label = first.labels[0]!.value;
      const slug = label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '');
      out.push(
        modelDiagnostic('SCH103', `Step labels are display names (${nameLabelled.length} step${nameLabelled.length === 1 ? '' : 's'}), as before schema_version 4`, {
          file,
          range: first.labels[0]!.range,
          detail: `Since schema_version 4 (2022.3) steps are labelled by slug and carry their name as an attribute, e.g. \`step "${slug}" { name = "${label}" … }\`; feeds, worker pools and environments are referenced by slug too. Let Octopus migrate the project (migration 4) rather than editing by hand.`,
        }),
      );
    }
  }

  for (const f of findings) {
    out.push(...f.diagnostics);
    for (const name of f.suppressUnknown) result.suppressUnknown.add(name);
  }
  return result;
}

/**
 * Whether `body` or a block in it has a name one of the legacy forms uses (`steps`, `actions`,
 * `donor_package`, several labels on `channel`/`rules`/`deployment_action_packages`, the attributes
 * `feed_id_or_name`, `lifecycle_id`, `quantity_to_keep`), wherever it sits: false means `scanElement`
 * would find nothing in a file of schema_version 6 or later.
 */
function namesLegacyForm(body: readonly OclElement[]): boolean {
  for (const element of body) {
    const name = element.name;
    if (element.type === 'attribute') {
      if (name === 'feed_id_or_name' || name === 'lifecycle_id' || name === 'quantity_to_keep') return true;
      continue;
    }
    if (name === 'steps' || name === 'actions' || name === 'donor_package') return true;
    if (element.labels.length > 1 && (name === 'channel' || name === 'rules' || name === 'deployment_action_packages')) return true;
    if (namesLegacyForm(element.body)) return true;
  }
  return false;
}

function isProcessKind(kind: DocumentKind): boolean {
  return kind === 'deployment_process' || kind === 'runbook' || kind === 'process_template';
}

interface ScanSettings {
  kind: DocumentKind;
  file: string | undefined;
  schemaVersion: number | undefined;
  /** Given when old-writer heredocs are looked for. */
  lines: LineIndex | undefined;
}

/** What the legacy pass finds in one top-level element: a function of the element and the settings. */
export interface ElementFindings {
  /** An indented heredoc in a file read with the pre-2023 rule (schema_version below 6). */
  indentedHeredoc: boolean;
  oldWriter: OldWriterHeredoc[];
  /** `steps` blocks in the process and `actions` blocks in them. */
  legacySteps: OclBlock[];
  /** Steps labelled with a display name instead of a slug. */
  nameLabelled: OclBlock[];
  /** Per-element findings (renamed attributes, legacy labels), in document order. */
  diagnostics: Diagnostic[];
  suppressUnknown: string[];
}

function scanElement(element: OclElement, settings: ScanSettings): ElementFindings {
  const { file, schemaVersion } = settings;
  const body = [element];
  const findings: ElementFindings = {
    indentedHeredoc: schemaVersion !== undefined && schemaVersion < 6 && hasHeredoc(body),
    oldWriter: settings.lines ? oldWriterHeredocsIn(body, settings.lines) : [],
    legacySteps: [],
    nameLabelled: [],
    diagnostics: [],
    suppressUnknown: [],
  };
  const out = findings.diagnostics;

  // One walk for everything (the step checks only in a process): each list is filled in walk order.
  const processKind = isProcessKind(settings.kind);
  walk(body, (element, parents) => {
    const parent = parents[parents.length - 1];
    if (processKind && element.type === 'block') {
      const inProcess = parent === undefined || (parent.name === 'process' && parents.length === 1);
      if (inProcess && element.name === 'steps') findings.legacySteps.push(element);
      if (element.name === 'actions' && parent?.name === 'steps') findings.legacySteps.push(element);
      if (inProcess && (element.name === 'step' || element.name === 'steps')) {
        const label = element.labels[0]?.value;
        if (label !== undefined && !SLUG.test(label)) findings.nameLabelled.push(element);
      }
    }
    if (element.type === 'attribute') {
      if (element.name === 'feed_id_or_name' && parent?.name === 'packages') {
        findings.suppressUnknown.push('feed_id_or_name');
        out.push(
          modelDiagnostic('SCH106', '`feed_id_or_name` is the Dec-2020 name of `feed`', {
            file,
            range: element.nameRange,
            detail: 'Rename it to `feed` and use the feed slug (e.g. "octopus-server-built-in").',
            fix: replaceFix('Rename to `feed`', element.nameRange, 'feed'),
          }),
        );
      }
      if (element.name === 'lifecycle_id' && parent?.name === 'channel') {
        findings.suppressUnknown.push('lifecycle_id');
        out.push(
          modelDiagnostic('SCH106', '`lifecycle_id` is the pre-2021-08 name of `lifecycle`', {
            file,
            range: element.nameRange,
            detail: 'Rename it to `lifecycle`.',
            fix: replaceFix('Rename to `lifecycle`', element.nameRange, 'lifecycle'),
          }),
        );
      }
      // Since schema_version 10 the policy has a `type`: "Default", or "Count" with `quantity_to_keep` and `unit`
      // (Octopus writes all three). Only the old shape, a count without a type, is legacy.
      const retention = parent?.name === 'run_retention_policy' ? parent : undefined;
      if (element.name === 'quantity_to_keep' && retention && schemaVersion !== undefined && schemaVersion >= 10 && !retention.body.some((e) => e.type === 'attribute' && e.name === 'type')) {
        out.push(
          modelDiagnostic('SCH107', '`quantity_to_keep` without `type` is the run retention policy of schema_version < 10', {
            file,
            range: element.nameRange,
            detail: 'Since schema_version 10 Octopus writes `run_retention_policy { type = "Default" }`, or `type = "Count"` with `quantity_to_keep` and `unit` ("Days" or "Items").',
          }),
        );
      }
      return;
    }
    const multiLabel =
      (element.name === 'donor_package' && element.labels.length > 0) ||
      ((element.name === 'channel' || element.name === 'rules' || element.name === 'deployment_action_packages') && element.labels.length > 1);
    if (multiLabel) {
      out.push(
        modelDiagnostic('SCH105', `Legacy labels on \`${element.name}\``, {
          file,
          range: blockHeaderRange(element),
          detail:
            element.name === 'donor_package'
              ? 'Since 2021-08 the donor package is written with attributes: `donor_package { step = "<step-slug>" package = "<package reference>" }`.'
              : 'The 2021 format used several labels here; later files write one label and attributes.',
        }),
      );
    }
  });
  return findings;
}
