/**
 * Compiler: modules → rule tree keyed by path, with imports resolved, variables resolved to
 * frame slots, bodies reordered for safety, and the static checks OPA makes (unsafe variables,
 * recursion, ground defaults, arity, undefined functions, forbidden builtins).
 */
import { eachSubterm, exprTerms, type CallTerm, type Import, type Literal, type Location, type Module, type Rule, type Term, type VarTerm } from './ast.js';
import type { Builtin } from './builtins/registry.js';
import { FORBIDDEN_BUILTINS } from './builtins/registry.js';
import { RegoEvalError, type RegoError } from './errors.js';
import type { CBody, CExpr, CFn, CLit, CRule, CTerm, CWith, GroupKind, RuleGroup, TreeNode } from './ir.js';
import { splitNegated } from './negation.js';
import { allVars, requireBound, scheduleBody, scheduleHeadTerms, SlotSet, type UnsafeVar } from './scheduler.js';
import { checkCall, signatureOf, typeOfTerm, type Signature, type Type } from './typecheck.js';
import { makeObject, parseNumber, RegoSet, type Value } from './value.js';

export interface CompiledModules {
  root: TreeNode;
  groups: RuleGroup[];
}

class CompileError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly location?: Location,
    readonly details?: string[],
  ) {
    super(message);
  }
}

class Scope {
  readonly names = new Map<string, number>();
  /**
   * The slots declared here and in nested scopes, kept only by the scopes of nested bodies
   * (comprehensions, `every`): only their free variables are ever asked for (scheduler's
   * bodyFree). A rule's or query's own scopes keep none, which spares a long body a set insert
   * per variable and scope level.
   */
  readonly locals: Set<number> | undefined;
  /**
   * Every slot declared here by name, listed or not (see declareUnlisted), in declaration order:
   * kept only by a query's scope, whose variables are its bindings.
   */
  readonly order: number[] | undefined;
  constructor(
    readonly parent: Scope | undefined,
    readonly alloc: SlotAllocator,
    tracksLocals = false,
    keepsOrder = false,
  ) {
    this.locals = tracksLocals ? new Set<number>() : undefined;
    this.order = keepsOrder ? [] : undefined;
  }

  lookup(name: string): number | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const slot = s.names.get(name);
      if (slot !== undefined) return slot;
    }
    return undefined;
  }

  declare(name: string): number {
    const slot = this.declareUnlisted(name);
    this.names.set(name, slot);
    if (name === 'input' || name === 'data') this.alloc.rootNameDeclared = true;
    return slot;
  }

  /**
   * A slot for `name` that is never looked up by name (the body declaring it does not read it):
   * no entry in `names`, whose inserts in a long body's scope (one per literal, on a map as large
   * as the body) missed the CPU caches and grew the map in the old generation.
   */
  declareUnlisted(name: string): number {
    const slot = this.fresh(name);
    this.order?.push(slot);
    return slot;
  }

  fresh(name: string): number {
    const slot = this.alloc.next(name);
    for (let s: Scope | undefined = this; s; s = s.parent) s.locals?.add(slot);
    return slot;
  }
}

export class SlotAllocator {
  readonly names: string[] = [];
  /**
   * Whether some scope declared a variable named `input` or `data` (Scope.declare). Until one
   * does, those names are the roots without looking through the scopes (a long body reads
   * `input` in most literals, and the body's scope holds all its variables).
   */
  rootNameDeclared = false;
  next(name: string): number {
    this.names.push(name);
    return this.names.length - 1;
  }
  get count(): number {
    return this.names.length;
  }
}

/** Package/import context in which a rule body or query is translated. */
export interface NameContext {
  pkg: string[];
  imports: Map<string, CTerm>;
  /** First head-ref names of rules in the package (they shadow nothing declared locally). */
  ruleNames: Set<string>;
  /**
   * A module without `import future.keywords.not` (or `future.keywords`): parts of a negated
   * literal are evaluated before the negation, as OPA does (negation.ts).
   */
  partsOutsideNot?: boolean;
}

/**
 * The compiled forms the translator makes for nearly every literal of a body (`x := input.a + 1`:
 * the literal, its unification, `x`, the call and the constant), made by classes rather than object
 * literals. V8 watches where an object literal's objects go and, once most of them survive (a
 * compiled body's do, until code generation), allocates that literal's objects in the old
 * generation from then on; the switch throws away the optimised code of every function that makes
 * them (bodyLiteral, term, call), mid-compile, which then runs unoptimised until it is optimised
 * again. Instances of a class are not watched. Each has the own fields, in the same order, of the
 * object literal it stands for (`{ ...lit }` copies it as before).
 */
class CompiledLiteral implements CLit {
  declare negated: boolean;
  declare expr: CExpr;
  declare with: CWith[];
  declare src: number;
  declare index: number;
  constructor(negated: boolean, expr: CExpr, withs: CWith[], src: number, index: number) {
    this.negated = negated;
    this.expr = expr;
    this.with = withs;
    this.src = src;
    this.index = index;
  }
}

class Unification {
  declare k: 'unify';
  declare a: CTerm;
  declare b: CTerm;
  constructor(a: CTerm, b: CTerm) {
    this.k = 'unify';
    this.a = a;
    this.b = b;
  }
}

class SlotVar {
  declare k: 'var';
  declare slot: number;
  declare name: string;
  constructor(slot: number, name: string) {
    this.k = 'var';
    this.slot = slot;
    this.name = name;
  }
}

class Constant {
  declare k: 'const';
  declare v: Value;
  constructor(v: Value) {
    this.k = 'const';
    this.v = v;
  }
}

/** A call whose arguments are all inputs (one with an output argument stays an object literal). */
class Call {
  declare k: 'call';
  declare fn: CFn;
  declare args: CTerm[];
  declare loc: Location;
  constructor(fn: CFn, args: CTerm[], loc: Location) {
    this.k = 'call';
    this.fn = fn;
    this.args = args;
    this.loc = loc;
  }
}

const CONST_TRUE: CTerm = { k: 'const', v: true };
/** The `with` list of the (many) literals that have none: one shared, frozen empty list. */
const NO_WITHS: CWith[] = Object.freeze([]) as unknown as CWith[];
/** The roots, one term each for every reference to them. */
const INPUT_TERM: CTerm = Object.freeze({ k: 'input' });
const DATA_TERM: CTerm = Object.freeze({ k: 'data' });
const ANY_TYPE: Type = { k: 'any' };

export class Compiler {
  readonly root: TreeNode = { id: 0, name: '', path: [], children: new Map() };
  /** Number of tree nodes (ids are 0..nodeCount-1): the size of an evaluation's rule memo. */
  nodeCount = 1;
  readonly groups: RuleGroup[] = [];
  readonly errors: RegoError[] = [];
  /** Dotted names that some `with` of the compiled modules replaces (`http.send`, `count`). */
  readonly mockedNames = new Set<string>();
  private readonly packageRuleNames = new Map<string, Set<string>>();
  /**
   * Constant ref steps by name, shared by every occurrence (Translator.fieldName) within one
   * compileModules or compileQuery; emptied after each, so later queries do not grow it.
   */
  readonly fieldTerms = new Map<string, CTerm>();
  /**
   * `input.<name>` refs by name, shared the same way: the commonest ref, often in most literals of
   * a long body, and as immutable as the steps (a shared term saves the ref and its path list).
   */
  readonly inputFieldRefs = new Map<string, CTerm>();

