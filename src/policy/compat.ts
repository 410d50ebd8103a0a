/**
 * Octopus compatibility warnings on a policy file: things oclhub evaluates fine but Octopus may not.
 * Each warning is positioned on the OCL file line of the Rego construct (the Rego lives in a heredoc).
 *
 * - POL101 unguarded conditional field. `Release` exists only for deployments, `Runbook` only for
 *   runbook runs, `Tenant` only for tenanted deployments; Octopus reports a reference to an absent one
 *   as a policy evaluation error (platform-hub.md §4.7), where OPA (and oclhub) would make it undefined.
 *   A reference `input.F…` (any use other than the guard itself) is *guarded* when
 *     1. the body it is in — or an enclosing body, for comprehensions and `every` — holds a guard literal:
 *        `input.F` alone (presence test), or for Release / Runbook the exclusive alternative
 *        `not input.Runbook` (⇒ a deployment, so Release exists) / `not input.Release` (⇒ a runbook run);
 *        or a bare reference to a boolean rule of the same module all of whose definitions are guarded;
 *     2. or (conditions module only) the scope module guarantees it: `evaluate` has no `default … := true`
 *        and every rule that can make it true is guarded — Octopus evaluates conditions only in scope.
 *   Rule heads are checked with the guards of their own body. Order inside a body does not matter
 *   (Rego has no statement order).
 * - POL102 a built-in function outside the documented/accepted table (octopus-builtins.ts).
 * - POL103 an `import` (no Octopus policy uses one; `future.keywords`/`rego.v1` are not needed in v1).
 * - POL104 a `result` object literal with a key other than `allowed`, `reason`, `action`: keys are
 *   case-sensitive, so the `"Reason"` seen in Octopus samples is ignored (the policy's violation_reason shows).
 *
 * User-defined functions — which Octopus refuses at publish — are reported by the model layer as
 * POL009 (an error) whenever a policy file is loaded (load.ts), so they are not repeated here.
 */
import type { Diagnostic, LineIndex } from '../diagnostics.js';
import type { Expr, Literal, Module, RefTerm, Rule, Term } from '../rego/ast.js';
import { BINARY_OPERATORS } from '../rego/ast.js';
import { parseModule } from '../rego/parser.js';
import { regoToOclRange } from '../model/checks/policy.js';
import type { PolicyDocument, RegoSourceModel } from '../model/types.js';
import { policyDiagnostic } from './codes.js';
import { OCTOPUS_BUILTINS } from './octopus-builtins.js';

export const CONDITIONAL_FIELDS = ['Release', 'Tenant', 'Runbook'] as const;
export type ConditionalField = (typeof CONDITIONAL_FIELDS)[number];

const WHEN_PRESENT: Record<ConditionalField, string> = {
  Release: 'deployments',
  Runbook: 'runbook runs',
  Tenant: 'tenanted deployments',
};

/** `not input.X` implies the other field is present. */
const NEGATED_GUARD: Partial<Record<string, ConditionalField>> = { Runbook: 'Release', Release: 'Runbook' };

const RESULT_KEYS = ['allowed', 'reason', 'action'] as const;

const OPERATORS = new Set<string>([...Object.values(BINARY_OPERATORS), 'assign', 'eq']);

export interface CompatOptions {
  file?: string | undefined;
  lines?: LineIndex | undefined;
}

type Guards = ReadonlySet<ConditionalField>;

/** `input.F` where F is a conditional field, with F and the path length. */
function conditionalRef(term: Term): { field: ConditionalField; bare: boolean } | undefined {
  if (term.type !== 'ref' || term.head.type !== 'var' || term.head.name !== 'input') return undefined;
  const first = term.path[0];
  if (!first || first.type !== 'string') return undefined;
  const field = (CONDITIONAL_FIELDS as readonly string[]).includes(first.value) ? (first.value as ConditionalField) : undefined;
  return field ? { field, bare: term.path.length === 1 } : undefined;
}

function ruleName(rule: Rule): string | undefined {
  const first = rule.head.ref[0];
  return first && first.type === 'string' && rule.head.ref.length === 1 ? first.value : undefined;
}

