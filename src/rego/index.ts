/**
 * Public API of the Rego engine: compile modules once, evaluate queries many times.
 * Nothing a user writes (policy, query, input) makes these functions throw: parse, compile and
 * evaluation errors are returned as `RegoError`s.
 */
import type { Literal } from './ast.js';
import { BUILTINS } from './builtins/index.js';
import type { Builtin } from './builtins/registry.js';
import { checkModule, checkQuery } from './checks.js';
import { CodeGen } from './codegen.js';
import { Compiler, type NameContext } from './compiler.js';
import type { RegoError } from './errors.js';
import { Run, runError, type Body, type Frame } from './evaluator.js';
import type { CBody } from './ir.js';
import { LIMIT_CODE, resolveLimits, type RegoLimits, type ResolvedLimits } from './limits.js';
import { parseModule, parseQuery } from './parser.js';
import { RegoSet, RegoObject, setWorkMeter, type Value, type WorkMeter } from './value.js';

export type { RegoError } from './errors.js';
export type { RegoLimits } from './limits.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { Value } from './value.js';

export interface CompileOptions {
  /** Extra or replacement builtins (tests, embedding). */
  builtins?: ReadonlyMap<string, Builtin>;
}

export interface EvalOptions {
  input?: Value;
  data?: Value;
  /** Raise builtin errors instead of treating them as undefined. */
  strict?: boolean;
  limits?: RegoLimits;
  /** Fixed clock for time builtins (nanoseconds since the epoch). */
  nowNs?: bigint;
  seed?: number;
  /** Receives `print(...)` output (OPA writes it to stderr); dropped when absent. */
  print?: (message: string) => void;
  /** Report in `inputReads` which input paths the evaluation read. */
  recordInputReads?: boolean;
}

export interface ResultRow {
  expressions: Array<{ value: Value; text: string }>;
  bindings: Record<string, Value>;
}

/**
 * `inputReads` (with `recordInputReads`): every input path the evaluation read, as its constant
 * leading keys (`['Release', 'Version']`; `[]` when the whole input was used as a value).
 */
export type EvalResult =
  | { results: ResultRow[]; error?: undefined; inputReads?: string[][] }
  | { error: RegoError; results?: undefined; inputReads?: string[][] };

/** `evalFirst`'s answer: the first row's first expression value (undefined when there is no row), or the error. */
export type FirstValueResult = { value: Value | undefined; error?: undefined; inputReads?: string[][] } | { error: RegoError; value?: undefined; inputReads?: string[][] };

interface CompiledQuery {
  body: Body;
  nslots: number;
  /** Named query variables and their frame slots, in declaration order (the bindings' order). */
  varNames: string[];
  varSlots: number[];
  /** Source-ordered literals with their text, for `expressions`. */
  texts: string[];
}

const EMPTY_CONTEXT: NameContext = { pkg: [], imports: new Map(), ruleNames: new Set() };
const QUERY_CACHE_LIMIT = 256;
/**
 * Characters of query text the cache may hold in all: a compiled query keeps about 350 bytes a
 * literal, so 256 long queries could hold gigabytes. A query longer than this is compiled for each
 * evaluation (its compile time is linear in its length, like its evaluation).
 */
const QUERY_CACHE_CHARS = 1 << 20;

export class CompiledPolicy {
  private readonly queries = new Map<string, CompiledQuery | RegoError>();
  /** Total length of the texts `queries` holds (bounded by QUERY_CACHE_CHARS). */
  private cachedChars = 0;
  private readonly refQueries = new Map<string, string>();
  private readonly codegen: CodeGen;
  /** The run state between evaluations (see Run). */
  private idleRun: Run | undefined = undefined;
  private lastLimits: ResolvedLimits | undefined = undefined;

  constructor(private readonly compiler: Compiler) {
    this.codegen = new CodeGen(compiler);
  }

  /** Compiles (and caches) a query; returns an error for parse or compile problems. */
  prepare(query: string | string[]): CompiledQuery | RegoError {
    let text: string;
    if (Array.isArray(query)) {
      const joined = query.join('\u0000');
      let t = this.refQueries.get(joined);
      if (t === undefined) {
        t = refQuery(query);
        if (this.refQueries.size >= QUERY_CACHE_LIMIT) this.refQueries.clear();
        this.refQueries.set(joined, t);
      }
      text = t;
    } else text = query;
    let q = this.queries.get(text);
    if (q) return q;
    q = this.compileQuery(text);
    if (text.length > QUERY_CACHE_CHARS) return q;
    while (this.queries.size >= QUERY_CACHE_LIMIT || this.cachedChars + text.length > QUERY_CACHE_CHARS) {
      const oldest = this.queries.keys().next().value!;
      this.queries.delete(oldest);
      this.cachedChars -= oldest.length;
    }
    this.queries.set(text, q);
    this.cachedChars += text.length;
    return q;
  }