  constructor(readonly builtins: ReadonlyMap<string, Builtin>) {}

  error(code: string, message: string, location?: Location, details?: string[]): void {
    const e: RegoError = location ? { code, message, location } : { code, message };
    if (details?.length) e.details = details;
    this.errors.push(e);
  }

  compileModules(modules: Module[]): void {
    for (const m of modules) {
      for (const name of withTargetNames(m)) this.mockedNames.add(name);
      // A package without rules is still a document (`{}`), as in OPA.
      this.node(m.package);
    }
    const pending: Array<{ rule: Rule; group: RuleGroup; ctx: NameContext; refKeyTerms: Term[] }> = [];
    const contexts = modules.map((m) => this.moduleContext(m));
    // Rule heads first: bodies may call functions defined in any module.
    for (const m of modules) {
      const names = this.packageRuleNames.get(m.package.join('.')) ?? new Set<string>();
      this.packageRuleNames.set(m.package.join('.'), names);
      for (const rule of m.rules) {
        const first = rule.head.ref[0];
        if (first && first.type === 'string') names.add(first.value);
        else if (first && first.type === 'var') names.add(first.name);
      }
    }
    modules.forEach((m, i) => {
      const ctx = contexts[i]!;
      ctx.ruleNames = this.packageRuleNames.get(m.package.join('.'))!;
      for (const rule of m.rules) {
        try {
          const placed = this.placeRule(m, rule);
          if (placed) pending.push({ rule, group: placed.group, ctx, refKeyTerms: placed.refKeys });
        } catch (e) {
          if (e instanceof CompileError) this.error(e.code, e.message, e.location, e.details);
          else throw e;
        }
      }
    });
    for (const p of pending) {
      try {
        const compiled = this.compileRule(p.rule, p.group, p.ctx, p.refKeyTerms);
        if (p.rule.isDefault) {
          if (p.group.defaultRule) {
            this.error('rego_type_error', `multiple default rules ${refString(p.group.path)} found`, p.rule.location);
          }
          p.group.defaultRule = compiled;
        } else p.group.rules.push(compiled);
      } catch (e) {
        if (e instanceof CompileError) this.error(e.code, e.message, e.location, e.details);
        else throw e;
      }
    }
    this.checkRecursion();
    this.clearSharedTerms();
  }

  /** Empties the shared-term tables (at the end of each compileModules or compileQuery). */
  private clearSharedTerms(): void {
    this.fieldTerms.clear();
    this.inputFieldRefs.clear();
  }

  moduleContext(m: Module): NameContext {
    const imports = new Map<string, CTerm>();
    for (const imp of m.imports) {
      const resolved = importTarget(imp);
      if (!resolved) continue;
      imports.set(resolved.alias, resolved.term);
    }
    return { pkg: m.package, imports, ruleNames: new Set(), partsOutsideNot: !m.imports.some(importsFutureNot) };
  }

  node(path: string[]): TreeNode {
    let n = this.root;
    for (const seg of path) {
      let c = n.children.get(seg);
      if (!c) {
        c = { id: this.nodeCount++, name: seg, path: [...n.path, seg], children: new Map() };
        n.children.set(seg, c);
      }
      n = c;
    }
    return n;
  }

  findGroup(path: string[]): RuleGroup | undefined {
    let n: TreeNode | undefined = this.root;
    for (const seg of path) {
      n = n.children.get(seg);
      if (!n) return undefined;
    }
    return n.group;
  }

  private placeRule(m: Module, rule: Rule): { group: RuleGroup; refKeys: Term[] } | undefined {
    const head = rule.head;
    const ground: string[] = [];
    let i = 0;
    for (; i < head.ref.length; i++) {
      const t = head.ref[i]!;
      if (t.type === 'string') ground.push(t.value);
      else if (i === 0 && t.type === 'var') ground.push(t.name);
      else break;
    }
    const refKeys = head.ref.slice(i);
    let kind: GroupKind;
    // As in OPA, `f() := v` (no arguments) is a rule, read as `data.<pkg>.f` or called as `f()`.
    if (head.args && head.args.length > 0) {
      if (refKeys.length > 0) throw new CompileError('rego_parse_error', 'function name must be a ground reference', head.location);
      kind = 'function';
    } else if (head.contains) kind = refKeys.length === 0 ? 'set' : 'object';
    else kind = refKeys.length === 0 ? 'complete' : 'object';
    const path = [...m.package, ...ground];
    const node = this.node(path);
    if (!node.group) {
      node.group = { path, name: refString(path), kind, rules: [] };
      if (kind === 'function') node.group.arity = head.args!.length;
      if (kind === 'object' && head.contains) node.group.leafSet = true;
      this.groups.push(node.group);
    } else if (node.group.kind !== kind || (kind === 'function' && node.group.arity !== head.args!.length)) {
      throw new CompileError('rego_type_error', `conflicting rules ${node.group.name} found`, rule.location);
    }
    if (rule.isDefault && kind !== 'complete' && kind !== 'function') {
      throw new CompileError('rego_parse_error', 'default rules must not have a key or contain', rule.location);
    }
    return { group: node.group, refKeys };
  }

  private compileRule(rule: Rule, group: RuleGroup, ctx: NameContext, refKeyTerms: Term[]): CRule {
    const alloc = new SlotAllocator();
    const root = new Scope(undefined, alloc);
    const unsafe: UnsafeVar[] = [];
    const tr = new Translator(this, ctx, alloc);
    let args: CTerm[] | undefined;
    const argBound = new SlotSet();
    const argEqualities: CLit[] = [];
    if (rule.head.args) {
      for (const a of rule.head.args) for (const name of patternVarNames(a)) if (!root.names.has(name)) root.declare(name);
      args = rule.head.args.map((a) => tr.term(a, root));
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (!isPatternTerm(a)) {
          // OPA rewrites such arguments into equalities evaluated with the body.
          const slot = root.fresh('__arg' + i);
          argEqualities.push({ negated: false, expr: { k: 'unify', a: { k: 'var', slot, name: '__arg' + i }, b: a }, with: [], src: tr.source(rule.head), index: -1 });
          args[i] = { k: 'var', slot, name: '__arg' + i };
        }
      }
      for (const a of args) allVars(a, argBound);
    }
    const headTerms: Term[] = [...refKeyTerms];
    if (rule.head.key) headTerms.push(rule.head.key);
    if (rule.head.value) headTerms.push(rule.head.value);

