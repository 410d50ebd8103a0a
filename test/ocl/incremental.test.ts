/**
 * Incremental parsing (src/ocl/incremental.ts) gives exactly what a full parse gives: sessions of random
 * editor-like edits (typing, deleting, pasting, the characters that change how text lexes) on real
 * files, each version parsed from the previous version's state and compared with `parseOcl`, key order
 * included. And it is incremental: a keystroke in one block of a long file reparses that block only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEdit, edits } from './edit-sessions.js';
import { parseOcl, parseOclIncremental, type OclBlock, type OclParseState, type ParseOclOptions } from '../../src/ocl/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../../shared');
const corpus = join(shared, 'corpus/ocl');

function loadSeeds(): { name: string; text: string }[] {
  const seeds = readdirSync(join(here, 'fixtures')).map((f) => ({ name: f, text: readFileSync(join(here, 'fixtures', f), 'utf8') }));
  if (existsSync(corpus)) {
    for (const folder of ['valid', 'invalid']) {
      for (const f of readdirSync(join(corpus, folder)).sort()) {
        const text = readFileSync(join(corpus, folder, f), 'utf8');
        if (text.length < 30_000) seeds.push({ name: `${folder}/${f}`, text });
      }
    }
  } else {
    console.warn(`incremental parse tests use project fixtures only: ${corpus} not found`);
  }
  return seeds;
}

const seeds = loadSeeds();

/** Text an editor session types or pastes: structure, heredoc tags, comments, line endings. */
const typed = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'x', '1', ' ', '"', '\n', '}', '{', '=', '-', '.', '_') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '}\n',
      '{\n',
      '\n}\n',
      'step "s" {\n}\n',
      'step "t" {\n    name = "T"\n}\n',
      'a = {\n  b = 1\n}\n',
      '<<EOT\n',
      '<<-EOT\n',
      '<<EOT x\n',
      'EOT\n',
      '    EOT\n',
      '/*',
      '*/',
      '# note\n',
      '[',
      ']',
      ', ',
      '\r\n',
      '\uFEFF',
      'true',
      '= [\n',
      'x = "',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

const edit = edits(typed);


function expectSameAsFull(text: string, options: ParseOclOptions, previous: OclParseState | undefined): OclParseState {
  const incremental = parseOclIncremental(text, options, previous);
  const full = parseOcl(text, options);
  expect(incremental.result).toStrictEqual(full);
  // Key order too: what goes out as JSON (LSP messages, `--format json`) must be byte-identical.
  expect(JSON.stringify(incremental.result)).toBe(JSON.stringify(full));
  return incremental.state;
}

