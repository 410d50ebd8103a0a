/**
 * Public API of the Rego engine: compile modules once, evaluate queries many times.
 * Nothing a user writes (policy, query, input) makes these functions throw: parse, compile and
 * evaluation errors are returned as `RegoError`s.
 */
import type { Literal } from './ast.js';
import { BUILTINS } from './builtins/index.js';
import type { Builtin } from './builtins/registry.js';
import { Compiler, SlotAllocator, type NameContext } from './compiler.js';
import { RegoEvalError, type RegoError } from './errors.js';
import { Evaluator, type Frame } from './evaluator.js';
import type { CBody, CLit } from './ir.js';
import { LimitTracker, LIMIT_CODE, type RegoLimits } from './limits.js';
import { parseModule, parseQuery } from './parser.js';
import { RegoSet, RegoObject, type Value } from './value.js';

export type { RegoError } from './errors.js';
export type { RegoLimits } from './limits.js';
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

interface CompiledQuery {
  body: CBody;
  alloc: SlotAllocator;
  vars: Map<string, number>;
  /** Source-ordered literals with their text, for `expressions`. */
  texts: string[];
}

const EMPTY_CONTEXT: NameContext = { pkg: [], imports: new Map(), ruleNames: new Set() };
const QUERY_CACHE_LIMIT = 256;

export class CompiledPolicy {
  private readonly queries = new Map<string, CompiledQuery | RegoError>();

  constructor(private readonly compiler: Compiler) {}

  /** Compiles (and caches) a query; returns an error for parse or compile problems. */
  prepare(query: string | string[]): CompiledQuery | RegoError {
    const text = Array.isArray(query) ? refQuery(query) : query;
    let q = this.queries.get(text);
    if (q) return q;
    q = this.compileQuery(text);
    if (this.queries.size >= QUERY_CACHE_LIMIT) this.queries.delete(this.queries.keys().next().value!);
    this.queries.set(text, q);
    return q;
  }

  private compileQuery(text: string): CompiledQuery | RegoError {
    const parsed = parseQuery(text);
    if (!parsed.query) return parsed.errors[0] ?? { code: 'rego_parse_error', message: 'empty query' };
    const lits: Literal[] = parsed.query;
    const before = this.compiler.errors.length;
    let compiled;
    try {
      compiled = this.compiler.compileQuery(lits, EMPTY_CONTEXT);
    } catch (e) {
      if (e instanceof Error && 'code' in e) return { code: String((e as { code: unknown }).code), message: e.message };
      throw e;
    }
    const errors = this.compiler.errors.splice(before);
    if (errors.length) return errors[0]!;
    const texts = lits.map((l) => text.slice(l.location.offset, l.location.endOffset));
    return { ...compiled, texts };
  }

  eval(query: string | string[], options: EvalOptions = {}): EvalResult {
    const q = this.prepare(query);
    if (!('body' in q)) return { error: q };
    const limits = new LimitTracker(options.limits);
    const ev = new Evaluator(this.compiler.root, limits, options);
    const rows: ResultRow[] = [];
    try {
      const frame: Frame = new Array(q.alloc.count);
      const exprValues: Value[] = new Array(q.texts.length).fill(true);
      runQuery(ev, q.body.lits, 0, frame, exprValues, () => {
        const bindings: Record<string, Value> = {};
        for (const [name, slot] of q.vars) {
          const v = frame[slot];
          if (v !== undefined) bindings[name] = v;
        }
        rows.push({ expressions: q.texts.map((text, i) => ({ value: exprValues[i]!, text })), bindings });
        return false;
      });
      let nodes = 0;
      for (const r of rows) {
        nodes += 1;
        for (const e of r.expressions) nodes += countNodes(e.value, limits.maxOutputNodes);
        for (const v of Object.values(r.bindings)) nodes += countNodes(v, limits.maxOutputNodes);
        if (nodes > limits.maxOutputNodes) throw limits.outputTooLarge(nodes);
      }
    } catch (e) {
      if (e instanceof RegoEvalError) return { error: e.toRegoError(), ...(ev.inputReads ? { inputReads: readsOf(ev.inputReads) } : {}) };
      if (e instanceof RangeError) return { error: { code: LIMIT_CODE, message: `evaluation exceeded the stack depth limit (${e.message})` } };
      return { error: { code: 'internal_error', message: e instanceof Error ? e.message : String(e) } };
    }
    return ev.inputReads ? { results: rows, inputReads: readsOf(ev.inputReads) } : { results: rows };
  }
}

function readsOf(reads: ReadonlySet<string>): string[][] {
  return [...reads].sort().map((r) => JSON.parse(r) as string[]);
}

/** Top-level query literals record their values for `expressions`. */
function runQuery(ev: Evaluator, lits: CLit[], i: number, f: Frame, values: Value[], k: () => boolean): boolean {
  if (i === lits.length) return k();
  ev.limits.tick(1);
  const lit = lits[i]!;
  if (lit.expr.k === 'term' && !lit.negated && lit.with.length === 0) {
    // Like OPA, a query that is a plain value (`data.pkg.allow`) reports `false` as a value;
    // a false comparison or call makes the query undefined.
    const falseIsUndefined = lit.expr.t.k === 'call' || lit.expr.t.k === 'member';
    return ev.evalTerm(lit.expr.t, f, (v) => {
      if (v === false && falseIsUndefined) return false;
      values[lit.index] = v;
      return runQuery(ev, lits, i + 1, f, values, k);
    });
  }
  values[lit.index] = true;
  return ev.evalLit(lit, f, () => runQuery(ev, lits, i + 1, f, values, k));
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

function refQuery(path: string[]): string {
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
    if (r.module) parsed.push(r.module);
    for (const e of r.errors) diagnostics.push({ code: e.code, message: e.message, location: { ...e.location, file: e.location.file ?? m.file } });
  }
  if (diagnostics.length) return { diagnostics };
  const compiler = new Compiler(options.builtins ?? BUILTINS);
  try {
    compiler.compileModules(parsed);
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