class ModuleChecker {
  private readonly rulesByName = new Map<string, Rule[]>();
  private readonly ruleGuardCache = new Map<string, Guards>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly module: Module,
    private readonly which: 'scope' | 'conditions',
    private readonly source: RegoSourceModel,
    private readonly options: CompatOptions,
    private readonly moduleGuards: Guards,
  ) {
    for (const rule of module.rules) {
      const name = ruleName(rule);
      if (name === undefined) continue;
      const list = this.rulesByName.get(name) ?? [];
      list.push(rule);
      this.rulesByName.set(name, list);
    }
  }

  private range(location: { line: number; column: number; offset: number; endOffset: number }) {
    return regoToOclRange(this.source, location.line, location.column, location.endOffset - location.offset, this.options.lines) ?? this.source.regoRange;
  }

  /** The fields a body's own literals guard (see the file comment). */
  guardsOf(body: readonly Literal[], visiting: Set<string> = new Set()): Set<ConditionalField> {
    const out = new Set<ConditionalField>();
    for (const lit of body) {
      if (lit.expr.type !== 'term' || lit.with.length > 0) continue;
      const term = lit.expr.term;
      const ref = conditionalRef(term);
      if (ref?.bare) {
        if (!lit.negated) out.add(ref.field);
        else {
          const implied = NEGATED_GUARD[ref.field];
          if (implied) out.add(implied);
        }
        continue;
      }
      if (lit.negated) continue;
      const name = term.type === 'var' ? term.name : undefined;
      if (name !== undefined && this.rulesByName.has(name)) for (const f of this.ruleGuards(name, visiting)) out.add(f);
    }
    return out;
  }

  /** Fields guarded by every non-default definition of a rule (empty when it has a default or recursion). */
  private ruleGuards(name: string, visiting: Set<string>): Guards {
    const cached = this.ruleGuardCache.get(name);
    if (cached) return cached;
    if (visiting.has(name)) return new Set();
    visiting.add(name);
    const rules = this.rulesByName.get(name) ?? [];
    let result: Set<ConditionalField> | undefined;
    for (const rule of rules) {
      if (rule.isDefault) {
        result = new Set();
        break;
      }
      const bodies = [rule.body, ...rule.elses.map((e) => e.body)];
      for (const body of bodies) {
        const g = this.guardsOf(body, visiting);
        result = result === undefined ? g : new Set([...result].filter((f) => g.has(f)));
      }
    }
    visiting.delete(name);
    const guards = result ?? new Set<ConditionalField>();
    this.ruleGuardCache.set(name, guards);
    return guards;
  }

  check(): void {
    for (const imp of this.module.imports) {
      const text = this.module.source?.slice(imp.location.offset, imp.location.endOffset) ?? 'import';
      this.diagnostics.push(
        policyDiagnostic('POL103', `\`${text}\` in \`${this.which}\`: Octopus policies use no imports`, {
          file: this.options.file,
          range: this.range(imp.location),
          detail: 'Octopus evaluates Rego v1 without imports (`if`, `in`, `every` and `contains` need none), and a policy cannot import another module.',
        }),
      );
    }
    for (const rule of this.module.rules) {
      if (rule.head.args) continue; // user-defined function: POL009 from the model layer
      if (this.which === 'conditions' && ruleName(rule) === 'result') {
        for (const value of [rule.head.value, ...rule.elses.map((e) => e.value)]) if (value) this.resultKeys(value);
      }
      const guards = this.union(this.moduleGuards, this.guardsOf(rule.body));
      this.terms(rule.head.ref.slice(1), guards);
      if (rule.head.key) this.term(rule.head.key, guards);
      if (rule.head.value) this.term(rule.head.value, guards);
      this.body(rule.body, guards);
      for (const e of rule.elses) {
        const elseGuards = this.union(this.moduleGuards, this.guardsOf(e.body));
        if (e.value) this.term(e.value, elseGuards);
        this.body(e.body, elseGuards);
      }
    }
  }

  private resultKeys(value: Term): void {
    if (value.type !== 'object') return;
    for (const [key] of value.entries) {
      if (key.type !== 'string' || (RESULT_KEYS as readonly string[]).includes(key.value)) continue;
      const lower = key.value.toLowerCase();
      const meant = (RESULT_KEYS as readonly string[]).includes(lower) ? ` (did you mean "${lower}"?)` : '';
      this.diagnostics.push(
        policyDiagnostic('POL104', `\`result\` key "${key.value}" is ignored${meant}`, {
          file: this.options.file,
          range: this.range(key.location),
          detail: 'Octopus reads only `allowed`, `reason` and `action` from `result`, and keys are case-sensitive.',
        }),
      );
    }
  }

  private union(a: Guards, b: Guards): Guards {
    if (b.size === 0) return a;
    return new Set([...a, ...b]);
  }

  private body(body: readonly Literal[], guards: Guards): void {
    for (const lit of body) {
      for (const w of lit.with) {
        this.term(w.target, guards);
        this.term(w.value, guards);
      }
      if (lit.expr.type === 'term' && conditionalRef(lit.expr.term)?.bare) continue; // the guard itself
      this.expr(lit.expr, guards);
    }
  }

  private expr(expr: Expr, guards: Guards): void {
    switch (expr.type) {
      case 'term':
        this.term(expr.term, guards);
        break;
      case 'unify':
        this.term(expr.left, guards);
        this.term(expr.right, guards);
        break;
      case 'some':
        break;
      case 'somein':
        if (expr.key) this.term(expr.key, guards);
        this.term(expr.value, guards);
        this.term(expr.collection, guards);
        break;
      case 'every':
        this.term(expr.domain, guards);
        this.body(expr.body, this.union(guards, this.guardsOf(expr.body)));
        break;
    }
  }

  private terms(terms: readonly Term[], guards: Guards): void {
    for (const t of terms) this.term(t, guards);
  }

  private term(term: Term, guards: Guards): void {
    switch (term.type) {
      case 'ref': {
        const ref = conditionalRef(term);
        if (ref && !guards.has(ref.field)) this.unguarded(term, ref.field);
        this.term(term.head, guards);
        this.terms(term.path, guards);
        break;
      }
      case 'array':
      case 'set':
        this.terms(term.items, guards);
        break;
      case 'object':
        for (const [k, v] of term.entries) {
          this.term(k, guards);
          this.term(v, guards);
        }
        break;
      case 'arraycompr':
      case 'setcompr': {
        const inner = this.union(guards, this.guardsOf(term.body));
        this.term(term.term, inner);
        this.body(term.body, inner);
        break;
      }
      case 'objectcompr': {
        const inner = this.union(guards, this.guardsOf(term.body));
        this.term(term.key, inner);
        this.term(term.value, inner);
        this.body(term.body, inner);
        break;
      }
      case 'call':
        this.call(term);
        this.terms(term.args, guards);
        break;
      case 'membership':
        if (term.key) this.term(term.key, guards);
        this.term(term.value, guards);
        this.term(term.collection, guards);
        break;
      case 'template':
        for (const part of term.parts) if (typeof part !== 'string') this.term(part, guards);
        break;
      default:
        break;
    }
  }

  private call(term: Extract<Term, { type: 'call' }>): void {
    const name = term.name.join('.');
    if (term.name[0] === 'data' || OPERATORS.has(name) || OCTOPUS_BUILTINS.has(name)) return;
    if (term.name.length === 1 && this.rulesByName.has(name)) return; // user-defined function: POL009
    this.diagnostics.push(
      policyDiagnostic('POL102', `Built-in \`${name}\` in \`${this.which}\` is not one Octopus documents`, {
        file: this.options.file,
        range: this.range({ ...term.location, endOffset: term.location.offset + name.length }),
        detail: `oclhub evaluates it, but Octopus's policy engine is not OPA and documents no built-in list; the ones known to work are ${[...OCTOPUS_BUILTINS.keys()].map((n) => `\`${n}\``).join(', ')}. Check it on an Octopus instance (Evaluations tab) before relying on it.`,
      }),
    );
  }

  private unguarded(term: RefTerm, field: ConditionalField): void {
    const text = this.module.source?.slice(term.location.offset, term.location.endOffset) ?? `input.${field}`;
    const alternative = field === 'Release' ? ' or scope the policy with `not input.Runbook`' : field === 'Runbook' ? ' or scope the policy with `input.Runbook`' : '';
    this.diagnostics.push(
      policyDiagnostic('POL101', `\`${text}\` in \`${this.which}\` is not guarded: input.${field} exists only for ${WHEN_PRESENT[field]}`, {
        file: this.options.file,
        range: this.range(term.location),
        detail: `Octopus reports a reference to an absent input.${field} as a policy evaluation error ("Runtime error"), where oclhub, like OPA, treats it as undefined. Add \`input.${field}\` on its own line to the same body${alternative}.`,
      }),
    );
  }
}

