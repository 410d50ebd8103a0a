/**
 * OCL abstract syntax tree. Lossless: every node keeps its source range, and the tree keeps
 * everything the printer and OCL<->JSON need to reproduce a document (labels, int vs decimal,
 * heredoc flavour and tag, map key order and quoting, line-ending style, final newline).
 */
import type { Range } from '../diagnostics.js';

export interface OclDocument {
  type: 'document';
  body: OclElement[];
  /** Line-ending style of the source: the printer writes the same. */
  lineEnding: '\n' | '\r\n';
  /** Whether the source ended with a line ending (Octopus's writer emits none). */
  finalNewline: boolean;
  /** Whether the source started with a UTF-8 byte-order mark (stripped before parsing). */
  bom: boolean;
  range: Range;
}

export type OclElement = OclBlock | OclAttribute;

export interface OclBlock {
  type: 'block';
  name: string;
  nameRange: Range;
  labels: OclLabel[];
  body: OclElement[];
  range: Range;
}

export interface OclLabel {
  value: string;
  range: Range;
}

export interface OclAttribute {
  type: 'attribute';
  name: string;
  nameRange: Range;
  value: OclValue;
  range: Range;
}

/** Values that may appear anywhere a value may: attribute values, map entry values. */
export type OclLiteral = OclNull | OclBool | OclInt | OclDecimal | OclString | OclHeredoc | OclArray;
/** Attribute values additionally may be maps. */
export type OclValue = OclLiteral | OclMap;

export interface OclNull {
  type: 'null';
  range: Range;
}

export interface OclBool {
  type: 'bool';
  value: boolean;
  range: Range;
}

/** A 32-bit signed integer (Octopus parses with int.Parse). */
export interface OclInt {
  type: 'int';
  value: number;
  /** Source text, e.g. `007`; the printer writes the canonical `value`. */
  raw: string;
  range: Range;
}

/** A .NET decimal. Kept as text so that no precision is lost (e.g. `1.50`). */
export interface OclDecimal {
  type: 'decimal';
  value: string;
  range: Range;
}

export interface OclString {
  type: 'string';
  value: string;
  range: Range;
}

export interface OclHeredoc {
  type: 'heredoc';
  value: string;
  /** `<<-TAG` (indented) versus `<<TAG`. */
  indented: boolean;
  tag: string;
  range: Range;
}

export type OclArrayItem = OclString | OclInt | OclDecimal;

/** Arrays are homogeneous; `[]` is an empty string array as in Octopus. */
export interface OclArray {
  type: 'array';
  elementType: 'string' | 'int' | 'decimal';
  items: OclArrayItem[];
  range: Range;
}

export interface OclMap {
  type: 'map';
  entries: OclMapEntry[];
  range: Range;
}

export interface OclMapEntry {
  key: string;
  /** Whether the key was written quoted in the source. */
  quoted: boolean;
  keyRange: Range;
  value: OclLiteral;
  range: Range;
}