  private compileQuery(text: string): CompiledQuery | RegoError {
    const front = this.translateQuery(text);
    if (!('body' in front)) return front;
    // The query's syntax tree is unreachable from here on (it lived only in translateQuery), so the
    // collector can take it while code is generated, as compile() does with a module's tree.
    let code: Body;
    try {
      code = this.codegen.query(front.body);
    } catch (e) {
      if (e instanceof RangeError) return { code: LIMIT_CODE, message: 'query too deeply nested' };
      throw e;
    }
    return { body: code, nslots: front.nslots, varNames: front.varNames, varSlots: front.varSlots, texts: front.texts };
  }

  /** Parses, checks and translates a query: everything that needs its syntax tree. */
  private translateQuery(text: string): (Omit<CompiledQuery, 'body'> & { body: CBody }) | RegoError {
    const parsed = parseQuery(text);
    if (!parsed.query) return parsed.errors[0] ?? { code: 'rego_parse_error', message: 'empty query' };
    const lits: Literal[] = parsed.query;
    const declarationErrors = checkQuery(lits, text);
    if (declarationErrors.length) return declarationErrors[0]!;
    const before = this.compiler.errors.length;
    let compiled;
    try {
      compiled = this.compiler.compileQuery(lits, EMPTY_CONTEXT);
    } catch (e) {
      if (e instanceof RangeError) return { code: LIMIT_CODE, message: 'query too deeply nested' };
      if (e instanceof Error && 'code' in e) return { code: String((e as { code: unknown }).code), message: e.message };
      throw e;
    }
    const errors = this.compiler.errors.splice(before);
    if (errors.length) return errors[0]!;
    const texts = lits.map((l) => {
      const at = l.location; // made at each read: read once
      return text.slice(at.offset, at.endOffset);
    });
    return { body: compiled.body, nslots: compiled.alloc.count, varNames: compiled.varNames, varSlots: compiled.varSlots, texts };
  }

  eval(query: string | string[], options: EvalOptions = {}): EvalResult {
    const rows: ResultRow[] = [];
    const r = this.run(query, options, rows);
    if (r.error) return r.inputReads ? { error: r.error, inputReads: r.inputReads } : { error: r.error };
    return r.inputReads ? { results: rows, inputReads: r.inputReads } : { results: rows };
  }

  /**
   * The value of the first result row's first expression (what `eval(...).results[0]?.expressions[0]?.value`
   * reads), without building the rows: the policy layer reads one rule's value per evaluation, and the
   * row, its bindings and expressions were made only to be thrown away. Every row is still found and
   * counted against `maxOutputNodes`, so errors and limits are those of `eval`.
   */
  evalFirst(query: string | string[], options: EvalOptions = {}): FirstValueResult {
    return this.run(query, options, undefined);
  }

  /** Evaluates a query; its rows go into `rows`, or only the first one's first value is kept (`rows` undefined). */
  private run(query: string | string[], options: EvalOptions, rows: ResultRow[] | undefined): FirstValueResult {
    const q = this.prepare(query);
    if (!('body' in q)) return { error: q };
    // The idle run state, unless an evaluation is already using it (a `print` callback that
    // evaluates again): then a fresh one.
    const run = this.idleRun ?? new Run(this.compiler);
    this.idleRun = undefined;
    const limits = (this.lastLimits = resolveLimits(options.limits, this.lastLimits));
    let value: Value | undefined;
    let error: RegoError | undefined;
    const previousMeter = setWorkMeter(run);
    try {
      run.start(options, limits);
      value = collectRows(run, q, rows);
    } catch (e) {
      error = runError(e, run);
    } finally {
      setWorkMeter(previousMeter);
    }
    const reads = run.inputReads;
    run.finish();
    this.idleRun = run;
    if (error) return reads ? { error, inputReads: readsOf(reads) } : { error };
    return reads ? { value, inputReads: readsOf(reads) } : { value };
  }
}

/**
 * Runs a compiled query, pushing its result rows to `rows` when given; returns the first row's first
 * expression value (undefined without rows). Throws on evaluation errors and limits.
 */
