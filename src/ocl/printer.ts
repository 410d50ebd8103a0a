/**
 * The OCL printer: writes a document the way Octopus's `OclWriter` does (ocl-spec §2), so that files
 * Octopus wrote come back byte for byte, while never writing anything that parses back to a
 * different value.
 *
 * Layout (§2.1): 4-space indent, `name = value`, one element per line; a blank line between two
 * siblings unless both are attributes (a block after an attribute, or anything after a block);
 * labels always quoted; `name {}` for an empty block. Element order is the AST's: the printer
 * formats, it does not reorder elements. Map keys are sorted (§2.3) by ./collation.ts.
 *
 * Strings (§2.2): a string or heredoc value is written as an indented heredoc iff it contains `\n`,
 * otherwise as a quoted string. Where Octopus's writer can corrupt a value, this printer deviates:
 *
 * - **Tag collision.** A value line that is the tag (after same-line whitespace is trimmed) would end
 *   the heredoc early; the tag is then `EOT1`, `EOT2`, … instead of `EOT`.
 * - **When `<<-` loses information.** The current parser (OctopusDeploy/Ocl PR #131) unindents by
 *   `min(indent of the end tag, indent of every non-blank line)`. With content and end tag both at
 *   (depth+2)×4 spaces the minimum is exactly that prefix, so leading whitespace of the value is
 *   never eaten, and blank lines (written as the bare prefix, as Octopus does) come back empty. What
 *   `<<-` cannot carry is carriage returns that do not follow the parser's CRLF rule: the parser
 *   strips *every* trailing `\r` of every line and re-joins with `\r\n` iff any line but the last
 *   ended in `\r`. So `a\nb\r\nc`, `a\r\r\nb` or `a\nb\r` cannot be a heredoc at all.
 * - **Legacy readers** (`heredocMode: 'legacy'`, folders with `schema_version` < 6) unindent by the
 *   content lines only, so a value whose every non-blank line starts with whitespace would lose that
 *   whitespace under `<<-`; the printer then uses the plain `<<TAG` form with the lines at column 0,
 *   which neither rule unindents. (Values read by the legacy rule never have that shape, so this
 *   only concerns values from JSON or edited ASTs. The layout written is today's, which Octopus's
 *   v6 migration (re-indenting end tags to the content column) should leave unchanged; unverified.)
 * - **Map keys** that oclhub's parser would take for a mistake are quoted (see `mapKeyText`).
 *
 * The printer decides by simulating the parser on the lines it would write (`decodeHeredoc`) and
 * falls back from `<<-` to `<<` to a quoted string (which can carry any value through escapes).
 * Arrays hold only single-line strings as far as the parser is concerned, so array items are always
 * quoted strings.
 *
 * Names are written verbatim: the printer trusts its input to be a parser- or validator-produced
 * AST (see ./json.ts, which rejects names OCL cannot express).
 */
import type {
  OclArray,
  OclAttribute,
  OclBlock,
  OclDocument,
  OclElement,
  OclLiteral,
  OclMap,
  OclValue,
} from './ast.js';
import { sortMapKeys } from './collation.js';

export type HeredocMode = 'current' | 'legacy';

export interface PrintOptions {
  /** Defaults to the document's own line-ending style. */
  lineEnding?: '\n' | '\r\n';
  /** Defaults to whether the source had a final newline. */
  finalNewline?: boolean;
  /** Defaults to whether the source had a byte-order mark. */
  bom?: boolean;
  /** Which heredoc unindent rule the file will be read with (see the module comment). */
  heredocMode?: HeredocMode;
}

const INDENT = '    ';
const DEFAULT_TAG = 'EOT';

export function printOcl(doc: OclDocument, options: PrintOptions = {}): string {
  const printer = new Printer(options.lineEnding ?? doc.lineEnding ?? '\n', options.heredocMode ?? 'current');
  printer.body(doc.body, 0);
  let text = printer.out.join('');
  if (options.finalNewline ?? doc.finalNewline) text += printer.newline;
  if (options.bom ?? doc.bom) text = '\uFEFF' + text;
  return text;
}

