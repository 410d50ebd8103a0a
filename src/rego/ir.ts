/**
 * The compiled form of rules and bodies: variables resolved to frame slots, rule and import
 * names resolved to `data`/`input` refs, functions resolved to builtins or rule groups, bodies
 * reordered for safety. Produced by compiler.ts, executed by evaluator.ts.
 */
import type { Location } from './ast.js';
import type { Builtin } from './builtins/registry.js';
import type { RuleCode } from './evaluator.js';
import type { Value } from './value.js';

export type CTerm =
  | { k: 'const'; v: Value }
  | { k: 'var'; slot: number; name: string }
  | { k: 'input' }
  | { k: 'data' }
  | { k: 'ref'; head: CTerm; path: CTerm[] }
  | { k: 'array'; items: CTerm[] }
  | { k: 'set'; items: CTerm[] }
  | { k: 'object'; entries: Array<[CTerm, CTerm]> }
  | { k: 'arraycompr'; term: CTerm; body: CBody }
  | { k: 'setcompr'; term: CTerm; body: CBody }
  | { k: 'objectcompr'; key: CTerm; value: CTerm; body: CBody }
  | { k: 'call'; fn: CFn; args: CTerm[]; out?: CTerm; loc: Location }
  | { k: 'member'; key?: CTerm; value: CTerm; coll: CTerm }
  | { k: 'template'; parts: Array<string | CTerm>; withs?: Array<CWith[] | undefined> };

export type CFn =
  | { kind: 'builtin'; name: string; builtin: Builtin }
  | { kind: 'user'; name: string; path: string[] }
  /** Builtins the evaluator implements inline (comparisons are hot). */
  | { kind: 'inline'; name: 'equal' | 'neq' | 'print' };

export type CExpr =
  | { k: 'term'; t: CTerm }
  | { k: 'unify'; a: CTerm; b: CTerm }
  | { k: 'somein'; key?: CTerm; value: CTerm; coll: CTerm }
  | { k: 'every'; key?: CTerm; value: CTerm; domain: CTerm; body: CBody }
  | { k: 'noop' };

export interface CWith {
  kind: 'input' | 'data' | 'fn';
  /** input/data: path below the root. fn: the mocked function's key (`count`, `data.a.f`). */
  path: string[];
  fnKey?: string;
  /** The replacement: a value term, or a function to call instead. */
  value?: CTerm;
  fn?: CFn;
}

export interface CLit {
  negated: boolean;
  expr: CExpr;
  with: CWith[];
  /**
   * Where the literal is, for a compile-time error (an unsafe variable): its syntax-tree node's
   * index in the translation's `sources` (compiler.ts), or -1. A number rather than a Location:
   * a location object per literal was an eighth of a long body's compiled form, and read only for
   * errors, while the tree is still alive.
   */
  src: number;
  /** Position in the source order (query expressions are reported in that order). */
  index: number;
}

export interface CBody {
  lits: CLit[];
  /** Slots declared by this body's scope (and its nested scopes); kept for nested bodies only. */
  locals: Set<number> | undefined;
  /** Outer slots the body reads (computed by the scheduler). */
  free?: Set<number>;
}

export interface CRuleBranch {
  value: CTerm;
  body: CBody;
}

export interface CRule {
  /** Slot count of the frame one evaluation of this rule needs. */
  nslots: number;
  /** Function parameters. */
  args?: CTerm[];
  /** Partial set element (`contains`). */
  key?: CTerm;
  /** Ref-head key terms below the group's path (`a.b[k][j] := v` → [k, j]). */
  refKeys?: CTerm[];
  /** The main body followed by its `else` chain; emptied once `code` is generated. */
  branches: CRuleBranch[];
  /** The value is constant, so one solution per branch is enough. */
  constValue: boolean;
  /**
   * Whether any of its terms may refer to a rule or function (`data`, a rule's name, an import,
   * a user function): false lets the recursion check skip the rule without walking its bodies.
   */
  refersToRules: boolean;
  loc: Location;
  /** The rule's closures (codegen.ts). */
  code?: RuleCode;
}

export type GroupKind = 'complete' | 'set' | 'object' | 'function';

export interface RuleGroup {
  /** Full path below `data`, e.g. ['pkg', 'result']. */
  path: string[];
  name: string;
  kind: GroupKind;
  rules: CRule[];
  defaultRule?: CRule;
  /** Function arity. */
  arity?: number;
  /** Leaf of a ref-head `contains` rule (`a[x] contains y`). */
  leafSet?: boolean;
}

/** A node of the virtual document tree (packages and rule paths). */
export interface TreeNode {
  /** Index into an evaluation's rule memo. */
  id: number;
  name: string;
  path: string[];
  children: Map<string, TreeNode>;
  group?: RuleGroup;
}