    let key: CTerm | undefined;
    let refKeys: CTerm[] | undefined;
    let value: CTerm = CONST_TRUE;
    const body = tr.body(rule.body, root, headTerms, (scope) => {
      refKeys = refKeyTerms.length ? refKeyTerms.map((t) => tr.term(t, scope)) : undefined;
      if (rule.head.key) key = tr.term(rule.head.key, scope);
      if (rule.head.value) value = tr.term(rule.head.value, scope);
    });
    body.lits.push(...argEqualities);
    const bound = scheduleBody(body, argBound, unsafe);
    scheduleHeadTerms([...(refKeys ?? []), ...(key ? [key] : []), value], bound, unsafe);
    requireBound([...(refKeys ?? []), ...(key ? [key] : []), value], bound, unsafe, undefined);
    const branches = [{ value, body }];
    for (const el of rule.elses) {
      let elValue: CTerm = CONST_TRUE;
      const elBody = tr.body(el.body, root, el.value ? [el.value] : [], (scope) => {
        if (el.value) elValue = tr.term(el.value, scope);
      });
      const elBound = scheduleBody(elBody, argBound, unsafe);
      scheduleHeadTerms([elValue], elBound, unsafe);
      requireBound([elValue], elBound, unsafe, undefined);
      branches.push({ value: elValue, body: elBody });
    }
    if (unsafe.length) this.reportUnsafe(unsafe, alloc, tr.sources, rule.location);
    if (rule.isDefault) {
      for (const b of branches) {
        if (b.value.k !== 'const' && hasFreeVar(b.value)) {
          throw new CompileError('rego_compile_error', `default rule ${group.name} value must be ground`, rule.location);
        }
      }
    }
    const constValue = branches.every((b) => b.value.k === 'const') && !key && !refKeys;
    return { nslots: alloc.count, args, key, refKeys, branches, constValue, refersToRules: tr.refersToRules, loc: rule.location };
  }

  /** `sources`: the translation's syntax-tree nodes, by the `src` of its compiled literals. */
  reportUnsafe(unsafe: UnsafeVar[], alloc: SlotAllocator, sources: ReadonlyArray<{ readonly location: Location }>, fallback: Location): void {
    const seen = new Set<string>();
    for (const u of unsafe) {
      const name = alloc.names[u.slot] ?? '?';
      if (seen.has(name)) continue;
      seen.add(name);
      this.error('rego_unsafe_var_error', `var ${name} is unsafe`, sources[u.lit?.src ?? -1]?.location ?? fallback);
    }
  }

  /** Compiles a query body in the context of the given package (empty = no package). */
  compileQuery(lits: Literal[], ctx: NameContext): { body: CBody; alloc: SlotAllocator; varNames: string[]; varSlots: number[] } {
    for (const lit of lits) for (const w of lit.with) {
      const p = targetPath(w.target);
      if (p) this.mockedNames.add(p.join('.'));
    }
    const alloc = new SlotAllocator();
    const root = new Scope(undefined, alloc);
    const tr = new Translator(this, ctx, alloc);
    let body: CBody;
    try {
      body = tr.body(lits, root, [], () => {}, false, true);
    } finally {
      this.clearSharedTerms();
    }
    const unsafe: UnsafeVar[] = [];
    scheduleBody(body, new SlotSet(), unsafe);
    if (unsafe.length) this.reportUnsafe(unsafe, alloc, tr.sources, lits[0]?.location ?? dummyLoc());
    // The query's variables in declaration order, as two lists (a long query has tens of thousands).
    const varNames: string[] = [];
    const varSlots: number[] = [];
    // Wildcards are never named; `__x__`-style names are generated (OPA hides them too).
    const order = tr.lastBodyScope!.order!;
    for (let i = 0; i < order.length; i++) {
      const slot = order[i]!;
      const name = alloc.names[slot]!;
      const c0 = name.charCodeAt(0);
      if (c0 === 36 /* $ */ || (c0 === 95 /* _ */ && name.charCodeAt(1) === 95)) continue;
      varNames.push(name);
      varSlots.push(slot);
    }
    return { body, alloc, varNames, varSlots };
  }

  /** Recursion check over rule-to-rule references (OPA: rego_recursion_error). */
  private checkRecursion(): void {
    const deps = new Map<RuleGroup, Set<RuleGroup>>();
    for (const g of this.groups) {
      const out = new Set<RuleGroup>();
      const visitRule = (r: CRule) => {
        if (!r.refersToRules) return;
        for (const a of r.args ?? []) this.collectDeps(a, out);
        for (const t of [r.key, ...(r.refKeys ?? [])]) if (t) this.collectDeps(t, out);
        for (const b of r.branches) {
          this.collectDeps(b.value, out);
          this.collectBodyDeps(b.body, out);
        }
      };
      g.rules.forEach(visitRule);
      if (g.defaultRule) visitRule(g.defaultRule);
      deps.set(g, out);
    }
    const state = new Map<RuleGroup, number>();
    const stack: RuleGroup[] = [];
    const reported = new Set<RuleGroup>();
    const visit = (g: RuleGroup): void => {
      state.set(g, 1);
      stack.push(g);
      for (const d of deps.get(g) ?? []) {
        const s = state.get(d);
        if (s === 1) {
          if (!reported.has(d)) {
            reported.add(d);
            const cycle = stack.slice(stack.indexOf(d)).map((x) => x.name);
            cycle.push(d.name);
            this.error('rego_recursion_error', `rule ${d.name} is recursive: ${cycle.join(' -> ')}`, d.rules[0]?.loc);
          }
        } else if (!s) visit(d);
      }
      stack.pop();
      state.set(g, 2);
    };
    for (const g of this.groups) if (!state.get(g)) visit(g);
  }

  private collectBodyDeps(body: CBody, out: Set<RuleGroup>): void {
    for (let i = 0; i < body.lits.length; i++) {
      const lit = body.lits[i]!;
      const e: CExpr = lit.expr;
      switch (e.k) {
        case 'term':
          this.collectDeps(e.t, out);
          break;
        case 'unify':
          this.collectDeps(e.a, out);
          this.collectDeps(e.b, out);
          break;
        case 'somein':
          if (e.key) this.collectDeps(e.key, out);
          this.collectDeps(e.value, out);
          this.collectDeps(e.coll, out);
          break;
        case 'every':
          this.collectDeps(e.domain, out);
          this.collectBodyDeps(e.body, out);
          break;
        case 'noop':
          break;
      }
      for (let j = 0; j < lit.with.length; j++) {
        const w = lit.with[j]!;
        if (w.value) this.collectDeps(w.value, out);
        if (w.fn?.kind === 'user') this.addPathDeps(w.fn.path, out);
      }
    }
  }

  private addPathDeps(path: string[], out: Set<RuleGroup>, subtree = true): void {
    let n: TreeNode | undefined = this.root;
    for (const seg of path) {
      if (n.group) break;
      n = n.children.get(seg);
      if (!n) return;
    }
    const add = (x: TreeNode): void => {
      if (x.group) out.add(x.group);
      for (const c of x.children.values()) add(c);
    };
    if (n.group) out.add(n.group);
    else if (subtree) add(n);
  }

  private collectDeps(t: CTerm, out: Set<RuleGroup>): void {
    switch (t.k) {
      case 'data':
        this.addPathDeps([], out);
        return;
      case 'ref': {
        if (t.head.k === 'data') {
          const prefix: string[] = [];
          for (const p of t.path) {
            if (p.k === 'const' && typeof p.v === 'string') prefix.push(p.v);
            else break;
          }
          // A dynamic ref (`data[x].a`) is checked at run time; a ground one depends on its subtree.
          this.addPathDeps(prefix, out, prefix.length === t.path.length);
        } else this.collectDeps(t.head, out);
        for (let i = 0; i < t.path.length; i++) this.collectDeps(t.path[i]!, out);
        return;
      }
      case 'array':
      case 'set':
        for (const x of t.items) this.collectDeps(x, out);
        return;
      case 'object':
        for (const [a, b] of t.entries) {
          this.collectDeps(a, out);
          this.collectDeps(b, out);
        }
        return;
      case 'arraycompr':
      case 'setcompr':
        this.collectDeps(t.term, out);
        this.collectBodyDeps(t.body, out);
        return;
      case 'objectcompr':
        this.collectDeps(t.key, out);
        this.collectDeps(t.value, out);
        this.collectBodyDeps(t.body, out);
        return;
      case 'call':
        if (t.fn.kind === 'user') this.addPathDeps(t.fn.path, out);
        for (let i = 0; i < t.args.length; i++) this.collectDeps(t.args[i]!, out);
        if (t.out) this.collectDeps(t.out, out);
        return;
      case 'member':
        if (t.key) this.collectDeps(t.key, out);
        this.collectDeps(t.value, out);
        this.collectDeps(t.coll, out);
        return;
      case 'template':
        for (const p of t.parts) if (typeof p !== 'string') this.collectDeps(p, out);
        return;
      default:
        return;
    }
  }
}

