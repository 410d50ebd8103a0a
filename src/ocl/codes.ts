/**
 * Stable diagnostic codes of the OCL lexer and parser. Codes are never reused or renumbered:
 * CI configurations and SARIF consumers refer to them.
 */
export const OclCodes = {
  /** A token that cannot appear here (the generic syntax error). */
  unexpectedToken: 'OCL001',
  /** `#`, `//` or `/* *\/`: OCL has no comments and Octopus Server rejects them. */
  comment: 'OCL002',
  /** A name with characters other than letters, digits and `_` (e.g. a hyphen). */
  invalidName: 'OCL003',
  /** A block label that is not a quoted string. */
  unquotedLabel: 'OCL004',
  /** A non-empty block whose `{` is not followed by a newline. */
  newlineAfterBrace: 'OCL005',
  /** A block header (name and labels) with no `{` body. */
  missingBlockBody: 'OCL006',
  /** A block whose closing `}` is missing. */
  unclosedBlock: 'OCL007',
  /** A `}` with no open block. */
  unmatchedBrace: 'OCL008',
  /** A name followed by something other than `=`, a label or `{`. */
  expectedEqualsOrBody: 'OCL009',
  /** An `=` with no value after it on the same line. */
  missingValue: 'OCL010',
  /** A bare word used as a value (`x = foo`, `x = True`). */
  unquotedValue: 'OCL011',
  /** A malformed number (`1e6`, `+1`, `.5`, `1.`). */
  invalidNumber: 'OCL012',
  /** An integer outside the 32-bit signed range (Octopus uses `int.Parse`). */
  integerOverflow: 'OCL013',
  /** A quoted string without its closing `"` on the same line. */
  unterminatedString: 'OCL014',
  /** An escape other than `\r \n \t \\ \"`. */
  invalidEscape: 'OCL015',
  /** A heredoc whose end tag line never comes. */
  unterminatedHeredoc: 'OCL016',
  /** A heredoc start line with something after the tag (`<<EOT x`, `<< EOT`). */
  invalidHeredocStart: 'OCL017',
  /** An array mixing element types (`[1, 1.5]`, `["a", 1]`). */
  mixedArray: 'OCL018',
  /** An array element of an unsupported kind (bool, null, heredoc, array, map). */
  invalidArrayElement: 'OCL019',
  /** Array punctuation errors: missing comma, trailing comma, empty element. */
  arraySeparator: 'OCL020',
  /** An array whose closing `]` is missing. */
  unclosedArray: 'OCL021',
  /** A map as the value of a map entry. */
  nestedMap: 'OCL022',
  /** An unquoted map key that swallowed the `=` (`a="1"`). */
  keyNeedsSpace: 'OCL023',
  /** A map key not followed by `=` and a value. */
  expectedMapEquals: 'OCL024',
  /** The same key twice in one map (Octopus fails with a duplicate-key exception). */
  duplicateMapKey: 'OCL025',
  /** A map whose closing `}` is missing. */
  unclosedMap: 'OCL026',
  /** Nesting deeper than the `maxDepth` option. */
  tooDeep: 'OCL027',
  /** A comma between map entries (entries are separated by whitespace only). */
  mapComma: 'OCL028',
  /** A newline where OCL forbids one (between a name and `=`, labels, or `=` and the value). */
  unexpectedNewline: 'OCL029',
  /** Characters the lexer could not turn into any token. */
  unexpectedCharacter: 'OCL030',
  /** Bytes that are not UTF-8 (the file is refused, never decoded with replacement characters). */
  invalidEncoding: 'OCL031',
} as const;

export type OclCode = (typeof OclCodes)[keyof typeof OclCodes];

/** One-line meaning of each code, for documentation and `--explain`-style output. */
export const OCL_CODE_DESCRIPTIONS: Readonly<Record<OclCode, string>> = {
  OCL001: 'unexpected token',
  OCL002: 'comments are not part of OCL',
  OCL003: 'invalid character in a name (only letters, digits and _)',
  OCL004: 'block labels must be quoted strings',
  OCL005: "a non-empty block needs a newline after '{'",
  OCL006: "block header without a '{' body",
  OCL007: "unclosed block: missing '}'",
  OCL008: "unmatched '}'",
  OCL009: "expected '=', a label or '{' after a name",
  OCL010: "missing value after '='",
  OCL011: 'unquoted string values are not supported',
  OCL012: 'malformed number',
  OCL013: 'integer outside the 32-bit range',
  OCL014: 'unterminated string',
  OCL015: 'unsupported escape sequence',
  OCL016: 'unterminated heredoc',
  OCL017: 'text after a heredoc tag on its start line',
  OCL018: 'arrays must not mix types',
  OCL019: 'unsupported array element',
  OCL020: 'array separator error',
  OCL021: "unclosed array: missing ']'",
  OCL022: 'nested maps are not supported',
  OCL023: "unquoted map key needs a space before '='",
  OCL024: "expected '=' after a map key",
  OCL025: 'duplicate map key',
  OCL026: "unclosed map: missing '}'",
  OCL027: 'nesting too deep',
  OCL028: 'map entries are not comma separated',
  OCL029: 'newline not allowed here',
  OCL030: 'unexpected character',
  OCL031: 'the file is not valid UTF-8',
};
