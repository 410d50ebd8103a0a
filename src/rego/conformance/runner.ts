/**
 * Runs OPA-format YAML conformance cases (`cases:` lists with note/query/modules/data/input/
 * want_result/...) against the engine. Result rows are compared as binding objects after
 * sort_bindings normalisation (sets as sorted arrays, undefined = no rows); expected errors pass
 * when the error code matches (or, without a code, when the message matches).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BUILTINS } from '../builtins/index.js';
import { FORBIDDEN_BUILTINS } from '../builtins/registry.js';
import { compile, type CompiledPolicy, type RegoError } from '../index.js';
import { emptyObject, normalizeBigInt, numberToString, RegoDecimal, RegoObject, RegoSet, setOwn, stringifyJSON, type Value } from '../value.js';

export interface ConformanceCase {
  note: string;
  query: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  want_result?: unknown[];
  want_defined?: boolean;
  /** rego-cpp: expected `print` output. */
  want_output?: string;
  sort_bindings?: boolean;
  want_error_code?: string;
  want_error?: string;
  strict_error?: boolean;
  skip?: boolean | string;
}

export interface CaseOutcome {
  file: string;
  note: string;
  /**
   * `rejected`: the case's modules are Rego v0 that OPA v1 rejects with the same error the
   * engine gives (a case written for v0 that landed in a v1 suite); `reason` says why.
   */
  status: 'passed' | 'failed' | 'skipped' | 'rejected';
  expected?: string;
  got?: string;
  reason?: string;
}

export interface ConformanceSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  rejected: number;
  outcomes: CaseOutcome[];
}

/**
 * OPA v1's parse errors for Rego v0 syntax (v1/ast/parser.go): a case expecting a result from
 * modules that draw one of these was written for v0. OPA keeps such cases in its v0 suite since
 * 1.0 (e.g. regexmatch 0855, `p { re_match(...) }`, is under v1/test/cases/testdata/v0 only).
 */
const V0_ONLY_SYNTAX = /^`(if|contains)` keyword is required (before (rule|function) body|for partial set rules)$/;

/**
 * A case whose policy calls an OPA builtin oclhub deliberately does not provide (registry.ts
 * FORBIDDEN_BUILTINS: network, crypto/JWT, GraphQL, ...) is skipped with the table's reason.
 * The compiler names the builtin in its error; OPA's "undefined function" is also recognised, for
 * an embedder's builtin table without some of oclhub's builtins.
 */
function notProvidedReason(err: RegoError): string | undefined {
  const m = /(?:undefined function|builtin) (?:data\.)?([A-Za-z_][\w.]*)/.exec(err.message);
  if (!m) return undefined;
  const name = m[1]!;
  if (BUILTINS.has(name)) return undefined;
  const why = FORBIDDEN_BUILTINS[name];
  return why === undefined ? undefined : `${name}: ${why}`;
}

/** YAML → Rego value: big integers exact, objects as null-prototype plain objects. */
export function yamlToValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return normalizeBigInt(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(yamlToValue);
  if (v instanceof Map) {
    const o = emptyObject();
    for (const [k, x] of v) setOwn(o, String(k), yamlToValue(x));
    return o;
  }
  const o = emptyObject();
  for (const k of Object.keys(v as object)) setOwn(o, k, yamlToValue((v as Record<string, unknown>)[k]));
  return o;
}

/** Canonical comparable form: sets and arrays as arrays, numbers by value, keys sorted. */
function canon(v: Value, sortArrays: boolean): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' || typeof v === 'bigint') return numberToString(v);
    return JSON.stringify(v);
  }
  if (v instanceof RegoDecimal) return v.toString();
  if (Array.isArray(v)) {
    const items = v.map((x) => canon(x, false));
    if (sortArrays) items.sort();
    return '[' + items.join(',') + ']';
  }
  if (v instanceof RegoSet) {
    // A set is an array in OPA's JSON results, so sort_bindings sorts it like one.
    const items = v.values().map((x) => canon(x, false));
    if (sortArrays) items.sort();
    return '[' + items.join(',') + ']';
  }
  if (v instanceof RegoObject) {
    return '{' + v.entries().map(([k, x]) => (typeof k === 'string' ? JSON.stringify(k) : JSON.stringify(stringifyJSON(k))) + ':' + canon(x, false)).sort().join(',') + '}';
  }
  return (
    '{' +
    Object.keys(v)
      .map((k) => JSON.stringify(k) + ':' + canon((v as Record<string, Value>)[k]!, false))
      .sort()
      .join(',') +
    '}'
  );
}