function isPatternTerm(t: CTerm): boolean {
  switch (t.k) {
    case 'var':
    case 'const':
      return true;
    case 'array':
      return t.items.every(isPatternTerm);
    case 'object':
      return t.entries.every(([a, b]) => a.k === 'const' && isPatternTerm(b));
    default:
      return false;
  }
}

function dummyLoc(): Location {
  return { line: 1, column: 1, offset: 0, endOffset: 0 };
}

export function refString(path: string[]): string {
  let s = 'data';
  for (const p of path) s += /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return s;
}

/** `import future.keywords` or `import future.keywords.not`. */
function importsFutureNot(imp: Import): boolean {
  const p = imp.path;
  if (p.type !== 'ref' || p.head.type !== 'var' || p.head.name !== 'future') return false;
  const segs = p.path.map((s) => (s.type === 'string' ? s.value : ''));
  return segs[0] === 'keywords' && (segs.length === 1 || (segs.length === 2 && segs[1] === 'not'));
}

function importTarget(imp: Import): { alias: string; term: CTerm } | undefined {
  const p = imp.path;
  let head: string;
  const segs: string[] = [];
  if (p.type === 'var') head = p.name;
  else {
    if (p.head.type !== 'var') return undefined;
    head = p.head.name;
    for (const s of p.path) {
      if (s.type !== 'string') return undefined;
      segs.push(s.value);
    }
  }
  if (head !== 'data' && head !== 'input') return undefined; // rego.v1, future.keywords: no-ops
  const alias = imp.alias ?? (segs.length ? segs[segs.length - 1]! : head);
  const root: CTerm = head === 'data' ? { k: 'data' } : { k: 'input' };
  const term: CTerm = segs.length ? { k: 'ref', head: root, path: segs.map((s) => ({ k: 'const', v: s })) } : root;
  return { alias, term };
}

/** The names a literal's expression declares (`some`, `some .. in`, `:=`), appended to `out`. */
function declaredNames(e: Literal['expr'], out: string[]): string[] {
  if (e.type === 'some') for (const v of e.vars) out.push(v.name);
  else if (e.type === 'somein') {
    if (e.key) patternVarNames(e.key, out);
    patternVarNames(e.value, out);
  } else if (e.type === 'unify' && e.op === ':=') patternVarNames(e.left, out);
  return out;
}

/** Variable names in pattern positions of a term (`[a, {"k": b}]` → a, b). */
function patternVarNames(t: Term, out: string[] = []): string[] {
  switch (t.type) {
    case 'var':
      if (t.name !== '_') out.push(t.name);
      break;
    case 'array':
      for (const x of t.items) patternVarNames(x, out);
      break;
    case 'object':
      for (const [, v] of t.entries) patternVarNames(v, out);
      break;
    default:
      break;
  }
  return out;
}

/** A variable outside comprehensions (a default value may hold closed comprehensions). */
function hasFreeVar(t: CTerm): boolean {
  switch (t.k) {
    case 'var':
      return true;
    case 'ref':
      return hasFreeVar(t.head) || t.path.some(hasFreeVar);
    case 'array':
    case 'set':
      return t.items.some(hasFreeVar);
    case 'object':
      return t.entries.some(([a, b]) => hasFreeVar(a) || hasFreeVar(b));
    case 'call':
      return t.args.some(hasFreeVar);
    default:
      return false;
  }
}

/** Translates AST terms and bodies into IR for one rule (or query). */
class Translator {
  lastBodyScope: Scope | undefined;
  /** The call that is a whole expression (it may take an output argument). */
  private statementCall: Term | undefined;
  /** Functions by dotted name (see resolveFunction). */
  private readonly resolved = new Map<string, CFn>();
  /** Types of variables assigned with `:=` from a term of known type, by slot. */
  readonly varTypes: Type[] = [];
  /** Variables made for the parts of negated literals evaluated before them (splitNegations). */
  private negationTemps = 0;
  /**
   * Set once a translated term may refer to a rule or function (`data`, a rule's name, an import,
   * a user function, a zero-argument rule called): until then the rule's bodies hold no
   * dependency for the recursion check to find (Compiler.collectDeps).
   */
  refersToRules = false;
  /**
   * The syntax-tree nodes of this translation's compiled literals, by their `src`: their locations
   * are made only for an error, and the tree is reachable from here only while the translator is.
   */
  readonly sources: Array<{ readonly location: Location }> = [];

  constructor(
    readonly compiler: Compiler,
    readonly ctx: NameContext,
    readonly alloc: SlotAllocator,
  ) {}

  /** Notes where a compiled literal comes from; its `src`. */
  source(node: { readonly location: Location }): number {
    return this.sources.push(node) - 1;
  }

  /** A `with` value naming a builtin, provided or refused (FORBIDDEN_BUILTINS): not a variable. */
  namesBuiltin(t: Term): boolean {
    const p = targetPath(t);
    if (p === undefined) return false;
    const name = p.join('.');
    return this.compiler.builtins.has(name) || FORBIDDEN_BUILTINS[name] !== undefined;
  }

