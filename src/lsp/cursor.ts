/**
 * The cursor's context read from the raw text, for completion while the user is typing (the file is
 * usually not valid then): the stack of open blocks, maps and lists before the cursor, whether the
 * cursor is inside a string or a heredoc, and the line's text up to the cursor. Strings and heredocs
 * are skipped, so braces inside scripts do not count.
 */
export type Frame =
  | { kind: 'block'; name: string; labels: string[] }
  | { kind: 'map'; attribute: string }
  | { kind: 'list'; attribute: string };

export interface CursorContext {
  frames: Frame[];
  /** Text of the cursor's line up to the cursor. */
  before: string;
  /** The heredoc the cursor is in, with the attribute (or map key) holding it. */
  heredoc?: { attribute: string; textBefore: string };
  /** Inside a quoted string on the cursor's line (the text after its opening quote). */
  string?: string;
}

const HEREDOC = /<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\s*$/;

export function cursorContext(text: string, offset: number): CursorContext {
  const frames: Frame[] = [];
  const head = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = head.split('\n');
  let heredoc: { tag: string; attribute: string; start: number } | undefined;
  let lineStart = 0;
  let string: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const last = i === lines.length - 1;
    if (heredoc) {
      if (line.trim() === heredoc.tag && !last) heredoc = undefined;
      lineStart += lines[i]!.length + 1;
      continue;
    }
    string = undefined;
    let j = 0;
    while (j < line.length) {
      const ch = line[j]!;
      if (ch === '"') {
        let k = j + 1;
        while (k < line.length && line[k] !== '"') k += line[k] === '\\' ? 2 : 1;
        if (k >= line.length) {
          string = line.slice(j + 1);
          break;
        }
        j = k + 1;
        continue;
      }
      if (ch === '{') {
        const prefix = line.slice(0, j);
        const map = /^\s*"?([^"=\s]+)"?\s*=\s*$/.exec(prefix);
        if (map) frames.push({ kind: 'map', attribute: map[1]! });
        else {
          const block = /^\s*([A-Za-z_][\w-]*)((?:\s+"[^"]*")*)\s*$/.exec(prefix);
          const labels = block ? [...block[2]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!) : [];
          frames.push({ kind: 'block', name: block ? block[1]! : '', labels });
        }
      } else if (ch === '}') {
        frames.pop();
      } else if (ch === '[') {
        const attribute = /^\s*([A-Za-z_][\w-]*)\s*=/.exec(line)?.[1] ?? '';
        frames.push({ kind: 'list', attribute });
      } else if (ch === ']') {
        if (frames[frames.length - 1]?.kind === 'list') frames.pop();
      } else if (ch === '<' && line[j + 1] === '<') {
        const m = HEREDOC.exec(line.slice(j));
        if (m && !last) {
          const attribute = /^\s*"?([^"=\s]+)"?\s*=/.exec(line)?.[1] ?? '';
          heredoc = { tag: m[2]!, attribute, start: lineStart + line.length + 1 };
          break;
        }
      }
      j++;
    }
    if (!last) lineStart += lines[i]!.length + 1;
  }
  const before = (lines[lines.length - 1] ?? '').replace(/\r$/, '');
  const out: CursorContext = { frames, before };
  if (heredoc) out.heredoc = { attribute: heredoc.attribute, textBefore: head.slice(heredoc.start) };
  else if (string !== undefined) out.string = string;
  return out;
}

/** The blocks of a context, outermost first. */
export function blockFrames(context: CursorContext): Extract<Frame, { kind: 'block' }>[] {
  return context.frames.filter((f): f is Extract<Frame, { kind: 'block' }> => f.kind === 'block');
}
