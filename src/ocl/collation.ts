/**
 * The map-key order of Octopus's OCL writer.
 *
 * The writer sorts map keys with `OrderBy(v => v.Key)`, i.e. .NET's culture-sensitive comparer, not
 * ordinal order (ocl-spec §2.3). On an ICU host with the invariant culture that is the ICU root
 * collation, which this module approximates without depending on the ICU data a Node build ships:
 *
 * 1. primary level, compared over the whole string first: whitespace < punctuation and symbols <
 *    digits < letters, letters compared case- and accent-insensitively;
 * 2. secondary level: accents (unaccented first);
 * 3. tertiary level: case (lowercase before uppercase);
 * 4. finally ordinal UTF-16 order, so that the order is total and deterministic.
 *
 * Control characters are ignorable, as in ICU. Known simplifications (documented rather than
 * hidden): no expansions (`ß` ≠ `ss`, `æ` ≠ `ae`), letters of non-Latin scripts ordered by code
 * point after Latin, non-ASCII punctuation after ASCII punctuation by code point. Octopus keys are
 * ASCII in practice (`Octopus.Action.Script.ScriptBody`, step-template parameter names), where this
 * matches ICU root exactly (test/ocl/collation.test.ts compares it with `Intl.Collator('und')`).
 */

/** ICU root order of ASCII whitespace, punctuation and symbols (non-ignorable). */
const ASCII_VARIABLE_ORDER = '\t\n\u000b\f\r _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$';

/** ICU root secondary order of the combining diacritical marks U+0300–U+036F. */
const COMBINING_MARK_ORDER =
  '\u034f\u0332\u0313\u0343\u0314\u0301\u0341\u0300\u0340\u0306\u0302\u030c\u030a\u0342\u0308\u0344\u030b\u0303\u0307\u0338\u0327\u0328\u0304\u030d\u030e\u0312\u0315\u031a\u033d\u033e\u033f\u0346\u034a\u034b\u034c\u0350\u0351\u0352\u0357\u035b\u035d\u035e\u0316\u0317\u0318\u0319\u031c\u031d\u031e\u031f\u0320\u0329\u032a\u032b\u032c\u032f\u0333\u033a\u033b\u033c\u0347\u0348\u0349\u034d\u034e\u0353\u0354\u0355\u0356\u0359\u035a\u035c\u035f\u0362\u0336\u0337\u0335\u0305\u0309\u030f\u0310\u0311\u031b\u0321\u0322\u0323\u0324\u0325\u0326\u032d\u032e\u0330\u0331\u0334\u0339\u0345\u0358\u0360\u0361\u0363\u0368\u0369\u0364\u036a\u0365\u036b\u0366\u036c\u036d\u0367\u036e\u036f';

const GROUP_WHITESPACE = 1;
const GROUP_PUNCTUATION = 2;
const GROUP_DIGIT = 3;
const GROUP_LETTER = 4;
const GROUP_OTHER = 5;
const GROUP_SPAN = 0x200000;

interface CollationElement {
  primary: number;
  /** Combining marks that followed the base character (accents), encoded by ICU rank. */
  secondary: string;
  /** 0 for lowercase or caseless, 1 for uppercase. */
  tertiary: number;
}

const WHITESPACE = /\p{White_Space}/u;
const PUNCTUATION_OR_SYMBOL = /[\p{P}\p{S}]/u;
const DIGIT = /\p{Nd}/u;
const LETTER = /\p{L}/u;
const COMBINING_MARK = /\p{M}/u;
const IGNORABLE = /[\p{Cc}\p{Cf}]/u;

function digitValue(ch: string): number {
  const code = ch.codePointAt(0)!;
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  // Unicode decimal digits come in contiguous runs of ten starting at a code point ending in 0 or 6;
  // reading the value off the run is enough for ordering.
  for (let zero = code; zero > code - 10; zero--) {
    if (!DIGIT.test(String.fromCodePoint(zero - 1))) return code - zero;
  }
  return 0;
}

function primaryWeight(base: string): number {
  const asciiIndex = base.length === 1 ? ASCII_VARIABLE_ORDER.indexOf(base) : -1;
  const code = base.codePointAt(0)!;
  if (asciiIndex >= 0) {
    return (asciiIndex <= 5 ? GROUP_WHITESPACE : GROUP_PUNCTUATION) * GROUP_SPAN + asciiIndex;
  }
  if (WHITESPACE.test(base)) return GROUP_WHITESPACE * GROUP_SPAN + 0x100 + code;
  if (PUNCTUATION_OR_SYMBOL.test(base)) return GROUP_PUNCTUATION * GROUP_SPAN + 0x100 + code;
  if (DIGIT.test(base)) return GROUP_DIGIT * GROUP_SPAN + digitValue(base);
  if (LETTER.test(base)) {
    const lower = base.toLowerCase();
    const lowerCode = lower.length === base.length ? lower.codePointAt(0)! : code;
    if (lowerCode >= 0x61 && lowerCode <= 0x7a) return GROUP_LETTER * GROUP_SPAN + (lowerCode - 0x61);
    return GROUP_LETTER * GROUP_SPAN + 0x100 + lowerCode;
  }
  return GROUP_OTHER * GROUP_SPAN + code;
}