function canonRow(row: Value, sortBindings: boolean): string {
  if (row !== null && typeof row === 'object' && !Array.isArray(row) && !(row instanceof RegoSet) && !(row instanceof RegoObject)) {
    const keys = Object.keys(row).sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canon((row as Record<string, Value>)[k]!, sortBindings)).join(',') + '}';
  }
  return canon(row, sortBindings);
}

function isPlainRow(v: Value): v is Record<string, Value> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RegoSet) && !(v instanceof RegoObject);
}

/** OPA's Error() text: `file:row: code: message`, or `row:col: code: message` without a file. */
function opaErrorText(err: RegoError): string {
  const loc = err.location;
  const where = loc ? (loc.file ? `${loc.file}:${loc.line}: ` : `${loc.line}:${loc.column}: `) : '';
  return `${where}${err.code}: ${err.message}`;
}

function rowsText(rows: string[]): string {
  return rows.length === 0 ? '(undefined)' : '[' + rows.join(', ') + ']';
}

const policyCache = new Map<string, ReturnType<typeof compile>>();

export function runCase(c: ConformanceCase, file: string): CaseOutcome {
  const base = { file, note: c.note };
  if (c.skip) return { ...base, status: 'skipped', reason: typeof c.skip === 'string' ? c.skip : 'marked skip in the case' };
  const wantsError = c.want_error_code !== undefined || c.want_error !== undefined;
  const expectedText = wantsError
    ? `error ${c.want_error_code ?? ''}${c.want_error ? ` "${c.want_error}"` : ''}`
    : c.want_defined !== undefined
      ? c.want_defined
        ? 'defined'
        : 'undefined'
      : rowsText((c.want_result ?? []).map((r) => canonRow(yamlToValue(r), !!c.sort_bindings)));

  const judgeError = (err: RegoError): CaseOutcome => {
    if (!wantsError && err.code === 'rego_parse_error' && V0_ONLY_SYNTAX.test(err.message)) {
      return { ...base, status: 'rejected', reason: `Rego v0 syntax, which OPA v1 rejects with the same error: ${opaErrorText(err)}` };
    }
    const reason = notProvidedReason(err);
    if (reason && !(wantsError && c.want_error_code === err.code)) return { ...base, status: 'skipped', reason };
    if (!wantsError) return { ...base, status: 'failed', expected: expectedText, got: `error ${err.code}: ${err.message}` };
    const codeOk = c.want_error_code === undefined || c.want_error_code === err.code;
    // OPA's runner matches want_error against the whole error text: `file:row: code: message`.
    const msgOk = c.want_error_code !== undefined || (c.want_error !== undefined && opaErrorText(err).includes(c.want_error));
    if (codeOk && msgOk) return { ...base, status: 'passed' };
    return { ...base, status: 'failed', expected: expectedText, got: `error ${err.code}: ${err.message}` };
  };

  // Named as OPA's test runner names them, since error texts include the file.
  const modules = (c.modules ?? []).map((source, i) => ({ file: `test-${i}.rego`, source }));
  const key = JSON.stringify(modules.map((m) => m.source));
  let compiled = policyCache.get(key);
  if (!compiled) {
    compiled = compile(modules);
    if (policyCache.size > 64) policyCache.clear();
    policyCache.set(key, compiled);
  }
  if (!compiled.policy) return judgeError(compiled.diagnostics[0]!);
  const policy: CompiledPolicy = compiled.policy;

  let input: Value | undefined = c.input !== undefined ? yamlToValue(c.input) : undefined;
  if (c.input_term !== undefined) {
    const r = policy.eval(`input_term_value := ${c.input_term}`);
    if (r.error) return judgeError(r.error);
    input = r.results[0]?.bindings['input_term_value'];
  }
  const data = c.data !== undefined ? yamlToValue(c.data) : undefined;
  const printed: string[] = [];
  const r = policy.eval(c.query, { input, data, strict: !!c.strict_error, nowNs: 1_700_000_000_000_000_000n, print: (m) => printed.push(m) });
  if (r.error) return judgeError(r.error);
  if (wantsError) {
    return { ...base, status: 'failed', expected: expectedText, got: rowsText(r.results.map((row) => canonRow(row.bindings as Value, !!c.sort_bindings))) };
  }
  if (c.want_defined !== undefined && c.want_result === undefined) {
    const defined = r.results.length > 0;
    return defined === c.want_defined ? { ...base, status: 'passed' } : { ...base, status: 'failed', expected: expectedText, got: defined ? 'defined' : 'undefined' };
  }
  const sortB = !!c.sort_bindings;
  let wantRows = (c.want_result ?? []).map((row) => yamlToValue(row));
  // rego-cpp writes one row's bindings as several single-variable entries; merge those.
  if (wantRows.length > 1 && r.results.length === 1 && wantRows.every((w) => isPlainRow(w) && Object.keys(w).length === 1)) {
    const keys = wantRows.map((w) => Object.keys(w as object)[0]!);
    if (new Set(keys).size === keys.length) wantRows = [Object.assign(emptyObject(), ...(wantRows as object[]))];
  }
  const want = wantRows.map((row) => canonRow(row, sortB)).sort();
  const got = r.results.map((row) => canonRow(row.bindings as Value, sortB)).sort();
  const same = want.length === got.length && want.every((w, i) => w === got[i]);
  if (same && c.want_output !== undefined && printed.join('\n').trim() !== c.want_output.trim()) {
    return { ...base, status: 'failed', expected: `output ${JSON.stringify(c.want_output)}`, got: `output ${JSON.stringify(printed.join('\n'))}` };
  }
  return same ? { ...base, status: 'passed' } : { ...base, status: 'failed', expected: rowsText(want), got: rowsText(got) };
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  if (fs.statSync(dir).isDirectory()) visit(dir);
  else out.push(dir);
  return out;
}