class Printer {
  readonly out: string[] = [];

  constructor(
    readonly newline: '\n' | '\r\n',
    private readonly heredocMode: HeredocMode,
  ) {}

  body(elements: readonly OclElement[], depth: number): void {
    let previous: OclElement | undefined;
    for (const element of elements) {
      if (previous) {
        this.out.push(this.newline);
        if (previous.type === 'block' || element.type === 'block') this.out.push(this.newline);
      }
      if (element.type === 'block') this.block(element, depth);
      else this.attribute(element, depth);
      previous = element;
    }
  }

  private block(block: OclBlock, depth: number): void {
    const indent = INDENT.repeat(depth);
    this.out.push(indent, block.name);
    for (const label of block.labels) this.out.push(' ', quote(label.value));
    if (block.body.length === 0) {
      this.out.push(' {}');
      return;
    }
    this.out.push(' {', this.newline);
    this.body(block.body, depth + 1);
    this.out.push(this.newline, indent, '}');
  }

  private attribute(attribute: OclAttribute, depth: number): void {
    this.out.push(INDENT.repeat(depth), attribute.name, ' = ');
    this.value(attribute.value, depth, depth);
  }

  /**
   * `blockDepth` is the nesting depth of the enclosing block (it sets heredoc indentation);
   * `lineDepth` is the indentation of the line the value starts on (maps close at it).
   */
  private value(value: OclValue, blockDepth: number, lineDepth: number): void {
    switch (value.type) {
      case 'map':
        this.map(value, blockDepth, lineDepth);
        return;
      case 'string':
      case 'heredoc':
        this.text(value.value, blockDepth);
        return;
      default:
        this.out.push(scalarText(value));
    }
  }

  private map(map: OclMap, blockDepth: number, lineDepth: number): void {
    const entryIndent = INDENT.repeat(lineDepth + 1);
    this.out.push('{', this.newline);
    const entries = sortMapKeys(map.entries, (entry) => entry.key);
    for (const entry of entries) {
      this.out.push(entryIndent, mapKeyText(entry.key), ' = ');
      this.value(entry.value, blockDepth, lineDepth + 1);
      this.out.push(this.newline);
    }
    // An empty map is `{`, newline, `}` at the attribute's indent, like Octopus writes it.
    this.out.push(INDENT.repeat(lineDepth), '}');
  }

  private text(value: string, blockDepth: number): void {
    if (!value.includes('\n')) {
      this.out.push(quote(value));
      return;
    }
    const form = chooseHeredocForm(value, INDENT.repeat(blockDepth + 2), this.newline, this.heredocMode);
    if (!form) {
      this.out.push(quote(value));
      return;
    }
    const prefix = form.indented ? form.prefix : '';
    this.out.push(form.indented ? '<<-' : '<<', form.tag, this.newline);
    const lines = value.split('\n');
    // Between value lines a bare `\n`, as Octopus writes it: a value's own `\r` then gives `\r\n`.
    lines.forEach((line, i) => this.out.push(prefix, line, i === lines.length - 1 ? this.newline : '\n'));
    this.out.push(prefix, form.tag);
  }
}

function scalarText(value: Exclude<OclLiteral, { type: 'string' | 'heredoc' }>): string {
  switch (value.type) {
    case 'null':
      return 'null';
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'int':
      return String(value.value);
    case 'decimal':
      return value.value;
    case 'array':
      return arrayText(value);
  }
}