/**
 * Precomputed primary weights and case of ASCII (the keys Octopus writes are ASCII), on the first sort:
 * the first test of a Unicode-property regular expression makes V8 set up ICU's character sets (~2.6 ms),
 * which every command loading the OCL modules paid at start-up, most of them sorting no map.
 */
let asciiElements: (CollationElement | undefined)[] | undefined;

function asciiElementTable(): (CollationElement | undefined)[] {
  return (asciiElements ??= Array.from({ length: 128 }, (_, code) => {
    const ch = String.fromCharCode(code);
    if (IGNORABLE.test(ch) && !WHITESPACE.test(ch)) return undefined;
    return { primary: primaryWeight(ch), secondary: '', tertiary: code >= 0x41 && code <= 0x5a ? 1 : 0 };
  }));
}

function collationElements(text: string): CollationElement[] {
  const elements: CollationElement[] = [];
  if (/^[\u0000-\u007f]*$/.test(text)) {
    const table = asciiElementTable();
    for (let i = 0; i < text.length; i++) {
      const element = table[text.charCodeAt(i)];
      if (element) elements.push({ ...element });
    }
    return elements;
  }
  for (const ch of text.normalize('NFD')) {
    if (COMBINING_MARK.test(ch)) {
      const last = elements[elements.length - 1];
      const rank = COMBINING_MARK_ORDER.indexOf(ch);
      // Encode the mark's rank as one UTF-16 unit so that ordinal order of `secondary` is ICU order.
      if (last) last.secondary += String.fromCharCode(Math.min(0xffff, 0x100 + (rank >= 0 ? rank : 0x1000 + ch.codePointAt(0)!)));
      continue;
    }
    if (IGNORABLE.test(ch) && !WHITESPACE.test(ch)) continue;
    const isUpper = ch !== ch.toLowerCase() && ch === ch.toUpperCase();
    elements.push({ primary: primaryWeight(ch), secondary: '', tertiary: isUpper ? 1 : 0 });
  }
  return elements;
}

/**
 * A string whose ordinal order is the collation order: the primary weights (two UTF-16 units each,
 * both ≥ 1), a 0 unit, each element's accents closed by a 1 unit, a 0 unit, the case weights, a 0
 * unit and finally the key itself for the ordinal tie-break. Comparing these level by level equals
 * comparing the element sequences level by level, because a shorter sequence meets the 0 separator
 * where a longer one still has a weight ≥ 1.
 */
export function collationSortKey(text: string): string {
  const elements = collationElements(text);
  // Built from code units in one go: a flat string compares much faster than a concatenated one.
  const units: number[] = [];
  for (const e of elements) units.push(1 + (e.primary >>> 15), 1 + (e.primary & 0x7fff));
  units.push(0);
  for (const e of elements) {
    for (let i = 0; i < e.secondary.length; i++) units.push(e.secondary.charCodeAt(i));
    units.push(1);
  }
  units.push(0);
  for (const e of elements) units.push(e.tertiary ? 2 : 1);
  units.push(0);
  for (let i = 0; i < text.length; i++) units.push(text.charCodeAt(i));
  let key = '';
  for (let i = 0; i < units.length; i += 4096) key += String.fromCharCode(...units.slice(i, i + 4096));
  return key;
}

function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const cache = new Map<string, string>();
const CACHE_LIMIT = 50_000;

function sortKeyOf(text: string): string {
  let key = cache.get(text);
  if (key === undefined) {
    key = collationSortKey(text);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, key);
  }
  return key;
}

/** Compares two map keys the way Octopus's writer orders them (see the module comment). */
export function compareMapKeys(a: string, b: string): number {
  if (a === b) return 0;
  return ordinal(sortKeyOf(a), sortKeyOf(b));
}

/** Returns the items in Octopus's writer order of their keys (a new array; stable for equal keys). */
export function sortMapKeys<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const keyed = items.map((item) => ({ item, key: collationSortKey(keyOf(item)) }));
  keyed.sort((x, y) => ordinal(x.key, y.key));
  return keyed.map((k) => k.item);
}