describe('incremental parsing', () => {
  it(`equals a full parse after every edit of a session (${seeds.length} seed files)`, () => {
    fc.assert(
      fc.property(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(edit, { minLength: 1, maxLength: 12 }),
        fc.constantFrom<ParseOclOptions>({ file: 'f.ocl' }, { heredocMode: 'legacy' }, { maxDepth: 3 }),
        (seedIndex, edits, options) => {
          let text = seeds[seedIndex]!.text;
          let state = expectSameAsFull(text, options, undefined);
          for (const e of edits) {
            text = applyEdit(text, e);
            state = expectSameAsFull(text, options, state);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('equals a full parse when the options change between versions', () => {
    const text = seeds[0]!.text;
    const state = parseOclIncremental(text, { heredocMode: 'current' }).state;
    expectSameAsFull(`${text}\n`, { heredocMode: 'legacy' }, state);
    expectSameAsFull(`x${text}`, { file: 'other.ocl' }, state);
  });

  const block = (i: number) => `step "step-${i}" {\n    name = "Step ${i}"\n    action {\n        action_type = "Octopus.Script"\n        properties = {\n            Octopus.Action.Script.ScriptBody = <<-EOT\n                echo ${i}\n                EOT\n        }\n    }\n}\n`;

  it('reparses only the edited top-level block for a keystroke, a new line and a deleted line', () => {
    const original = Array.from({ length: 100 }, (_, i) => block(i)).join('\n');
    let { state } = parseOclIncremental(original);
    const at = original.indexOf('Step 50"');
    const versions = [
      original.slice(0, at) + 'x' + original.slice(at),
      original.slice(0, at) + '\n' + original.slice(at),
      original.slice(0, original.lastIndexOf('\n', at) + 1) + original.slice(original.indexOf('\n', at) + 1),
    ];
    for (const text of versions) {
      const next = parseOclIncremental(text, {}, state);
      expect(next.result).toStrictEqual(parseOcl(text));
      expect(next.parsed.end - next.parsed.start).toBeLessThanOrEqual(block(50).length + 2);
      expect(next.parsed.start).toBeLessThanOrEqual(at);
      expect(next.parsed.end).toBeGreaterThan(at);
      state = parseOclIncremental(original, {}, next.state).state;
    }
  });

  it('reparses to the end when an edit leaves a block open, and equals a full parse', () => {
    const original = Array.from({ length: 20 }, (_, i) => block(i)).join('\n');
    const { state } = parseOclIncremental(original);
    const at = original.indexOf('    action {', original.indexOf('Step 5"'));
    const text = original.slice(0, at) + '    extra {\n' + original.slice(at);
    const next = parseOclIncremental(text, {}, state);
    expect(next.result).toStrictEqual(parseOcl(text));
    expect(next.parsed.end).toBe(text.length);
  });

  it('equals a full parse for edits that meet blocks at their seams, several at once, with CRLF and byte-order marks', () => {
    const original = Array.from({ length: 12 }, (_, i) => block(i)).join('\n');
    const start = (i: number) => original.indexOf(`step "step-${i}"`);
    const crlf = original.replace(/\n/g, '\r\n');
    const session = [
      original,
      // A whole block and its blank line removed: the stretch between two seams is empty.
      original.slice(0, start(4)) + original.slice(start(5)),
      // Then typing in the block that moved up, and again in the one after it.
      original.slice(0, start(4)) + original.slice(start(5), start(5) + 20) + 'x' + original.slice(start(5) + 20),
      original.slice(0, start(4)) + original.slice(start(5), start(5) + 20) + 'x' + original.slice(start(5) + 20, start(6) + 20) + 'y' + original.slice(start(6) + 20),
      // Two distant edits in one version (multi-cursor): one at the top, one at the bottom.
      `a = 1\n${original.slice(0, start(11) + 10)}zz${original.slice(start(11) + 10)}`,
      // A block pasted at a seam, then the separating blank line removed.
      original.slice(0, start(3)) + block(99) + '\n' + original.slice(start(3)),
      original.slice(0, start(3)) + block(99) + original.slice(start(3)),
      `\uFEFF${original}`,
      `\uFEFF${original.slice(0, start(7))}q${original.slice(start(7))}`,
      original,
      crlf,
      crlf.slice(0, crlf.indexOf('Step 6"')) + '\r\n' + crlf.slice(crlf.indexOf('Step 6"')),
      crlf.slice(0, crlf.indexOf('step "step-8"')) + crlf.slice(crlf.indexOf('step "step-9"')),
    ];
    let state: OclParseState | undefined;
    for (const text of session) state = expectSameAsFull(text, {}, state);
  });

  it('parses in full from a state that was used already or whose positions do not fit its text', () => {
    const original = Array.from({ length: 10 }, (_, i) => block(i)).join('\n');
    const at = original.indexOf('Step 5"');
    const typed = `${original.slice(0, at)}x${original.slice(at)}`;
    const { state } = parseOclIncremental(original);
    const first = parseOclIncremental(typed, {}, state);
    expect(first.parsed.end - first.parsed.start).toBeLessThanOrEqual(block(5).length + 2);
    // Spliced from once, the state's blocks now sit where the typed text has them: a second use must not trust them.
    const again = parseOclIncremental(`${original.slice(0, at)}yy${original.slice(at)}`, {}, state);
    expect(again.result).toStrictEqual(parseOcl(`${original.slice(0, at)}yy${original.slice(at)}`));
    expect(again.parsed).toEqual({ start: 0, end: again.state.text.length });

    // Positions that disagree with the state's text, as a mistaken move would leave them, are caught where the
    // pieces meet (the end of the text, the first block after the edited one).
    for (const corrupt of [
      (s: OclParseState) => void (s.result.document.range.end.line += 1),
      (s: OclParseState) => void ((s.result.document.body[6] as OclBlock).nameRange.start.offset += 3),
      (s: OclParseState) => void ((s.result.document.body[6] as OclBlock).nameRange.start.column += 1),
    ]) {
      const fresh = parseOclIncremental(original).state;
      corrupt(fresh);
      const next = parseOclIncremental(typed, {}, fresh);
      expect(next.result).toStrictEqual(parseOcl(typed));
      expect(next.parsed).toEqual({ start: 0, end: typed.length });
    }
  });

  it('keeps a heredoc whose end tag the edit adds further down', () => {
    // `<<EOT x` searches for its end tag to the end of the text: adding one later changes the heredoc.
    const original = `${block(0)}\nstep "a" {\n    s = <<EOT x\n}\n\n${block(1)}\n${block(2)}`;
    const { state } = parseOclIncremental(original);
    const at = original.indexOf('step "step-2"');
    const text = `${original.slice(0, at)}EOT\n${original.slice(at)}`;
    const next = parseOclIncremental(text, {}, state);
    expect(next.result).toStrictEqual(parseOcl(text));
  });
});