export function runConformance(dirs: string[]): ConformanceSummary {
  const outcomes: CaseOutcome[] = [];
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      const rel = path.relative(dir, file) || path.basename(file);
      let doc: { cases?: ConformanceCase[] };
      try {
        doc = parseYaml(fs.readFileSync(file, 'utf8'), { intAsBigInt: true }) as { cases?: ConformanceCase[] };
      } catch (e) {
        outcomes.push({ file: rel, note: '(file)', status: 'failed', expected: 'valid YAML', got: (e as Error).message });
        continue;
      }
      for (const c of doc?.cases ?? []) {
        let outcome: CaseOutcome;
        try {
          outcome = runCase(c, rel);
        } catch (e) {
          outcome = { file: rel, note: c.note, status: 'failed', expected: 'no crash', got: `exception: ${(e as Error).stack ?? e}` };
        }
        outcomes.push(outcome);
      }
    }
  }
  const count = (s: CaseOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  return { total: outcomes.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), rejected: count('rejected'), outcomes };
}

export function formatOutcome(o: CaseOutcome): string {
  if (o.status === 'skipped') return `SKIP ${o.file} ${o.note}: ${o.reason}`;
  if (o.status === 'rejected') return `REJECTED (as OPA v1 does) ${o.file} ${o.note}: ${o.reason}`;
  return `FAIL ${o.file} ${o.note}\n  expected: ${o.expected}\n  got:      ${o.got}`;
}
