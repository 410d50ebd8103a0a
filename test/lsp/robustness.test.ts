/**
 * `oclhub lsp` never crashes on bad input: fuzzed documents (real OCL files cut and spliced with OCL's
 * punctuation), every request at random and out-of-range positions, unknown URIs, malformed params.
 * Handlers that fail would log to stderr: the test requires that nothing was logged and that the
 * server still answers at the end.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentRangeFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  ReferencesRequest,
  type Position,
} from 'vscode-languageserver-protocol';
import { REPO_ROOT, startClient, type LspClient } from './client.js';

const DEMO = path.join(REPO_ROOT, 'templates/demo');
const FILES = [
  'oclhub.ocl',
  '.octopus/process-templates/deploy-web-app.ocl',
  '.octopus/policies/no_disabled_steps.ocl',
  'projects/storefront/.octopus/deployment_process.ocl',
  'projects/storefront/.octopus/variables.ocl',
  'projects/storefront/.octopus/runbooks/restart-site.ocl',
];
const PIECES = ['{', '}', '"', '=', '\n', '<<-EOT\n', 'EOT', '[', ']', '#{', '#{Template.', '\\', ' ', 'step "x" {', '\uFEFF', '\r\n', '\u{1F600}', 'é'];

let root: string;
let client: LspClient;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'oclhub-lsp-fuzz-'));
  for (const file of FILES) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), readFileSync(path.join(DEMO, file), 'utf8'));
  }
  client = await startClient(root, { debounceMs: 5 });
}, 120_000);

afterAll(async () => {
  expect(await client?.stop()).toBe(0);
  if (root) rmSync(root, { recursive: true, force: true });
});

const mutation = fc.record({
  file: fc.constantFrom(...FILES),
  edits: fc.array(fc.record({ at: fc.nat(), cut: fc.nat({ max: 40 }), insert: fc.constantFrom(...PIECES) }), { minLength: 1, maxLength: 8 }),
  positions: fc.array(fc.record({ line: fc.oneof(fc.nat({ max: 80 }), fc.constant(1_000_000), fc.constant(-1)), character: fc.oneof(fc.nat({ max: 120 }), fc.constant(2 ** 31 - 1), fc.constant(-5)) }), {
    minLength: 2,
    maxLength: 4,
  }),
});

function mutate(text: string, edits: { at: number; cut: number; insert: string }[]): string {
  let out = text;
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    out = out.slice(0, at) + e.insert + out.slice(at + e.cut);
  }
  return out;
}

it('answers every request on fuzzed documents and out-of-range positions without crashing', async () => {
  let version = 0;
  await fc.assert(
    fc.asyncProperty(mutation, async ({ file, edits, positions }) => {
      const text = mutate(readFileSync(path.join(DEMO, file), 'utf8'), edits);
      version++;
      client.open(file, text, version);
      const uri = client.uri(file);
      const textDocument = { uri };
      for (const position of positions as Position[]) {
        const range = { start: position, end: { line: position.line + 3, character: 0 } };
        await Promise.all([
          client.connection.sendRequest(CompletionRequest.type, { textDocument, position }),
          client.connection.sendRequest(HoverRequest.type, { textDocument, position }),
          client.connection.sendRequest(DefinitionRequest.type, { textDocument, position }),
          client.connection.sendRequest(ReferencesRequest.type, { textDocument, position, context: { includeDeclaration: true } }),
          client.connection.sendRequest(CodeActionRequest.type, { textDocument, range, context: { diagnostics: [] } }),
          client.connection.sendRequest(DocumentRangeFormattingRequest.type, { textDocument, range, options: { tabSize: 4, insertSpaces: true } }),
        ]);
      }
      await client.connection.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 4, insertSpaces: true } });
      await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument });
      await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument });
      await client.waitFor(file, (p) => p.version === version);
      client.close(file);
    }),
    { numRuns: 40, seed: 20261206 },
  );
  // Unknown documents and malformed parameters get empty answers.
  expect(await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: 'file:///nowhere/missing.ocl' }, position: { line: 0, character: 0 } })).toBeNull();
  expect(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: 'untitled:Untitled-1' }, position: { line: 0, character: 0 } })).toBeNull();
  expect(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 42 } })).toBeNull();
  // Still alive, and no handler failed on the way.
  const folds = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: client.uri(FILES[1]!) } });
  expect(folds?.length).toBeGreaterThan(0);
  expect(client.stderr()).toBe('');
  expect(client.logs()).toEqual([]);
  expect(readdirSync(root).sort()).toEqual(['.octopus', 'oclhub.ocl', 'projects']);
}, 300_000);