/** The fields the scope guarantees present whenever `evaluate` is true (see the file comment). */
function scopeGuarantees(module: Module, source: RegoSourceModel, options: CompatOptions): Guards {
  const checker = new ModuleChecker(module, 'scope', source, options, new Set());
  let out: Set<ConditionalField> | undefined;
  for (const rule of module.rules) {
    if (ruleName(rule) !== 'evaluate' || rule.head.args) continue;
    const value = rule.head.value;
    const canBeTrue = value === undefined || rule.head.valueImplied || !(value.type === 'boolean' && value.value === false);
    if (rule.isDefault) {
      if (canBeTrue) return new Set();
      continue;
    }
    const bodies = canBeTrue ? [rule.body] : [];
    for (const e of rule.elses) if (!(e.value?.type === 'boolean' && e.value.value === false)) bodies.push(e.body);
    for (const body of bodies) {
      const g = checker.guardsOf(body);
      out = out === undefined ? g : new Set([...out].filter((f) => g.has(f)));
    }
  }
  return out ?? new Set();
}

/** Octopus compatibility warnings for one policy (POL101–POL103). Never throws; unparsable Rego is skipped (POL008). */
export function checkPolicyCompat(doc: PolicyDocument, options: CompatOptions = {}): Diagnostic[] {
  const parsed = { scope: undefined as Module | undefined, conditions: undefined as Module | undefined };
  for (const which of ['scope', 'conditions'] as const) {
    const rego = doc[which]?.rego;
    if (rego === undefined) continue;
    const r = parseModule(rego, options.file);
    if (r.module && r.errors.length === 0) parsed[which] = r.module;
  }
  const out: Diagnostic[] = [];
  let scopeGuards: Guards = new Set();
  if (parsed.scope && doc.scope) {
    scopeGuards = scopeGuarantees(parsed.scope, doc.scope, options);
    const checker = new ModuleChecker(parsed.scope, 'scope', doc.scope, options, new Set());
    checker.check();
    out.push(...checker.diagnostics);
  }
  if (parsed.conditions && doc.conditions) {
    const checker = new ModuleChecker(parsed.conditions, 'conditions', doc.conditions, options, scopeGuards);
    checker.check();
    out.push(...checker.diagnostics);
  }
  return out;
}
