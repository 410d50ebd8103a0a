/**
 * Compile-time checks OPA runs on the syntax tree before anything is evaluated, with OPA's codes
 * and messages, so a module oclhub accepts also loads in OPA:
 * - Rego v1 module checks (v1/ast/rego_v1.go): duplicate imports, and rules, function arguments or
 *   assigned variables named `input` or `data`;
 * - local variable declarations (v1/ast/compile.go, rewriteLocalVars): `:=` and `some` may not
 *   re-declare a name already assigned, declared, used or taken by a function argument in the same
 *   scope; assignment inside `not`; assigning to something that is not a variable or pattern;
 *   calling a function whose name a local variable shadows; `some x` never used.
 * Scopes: a rule body (with its function arguments), and each comprehension or `every` body.
 */
import { eachSubterm, exprTerms, valueName, type Import, type Literal, type Location, type Module, type Rule, type Term } from './ast.js';
import type { RegoError } from './errors.js';

const ROOT_DOCUMENTS = new Set(['input', 'data']);
/**
 * Text that may assign to a root document (`input := 1`; the lexer skips whitespace and comments
 * between the name and `:=`). A text without it assigns to neither, so the walk over every term
 * looking for such assignments is skipped (a pass over the whole of a long body).
 */
const ROOT_ASSIGNMENT = /\b(?:input|data)(?:\s|#[^\n]*)*:=/;

/** Whether `source` (undefined: not known) may hold an assignment to `input` or `data`. */
function mayAssignRoots(source: string | undefined): boolean {
  return source === undefined || ROOT_ASSIGNMENT.test(source);
}

function compileError(message: string, location: Location): RegoError {
  return { code: 'rego_compile_error', message, location };
}

export function checkModule(m: Module): RegoError[] {
  const errors: RegoError[] = [];
  checkDuplicateImports(m.imports, errors);
  const assignsRoots = mayAssignRoots(m.source);
  for (const rule of m.rules) {
    checkRootDocumentOverrides(rule, errors, assignsRoots);
    checkLocalVars(rule, errors);
  }
  return errors;
}

/** Checks a query's declarations (a query is one scope). `source`: the query's text, when known. */
export function checkQuery(body: Literal[], source?: string): RegoError[] {
  const errors: RegoError[] = [];
  if (mayAssignRoots(source)) walkAssignments(body, (lit, left) => {
    if (left.type === 'var' && ROOT_DOCUMENTS.has(left.name)) {
      errors.push(compileError(`variables must not shadow ${left.name} (use a different variable name)`, lit.location));
    }
  });
  new LocalVars(errors).body(body, new Stack([new Map()]), new Set());
  return errors;
}

function importName(imp: Import): string {
  if (imp.alias) return imp.alias;
  const p = imp.path;
  if (p.type === 'var') return p.name;
  const last = p.path[p.path.length - 1];
  return last?.type === 'string' ? last.value : p.head.type === 'var' ? p.head.name : '';
}

function importText(imp: Import): string {
  const p = imp.path;
  let path: string;
  if (p.type === 'var') path = p.name;
  else {
    path = p.head.type === 'var' ? p.head.name : '?';
    for (const s of p.path) path += s.type === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(s.value) ? `.${s.value}` : `[${s.type === 'string' ? JSON.stringify(s.value) : '?'}]`;
  }
  return imp.alias ? `import ${path} as ${imp.alias}` : `import ${path}`;
}

function checkDuplicateImports(imports: Import[], errors: RegoError[]): void {
  const seen = new Map<string, Import>();
  for (const imp of imports) {
    const name = importName(imp);
    const prev = seen.get(name);
    if (prev) errors.push(compileError(`import must not shadow ${importText(prev)}`, imp.location));
    else seen.set(name, imp);
  }
}

/** Calls `f` for every `:=` literal in a body, nested bodies included. */
function walkAssignments(body: Literal[], f: (lit: Literal, left: Term) => void): void {
  for (let i = 0; i < body.length; i++) {
    const lit = body[i]!;
    if (lit.expr.type === 'unify' && lit.expr.op === ':=') f(lit, lit.expr.left);
    forEachNestedBody(lit, walkAssignments, f);
  }
}

/** `assignsRoots`: whether the module's text may assign to `input` or `data` (mayAssignRoots). */
function checkRootDocumentOverrides(rule: Rule, errors: RegoError[], assignsRoots: boolean): void {
  const first = rule.head.ref[0];
  const name = first?.type === 'string' ? first.value : first?.type === 'var' ? first.name : undefined;
  if (name !== undefined && rule.head.ref.length === 1 && ROOT_DOCUMENTS.has(name)) {
    errors.push(compileError(`rules must not shadow ${name} (use a different rule name)`, rule.location));
  }
  for (const arg of rule.head.args ?? []) {
    if (arg.type === 'var' && ROOT_DOCUMENTS.has(arg.name)) {
      errors.push(compileError(`args must not shadow ${arg.name} (use a different variable name)`, arg.location));
    }
  }
  const check = (body: Literal[]): void =>
    walkAssignments(body, (lit, left) => {
      if (left.type === 'var' && ROOT_DOCUMENTS.has(left.name)) {
        errors.push(compileError(`variables must not shadow ${left.name} (use a different variable name)`, lit.location));
      }
    });
  if (!assignsRoots) return;
  check(rule.body);
  for (const e of rule.elses) check(e.body);
}

// ---------------------------------------------------------------------------------------------
// Local variable declarations

type Occurrence = 'seen' | 'assigned' | 'declared' | 'arg';

class Stack {
  constructor(readonly scopes: Array<Map<string, Occurrence>>) {}

  get top(): Map<string, Occurrence> {
    return this.scopes[this.scopes.length - 1]!;
  }

  /** Declared (assigned, `some`, argument) in any enclosing scope: a local, not a global name. */
  isLocal(name: string): boolean {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const o = this.scopes[i]!.get(name);
      if (o !== undefined) return o !== 'seen';
    }
    return false;
  }

  known(name: string): boolean {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i]!.has(name)) return true;
    return false;
  }

  push(): Stack {
    return new Stack([...this.scopes, new Map()]);
  }
}

