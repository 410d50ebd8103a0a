/**
 * Rule settings: `rule "<CODE>" { severity = "off"|"info"|"warning"|"error"  paths = [...]  reason = "..." }`
 * blocks in `oclhub.ocl` (a hub's, or a project repository's own). OCL has no comments, so findings
 * cannot be silenced inline; these blocks are the escape hatch, reviewed like any other commit.
 *
 * Every surface (validate, lint, publish, the API, the language server) passes its diagnostics through
 * `applyRuleSettings` and reports what was silenced: a silenced finding is never simply dropped.
 */
import picomatch from 'picomatch';
import type { Diagnostic, Range, Severity } from '../diagnostics.js';
import { suggest } from './suggest.js';
import type { HubConfigDocument } from './types.js';

export type RuleSeverity = Severity | 'off';

export const RULE_SEVERITIES: readonly RuleSeverity[] = ['off', 'info', 'warning', 'error'];

export interface RuleSetting {
  /** A diagnostic code (`TPL004`) or a code prefix ending in `*` (`BP*`). */
  code: string;
  /** Absent: the code keeps its severity (a setting with only `paths` is pointless, and warned about). */
  severity?: RuleSeverity;
  /** Glob patterns (picomatch, `/`-separated, relative to the repository root); empty: every file. */
  paths: string[];
  reason?: string;
  /** The `rule` block's label range in `oclhub.ocl`, for findings about the setting itself. */
  range?: Range;
}

/** The `rule` blocks of an oclhub.ocl as settings (a block with an invalid severity sets none: the schema reports it). */
export function ruleSettingsOf(config: Pick<HubConfigDocument, 'rules'> | undefined): RuleSetting[] {
  return (config?.rules ?? []).map((rule) => ({
    code: rule.code,
    paths: rule.paths,
    ...(rule.severity !== undefined ? { severity: rule.severity } : {}),
    ...(rule.reason !== undefined ? { reason: rule.reason } : {}),
    range: rule.labelRange ?? rule.headerRange,
  }));
}

export interface RuleSettingsOptions {
  /** Where the settings were read from (shown with silenced findings); default `oclhub.ocl`. */
  file?: string;
}

export interface RuleSettingsResult {
  /** The findings still reported, with changed severities marked by `adjusted`. */
  diagnostics: Diagnostic[];
  /** The findings a setting turned off, with their original severity in `adjusted`. */
  suppressed: Diagnostic[];
}

/**
 * Codes whose errors a setting may not lower: the file cannot be read at all (by Octopus either), so
 * nothing after it was checked. Silencing them would report "passed" over unchecked content.
 */
export function isUnlowerable(code: string): boolean {
  return /^OCL\d/.test(code) || code === 'SCH021' || code === 'GIT001';
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

interface CompiledSetting {
  setting: RuleSetting;
  index: number;
  exact: boolean;
  prefix: string;
  matchPath: ((file: string) => boolean) | undefined;
}

/** Compiles settings once; the returned function applies them to any number of diagnostic lists. */
export function ruleSettingsApplier(settings: readonly RuleSetting[], options: RuleSettingsOptions = {}): (diagnostics: readonly Diagnostic[]) => RuleSettingsResult {
  const file = options.file ?? 'oclhub.ocl';
  const compiled: CompiledSetting[] = settings
    .filter((s) => s.severity !== undefined)
    .map((setting, index) => {
      const exact = !setting.code.endsWith('*');
      const prefix = exact ? setting.code : setting.code.slice(0, -1);
      const matchPath = setting.paths.length ? picomatch(setting.paths, { dot: true }) : undefined;
      return { setting, index, exact, prefix, matchPath };
    });
  if (compiled.length === 0) return (diagnostics) => ({ diagnostics: [...diagnostics], suppressed: [] });

  const pick = (d: Diagnostic): CompiledSetting | undefined => {
    let best: CompiledSetting | undefined;
    for (const c of compiled) {
      if (c.exact ? d.code !== c.prefix : !d.code.startsWith(c.prefix)) continue;
      if (c.matchPath && (d.file === undefined || !c.matchPath(d.file.replace(/\\/g, '/')))) continue;
      // The most specific setting wins: an exact code over a prefix, a longer prefix over a shorter,
      // a setting with paths over one without; among equals the later block (as in the file).
      if (!best || more(c, best)) best = c;
    }
    return best;
  };

  return (diagnostics) => {
    const kept: Diagnostic[] = [];
    const suppressed: Diagnostic[] = [];
    for (const d of diagnostics) {
      const c = pick(d);
      if (!c) {
        kept.push(d);
        continue;
      }
      const target = c.setting.severity!;
      if (d.severity === 'error' && isUnlowerable(d.code) && target !== 'error') {
        kept.push(d);
        continue;
      }
      const adjusted = {
        originalSeverity: d.adjusted?.originalSeverity ?? d.severity,
        ...(c.setting.reason !== undefined ? { reason: c.setting.reason } : {}),
        file,
        ...(c.setting.range ? { range: c.setting.range } : {}),
      };
      if (target === 'off') suppressed.push({ ...d, adjusted });
      else if (target === d.severity) kept.push(d);
      else kept.push({ ...d, severity: target, adjusted });
    }
    return { diagnostics: kept, suppressed };
  };
}

export function applyRuleSettings(diagnostics: readonly Diagnostic[], settings: readonly RuleSetting[], options: RuleSettingsOptions = {}): RuleSettingsResult {
  return ruleSettingsApplier(settings, options)(diagnostics);
}

function more(a: CompiledSetting, b: CompiledSetting): boolean {
  if (a.exact !== b.exact) return a.exact;
  if (a.prefix.length !== b.prefix.length) return a.prefix.length > b.prefix.length;
  if (Boolean(a.matchPath) !== Boolean(b.matchPath)) return Boolean(a.matchPath);
  return a.index > b.index;
}

/**
 * Findings about the settings themselves: a setting that tries to lower an unlowerable code, names
 * a code nobody reports (with did-you-mean from `knownCodes`), or sets nothing.
 */
export function checkRuleSettings(settings: readonly RuleSetting[], knownCodes: ReadonlySet<string>, file = 'oclhub.ocl'): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of settings) {
    const at = { file, ...(s.range ? { range: s.range } : {}) };
    if (s.severity === undefined) {
      out.push({ severity: 'warning', code: 'HUB032', summary: `rule "${s.code}" sets no severity: it changes nothing`, detail: `Add severity = "off", "info", "warning" or "error".`, ...at });
      continue;
    }
    const prefix = s.code.endsWith('*') ? s.code.slice(0, -1) : undefined;
    const known = prefix !== undefined ? [...knownCodes].some((k) => k.startsWith(prefix)) : knownCodes.has(s.code);
    if (!known) {
      const near = suggest(s.code.toUpperCase(), knownCodes);
      out.push({ severity: 'warning', code: 'HUB031', summary: `rule "${s.code}" names no diagnostic code oclhub reports${near ? ` (did you mean "${near}"?)` : ''}`, ...at });
    }
    if (s.severity !== 'error' && (prefix !== undefined ? /^OCL/.test(prefix) || 'OCL'.startsWith(prefix) : isUnlowerable(s.code))) {
      out.push({ severity: 'warning', code: 'HUB030', summary: `rule "${s.code}" cannot lower syntax errors: a file that cannot be parsed is never checked`, ...at });
    }
    if (RANK[s.severity as Severity] === undefined && s.severity !== 'off') {
      out.push({ severity: 'error', code: 'HUB033', summary: `rule "${s.code}": severity must be one of ${RULE_SEVERITIES.join(', ')}`, ...at });
    }
  }
  return out;
}
