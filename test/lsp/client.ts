/**
 * A real LSP client for tests: starts `oclhub lsp --stdio` as a child process and speaks JSON-RPC to it
 * over its stdin/stdout with vscode-languageserver-protocol, as an editor would.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type FileEvent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { demoHub } from '../e2e/demo-hub.js';
import { removeDir } from '../git/helpers.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUN_CLI = path.join(REPO_ROOT, 'test/lsp/run-cli.ts');

export interface LspClient {
  connection: ProtocolConnection;
  child: ChildProcessWithoutNullStreams;
  root: string;
  uri(file: string): string;
  open(file: string, text: string, version?: number): void;
  change(file: string, version: number, changes: TextDocumentContentChangeEvent[]): void;
  close(file: string): void;
  watched(changes: FileEvent[]): void;
  /** The latest diagnostics published for a file. */
  diagnostics(file: string): Diagnostic[] | undefined;
  /** Resolves with the first publication for `file` (from now on, or already received) that satisfies `test`. */
  waitFor(file: string, test: (params: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  /** Everything the server wrote to stderr. */
  stderr(): string;
  /** The server's log messages (`window/logMessage`): a failing handler logs there. */
  logs(): string[];
  stop(): Promise<number | null>;
}

export async function startClient(root: string, options: { debounceMs?: number; capabilities?: object } = {}): Promise<LspClient> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, 'lsp', '--stdio'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const latest = new Map<string, PublishDiagnosticsParams>();
  const waiters = new Set<{ uri: string; test: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }>();
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    latest.set(params.uri, params);
    for (const waiter of [...waiters]) {
      if (waiter.uri === params.uri && waiter.test(params)) {
        waiters.delete(waiter);
        waiter.resolve(params);
      }
    }
  });
  const logs: string[] = [];
  connection.onNotification(LogMessageNotification.type, (params) => void logs.push(params.message));
  connection.listen();
  const uri = (file: string) => pathToFileURL(path.join(root, file)).toString();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(root).toString(),
    workspaceFolders: [{ uri: pathToFileURL(root).toString(), name: 'workspace' }],
    capabilities: options.capabilities ?? {
      workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ['rename'] } },
      textDocument: { completion: { completionItem: { snippetSupport: true } } },
    },
    initializationOptions: { debounceMs: options.debounceMs ?? 50 },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  const versions = new Map<string, number>();
  return {
    connection,
    child,
    root,
    uri,
    open(file, text, version = 1) {
      versions.set(file, version);
      void connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uri(file), languageId: 'ocl', version, text } });
    },
    change(file, version, changes) {
      void connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: uri(file), version }, contentChanges: changes });
    },
    close(file) {
      void connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uri(file) } });
    },
    watched(changes) {
      void connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
    },
    diagnostics: (file) => latest.get(uri(file))?.diagnostics,
    waitFor(file, test, timeoutMs = 60_000) {
      const target = uri(file);
      const known = latest.get(target);
      if (known && test(known)) return Promise.resolve(known);
      return new Promise((resolve, reject) => {
        const waiter = { uri: target, test, resolve };
        waiters.add(waiter);
        setTimeout(() => {
          if (!waiters.delete(waiter)) return;
          reject(new Error(`no matching diagnostics for ${file} within ${timeoutMs} ms; latest: ${JSON.stringify(latest.get(target)?.diagnostics.map((d) => `${d.code} ${String(d.message).split('\n')[0]}`))}\nserver stderr:\n${errors}`));
        }, timeoutMs).unref();
      });
    },
    stderr: () => errors,
    logs: () => [...logs],
    async stop() {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await connection.sendRequest(ShutdownRequest.type);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        child.kill();
      }
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}

/**
 * A server over a fresh copy of the demo hub (a Git repository with its templates and policies
 * published) for the tests of one file: started before them, stopped (exit code 0) and removed after.
 */
export function serverOnDemoHub(): { readonly dir: string; readonly client: LspClient } {
  const state: { dir: string; client: LspClient } = { dir: '', client: undefined as unknown as LspClient };
  beforeAll(async () => {
    state.dir = await demoHub();
    state.client = await startClient(state.dir);
  }, 120_000);
  afterAll(async () => {
    const code = await state.client?.stop();
    expect(code).toBe(0);
    if (state.dir) removeDir(state.dir);
  });
  return state;
}