function checkLocalVars(rule: Rule, errors: RegoError[]): void {
  const lv = new LocalVars(errors);
  const args = new Map<string, Occurrence>();
  for (const a of rule.head.args ?? []) for (const name of termVarNames(a)) if (name !== '_') args.set(name, 'arg');
  if (args.has('input') || args.has('data')) lv.rootDeclared = true;
  const used = new Set<string>();
  for (const t of [...rule.head.ref.slice(1), ...(rule.head.key ? [rule.head.key] : []), ...(rule.head.value ? [rule.head.value] : [])]) {
    for (const name of termVarNames(t)) used.add(name);
  }
  lv.body(rule.body, new Stack([new Map(args)]), used);
  for (const e of rule.elses) {
    const elseUsed = new Set<string>();
    if (e.value) for (const name of termVarNames(e.value)) elseUsed.add(name);
    lv.body(e.body, new Stack([new Map(args)]), elseUsed);
  }
}

class LocalVars {
  /**
   * Whether a local named `input` or `data` was declared (or is a function argument): until one
   * is, those names are the roots without looking through the scopes (a long body reads `input`
   * in most literals, and the body's scope holds all its names).
   */
  rootDeclared = false;
  constructor(private readonly errors: RegoError[]) {}

  body(lits: Literal[], stack: Stack, used: ReadonlySet<string>): void {
    const plainSome: Array<{ name: string; lit: Literal }> = [];
    for (let i = 0; i < lits.length; i++) {
      const lit = lits[i]!;
      const e = lit.expr;
      switch (e.type) {
        case 'unify':
          if (e.op === ':=') {
            if (lit.negated) {
              this.errors.push(compileError('cannot assign vars inside negated expression', lit.location));
              break;
            }
            this.term(e.right, stack);
            for (let j = 0; j < lit.with.length; j++) this.term(lit.with[j]!.value, stack);
            this.assignee(e.left, stack);
            continue;
          }
          this.term(e.left, stack);
          this.term(e.right, stack);
          break;
        case 'some':
          for (const v of e.vars) {
            if (v.name === '_') continue;
            this.declare(v.name, 'declared', stack, e);
            plainSome.push({ name: v.name, lit });
          }
          break;
        case 'somein': {
          for (const t of [...(e.key ? [e.key] : []), e.value]) {
            for (const name of termVarNames(t)) if (name !== '_') this.declare(name, 'declared', stack, e);
          }
          if (e.key) this.term(e.key, stack);
          this.term(e.value, stack);
          this.term(e.collection, stack);
          break;
        }
        case 'every': {
          this.term(e.domain, stack);
          const inner = stack.push();
          for (const v of [...(e.key ? [e.key] : []), e.value]) if (v.name !== '_') this.declare(v.name, 'declared', inner, e);
          this.body(e.body, inner, new Set());
          break;
        }
        case 'term':
          this.term(e.term, stack);
          break;
      }
      for (let j = 0; j < lit.with.length; j++) {
        this.term(lit.with[j]!.target, stack);
        this.term(lit.with[j]!.value, stack);
      }
    }
    if (plainSome.length > 0) {
      const names = new Set(used);
      for (const lit of lits) {
        if (lit.expr.type === 'some') continue;
        for (const name of literalVarNames(lit)) names.add(name);
      }
      for (const { name, lit } of plainSome) {
        if (!names.has(name)) this.errors.push(compileError(`declared var ${name} unused`, lit.location));
      }
    }
  }

  /** `at`: the node an error is reported at (its location is read only then: nodes make it when read). */
  private declare(name: string, occ: Occurrence, stack: Stack, at: { readonly location: Location }): void {
    if (name === 'input' || name === 'data') this.rootDeclared = true;
    const prev = stack.top.get(name);
    if (prev === undefined) {
      stack.top.set(name, occ);
      return;
    }
    const message =
      prev === 'seen'
        ? `var ${name} referenced above`
        : prev === 'assigned'
          ? `var ${name} assigned above`
          : prev === 'declared'
            ? `var ${name} declared above`
            : `arg ${name} redeclared`;
    this.errors.push(compileError(message, at.location));
  }

