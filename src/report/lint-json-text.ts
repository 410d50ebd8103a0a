/**
 * The text `JSON.stringify(x, null, 2)` gives the ordered objects of the JSON report (lint-json.ts)
 * nested `depth` levels deep in the document, written by hand for the fixed shapes the model types
 * declare: a located decision (its location, range, related locations, repository, exception,
 * needs) costs string concatenation instead of building the ordered copy and stringifying it.
 *
 * The text must be the same bytes JSON.stringify writes, so each writer checks, as it goes, that every
 * field holds what the type says (a string, a boolean, a number, a plain object or array, or nothing)
 * and gives up (undefined) on anything else: the caller then stringifies the ordered object as before.
 * What JSON.stringify does on the shapes written here:
 * - keys in the ordered object's order, a key whose value is `undefined` left out;
 * - strings escaped as `JSON.stringify(s)` does (quote, backslash, control characters, lone
 *   surrogates); a string with none of those is written between quotes as it is;
 * - numbers as `String(n)` when finite, `null` otherwise (NaN, ±Infinity);
 * - an object or array with nothing in it as `{}` or `[]`; otherwise one member per line, indented
 *   two spaces a level (lint-json-stream.ts relies on the same: the layout indents purely by depth).
 */
import type { Position, Range, RelatedInformation, SourceRepository } from '../diagnostics.js';
import { placedRepository, writtenCommit } from './lint-json.js';
import type { DecisionLocation, PolicyDecision } from './lint-report.js';

/** A newline and the indentation of a member at each depth (more are made as needed). */
const BREAKS: string[] = [];
function lineAt(depth: number): string {
  let at = BREAKS[depth];
  if (at === undefined) for (let d = BREAKS.length; d <= depth; d++) BREAKS[d] = at = `\n${' '.repeat(2 * d)}`;
  return at!;
}

