/**
 * Compact, unambiguous rendering of Rego AST nodes for test assertions, so that expected trees can
 * be written by hand: `plus(1, mul(2, 3))`, `ref(input, "a", x)`, `{1, 2}`, `obj("a": 1)`.
 */
import type { Expr, Literal, Rule, Term } from '../../src/rego/ast.js';

export function showTerm(t: Term): string {
  switch (t.type) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(t.value);
    case 'number':
      return t.raw;
    case 'string':
      return (t.raw ? 'raw' : '') + JSON.stringify(t.value);
    case 'var':
      return t.name;
    case 'ref':
      return `ref(${[t.head, ...t.path].map(showTerm).join(', ')})`;
    case 'array':
      return `[${t.items.map(showTerm).join(', ')}]`;
    case 'set':
      return `set(${t.items.map(showTerm).join(', ')})`;
    case 'object':
      return `obj(${t.entries.map(([k, v]) => `${showTerm(k)}: ${showTerm(v)}`).join(', ')})`;
    case 'arraycompr':
      return `[${showTerm(t.term)} | ${showBody(t.body)}]`;
    case 'setcompr':
      return `{${showTerm(t.term)} | ${showBody(t.body)}}`;
    case 'objectcompr':
      return `{${showTerm(t.key)}: ${showTerm(t.value)} | ${showBody(t.body)}}`;
    case 'call':
      return `${t.name.join('.')}(${t.args.map(showTerm).join(', ')})`;
    case 'membership':
      return `in(${t.key ? `${showTerm(t.key)}, ` : ''}${showTerm(t.value)}, ${showTerm(t.collection)})`;
    case 'template':
      return `tpl(${t.parts.map((p) => (typeof p === 'string' ? JSON.stringify(p) : `{${showTerm(p)}}`)).join(', ')})`;
  }
}

export function showExpr(e: Expr): string {
  switch (e.type) {
    case 'term':
      return showTerm(e.term);
    case 'unify':
      return `${showTerm(e.left)} ${e.op} ${showTerm(e.right)}`;
    case 'some':
      return `some ${e.vars.map(showTerm).join(', ')}`;
    case 'somein':
      return `some ${e.key ? `${showTerm(e.key)}, ` : ''}${showTerm(e.value)} in ${showTerm(e.collection)}`;
    case 'every':
      return `every ${e.key ? `${showTerm(e.key)}, ` : ''}${showTerm(e.value)} in ${showTerm(e.domain)} { ${showBody(e.body)} }`;
  }
}

export function showLiteral(l: Literal): string {
  let s = (l.negated ? 'not ' : '') + showExpr(l.expr);
  for (const w of l.with) s += ` with ${showTerm(w.target)} as ${showTerm(w.value)}`;
  return s;
}

export function showBody(body: Literal[]): string {
  return body.map(showLiteral).join('; ');
}

/** `default? ref(args) [contains key] [op value | =implied] if { body } else ...`. */
export function showRule(r: Rule): string {
  const h = r.head;
  let s = r.isDefault ? 'default ' : '';
  s += h.ref.map((t, i) => (i === 0 && t.type === 'string' ? t.value : `[${showTerm(t)}]`)).join('');
  if (h.args) s += `(${h.args.map(showTerm).join(', ')})`;
  if (h.contains && h.key) s += ` contains ${showTerm(h.key)}`;
  if (h.value) s += ` ${h.assign ?? '?'} ${showTerm(h.value)}`;
  if (h.valueImplied) s += ' =implied';
  if (r.body.length > 0) s += ` if { ${showBody(r.body)} }`;
  for (const e of r.elses) {
    s += ' else';
    if (e.value) s += ` = ${showTerm(e.value)}`;
    if (e.body.length > 0) s += ` { ${showBody(e.body)} }`;
  }
  return s;
}
