/**
 * The part of OPA's type checker (v1/ast/check.go) that runs on calls: arity, argument types and
 * output arguments, so a policy oclhub accepts is one OPA accepts. Types are known for constants
 * (and composites of them), builtin results, comprehensions, and variables assigned with `:=`
 * from such terms; anything else (input, data, rule values) is `any`, which unifies with
 * everything, as in OPA without schemas.
 */
import { SIGNATURES } from './builtins/signatures.js';
import type { CTerm } from './ir.js';
import { isObject, objectEntries, RegoDecimal, RegoSet, type Value } from './value.js';

export type Type =
  | { k: 'any' }
  | { k: 'null' }
  | { k: 'boolean' }
  | { k: 'number' }
  | { k: 'string' }
  | { k: 'array'; of: Type }
  | { k: 'tuple'; items: Type[] }
  | { k: 'set'; of: Type }
  | { k: 'object'; key: Type; value: Type }
  | { k: 'union'; of: Type[] };

export interface Signature {
  args: Type[];
  result?: Type;
}

const ANY: Type = { k: 'any' };
const PRIMITIVES: Record<string, Type> = {
  any: ANY,
  null: { k: 'null' },
  boolean: { k: 'boolean' },
  number: { k: 'number' },
  string: { k: 'string' },
};

/** Parses the notation of signatures.ts. */
class TypeParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private eat(c: string): boolean {
    this.ws();
    if (this.s[this.i] === c) {
      this.i++;
      return true;
    }
    return false;
  }

  private expect(c: string): void {
    if (!this.eat(c)) throw new Error(`signature ${JSON.stringify(this.s)}: expected ${c} at ${this.i}`);
  }

  type(): Type {
    const first = this.one();
    const of = [first];
    while (this.eat('|')) of.push(this.one());
    return of.length === 1 ? first : { k: 'union', of };
  }

  private one(): Type {
    this.ws();
    if (this.eat('(')) {
      const items = [this.type()];
      while (this.eat(',')) items.push(this.type());
      this.expect(')');
      return { k: 'tuple', items };
    }
    const m = /^[a-z]+/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`signature ${JSON.stringify(this.s)}: expected a type at ${this.i}`);
    this.i += m[0].length;
    const name = m[0];
    if (name === 'array' || name === 'set') {
      this.expect('[');
      const of = this.type();
      this.expect(']');
      return { k: name, of };
    }
    if (name === 'object') {
      this.expect('[');
      const key = this.type();
      this.expect(',');
      const value = this.type();
      this.expect(']');
      return { k: 'object', key, value };
    }
    const p = PRIMITIVES[name];
    if (!p) throw new Error(`signature ${JSON.stringify(this.s)}: unknown type ${name}`);
    return p;
  }

  signature(): Signature {
    const args: Type[] = [];
    this.ws();
    if (!this.s.startsWith('->', this.i)) {
      args.push(this.type());
      while (this.eat(',')) args.push(this.type());
    }
    this.ws();
    if (!this.s.startsWith('->', this.i)) throw new Error(`signature ${JSON.stringify(this.s)}: expected ->`);
    this.i += 2;
    return { args, result: this.type() };
  }
}

const parsed = new Map<string, Signature | null>();

/** The declared signature of a builtin, or undefined when none is declared. */
export function signatureOf(name: string): Signature | undefined {
  let sig = parsed.get(name);
  if (sig === undefined) {
    const text = SIGNATURES[name];
    sig = text === undefined ? null : new TypeParser(text).signature();
    parsed.set(name, sig);
  }
  return sig ?? undefined;
}

export function parseType(text: string): Type {
  return new TypeParser(text).type();
}

function union(types: Type[]): Type {
  const out: Type[] = [];
  for (const t of types) if (!out.some((x) => typeString(x) === typeString(t))) out.push(t);
  if (out.length === 0) return ANY;
  return out.length === 1 ? out[0]! : { k: 'union', of: out };
}

export function typeOfValue(v: Value): Type {
  if (v === null) return PRIMITIVES.null!;
  switch (typeof v) {
    case 'boolean':
      return PRIMITIVES.boolean!;
    case 'number':
    case 'bigint':
      return PRIMITIVES.number!;
    case 'string':
      return PRIMITIVES.string!;
  }
  if (v instanceof RegoDecimal) return PRIMITIVES.number!;
  if (Array.isArray(v)) return { k: 'tuple', items: v.map(typeOfValue) };
  if (v instanceof RegoSet) return { k: 'set', of: union(v.values().map(typeOfValue)) };
  if (isObject(v)) {
    const entries = objectEntries(v);
    return { k: 'object', key: union(entries.map(([k]) => typeOfValue(k))), value: union(entries.map(([, x]) => typeOfValue(x))) };
  }
  return ANY;
}