  isGlobal(name: string): boolean {
    return name === 'input' || name === 'data' || this.ctx.imports.has(name) || this.ctx.ruleNames.has(name);
  }

  /**
   * `nested`: a comprehension's or `every`'s body, whose free variables the scheduler asks for.
   * `query`: a query's body, whose scope lists its variables in declaration order (the bindings).
   */
  body(lits: Literal[], parent: Scope, headTerms: Term[], translateHead: (scope: Scope) => void, nested = false, query = false): CBody {
    const scope = new Scope(parent, this.alloc, nested, query);
    this.lastBodyScope = scope;
    // Explicit declarations (`some`, `:=`, `some .. in`) are local to this body even when an outer
    // name exists; like OPA, they take effect from the declaring literal on (a comprehension
    // before `x := ...` has its own `x`). The names each literal declares, in one list for the
    // body with each literal's end in `declaredEnd` (found once, read again below; a long body
    // allocates nothing per literal), and the names each literal uses, found in the same visit.
    // A name assigned twice never gets here: the declaration checks (checks.ts) reject it first.
    const declared: string[] = [];
    const declaredEnd = new Int32Array(lits.length);
    const uses: NameUses = { names: [], lookedUpElsewhere: false };
    this.bodyNames(lits, declared, declaredEnd, uses);
    for (const t of headTerms) collectTermNames(t, uses);
    // The names this body may look up by name: the ones it uses, unless a nested body or a `with`
    // (which look names up too) makes that unknown (undefined: every name).
    const looked: ReadonlySet<string> = uses.names.length === 0 ? NO_NAMES : new Set(uses.names);
    const listed = uses.lookedUpElsewhere ? undefined : looked;
    this.declareImplicit(uses.names, looked, declared, scope);
    const out: CLit[] = new Array<CLit>(lits.length);
    // One call per literal: the loop stays small, so V8 optimises it (on-stack, mid-loop) quickly
    // and cheaply, where a loop holding the whole translation made a long body wait for one large
    // optimisation (measured at 165 ms of compiler thread time on a loaded machine) and run the
    // meantime unoptimised.
    let negations = 0;
    for (let index = 0; index < lits.length; index++) {
      const from = index === 0 ? 0 : declaredEnd[index - 1]!;
      out[index] = this.bodyLiteral(lits[index]!, index, scope, listed, declared, from, declaredEnd[index]!);
      if (lits[index]!.negated) negations++;
    }
    translateHead(scope);
    this.lastBodyScope = scope;
    if (negations > 0 && this.ctx.partsOutsideNot) return { lits: this.splitNegations(out, scope), locals: scope.locals };
    return { lits: out, locals: scope.locals };
  }

  /** The body's literals with the parts OPA evaluates outside each negation moved before it. */
  private splitNegations(lits: CLit[], scope: Scope): CLit[] {
    const fresh = () => {
      const name = `__local${this.negationTemps++}__`;
      return new SlotVar(scope.fresh(name), name);
    };
    return lits.flatMap((lit) => (lit.negated ? splitNegated(lit, fresh) : [lit]));
  }

  /**
   * One visit per literal of a body (each loop over a long body is a function of its own, so V8
   * optimises it on its own, instead of re-optimising the whole of `body` as each next loop is
   * reached): the names each literal declares explicitly (`some`, `:=`, `some .. in`) into
   * `declared`, and the names it uses into `names`.
   */
  private bodyNames(lits: Literal[], declared: string[], declaredEnd: Int32Array, names: NameUses): void {
    const isBuiltinName = (t: Term): boolean => this.namesBuiltin(t);
    for (let index = 0; index < lits.length; index++) {
      const lit = lits[index]!;
      declaredNames(lit.expr, declared);
      declaredEnd[index] = declared.length;
      collectLiteralNames(lit, names, isBuiltinName);
    }
  }

  /**
   * Declares in `scope` the names used in a body (`used`) that are neither declared explicitly in it
   * (`declared`), outer locals nor globals. The explicit names are looked up among the used ones,
   * not the other way round: a long body declares a name in most literals and uses few it does not
   * declare, and a map of every declared name (two lookups per literal on a map as large as the
   * body, most of them missing the CPU caches) cost a cold 50,000-literal compile about 4% of its CPU.
   */
  private declareImplicit(used: string[], usedNames: ReadonlySet<string>, declared: string[], scope: Scope): void {
    if (used.length === 0) return;
    const explicit = new Set<string>();
    for (let i = 0; i < declared.length; i++) if (usedNames.has(declared[i]!)) explicit.add(declared[i]!);
    for (let i = 0; i < used.length; i++) {
      const n = used[i]!;
      if (n !== '_' && n !== 'input' && n !== 'data' && !explicit.has(n) && scope.lookup(n) === undefined && !this.isGlobal(n)) scope.declare(n);
    }
  }

  /**
   * Literal `index` of a body, declaring first the names it declares (`declared[from..to)`).
   * `listed`: the names the body may look up (undefined: any), see Scope.declareUnlisted.
   */
  private bodyLiteral(lit: Literal, index: number, scope: Scope, listed: ReadonlySet<string> | undefined, declared: string[], from: number, to: number): CLit {
    const e = lit.expr;
    if (e.type === 'unify' && e.op === ':=') {
      const b = this.term(e.right, scope);
      const left = e.left;
      let a: CTerm;
      let withs: CWith[];
      if (left.type === 'var' && to - from === 1 && left.name !== 'input' && left.name !== 'data') {
        // `x := ...`, the commonest literal: x is the one name it declares, and its slot is the
        // one declared here (one lookup, not a test, a declaration and a lookup; none when the
        // body never reads x by name: the declaration checks have rejected a second `:=` of it).
        const name = left.name;
        let slot: number | undefined;
        if (listed !== undefined && !listed.has(name)) slot = scope.declareUnlisted(name);
        else {
          slot = scope.names.get(name);
          if (slot === undefined) slot = scope.declare(name);
        }
        withs = this.withModifiers(lit, scope);
        a = new SlotVar(slot, name);
      } else {
        for (let j = from; j < to; j++) declareOnce(scope, declared[j]!);
        withs = this.withModifiers(lit, scope);
        a = this.term(left, scope);
      }
      if (a.k === 'var') this.varTypes[a.slot] = typeOfTerm(b, this.varTypes);
      return new CompiledLiteral(lit.negated, new Unification(a, b), withs, this.source(lit), index);
    }
    for (let j = from; j < to; j++) declareOnce(scope, declared[j]!);
    return this.literal(lit, scope, index);
  }

  literal(lit: Literal, scope: Scope, index: number): CLit {
    const expr = this.expr(lit, scope);
    return new CompiledLiteral(lit.negated, expr, this.withModifiers(lit, scope), this.source(lit), index);
  }

