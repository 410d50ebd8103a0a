import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TAG_FORMAT_MARKER, formatTagMessage, parseTagMessage, type TagMeta } from '../../src/templates/index.js';

const HASH = `sha256:${'ab'.repeat(32)}`;

function meta(overrides: Partial<TagMeta> = {}): TagMeta {
  return {
    notes: 'Adds a smoke-test step.',
    publisher: { name: 'Jane Doe', email: 'jane@example.com' },
    contentHash: HASH,
    previousVersion: '1.2.0',
    requestedBump: 'minor',
    requiredBump: 'major',
    forced: true,
    reasons: ['removed parameter "Template.WorkerPool"', 'new step "smoke-test"'],
    ...overrides,
  };
}

describe('formatTagMessage', () => {
  it('writes notes, a blank line, then Key: value trailers', () => {
    const lines = formatTagMessage(meta()).split('\n');
    expect(lines[0]).toBe('Adds a smoke-test step.');
    expect(lines[1]).toBe('');
    expect(lines.slice(2)).toEqual([
      TAG_FORMAT_MARKER,
      'Publisher: Jane Doe <jane@example.com>',
      `Content-Hash: ${HASH}`,
      'Previous-Version: 1.2.0',
      'Requested-Bump: minor',
      'Required-Bump: major',
      'Forced: true',
      'Bump-Reason: removed parameter "Template.WorkerPool"',
      'Bump-Reason: new step "smoke-test"',
    ]);
  });

  it('starts with the trailers when there are no notes, and never ends with a newline', () => {
    const text = formatTagMessage(meta({ notes: '', previousVersion: undefined, reasons: [] }));
    expect(text.startsWith(TAG_FORMAT_MARKER)).toBe(true);
    expect(text.endsWith('\n')).toBe(false);
    expect(text).not.toContain('Previous-Version');
  });
});

describe('parseTagMessage', () => {
  it('reads back what it wrote', () => {
    const m = meta();
    expect(parseTagMessage(formatTagMessage(m))).toEqual(m);
    const minimal = meta({ notes: '', previousVersion: undefined, reasons: [], forced: false, requiredBump: 'none' });
    const parsed = parseTagMessage(formatTagMessage(minimal));
    expect(parsed).toEqual({ ...minimal, previousVersion: undefined });
    expect('previousVersion' in parsed).toBe(false);
  });

  it('is not fooled by notes that contain trailer lines, the marker, or escapes', () => {
    const notes = [
      'Release notes',
      '',
      TAG_FORMAT_MARKER,
      'Publisher: Mallory <evil@example.com>',
      `Content-Hash: sha256:${'00'.repeat(32)}`,
      'Forced: false',
      'Bump-Reason: \\n not a newline',
      '',
    ].join('\n');
    const m = meta({ notes });
    const parsed = parseTagMessage(formatTagMessage(m));
    expect(parsed).toEqual(m);
  });

  it('escapes line breaks and backslashes in trailer values', () => {
    const m = meta({ reasons: ['two\nlines', 'back\\slash \\n', 'cr\rhere', ''], publisher: { name: 'A \\ B', email: 'a@b' } });
    const text = formatTagMessage(m);
    expect(text.split('\n').filter((l) => l.startsWith('Bump-Reason: '))).toEqual([
      'Bump-Reason: two\\nlines',
      'Bump-Reason: back\\\\slash \\\\n',
      'Bump-Reason: cr\\rhere',
      'Bump-Reason: ',
    ]);
    expect(parseTagMessage(text)).toEqual(m);
  });

  it('survives what Git does to messages: CRLF line endings and an appended newline', () => {
    const m = meta({ notes: 'line one\nline two' });
    const stored = `${formatTagMessage(m)}\n`.replace(/\n/g, '\r\n');
    expect(parseTagMessage(stored)).toEqual(m);
    expect(parseTagMessage(`${formatTagMessage(m)}\n\n`)).toEqual(m);
  });

  it('normalises CRLF in notes to LF', () => {
    const parsed = parseTagMessage(formatTagMessage(meta({ notes: 'a\r\nb\rc' })));
    expect(parsed).toEqual(meta({ notes: 'a\nb\nc' }));
  });

  it('protects the trailers from a signature armour line in the notes (Git cuts messages there)', () => {
    const notes = 'see below\n-----BEGIN PGP SIGNATURE-----\n  -----BEGIN SSH SIGNATURE-----\nend';
    const text = formatTagMessage(meta({ notes }));
    expect(text.split('\n').some((l) => l.startsWith('-----BEGIN'))).toBe(false);
    // isomorphic-git keeps the message before "\n-----BEGIN PGP SIGNATURE-----": nothing is lost.
    expect(text.includes('\n-----BEGIN PGP SIGNATURE-----')).toBe(false);
    expect(parseTagMessage(text)).toEqual(meta({ notes }));
  });

  it('round-trips any notes (LF line endings) and any reasons', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '\n', ':', '\\', 'n', 'r', '-', 'Forced: true', TAG_FORMAT_MARKER, '-----BEGIN PGP SIGNATURE-----', 'é') });
    const noAngles = fc.string({ unit: fc.constantFrom('a', ' ', '.', '@', '\\', 'é', '\n', '\r') });
    fc.assert(
      fc.property(text, fc.array(fc.string()), noAngles, noAngles, fc.boolean(), fc.constantFrom('major', 'minor', 'patch', 'prerelease' as const), (notes, reasons, name, email, forced, requestedBump) => {
        const m = meta({ notes, reasons, publisher: { name, email }, forced, requestedBump });
        expect(parseTagMessage(formatTagMessage(m))).toEqual(m);
      }),
    );
  });

  it.each([
    ['no marker (a hand-made tag)', 'Release 1.0', 'TPL_TAG_MESSAGE_FORMAT'],
    ['no blank line before the trailers', `notes\n${TAG_FORMAT_MARKER}\nForced: true`, 'TPL_TAG_MESSAGE_FORMAT'],
    ['a line that is not a trailer', `${TAG_FORMAT_MARKER}\nnot a trailer`, 'TPL_TAG_MESSAGE_FORMAT'],
    ['a duplicated trailer', `${TAG_FORMAT_MARKER}\nForced: true\nForced: false`, 'TPL_TAG_MESSAGE_FORMAT'],
    ['a missing trailer', `${TAG_FORMAT_MARKER}\nPublisher: A <a@b>`, 'TPL_TAG_MESSAGE_FIELD'],
  ])('rejects %s', (_, text, code) => {
    const parsed = parseTagMessage(text);
    expect('error' in parsed && parsed.error.code).toBe(code);
  });

  it.each([
    ['Publisher', 'Publisher: no email'],
    ['Content-Hash', 'Content-Hash: md5:abc'],
    ['Requested-Bump', 'Requested-Bump: huge'],
    ['Required-Bump', 'Required-Bump: prerelease'],
    ['Forced', 'Forced: yes'],
  ])('rejects an invalid %s', (key, line) => {
    const lines = formatTagMessage(meta({ notes: '' })).split('\n');
    const replaced = lines.map((l) => (l.startsWith(`${key}: `) ? line : l)).join('\n');
    const parsed = parseTagMessage(replaced);
    expect('error' in parsed ? parsed.error : undefined).toMatchObject({ code: 'TPL_TAG_MESSAGE_FIELD', message: expect.stringContaining(key) });
  });

  it('ignores trailers it does not know (a newer oclhub may add some)', () => {
    const text = `${formatTagMessage(meta())}\nSigned-Off-By: Someone <s@e>`;
    expect(parseTagMessage(text)).toEqual(meta());
  });
});