  /** The left side of `:=`: variables and the variables of array and object patterns. */
  private assignee(t: Term, stack: Stack): void {
    switch (t.type) {
      case 'var':
        if (t.name !== '_') this.declare(t.name, 'assigned', stack, t);
        return;
      case 'array':
        for (const x of t.items) this.assignee(x, stack);
        return;
      case 'object':
        for (const [, v] of t.entries) this.assigneeInObject(v, stack);
        return;
      default:
        this.errors.push(compileError(`cannot assign to ${valueName(t)}`, t.location));
    }
  }

  /** Object pattern values: every variable in them is assigned. */
  private assigneeInObject(t: Term, stack: Stack): void {
    if (t.type === 'var') this.assignee(t, stack);
    else if (t.type === 'object') for (const [, v] of t.entries) this.assigneeInObject(v, stack);
    else for (const name of termVarNames(t)) if (name !== '_') this.declare(name, 'assigned', stack, t);
  }

  /** A term read: its variables are seen; comprehensions are scopes of their own. */
  term(t: Term, stack: Stack): void {
    switch (t.type) {
      case 'var':
        if (t.name !== '_' && !stack.known(t.name)) stack.top.set(t.name, 'seen');
        return;
      case 'ref':
        if (t.head.type === 'var' && ROOT_DOCUMENTS.has(t.head.name) && (!this.rootDeclared || !stack.isLocal(t.head.name))) {
          for (let i = 0; i < t.path.length; i++) this.term(t.path[i]!, stack);
          return;
        }
        this.term(t.head, stack);
        for (let i = 0; i < t.path.length; i++) this.term(t.path[i]!, stack);
        return;
      case 'array':
      case 'set':
        for (const x of t.items) this.term(x, stack);
        return;
      case 'object':
        for (const [a, b] of t.entries) {
          this.term(a, stack);
          this.term(b, stack);
        }
        return;
      case 'call': {
        const head = t.name[0]!;
        if (t.name.length >= 1 && stack.isLocal(head)) {
          this.errors.push(compileError(`called function ${t.name.join('.')} shadowed`, t.location));
        }
        for (let i = 0; i < t.args.length; i++) this.term(t.args[i]!, stack);
        return;
      }
      case 'membership':
        if (t.key) this.term(t.key, stack);
        this.term(t.value, stack);
        this.term(t.collection, stack);
        return;
      case 'template':
        for (const p of t.parts) if (typeof p !== 'string') this.term(p, stack.push());
        return;
      case 'arraycompr':
      case 'setcompr': {
        const inner = stack.push();
        this.body(t.body, inner, new Set(termVarNames(t.term)));
        this.term(t.term, inner);
        return;
      }
      case 'objectcompr': {
        const inner = stack.push();
        this.body(t.body, inner, new Set([...termVarNames(t.key), ...termVarNames(t.value)]));
        this.term(t.key, inner);
        this.term(t.value, inner);
        return;
      }
      default:
        return;
    }
  }
}

/** Calls `f(body, ctx)` for each comprehension or `every` body directly inside a literal. */
function forEachNestedBody<C>(lit: Literal, f: (body: Literal[], ctx: C) => void, ctx: C): void {
  const visit: NestedVisit<C> = { f, ctx };
  const e = lit.expr;
  if (e.type === 'unify') {
    nestedBodies(e.left, visit);
    nestedBodies(e.right, visit);
  } else if (e.type === 'term') nestedBodies(e.term, visit);
  else for (const t of exprTerms(e)) nestedBodies(t, visit);
  if (e.type === 'every') f(e.body, ctx);
  for (let i = 0; i < lit.with.length; i++) nestedBodies(lit.with[i]!.value, visit);
}

interface NestedVisit<C> {
  f: (body: Literal[], ctx: C) => void;
  ctx: C;
}

function nestedBodies<C>(t: Term, visit: NestedVisit<C>): void {
  switch (t.type) {
    case 'var':
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
      return;
    case 'arraycompr':
    case 'setcompr':
    case 'objectcompr':
      visit.f(t.body, visit.ctx);
  }
  eachSubterm(t, nestedBodies, visit);
}

/** Every variable name in a term, nested bodies included. */
function termVarNames(t: Term, out: string[] = []): string[] {
  if (t.type === 'var') out.push(t.name);
  else if (t.type === 'arraycompr' || t.type === 'setcompr' || t.type === 'objectcompr') for (const l of t.body) literalVarNames(l, out);
  eachSubterm(t, (s) => termVarNames(s, out));
  return out;
}

function literalVarNames(lit: Literal, out: string[] = []): string[] {
  for (const t of exprTerms(lit.expr)) termVarNames(t, out);
  if (lit.expr.type === 'every') for (const l of lit.expr.body) literalVarNames(l, out);
  for (const w of lit.with) {
    termVarNames(w.target, out);
    termVarNames(w.value, out);
  }
  return out;
}
