export { parseOcl, DEFAULT_MAX_DEPTH, type ParseOclOptions, type ParseOclResult } from './parser.js';
export type { HeredocMode } from './heredoc.js';
export { OclCodes, OCL_CODE_DESCRIPTIONS, type OclCode } from './codes.js';
export { decodeOclBytes, type DecodedText } from './encoding.js';
export type * from './ast.js';