/** Characters `JSON.stringify` writes escaped: a string without any is its text between quotes. */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(s)` for a string. */
export function jsonString(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** `JSON.stringify(n)` for a number. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

function isObject<T>(value: T): value is T & object {
  return typeof value === 'object' && value !== null;
}

/** A value's text, or undefined when the value is not of the fixed shape (the caller then stringifies). */
type Text = string | undefined;

/** The last repository text written, with what it was written from: most findings name the same repository. */
let lastRepository: { id: string; location: string; commit: string | undefined; ref: string | undefined; depth: number; text: string } | undefined;

/** `orderedRepository(r)` (with the commit `withRepositoryAlias` may stand in) at `depth`. */
function repositoryText(r: SourceRepository, depth: number): Text {
  const commit = writtenCommit(r);
  const { id, location, ref } = r;
  const last = lastRepository;
  // Compared by value (the same object may have been changed since); equal strings are mostly the same string.
  if (last !== undefined && last.id === id && last.location === location && last.commit === commit && last.ref === ref && last.depth === depth) return last.text;
  const text = repositoryTextNow(id, location, commit, ref, depth);
  if (text !== undefined) lastRepository = { id, location, commit, ref, depth, text };
  return text;
}

function repositoryTextNow(id: unknown, location: unknown, commit: unknown, ref: unknown, depth: number): Text {
  if (typeof id !== 'string' || typeof location !== 'string') return undefined;
  const line = lineAt(depth + 1);
  let out = `{${line}"id": ${jsonString(id)},${line}"location": ${jsonString(location)}`;
  if (commit !== undefined) {
    if (typeof commit !== 'string') return undefined;
    out += `,${line}"commit": ${jsonString(commit)}`;
  }
  if (ref !== undefined) {
    if (typeof ref !== 'string') return undefined;
    out += `,${line}"ref": ${jsonString(ref)}`;
  }
  return `${out}${lineAt(depth)}}`;
}

function positionText(p: Position, depth: number): Text {
  if (!isObject(p)) return undefined;
  const { line, column, offset } = p;
  if (typeof line !== 'number' || typeof column !== 'number' || typeof offset !== 'number') return undefined;
  const at = lineAt(depth + 1);
  return `{${at}"line": ${jsonNumber(line)},${at}"column": ${jsonNumber(column)},${at}"offset": ${jsonNumber(offset)}${lineAt(depth)}}`;
}

/** `orderedRange(r)` at `depth`. */
function rangeText(r: Range, depth: number): Text {
  const start = positionText(r.start, depth + 1);
  if (start === undefined) return undefined;
  const end = positionText(r.end, depth + 1);
  if (end === undefined) return undefined;
  const at = lineAt(depth + 1);
  return `{${at}"start": ${start},${at}"end": ${end}${lineAt(depth)}}`;
}

/** `orderedRelated(r)` at `depth`. */
function relatedText(r: RelatedInformation, depth: number): Text {
  const { file, range, message } = r;
  const repository = placedRepository(r);
  const at = lineAt(depth + 1);
  let out = '';
  if (file !== undefined) {
    if (typeof file !== 'string') return undefined;
    out += `${at}"file": ${jsonString(file)},`;
  }
  if (range !== undefined) {
    const text = isObject(range) ? rangeText(range, depth + 1) : undefined;
    if (text === undefined) return undefined;
    out += `${at}"range": ${text},`;
  }
  if (typeof message !== 'string') return undefined;
  out += `${at}"message": ${jsonString(message)}`;
  if (repository !== undefined) {
    const text = isObject(repository) ? repositoryText(repository, depth + 1) : undefined;
    if (text === undefined) return undefined;
    out += `,${at}"repository": ${text}`;
  }
  return `{${out}${lineAt(depth)}}`;
}

/** `JSON.stringify` of an array of items written by `item` (each at `depth + 1`), at `depth`; undefined if any is. */
function arrayText<T>(items: readonly T[], depth: number, item: (value: T, depth: number) => Text): Text {
  if (items.length === 0) return '[]';
  const at = lineAt(depth + 1);
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    // A hole reads undefined (JSON.stringify writes null there): not of a fixed shape.
    const value = items[i];
    const text = value === undefined ? undefined : item(value, depth + 1);
    if (text === undefined) return undefined;
    out += i === 0 ? `${at}${text}` : `,${at}${text}`;
  }
  return `${out}${lineAt(depth)}]`;
}

const relatedItem = (r: RelatedInformation, depth: number): Text => (isObject(r) ? relatedText(r, depth) : undefined);
const stringItem = (s: string): Text => (typeof s === 'string' ? jsonString(s) : undefined);

/** `orderedLocation(l)` at `depth`. */
function locationText(l: DecisionLocation, depth: number): Text {
  const { file, range, step, related } = l;
  const repository = placedRepository(l);
  if (typeof file !== 'string') return undefined;
  const at = lineAt(depth + 1);
  let out = `{${at}"file": ${jsonString(file)}`;
  if (range !== undefined) {
    const text = isObject(range) ? rangeText(range, depth + 1) : undefined;
    if (text === undefined) return undefined;
    out += `,${at}"range": ${text}`;
  }
  if (step !== undefined) {
    if (typeof step !== 'string') return undefined;
    out += `,${at}"step": ${jsonString(step)}`;
  }
  if (related !== undefined) {
    const text = Array.isArray(related) ? arrayText(related, depth + 1, relatedItem) : undefined;
    if (text === undefined) return undefined;
    out += `,${at}"related": ${text}`;
  }
  if (repository !== undefined) {
    const text = isObject(repository) ? repositoryText(repository, depth + 1) : undefined;
    if (text === undefined) return undefined;
    out += `,${at}"repository": ${text}`;
  }
  return `${out}${lineAt(depth)}}`;
}

/** An optional string member (with its leading comma); '' when absent, undefined when not a string. */
function optionalString(line: string, key: string, value: unknown): Text {
  if (value === undefined) return '';
  return typeof value === 'string' ? `,${line}"${key}": ${jsonString(value)}` : undefined;
}

/**
 * `JSON.stringify(orderedDecision(d), null, 2)` as it reads `depth` levels deep in the document, or
 * undefined when a field is not of the type the model declares (see the file comment).
 */
export function decisionText(d: PolicyDecision, depth: number): Text {
  const { policy, policyName, version, inScope, allowed, action, outcome, reason, error, exception, location, needs } = d;
  if (typeof policy !== 'string' || typeof inScope !== 'boolean' || typeof allowed !== 'boolean' || typeof action !== 'string' || typeof outcome !== 'string') return undefined;
  const at = lineAt(depth + 1);
  let out = `{${at}"policy": ${jsonString(policy)}`;
  let part = optionalString(at, 'policyName', policyName);
  if (part === undefined) return undefined;
  out += part;
  if ((part = optionalString(at, 'version', version)) === undefined) return undefined;
  out += `${part},${at}"inScope": ${inScope ? 'true' : 'false'},${at}"allowed": ${allowed ? 'true' : 'false'},${at}"action": ${jsonString(action)},${at}"outcome": ${jsonString(outcome)}`;
  if ((part = optionalString(at, 'reason', reason)) === undefined) return undefined;
  out += part;
  if ((part = optionalString(at, 'error', error)) === undefined) return undefined;
  out += part;
  if (exception !== undefined) {
    if (!isObject(exception)) return undefined;
    const inner = lineAt(depth + 2);
    const owner = optionalString(inner, 'owner', exception.owner);
    const why = optionalString(inner, 'reason', exception.reason);
    const expires = optionalString(inner, 'expires', exception.expires);
    if (owner === undefined || why === undefined || expires === undefined) return undefined;
    const fields = owner + why + expires;
    out += `,${at}"exception": ${fields === '' ? '{}' : `{${fields.slice(1)}${at}}`}`;
  }
  if (location !== undefined) {
    const text = isObject(location) ? locationText(location, depth + 1) : undefined;
    if (text === undefined) return undefined;
    out += `,${at}"location": ${text}`;
  }
  if (needs !== undefined) {
    const text = Array.isArray(needs) ? arrayText(needs, depth + 1, stringItem) : undefined;
    if (text === undefined) return undefined;
    out += `,${at}"needs": ${text}`;
  }
  return `${out}${lineAt(depth)}}`;
}

/**
 * Whether `b` is written as `a` was: every field `decisionText` writes is equal (strings, numbers and
 * booleans by `===`, which for numbers also means the same text: 0 and -0 both write `0`, NaN equals
 * nothing), and each repository is written with the same commit. `a` must be a decision `decisionText`
 * wrote (so of a fixed shape); then a `b` equal to it is of the same shape, and its text is `a`'s.
 */
export function sameDecisionText(a: PolicyDecision, b: PolicyDecision): boolean {
  if (a === b) return true;
  return (
    a.policy === b.policy &&
    a.outcome === b.outcome &&
    a.inScope === b.inScope &&
    a.allowed === b.allowed &&
    a.action === b.action &&
    a.reason === b.reason &&
    a.error === b.error &&
    a.policyName === b.policyName &&
    a.version === b.version &&
    sameOptional(a.exception, b.exception, sameException) &&
    sameOptional(a.location, b.location, sameLocation) &&
    sameOptional(a.needs, b.needs, sameStrings)
  );
}

/** Both absent, or `b` an object (a is one: it was written) equal to `a` by `same`. */
function sameOptional<T>(a: T | undefined, b: T | undefined, same: (a: T, b: T) => boolean): boolean {
  if (a === undefined) return b === undefined;
  return isObject(b) && same(a, b);
}

function sameException(a: NonNullable<PolicyDecision['exception']>, b: NonNullable<PolicyDecision['exception']>): boolean {
  return a.owner === b.owner && a.reason === b.reason && a.expires === b.expires;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (!Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameLocation(a: DecisionLocation, b: DecisionLocation): boolean {
  return (
    a.file === b.file &&
    a.step === b.step &&
    sameOptional(a.range, b.range, sameRange) &&
    sameOptional(placedRepository(a), placedRepository(b), sameRepository) &&
    sameOptional(a.related, b.related, sameRelatedList)
  );
}

function sameRelatedList(a: readonly RelatedInformation[], b: readonly RelatedInformation[]): boolean {
  if (!Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i];
    if (!isObject(y) || x.file !== y.file || x.message !== y.message || !sameOptional(x.range, y.range, sameRange) || !sameOptional(placedRepository(x), placedRepository(y), sameRepository)) return false;
  }
  return true;
}

function sameRange(a: Range, b: Range): boolean {
  // The same object in each environment's decision of a step (all 13,002 pairs compared in a cold lint of the bench hub).
  return a === b || (samePosition(a.start, b.start) && samePosition(a.end, b.end));
}

function samePosition(a: Position, b: Position): boolean {
  return isObject(b) && a.line === b.line && a.column === b.column && a.offset === b.offset;
}

function sameRepository(a: SourceRepository, b: SourceRepository): boolean {
  return a.id === b.id && a.location === b.location && a.ref === b.ref && writtenCommit(a) === writtenCommit(b);
}
