/**
 * Visits every located node of a parsed module or query, for invariant checks in tests.
 */
import type { Expr, Literal, Location, Module, Rule, Term } from '../../src/rego/ast.js';

export type Visit = (location: Location, what: string) => void;

/**
 * Counts location objects reachable more than once: a parser that shares nodes between two places
 * of the tree would let a consumer's change to one leak into the other.
 */
export function sharedLocations(walk: (v: Visit) => void): number {
  const seen = new Set<Location>();
  let shared = 0;
  walk((l) => {
    if (seen.has(l)) shared++;
    seen.add(l);
  });
  return shared;
}

export function walkTerm(t: Term, visit: Visit): void {
  visit(t.location, t.type);
  switch (t.type) {
    case 'ref':
      walkTerm(t.head, visit);
      t.path.forEach((p) => walkTerm(p, visit));
      break;
    case 'array':
    case 'set':
      t.items.forEach((i) => walkTerm(i, visit));
      break;
    case 'object':
      t.entries.forEach(([k, v]) => {
        walkTerm(k, visit);
        walkTerm(v, visit);
      });
      break;
    case 'arraycompr':
    case 'setcompr':
      walkTerm(t.term, visit);
      walkBody(t.body, visit);
      break;
    case 'objectcompr':
      walkTerm(t.key, visit);
      walkTerm(t.value, visit);
      walkBody(t.body, visit);
      break;
    case 'call':
      t.args.forEach((a) => walkTerm(a, visit));
      break;
    case 'membership':
      if (t.key) walkTerm(t.key, visit);
      walkTerm(t.value, visit);
      walkTerm(t.collection, visit);
      break;
    case 'template':
      t.parts.forEach((p) => typeof p !== 'string' && walkTerm(p, visit));
      break;
    default:
      break;
  }
}

function walkExpr(e: Expr, visit: Visit): void {
  visit(e.location, `expr:${e.type}`);
  switch (e.type) {
    case 'term':
      walkTerm(e.term, visit);
      break;
    case 'unify':
      walkTerm(e.left, visit);
      walkTerm(e.right, visit);
      break;
    case 'some':
      e.vars.forEach((v) => walkTerm(v, visit));
      break;
    case 'somein':
      if (e.key) walkTerm(e.key, visit);
      walkTerm(e.value, visit);
      walkTerm(e.collection, visit);
      break;
    case 'every':
      if (e.key) walkTerm(e.key, visit);
      walkTerm(e.value, visit);
      walkTerm(e.domain, visit);
      walkBody(e.body, visit);
      break;
  }
}

export function walkBody(body: Literal[], visit: Visit): void {
  for (const l of body) {
    visit(l.location, 'literal');
    walkExpr(l.expr, visit);
    for (const w of l.with) {
      visit(w.location, 'with');
      walkTerm(w.target, visit);
      walkTerm(w.value, visit);
    }
  }
}

export function walkRule(r: Rule, visit: Visit): void {
  visit(r.location, 'rule');
  visit(r.head.location, 'head');
  r.head.ref.forEach((t) => walkTerm(t, visit));
  r.head.args?.forEach((t) => walkTerm(t, visit));
  if (r.head.key) walkTerm(r.head.key, visit);
  if (r.head.value) walkTerm(r.head.value, visit);
  walkBody(r.body, visit);
  for (const e of r.elses) {
    visit(e.location, 'else');
    if (e.value) walkTerm(e.value, visit);
    walkBody(e.body, visit);
  }
}

export function walkModule(m: Module, visit: Visit): void {
  visit(m.packageLocation, 'package');
  for (const i of m.imports) {
    visit(i.location, 'import');
    walkTerm(i.path, visit);
  }
  m.rules.forEach((r) => walkRule(r, visit));
}

/**
 * Checks that a location lies inside `source` and that its line and column agree with its offset
 * (1-based line and column, column counted in UTF-16 units). Returns a problem description or ''.
 */
export function checkLocation(source: string, l: Location, what: string): string {
  if (!(l.offset >= 0 && l.offset <= l.endOffset && l.endOffset <= source.length)) {
    return `${what}: offsets ${l.offset}..${l.endOffset} outside 0..${source.length}`;
  }
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < l.offset; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const bom = source.charCodeAt(0) === 0xfeff && line === 1 ? 1 : 0;
  const column = l.offset - lineStart + 1 - bom;
  if (line !== l.line || column !== l.column) {
    return `${what}: at offset ${l.offset} expected ${line}:${column}, got ${l.line}:${l.column}`;
  }
  return '';
}