  private withModifiers(lit: Literal, scope: Scope): CWith[] {
    return lit.with.length === 0 ? NO_WITHS : lit.with.map((w) => this.withModifier(w.target, w.value, scope, w.location));
  }

  expr(lit: Literal, scope: Scope): CExpr {
    const e = lit.expr;
    switch (e.type) {
      case 'term':
        this.statementCall = e.term.type === 'call' ? e.term : undefined;
        return { k: 'term', t: this.term(e.term, scope) };
      case 'unify':
        return new Unification(this.term(e.left, scope), this.term(e.right, scope));
      case 'some':
        return { k: 'noop' };
      case 'somein':
        return {
          k: 'somein',
          key: e.key ? this.term(e.key, scope) : undefined,
          value: this.term(e.value, scope),
          coll: this.term(e.collection, scope),
        };
      case 'every': {
        const inner = new Scope(scope, this.alloc);
        let key: CTerm | undefined;
        if (e.key) key = { k: 'var', slot: inner.declare(e.key.name), name: e.key.name };
        const value: CTerm = { k: 'var', slot: inner.declare(e.value.name), name: e.value.name };
        const body = this.body(e.body, inner, [], () => {}, true);
        if (key) body.locals!.add((key as { slot: number }).slot);
        body.locals!.add((value as { slot: number }).slot);
        return { k: 'every', key, value, domain: this.term(e.domain, scope), body };
      }
    }
  }

  withModifier(target: Term, value: Term, scope: Scope, loc: Location): CWith {
    const path = targetPath(target);
    if (!path) throw new CompileError('rego_compile_error', 'with keyword target must reference existing input, data, or a function', loc);
    const [head, ...rest] = path;
    const fnValue = this.functionRef(value, scope);
    if (head === 'input') return { kind: 'input', path: rest, value: this.term(value, scope) };
    let dataPath: string[] | undefined;
    if (head === 'data') dataPath = rest;
    else if (scope.lookup(head!) === undefined) {
      const imp = this.ctx.imports.get(head!);
      if (imp && imp.k === 'ref' && imp.head.k === 'data') dataPath = [...imp.path.map((p) => (p as { v: string }).v), ...rest];
      else if (imp && imp.k === 'ref' && imp.head.k === 'input') {
        return { kind: 'input', path: [...imp.path.map((p) => (p as { v: string }).v), ...rest], value: this.term(value, scope) };
      } else if (this.ctx.ruleNames.has(head!)) dataPath = [...this.ctx.pkg, ...path];
    }
    if (dataPath) {
      const g = this.compiler.findGroup(dataPath);
      if (g?.kind === 'function') {
        const fnKey = 'data.' + dataPath.join('.');
        if (!fnValue) this.refuseUnprovidedReplacement(value, scope);
        return fnValue ? { kind: 'fn', path: dataPath, fnKey, fn: fnValue } : { kind: 'fn', path: dataPath, fnKey, value: this.term(value, scope) };
      }
      return { kind: 'data', path: dataPath, value: this.term(value, scope) };
    }
    const name = path.join('.');
    const builtin = this.compiler.builtins.get(name);
    if (builtin || FORBIDDEN_BUILTINS[name] || signatureOf(name)) {
      if (!fnValue) this.refuseUnprovidedReplacement(value, scope);
      return fnValue ? { kind: 'fn', path, fnKey: name, fn: fnValue } : { kind: 'fn', path, fnKey: name, value: this.term(value, scope) };
    }
    throw new CompileError('rego_compile_error', `with keyword target must reference existing input, data, or a function`, loc);
  }

  /**
   * A function replaced by a builtin oclhub does not provide (`with time.now_ns as opa.runtime`):
   * refused by name, as a call to it is, instead of reading `opa.runtime` as an unsafe variable.
   */
  private refuseUnprovidedReplacement(value: Term, scope: Scope): void {
    const path = targetPath(value);
    if (!path || path[0] === 'data' || scope.lookup(path[0]!) !== undefined) return;
    if (this.ctx.ruleNames.has(path[0]!) || this.ctx.imports.has(path[0]!)) return;
    if (FORBIDDEN_BUILTINS[path.join('.')] !== undefined) this.resolveFunction(path, value);
  }

  /** When a `with` value names a function (user or builtin), the function to call instead. */
  functionRef(value: Term, scope: Scope): CFn | undefined {
    const path = targetPath(value);
    if (!path) return undefined;
    if (path[0] !== 'data' && scope.lookup(path[0]!) !== undefined) return undefined;
    try {
      const fn = this.resolveFunction(path, value, true);
      return fn;
    } catch {
      return undefined;
    }
  }

  /**
   * An OPA builtin oclhub does not provide (network, crypto, ...) that the compiled modules replace
   * with `with` somewhere (a policy's unit tests mocking `http.send`): it compiles, and a call that
   * is not mocked fails at run time, naming the builtin. Without a `with`, such a call stays a
   * compile error.
   */
  private unprovidedBuiltin(dotted: string): CFn | undefined {
    if (this.compiler.builtins.has(dotted) || !this.compiler.mockedNames.has(dotted)) return undefined;
    const sig = signatureOf(dotted);
    if (!sig && FORBIDDEN_BUILTINS[dotted] === undefined) return undefined;
    const why = FORBIDDEN_BUILTINS[dotted] ?? 'not provided by oclhub';
    const builtin: Builtin = {
      name: dotted,
      arity: sig?.args.length ?? 1,
      fn: () => {
        throw new RegoEvalError('eval_builtin_error', `${dotted}: ${why} (replace it with \`with\` to test a policy that calls it)`);
      },
    };
    return { kind: 'builtin', name: dotted, builtin };
  }

  /** `f()` where `f` is a rule (OPA reads a zero-argument "function" as a rule): a ref to it. */
  private zeroArgRule(name: string[]): CTerm | undefined {
    let path: string[] | undefined;
    if (name[0] === 'data') path = name.slice(1);
    else if (this.ctx.ruleNames.has(name[0]!)) path = [...this.ctx.pkg, ...name];
    else {
      const imp = this.ctx.imports.get(name[0]!);
      if (imp && imp.k === 'ref' && imp.head.k === 'data') path = [...imp.path.map((p) => (p as { v: string }).v), ...name.slice(1)];
    }
    const g = path ? this.compiler.findGroup(path) : undefined;
    if (!g || g.kind === 'function') return undefined;
    this.refersToRules = true;
    return { k: 'ref', head: { k: 'data' }, path: path!.map((s) => ({ k: 'const', v: s })) };
  }

  /**
   * The function a call names. What a name resolves to is fixed for one translation (the rule
   * tree, imports and builtins do not change during it), so each name is resolved once.
   */
  resolveFunction(name: string[], at: { readonly location: Location }, quiet = false): CFn | undefined {
    const key = name.length === 1 ? name[0]! : name.join('.');
    let fn = this.resolved.get(key);
    if (fn === undefined) {
      fn = this.resolveFunctionOnce(name, at, quiet);
      if (fn !== undefined) this.resolved.set(key, fn);
    }
    return fn;
  }

