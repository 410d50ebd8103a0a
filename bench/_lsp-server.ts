/** `oclhub lsp` from source, for bench/lsp.ts (files starting with `_` are not benchmarks). */
import { main } from '../src/cli/main.js';

void main(['lsp', '--stdio']);
