/**
 * The message of a version tag: free-text release notes followed by one block of git-trailer-style
 * `Key: value` lines that oclhub reads back. Format, version 1:
 *
 *     <notes>                                  (omitted, with the blank line, when notes are empty)
 *
 *     Oclhub-Tag-Format: 1
 *     Publisher: Jane Doe <jane@example.com>
 *     Content-Hash: sha256:<64 lower-case hex digits>
 *     Previous-Version: 1.2.0                  (only when the bump was checked against a version)
 *     Requested-Bump: major|minor|patch|prerelease
 *     Required-Bump: major|minor|patch|none
 *     Forced: true|false                       (true: --force overrode an insufficient bump)
 *     Bump-Reason: <sentence>                  (zero or more, in order: why Required-Bump is required)
 *
 * Why it is unambiguous whatever the notes contain: the trailer block starts at the LAST line that
 * reads exactly `Oclhub-Tag-Format: 1`, and the block cannot contain such a line itself because every
 * value is written on one line with `\` escapes (`\\`, `\n`, `\r`). Notes are written verbatim apart
 * from two reversible normalisations that protect them in Git: line endings become LF (Git stores
 * and isomorphic-git reads messages with LF), and a line that starts with spaces and then a signature
 * armour header such as `-----BEGIN PGP SIGNATURE-----` gets one more leading space (Git and
 * isomorphic-git would otherwise cut the message there, losing the trailers); parsing removes it.
 * The message does not end with a newline: the Git layer appends one; parsing accepts any trailing
 * newlines and CRLF line endings.
 */
import type { TagError } from './version-tags.js';

export type RequestedBump = 'major' | 'minor' | 'patch' | 'prerelease';
export type RequiredBump = 'major' | 'minor' | 'patch' | 'none';

export interface Publisher {
  /** Like a Git author name: no `<`, `>` or line breaks. */
  name: string;
  /** Like a Git author e-mail: no `<`, `>` or line breaks. */
  email: string;
}

export interface TagMeta {
  notes: string;
  publisher: Publisher;
  /** `sha256:<hex>`, see content-hash.ts. */
  contentHash: string;
  /** The version the bump check compared against, when there was one. */
  previousVersion?: string;
  requestedBump: RequestedBump;
  requiredBump: RequiredBump;
  forced: boolean;
  /** Human sentences explaining `requiredBump` (the reasons `--force` overrode when `forced`). */
  reasons: string[];
}

export const TAG_FORMAT_MARKER = 'Oclhub-Tag-Format: 1';

const REQUESTED: readonly string[] = ['major', 'minor', 'patch', 'prerelease'];
const REQUIRED: readonly string[] = ['major', 'minor', 'patch', 'none'];
const ARMOUR = /^( *)(-----BEGIN (?:PGP SIGNATURE|PGP MESSAGE|SSH SIGNATURE|SIGNED MESSAGE)-----)/;
const CONTENT_HASH = /^sha256:[0-9a-f]{64}$/;
const PUBLISHER = /^([\s\S]*) <([^<>]*)>$/;

export function formatTagMessage(meta: TagMeta): string {
  const trailers: string[] = [
    TAG_FORMAT_MARKER,
    trailer('Publisher', `${meta.publisher.name} <${meta.publisher.email}>`),
    trailer('Content-Hash', meta.contentHash),
  ];
  if (meta.previousVersion !== undefined) trailers.push(trailer('Previous-Version', meta.previousVersion));
  trailers.push(
    trailer('Requested-Bump', meta.requestedBump),
    trailer('Required-Bump', meta.requiredBump),
    trailer('Forced', meta.forced ? 'true' : 'false'),
  );
  for (const reason of meta.reasons) trailers.push(trailer('Bump-Reason', reason));
  const notes = escapeNotes(meta.notes);
  return (notes === '' ? '' : `${notes}\n\n`) + trailers.join('\n');
}