  /** `at`: the node an error is reported at (its location is read only then: nodes make it when read). */
  private resolveFunctionOnce(name: string[], at: { readonly location: Location }, quiet: boolean): CFn | undefined {
    let userPath: string[] | undefined;
    if (name[0] === 'data') userPath = name.slice(1);
    else {
      const imp = this.ctx.imports.get(name[0]!);
      if (imp && imp.k === 'ref' && imp.head.k === 'data') userPath = [...imp.path.map((p) => (p as { v: string }).v), ...name.slice(1)];
      else if (this.ctx.ruleNames.has(name[0]!)) userPath = [...this.ctx.pkg, ...name];
    }
    if (userPath) {
      const g = this.compiler.findGroup(userPath);
      if (g?.kind === 'function') {
        this.refersToRules = true;
        return { kind: 'user', name: g.name, path: userPath };
      }
      if (name[0] === 'data' || !this.compiler.builtins.has(name.join('.'))) {
        if (quiet) return undefined;
        throw new CompileError('rego_type_error', `undefined function ${name[0] === 'data' ? name.join('.') : refString(userPath)}`, at.location);
      }
    }
    const dotted = name.join('.');
    const unprovided = this.unprovidedBuiltin(dotted);
    if (unprovided) return unprovided;
    if (FORBIDDEN_BUILTINS[dotted] !== undefined) {
      if (quiet) return undefined;
      throw new CompileError('rego_compile_error', `builtin ${dotted} is not available: ${FORBIDDEN_BUILTINS[dotted]}`, at.location);
    }
    if (dotted === 'equal' || dotted === 'neq') return { kind: 'inline', name: dotted };
    // print is variadic and prints undefined arguments as `<undefined>`, so the evaluator does it.
    if (dotted === 'print' && !this.compiler.builtins.has('print')) return { kind: 'inline', name: 'print' };
    const b = this.compiler.builtins.get(dotted);
    // OPA 1.x refuses deprecated builtins (re_match, any, all, set_diff, cast_*) in v1 modules.
    if (b?.deprecated) {
      if (quiet) return undefined;
      throw new CompileError('rego_type_error', `deprecated built-in function calls in expression: ${dotted}`, at.location);
    }
    if (b) return { kind: 'builtin', name: dotted, builtin: b };
    if (quiet) return undefined;
    throw new CompileError('rego_type_error', `undefined function ${dotted}`, at.location);
  }

  term(t: Term, scope: Scope): CTerm {
    switch (t.type) {
      case 'null':
        return { k: 'const', v: null };
      case 'boolean':
        return new Constant(t.value);
      case 'number': {
        const small = smallInteger(t.raw);
        if (small !== undefined) return new Constant(small);
        let n = parseNumber(t.raw);
        if (n === undefined && /^-?[\d.]+[eE]\+?\d+$/.test(t.raw) && !Number.isFinite(Number(t.raw))) n = Number(t.raw);
        if (n === undefined) throw new CompileError('rego_parse_error', `invalid number ${t.raw}`, t.location);
        return { k: 'const', v: n };
      }
      case 'string':
        return new Constant(t.value);
      case 'var':
        return this.variable(t, scope);
      case 'ref': {
        const head = this.term(t.head, scope);
        if (head === INPUT_TERM && t.path.length === 1) {
          const step = t.path[0]!;
          if (step.type === 'string') return this.inputField(step.value);
        }
        const path = new Array<CTerm>(t.path.length);
        for (let i = 0; i < path.length; i++) {
          const p = t.path[i]!;
          path[i] = p.type === 'string' ? this.fieldName(p.value) : this.term(p, scope);
        }
        if (head.k === 'ref') return { k: 'ref', head: head.head, path: [...head.path, ...path] };
        return { k: 'ref', head, path };
      }
      case 'array': {
        const items = t.items.map((x) => this.term(x, scope));
        if (items.every((x) => x.k === 'const')) return { k: 'const', v: items.map((x) => (x as { v: Value }).v) };
        return { k: 'array', items };
      }
      case 'set': {
        const items = t.items.map((x) => this.term(x, scope));
        if (items.every((x) => x.k === 'const')) return { k: 'const', v: new RegoSet(items.map((x) => (x as { v: Value }).v)) };
        return { k: 'set', items };
      }
      case 'object': {
        const entries = t.entries.map(([a, b]) => [this.term(a, scope), this.term(b, scope)] as [CTerm, CTerm]);
        if (entries.every(([a, b]) => a.k === 'const' && b.k === 'const')) {
          return { k: 'const', v: makeObject(entries.map(([a, b]) => [(a as { v: Value }).v, (b as { v: Value }).v])) };
        }
        return { k: 'object', entries };
      }
      case 'arraycompr':
      case 'setcompr': {
        let term: CTerm = CONST_TRUE;
        const body = this.body(t.body, scope, [t.term], (s) => (term = this.term(t.term, s)), true);
        return { k: t.type, term, body };
      }
      case 'objectcompr': {
        let key: CTerm = CONST_TRUE;
        let value: CTerm = CONST_TRUE;
        const body = this.body(
          t.body,
          scope,
          [t.key, t.value],
          (s) => {
            key = this.term(t.key, s);
            value = this.term(t.value, s);
          },
          true,
        );
        return { k: 'objectcompr', key, value, body };
      }
      case 'call':
        return this.call(t, scope);
      case 'membership':
        return {
          k: 'member',
          key: t.key ? this.term(t.key, scope) : undefined,
          value: this.term(t.value, scope),
          coll: this.term(t.collection, scope),
        };
      case 'template':
        return {
          k: 'template',
          parts: t.parts.map((p) => (typeof p === 'string' ? p : this.term(p, scope))),
          withs: t.with?.map((ws) => ws?.map((w) => this.withModifier(w.target, w.value, scope, w.location))),
        };
    }
  }

  /** Each of `list` translated, in a list of its size. */
  private terms(list: Term[], scope: Scope): CTerm[] {
    const out = new Array<CTerm>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = this.term(list[i]!, scope);
    return out;
  }

  /** A call (kept out of `term`, which stays small enough for V8 to optimise it cheaply). */
  private call(t: CallTerm, scope: Scope): CTerm {
    const nested = t !== this.statementCall;
    const rule = t.args.length === 0 ? this.zeroArgRule(t.name) : undefined;
    if (rule) return rule;
    const fn = this.resolveFunction(t.name, t)!;
    // Read once: a node makes its location each time it is read.
    const loc = t.location;
    const args = this.terms(t.args, scope);
    if (fn.kind === 'inline' && fn.name === 'print') return new Call(fn, args, loc);
    let sig: Signature | undefined;
    let name: string;
    if (fn.kind === 'user') {
      const arity = this.compiler.findGroup(fn.path)!.arity!;
      sig = { args: new Array<Type>(arity).fill(ANY_TYPE), result: ANY_TYPE };
      name = refString(fn.path);
    } else {
      name = fn.name;
      sig = signatureOf(fn.name);
      if (!sig) {
        // A builtin without a declared signature (tests, embedders): arity only.
        const arity = fn.kind === 'builtin' ? fn.builtin.arity : 2;
        sig = { args: new Array<Type>(arity).fill(ANY_TYPE), result: ANY_TYPE };
      }
    }
    const problem = checkCall(name, sig, args, nested, this.varTypes);
    if (problem) throw new CompileError('rego_type_error', problem.message, loc, problem.details);
    const arity = sig.args.length;
    if (args.length === arity) return new Call(fn, args, loc);
    return { k: 'call', fn, args: args.slice(0, arity), out: args[arity], loc };
  }