function collectRows(r: Run, q: CompiledQuery, rows: ResultRow[] | undefined): Value | undefined {
  const frame: Frame = new Array(q.nslots);
  const n = q.texts.length;
  const values: Value[] = new Array(n);
  for (let i = 0; i < n; i++) values[i] = true;
  r.exprValues = values;
  const names = q.varNames;
  const slots = q.varSlots;
  const texts = q.texts;
  const cap = r.limits.maxOutputNodes;
  let nodes = 0;
  let rowCount = 0;
  let first: Value | undefined;
  q.body(r, frame, () => {
    if (rowCount++ === 0) first = values[0];
    if (rows) {
      const bindings: Record<string, Value> = {};
      for (let i = 0; i < names.length; i++) {
        const v = frame[slots[i]!];
        if (v !== undefined) bindings[names[i]!] = v;
      }
      const expressions: ResultRow['expressions'] = new Array(n);
      for (let i = 0; i < n; i++) expressions[i] = { value: values[i]!, text: texts[i]! };
      rows.push({ expressions, bindings });
    }
    // Each row is counted as it is made, while its values are at hand (enumerating the bindings
    // object again costs as much as building it when a query binds thousands of variables); the
    // count stops at the first row past the limit.
    if (nodes <= cap) {
      nodes += 1;
      for (let i = 0; i < n; i++) nodes += countNodes(values[i]!, cap);
      for (let i = 0; i < names.length; i++) {
        const v = frame[slots[i]!];
        if (v !== undefined) nodes += countNodes(v, cap);
      }
    }
    return false;
  });
  if (nodes > cap) throw r.outputTooLarge(nodes);
  return first;
}

function readsOf(reads: ReadonlySet<string>): string[][] {
  return [...reads].sort().map((r) => JSON.parse(r) as string[]);
}

function countNodes(v: Value, cap: number): number {
  if (v === null || typeof v !== 'object') return 1;
  let n = 1;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && n <= cap; i++) n += countNodes(v[i]!, cap);
  } else if (v instanceof RegoSet) {
    for (const x of v.values()) if ((n += countNodes(x, cap)) > cap) break;
  } else if (v instanceof RegoObject) {
    for (const [a, b] of v.entries()) if ((n += countNodes(a, cap) + countNodes(b, cap)) > cap) break;
  } else {
    for (const key in v) if ((n += 1 + countNodes((v as Record<string, Value>)[key]!, cap)) > cap) break;
  }
  return n;
}

/** The query text of a ref path (`['a', 'b-c']` → `data.a["b-c"]`), with or without its leading `data`. */
export function refQuery(path: readonly string[]): string {
  const segs = path[0] === 'data' ? path.slice(1) : path;
  return 'data' + segs.map((s) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

export interface CompileResult {
  policy?: CompiledPolicy;
  diagnostics: RegoError[];
}

/** Parses and compiles modules. `policy` is set only when there are no errors. */
export function compile(modules: Array<{ file: string; source: string }>, options: CompileOptions = {}): CompileResult {
  const diagnostics: RegoError[] = [];
  const parsed = [];
  for (const m of modules) {
    const r = parseModule(m.source, m.file);
    const errors: RegoError[] = r.module ? checkModule(r.module) : r.errors;
    if (r.module) parsed.push(r.module);
    for (const e of errors) diagnostics.push({ ...e, location: { ...e.location!, file: e.location?.file ?? m.file } });
  }
  if (diagnostics.length) return { diagnostics };
  const compiler = new Compiler(options.builtins ?? BUILTINS);
  try {
    compiler.compileModules(parsed);
    // The syntax trees are not needed past this point: let the collector take them while code is
    // generated (a large module's tree is a third of what a compilation keeps alive).
    parsed.length = 0;
    if (compiler.errors.length === 0) new CodeGen(compiler).rules(compiler.groups);
  } catch (e) {
    if (e instanceof RangeError) return { diagnostics: [{ code: LIMIT_CODE, message: 'policy too deeply nested' }] };
    return { diagnostics: [{ code: 'rego_compile_error', message: `internal compiler error: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  if (compiler.errors.length) return { diagnostics: compiler.errors };
  return { policy: new CompiledPolicy(compiler), diagnostics: [] };
}

/** Convenience: the value of one rule ref (e.g. `data.pkg.result`), or undefined (also on error). */
export function evaluateRule(policy: CompiledPolicy, ref: string, options: EvalOptions = {}): Value | undefined {
  const r = policy.eval(ref, options);
  if (r.error || r.results.length === 0) return undefined;
  return r.results[0]!.expressions[0]?.value;
}
