/**
 * regex.globs_match: do two "regex globs" match at least one common string? The globs are the
 * small language of yashtewari/glob-intersection (used by OPA): literal characters, `.` (any),
 * `[...]` sets with ranges (`^` negates), `\` escapes, and the `*` / `+` repetition flags.
 * Decided by a search over pairs of positions in the two token lists.
 */

export class GlobsSyntaxError extends Error {}

interface CharSet {
  any: boolean;
  negated: boolean;
  ranges: Array<[number, number]>;
}

interface Token {
  set: CharSet;
  repeat: boolean; // zero or more of `set`
}

function invalid(input: string, pos: number, what: string): GlobsSyntaxError {
  return new GlobsSyntaxError(`input:${input}, pos:${pos}, ${what}: the input provided is invalid`);
}

export function tokenizeGlob(input: string): Token[] {
  const chars = Array.from(input);
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i]!;
    let set: CharSet;
    if (ch === '\\') {
      if (i + 1 >= chars.length) throw invalid(input, i, 'input ends with a \\\\ (escape) character');
      const c = chars[i + 1]!.codePointAt(0)!;
      set = { any: false, negated: false, ranges: [[c, c]] };
      i += 2;
    } else if (ch === '.') {
      set = { any: true, negated: false, ranges: [] };
      i++;
    } else if (ch === '[') {
      let j = i + 1;
      const negated = chars[j] === '^';
      if (negated) j++;
      const ranges: Array<[number, number]> = [];
      let closed = false;
      while (j < chars.length) {
        let c = chars[j]!;
        if (c === ']') {
          closed = true;
          break;
        }
        if (c === '\\') {
          if (j + 1 >= chars.length) throw invalid(input, j, 'input ends with a \\\\ (escape) character');
          c = chars[++j]!;
        }
        const lo = c.codePointAt(0)!;
        if (chars[j + 1] === '-' && chars[j + 2] !== undefined && chars[j + 2] !== ']') {
          let hiCh = chars[j + 2]!;
          let k = j + 2;
          if (hiCh === '\\' && chars[j + 3] !== undefined) hiCh = chars[(k = j + 3)]!;
          const hi = hiCh.codePointAt(0)!;
          if (hi < lo) throw invalid(input, k + 1, `range is out of order: '${hiCh}' comes before '${c}' in Unicode`);
          ranges.push([lo, hi]);
          j = k + 1;
        } else {
          ranges.push([lo, lo]);
          j++;
        }
      }
      if (!closed) throw invalid(input, chars.length, 'found [ without matching ]');
      set = { any: false, negated, ranges };
      i = j + 1;
    } else if (ch === ']') {
      throw invalid(input, i + 1, "set-close ']' with no preceding '['");
    } else if (ch === '*' || ch === '+') {
      throw invalid(input, i + 1, `flag '${ch}' without a preceding character`);
    } else {
      const c = ch.codePointAt(0)!;
      set = { any: false, negated: false, ranges: [[c, c]] };
      i++;
    }
    const flag = chars[i];
    if (flag === '*') {
      tokens.push({ set, repeat: true });
      i++;
    } else if (flag === '+') {
      tokens.push({ set, repeat: false }, { set, repeat: true });
      i++;
    } else tokens.push({ set, repeat: false });
  }
  return tokens;
}

const MAX_CODE_POINT = 0x10ffff;

/** Sorted, merged complement of a range list over all code points. */
function complement(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function positive(s: CharSet): Array<[number, number]> {
  if (s.any) return [[0, MAX_CODE_POINT]];
  return s.negated ? complement(s.ranges) : s.ranges;
}

function intersects(a: CharSet, b: CharSet): boolean {
  const ra = positive(a);
  const rb = positive(b);
  for (const [alo, ahi] of ra) for (const [blo, bhi] of rb) if (alo <= bhi && blo <= ahi) return true;
  return false;
}

export function globsIntersect(left: string, right: string, tick: (n: number) => void): boolean {
  const a = tokenizeGlob(left);
  const b = tokenizeGlob(right);
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    tick(1);
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    if (ta?.repeat) stack.push([i + 1, j]);
    if (tb?.repeat) stack.push([i, j + 1]);
    if (ta && tb && intersects(ta.set, tb.set)) {
      stack.push([ta.repeat ? i : i + 1, tb.repeat ? j : j + 1]);
      if (ta.repeat && !tb.repeat) stack.push([i + 1, j + 1]);
      if (tb.repeat && !ta.repeat) stack.push([i + 1, j + 1]);
    }
  }
  return false;
}