/** The type of a compiled term, as far as it is known without evaluating it. */
/** Known types of variables by slot (a Map, or an array indexed by slot). */
export interface SlotTypes {
  readonly [slot: number]: Type | undefined;
}

export function typeOfTerm(t: CTerm, vars: SlotTypes): Type {
  switch (t.k) {
    case 'const':
      return typeOfValue(t.v);
    case 'var':
      return vars[t.slot] ?? ANY;
    case 'array':
      return { k: 'tuple', items: t.items.map((x) => typeOfTerm(x, vars)) };
    case 'set':
      return { k: 'set', of: union(t.items.map((x) => typeOfTerm(x, vars))) };
    case 'object':
      return {
        k: 'object',
        key: union(t.entries.map(([a]) => typeOfTerm(a, vars))),
        value: union(t.entries.map(([, b]) => typeOfTerm(b, vars))),
      };
    case 'arraycompr':
      return { k: 'array', of: ANY };
    case 'setcompr':
      return { k: 'set', of: ANY };
    case 'objectcompr':
      return { k: 'object', key: ANY, value: ANY };
    case 'template':
      return PRIMITIVES.string!;
    case 'member':
      return PRIMITIVES.boolean!;
    case 'call': {
      if (t.out) return PRIMITIVES.boolean!;
      if (t.fn.kind === 'inline') return t.fn.name === 'print' ? ANY : PRIMITIVES.boolean!;
      if (t.fn.kind !== 'builtin') return ANY;
      return signatureOf(t.fn.name)?.result ?? ANY;
    }
    default:
      return ANY;
  }
}

/** Whether values of the two types can be equal (OPA's `unifies`). */
export function unifies(a: Type, b: Type): boolean {
  if (a.k === 'any' || b.k === 'any') return true;
  if (a.k === 'union') return a.of.some((x) => unifies(x, b));
  if (b.k === 'union') return b.of.some((x) => unifies(a, x));
  switch (a.k) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return b.k === a.k;
    case 'array':
      if (b.k === 'array') return unifies(a.of, b.of);
      if (b.k === 'tuple') return b.items.every((x) => unifies(a.of, x));
      return false;
    case 'tuple':
      if (b.k === 'array') return a.items.every((x) => unifies(x, b.of));
      if (b.k === 'tuple') return a.items.length === b.items.length && a.items.every((x, i) => unifies(x, b.items[i]!));
      return false;
    case 'set':
      return b.k === 'set' && unifies(a.of, b.of);
    case 'object':
      return b.k === 'object' && unifies(a.key, b.key) && unifies(a.value, b.value);
  }
}

/** OPA's spelling of a type in error details. */
export function typeString(t: Type): string {
  switch (t.k) {
    case 'array':
      return `array[${typeString(t.of)}]`;
    case 'tuple':
      return `array<${t.items.map(typeString).join(', ')}>`;
    case 'set':
      return `set[${typeString(t.of)}]`;
    case 'object':
      return `object[${typeString(t.key)}: ${typeString(t.value)}]`;
    case 'union':
      return `any<${t.of.map(typeString).join(', ')}>`;
    default:
      return t.k;
  }
}

export interface CallTypeError {
  message: string;
  details: string[];
}

/** A failed call check, spelled out (only then: every call of a long body is checked). */
function callTypeError(what: string, name: string, sig: Signature, args: CTerm[], nested: boolean, vars: SlotTypes): CallTypeError {
  const have = `(${args.map((a) => typeString(typeOfTerm(a, vars))).join(', ')}${nested ? `, ${typeString(sig.result ?? ANY)}` : ''})`;
  return { message: `${name}: ${what}`, details: [`have: ${have}`, `want: (${sig.args.map(typeString).join(', ')})`] };
}

/**
 * Checks one call. `nested` calls are used as values (OPA rewrites them with an output variable,
 * so they take exactly the declared arguments); a call that is a whole expression may add one
 * output argument, which must fit the declared result.
 */
export function checkCall(
  name: string,
  sig: Signature,
  args: CTerm[],
  nested: boolean,
  vars: SlotTypes,
): CallTypeError | undefined {
  const declared = sig.args.length;
  const count = nested ? args.length + (sig.result ? 1 : 0) : args.length;
  if (count > declared + (sig.result ? 1 : 0)) return callTypeError('too many arguments', name, sig, args, nested, vars);
  if (args.length < declared) return callTypeError('too few arguments', name, sig, args, nested, vars);
  for (let i = 0; i < args.length; i++) {
    if (!unifies(typeOfTerm(args[i]!, vars), i < declared ? sig.args[i]! : sig.result!)) return callTypeError('invalid argument(s)', name, sig, args, nested, vars);
  }
  return undefined;
}