function arrayText(array: OclArray): string {
  const items = array.items.map((item) => (item.type === 'string' ? quote(item.value) : scalarText(item)));
  return `[${items.join(', ')}]`;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\r': '\\r', '\n': '\\n', '\t': '\\t', '"': '\\"' };

/** A quoted string with exactly Octopus's escapes: `\\ \r \n \t \"`. */
export function quote(value: string): string {
  return `"${value.replace(/[\\\r\n\t"]/g, (ch) => ESCAPES[ch]!)}"`;
}

/**
 * Map keys are quoted only when they must be: empty, or containing whitespace or `"` (Octopus's
 * rule). Also quoted, although Octopus would read them unquoted: keys containing `=` or starting
 * with `#`, `//`, `/*` or `,`, which look like the mistakes oclhub's parser reports (`a="1"`,
 * comments, comma-separated entries). A quoted key means the same to every reader.
 */
export function mapKeyText(key: string): string {
  if (mustQuoteMapKey(key)) return quote(key);
  return key;
}

export function mustQuoteMapKey(key: string): boolean {
  return key.length === 0 || /["=\s\u0085]/u.test(key) || /^(#|\/\/|\/\*|,)/.test(key);
}

/**
 * Trims whitespace as the parser does around a heredoc end tag (.NET `char.IsWhiteSpace`), widened
 * to JavaScript's `\s`: avoiding a tag too many is harmless, one too few corrupts the value.
 */
function trimOclWhitespace(line: string): string {
  return line.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}

/** `EOT`, else `EOT1`, `EOT2`, … : the first tag no line of the value would be taken for. */
export function chooseHeredocTag(value: string): string {
  const trimmed = new Set(value.split('\n').map(trimOclWhitespace));
  let tag = DEFAULT_TAG;
  for (let n = 1; trimmed.has(tag); n++) tag = `${DEFAULT_TAG}${n}`;
  return tag;
}

export interface HeredocForm {
  indented: boolean;
  tag: string;
  /** The indentation of content lines and end tag (empty for the plain form). */
  prefix: string;
}

/** The heredoc form that reads back as `value`, or undefined when only a quoted string can. */
export function chooseHeredocForm(
  value: string,
  prefix: string,
  newline: '\n' | '\r\n',
  mode: HeredocMode,
): HeredocForm | undefined {
  const tag = chooseHeredocTag(value);
  const lines = value.split('\n');
  for (const indented of [true, false]) {
    const linePrefix = indented ? prefix : '';
    const written = lines.map((line, i) => linePrefix + line + (i === lines.length - 1 && newline === '\r\n' ? '\r' : ''));
    if (decodeHeredoc(written, indented, linePrefix, mode) === value) return { indented, tag, prefix: linePrefix };
  }
  return undefined;
}

/**
 * The value the parser builds from heredoc body lines (each without its `\n`), per
 * OctopusDeploy/Ocl `HeredocParser.cs` (ocl-spec §1.8). `endTagIndent` is the end line's leading
 * whitespace; the legacy (pre-v6) rule ignores it.
 */
export function decodeHeredoc(lines: readonly string[], indented: boolean, endTagIndent: string, mode: HeredocMode): string {
  const separator = lines.slice(0, -1).some((line) => line.endsWith('\r')) ? '\r\n' : '\n';
  let trimmed = lines.map((line) => line.replace(/\r+$/, ''));
  if (indented && trimmed.length > 0) {
    let unindentBy = mode === 'legacy' ? Number.MAX_SAFE_INTEGER : endTagIndent.length;
    for (const line of trimmed) unindentBy = Math.min(unindentBy, leadingWhitespace(line));
    trimmed = trimmed.map((line) => (line.length <= unindentBy ? '' : line.slice(unindentBy)));
  }
  return trimmed.join(separator);
}

/** Leading whitespace length, or "infinite" for a blank line (ignored by the unindent minimum). */
function leadingWhitespace(line: string): number {
  for (let i = 0; i < line.length; i++) if (!isDotNetWhitespace(line.charCodeAt(i))) return i;
  return Number.MAX_SAFE_INTEGER;
}

/** .NET `char.IsWhiteSpace` for one UTF-16 unit. */
export function isDotNetWhitespace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}