export function parseTagMessage(text: string): TagMeta | { error: TagError } {
  const lines = String(text).replace(/\r\n?/g, '\n').split('\n');
  const markerLine = lines.lastIndexOf(TAG_FORMAT_MARKER);
  if (markerLine < 0) {
    return fail('TPL_TAG_MESSAGE_FORMAT', `the tag message has no "${TAG_FORMAT_MARKER}" line: it was not written by oclhub`);
  }
  let notes = '';
  if (markerLine > 0) {
    const before = lines.slice(0, markerLine);
    if (before.length < 2 || before[before.length - 1] !== '') {
      return fail('TPL_TAG_MESSAGE_FORMAT', 'the trailer block must be separated from the notes by a blank line');
    }
    notes = unescapeNotes(before.slice(0, -1).join('\n'));
  }
  const body = lines.slice(markerLine + 1);
  while (body.length > 0 && body[body.length - 1] === '') body.pop();

  const fields = new Map<string, string>();
  const reasons: string[] = [];
  for (const line of body) {
    const colon = line.indexOf(': ');
    if (colon <= 0) return fail('TPL_TAG_MESSAGE_FORMAT', `"${line}" is not a "Key: value" trailer line`);
    const key = line.slice(0, colon);
    const value = unescapeValue(line.slice(colon + 2));
    if (key === 'Bump-Reason') reasons.push(value);
    else if (fields.has(key)) return fail('TPL_TAG_MESSAGE_FORMAT', `the trailer "${key}" appears twice`);
    else fields.set(key, value);
  }

  const publisher = fields.get('Publisher');
  const contentHash = fields.get('Content-Hash');
  const requestedBump = fields.get('Requested-Bump');
  const requiredBump = fields.get('Required-Bump');
  const forced = fields.get('Forced');
  if (publisher === undefined) return missing('Publisher');
  if (contentHash === undefined) return missing('Content-Hash');
  if (requestedBump === undefined) return missing('Requested-Bump');
  if (requiredBump === undefined) return missing('Required-Bump');
  if (forced === undefined) return missing('Forced');

  const person = PUBLISHER.exec(publisher);
  if (!person) return invalid('Publisher', publisher, 'expected "Name <email>"');
  if (!CONTENT_HASH.test(contentHash)) return invalid('Content-Hash', contentHash, 'expected "sha256:" and 64 hex digits');
  if (!REQUESTED.includes(requestedBump)) return invalid('Requested-Bump', requestedBump, `expected one of ${REQUESTED.join(', ')}`);
  if (!REQUIRED.includes(requiredBump)) return invalid('Required-Bump', requiredBump, `expected one of ${REQUIRED.join(', ')}`);
  if (forced !== 'true' && forced !== 'false') return invalid('Forced', forced, 'expected true or false');

  const meta: TagMeta = {
    notes,
    publisher: { name: person[1]!, email: person[2]! },
    contentHash,
    requestedBump: requestedBump as RequestedBump,
    requiredBump: requiredBump as RequiredBump,
    forced: forced === 'true',
    reasons,
  };
  const previousVersion = fields.get('Previous-Version');
  if (previousVersion !== undefined) meta.previousVersion = previousVersion;
  return meta;
}

function trailer(key: string, value: string): string {
  return `${key}: ${escapeValue(value)}`;
}

function escapeValue(value: string): string {
  return value.replace(/[\\\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\r'));
}

function unescapeValue(value: string): string {
  return value.replace(/\\([\\nr])/g, (_, c: string) => (c === '\\' ? '\\' : c === 'n' ? '\n' : '\r'));
}

function escapeNotes(notes: string): string {
  return notes
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(ARMOUR, ' $1$2'))
    .join('\n');
}

function unescapeNotes(notes: string): string {
  return notes
    .split('\n')
    .map((line) => (ARMOUR.test(line) && line.startsWith(' ') ? line.slice(1) : line))
    .join('\n');
}

function fail(code: string, message: string): { error: TagError } {
  return { error: { code, message } };
}

function missing(key: string): { error: TagError } {
  return fail('TPL_TAG_MESSAGE_FIELD', `the tag message has no "${key}" trailer`);
}

function invalid(key: string, value: string, expected: string): { error: TagError } {
  return fail('TPL_TAG_MESSAGE_FIELD', `the "${key}" trailer "${value}" is invalid: ${expected}`);
}
