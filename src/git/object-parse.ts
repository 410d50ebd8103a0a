/**
 * Trees, commits and tags parsed from their raw content into isomorphic-git's shapes (`TreeEntry`,
 * `CommitObject`, `TagObject`), with its rules: a tree entry named `.git`, `.`, `..` or holding a
 * path separator is refused (git's verify_path), tree entries are sorted by path in code-point order,
 * a commit's `tree` is its first header and its parents the run that follows, and the first of a
 * repeated header wins. Errors are CorruptObjectError: an object that does not parse is corrupt.
 */
import type { CommitObject, TagObject, TreeEntry } from 'isomorphic-git';
import { CorruptObjectError } from './object-database.js';

const TREE_TYPES: Record<string, TreeEntry['type']> = { '040000': 'tree', '100644': 'blob', '100755': 'blob', '120000': 'blob', '160000': 'commit' };
const NEEDS_CODE_POINT_ORDER = /[\uD800-\uDFFF]/;

function comparePaths(a: TreeEntry, b: TreeEntry): number {
  const x = a.path;
  const y = b.path;
  if (!NEEDS_CODE_POINT_ORDER.test(x) && !NEEDS_CODE_POINT_ORDER.test(y)) return x < y ? -1 : x > y ? 1 : 0;
  return Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8'));
}

/** A name of these characters not starting with a dot can be none of the names below (the common case, checked first). */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

function unsafeName(name: string): boolean {
  if (PLAIN_NAME.test(name)) return false;
  const hfsClean = name.replace(/[\u200C-\u200F\u202A-\u202E\u206A-\u206F\uFEFF]/g, '');
  const normalized = hfsClean.split(':')[0]!.toLowerCase().replace(/[. ]+$/, '');
  return name.includes('\\') || name.includes('/') || hfsClean === '.' || hfsClean === '..' || normalized === '.git' || /^\.?git~[1-9]$/.test(normalized);
}

export function parseTree(content: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let sorted = true;
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(32, at);
    const nul = space === -1 ? -1 : content.indexOf(0, space);
    if (space === -1 || nul === -1 || nul + 21 > content.length) throw new CorruptObjectError(`the tree does not parse at byte ${at}`);
    let mode = content.toString('latin1', at, space);
    if (mode === '40000') mode = '040000';
    const type = TREE_TYPES[mode];
    if (type === undefined) throw new CorruptObjectError(`the tree holds an entry of unknown mode ${mode}`);
    const path = content.toString('utf8', space + 1, nul);
    if (unsafeName(path)) throw new CorruptObjectError(`the tree holds an entry named ${JSON.stringify(path)}, which Git refuses`);
    const entry: TreeEntry = { mode, path, oid: content.toString('hex', nul + 1, nul + 21), type };
    if (sorted && entries.length > 0 && comparePaths(entries[entries.length - 1]!, entry) > 0) sorted = false;
    entries.push(entry);
    at = nul + 21;
  }
  // Git orders a folder as if its name ended in '/'; isomorphic-git (and callers) order by plain path.
  if (!sorted) entries.sort(comparePaths);
  return entries;
}

/** Header lines, continuation lines (a leading space) folded into the previous one. */
function headerLines(headers: string): string[] {
  const lines: string[] = [];
  for (const line of headers.split('\n')) {
    if (line[0] === ' ' && lines.length > 0) lines[lines.length - 1] += `\n${line.slice(1)}`;
    else lines.push(line);
  }
  return lines;
}

const keyOf = (line: string) => line.slice(0, line.indexOf(' '));
const valueOf = (line: string) => line.slice(line.indexOf(' ') + 1);

/** `Name <email> 1700000000 +0200` → isomorphic-git's author (timezoneOffset with Date's sign: +0200 is -120). */
function parseAuthor(value: string): { name: string; email: string; timestamp: number; timezoneOffset: number } {
  const match = /^(.*) <(.*)> (.*) (.*)$/.exec(value);
  const zone = match ? /(\+|-)(\d\d)(\d\d)/.exec(match[4]!) : null;
  if (!match || !zone) throw new CorruptObjectError(`an identity does not parse: ${JSON.stringify(value.slice(0, 80))}`);
  const minutes = (zone[1] === '+' ? 1 : -1) * (Number(zone[2]) * 60 + Number(zone[3]));
  return { name: match[1]!, email: match[2]!, timestamp: Number(match[3]), timezoneOffset: minutes === 0 ? 0 : -minutes };
}

/** isomorphic-git's normalizeNewlines: no CR, no leading newlines, one final newline. */
function normalizeNewlines(text: string): string {
  return `${text.replace(/\r/g, '').replace(/^\n+/, '').replace(/\n+$/, '')}\n`;
}

export function parseCommit(content: Buffer): CommitObject {
  const text = content.toString('utf8');
  const split = text.indexOf('\n\n');
  const lines = headerLines(split === -1 ? text : text.slice(0, split));
  if (lines.length === 0 || keyOf(lines[0]!) !== 'tree') throw new CorruptObjectError('the commit does not start with its tree');
  const commit: Record<string, unknown> = { message: normalizeNewlines(split === -1 ? '' : text.slice(split + 2)), tree: valueOf(lines[0]!), parent: [] };
  let index = 1;
  while (index < lines.length && keyOf(lines[index]!) === 'parent') (commit.parent as string[]).push(valueOf(lines[index++]!));
  const seen = new Set(['tree', 'parent', 'message']);
  for (; index < lines.length; index++) {
    const key = keyOf(lines[index]!);
    if (seen.has(key)) continue;
    seen.add(key);
    commit[key] = valueOf(lines[index]!);
  }
  if (typeof commit.author === 'string') commit.author = parseAuthor(commit.author);
  if (typeof commit.committer === 'string') commit.committer = parseAuthor(commit.committer);
  return commit as unknown as CommitObject;
}

const SIGNATURE = '\n-----BEGIN PGP SIGNATURE-----';

export function parseTag(content: Buffer): TagObject {
  const text = content.toString('utf8');
  const split = text.indexOf('\n\n');
  const tag: Record<string, unknown> = {};
  for (const line of headerLines(split === -1 ? text : text.slice(0, split))) {
    const key = keyOf(line);
    if (!(key in tag)) tag[key] = valueOf(line);
  }
  if (typeof tag.object !== 'string' || typeof tag.type !== 'string') throw new CorruptObjectError('the tag names no object');
  if (typeof tag.tagger === 'string') tag.tagger = parseAuthor(tag.tagger);
  if (typeof tag.committer === 'string') tag.committer = parseAuthor(tag.committer);
  const unsigned = normalizeNewlines(text);
  const body = unsigned.includes(SIGNATURE) ? unsigned.slice(0, unsigned.lastIndexOf(SIGNATURE)) : unsigned;
  tag.message = body.slice(body.indexOf('\n\n') + 2);
  if (text.includes(SIGNATURE)) {
    const end = '-----END PGP SIGNATURE-----';
    tag.gpgsig = normalizeNewlines(text.slice(text.indexOf('-----BEGIN PGP SIGNATURE-----'), text.indexOf(end) + end.length));
  } else {
    tag.gpgsig = undefined;
  }
  return tag as unknown as TagObject;
}