  /**
   * A ref's constant string step, one term per distinct name within a compilation: field names
   * repeat (`input.a` in every literal), and compiled terms are never changed once made.
   */
  private fieldName(name: string): CTerm {
    const names = this.compiler.fieldTerms;
    let c = names.get(name);
    if (c === undefined) names.set(name, (c = { k: 'const', v: name }));
    return c;
  }

  /** `input.<name>`, one term per name within a compilation (see Compiler.inputFieldRefs). */
  private inputField(name: string): CTerm {
    const refs = this.compiler.inputFieldRefs;
    let c = refs.get(name);
    if (c === undefined) refs.set(name, (c = { k: 'ref', head: INPUT_TERM, path: [this.fieldName(name)] }));
    return c;
  }

  variable(t: VarTerm, scope: Scope): CTerm {
    if (t.name === '_') return { k: 'var', slot: scope.fresh('_'), name: '_' };
    if (!this.alloc.rootNameDeclared) {
      if (t.name === 'input') return INPUT_TERM;
      if (t.name === 'data') return this.dataRoot();
    }
    const slot = scope.lookup(t.name);
    if (slot !== undefined) return new SlotVar(slot, t.name);
    if (t.name === 'input') return INPUT_TERM;
    if (t.name === 'data') return this.dataRoot();
    const imp = this.ctx.imports.get(t.name);
    if (imp) {
      this.refersToRules = true;
      return imp;
    }
    if (this.ctx.ruleNames.has(t.name)) {
      this.refersToRules = true;
      return { k: 'ref', head: { k: 'data' }, path: [...this.ctx.pkg, t.name].map((s) => ({ k: 'const', v: s })) };
    }
    return new SlotVar(scope.declare(t.name), t.name);
  }

  private dataRoot(): CTerm {
    this.refersToRules = true;
    return DATA_TERM;
  }
}

/**
 * The value of an integer literal of at most 15 digits (always a safe integer), which parseNumber
 * would give too, without its two regular expressions (a long body has tens of thousands of them).
 */
function smallInteger(raw: string): number | undefined {
  const from = raw.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (raw.length === from || raw.length - from > 15) return undefined;
  for (let i = from; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(raw);
}

function declareOnce(scope: Scope, name: string): void {
  if (name !== '_' && !scope.names.has(name)) scope.declare(name);
}

/** The dotted targets of every `with` in a module (nested bodies included). */
function withTargetNames(m: Module): string[] {
  const out: string[] = [];
  // Most modules have no `with` at all: one scan of the text instead of a walk of every term.
  if (m.source !== undefined && !/\bwith\b/.test(m.source)) return out;
  const lits = (body: Literal[]): void => {
    for (const lit of body) {
      for (const w of lit.with) {
        const p = targetPath(w.target);
        if (p) out.push(p.join('.'));
      }
      for (const t of exprTerms(lit.expr)) terms(t);
      if (lit.expr.type === 'every') lits(lit.expr.body);
    }
  };
  const terms = (t: Term): void => {
    if (t.type === 'arraycompr' || t.type === 'setcompr' || t.type === 'objectcompr') lits(t.body);
    if (t.type === 'template') for (const ws of t.with ?? []) for (const w of ws ?? []) {
      const p = targetPath(w.target);
      if (p) out.push(p.join('.'));
    }
    eachSubterm(t, terms);
  };
  for (const rule of m.rules) {
    lits(rule.body);
    for (const e of rule.elses) lits(e.body);
  }
  return out;
}

/** `input.a.b` → ['input', 'a', 'b']; `count` → ['count']; undefined when not a plain ref. */
function targetPath(t: Term): string[] | undefined {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'string') return undefined;
    out.push(p.value);
  }
  return out;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * The variable names a body uses (not those it declares with `:=`), and whether something in it
 * looks names up in its scope besides: a nested body (comprehension, `every`) or a `with`.
 */
interface NameUses {
  readonly names: string[];
  lookedUpElsewhere: boolean;
}

function collectLiteralNames(lit: Literal, out: NameUses, isBuiltinName: (t: Term) => boolean): void {
  const e = lit.expr;
  switch (e.type) {
    case 'term':
      collectTermNames(e.term, out);
      break;
    case 'unify':
      // `x := ...` declares x explicitly: no need to list it.
      if (e.op !== ':=' || e.left.type !== 'var') collectTermNames(e.left, out);
      collectTermNames(e.right, out);
      break;
    case 'somein':
      collectTermNames(e.collection, out);
      break;
    case 'every':
      out.lookedUpElsewhere = true;
      collectTermNames(e.domain, out);
      break;
    case 'some':
      break;
  }
  if (lit.with.length > 0) out.lookedUpElsewhere = true;
  for (let i = 0; i < lit.with.length; i++) if (!isBuiltinName(lit.with[i]!.value)) collectTermNames(lit.with[i]!.value, out);
}

/** Variable names used directly in a term (not inside nested comprehension bodies). */
function collectTermNames(t: Term, out: NameUses): void {
  switch (t.type) {
    case 'var': {
      // The roots and wildcards are never declared implicitly (Translator.declareImplicit): not
      // listed, a long body reading `input` in every literal lists next to nothing.
      const name = t.name;
      if (name !== 'input' && name !== 'data' && name !== '_') out.names.push(name);
      return;
    }
    case 'ref':
      collectTermNames(t.head, out);
      for (let i = 0; i < t.path.length; i++) collectTermNames(t.path[i]!, out);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) collectTermNames(x, out);
      return;
    case 'object':
      for (const [a, b] of t.entries) {
        collectTermNames(a, out);
        collectTermNames(b, out);
      }
      return;
    case 'call':
      for (let i = 0; i < t.args.length; i++) collectTermNames(t.args[i]!, out);
      return;
    case 'membership':
      if (t.key) collectTermNames(t.key, out);
      collectTermNames(t.value, out);
      collectTermNames(t.collection, out);
      return;
    case 'template':
      if (t.with !== undefined) out.lookedUpElsewhere = true;
      for (const p of t.parts) if (typeof p !== 'string') collectTermNames(p, out);
      return;
    case 'arraycompr':
    case 'setcompr':
    case 'objectcompr':
      out.lookedUpElsewhere = true;
      return;
    default:
      return;
  }
}
