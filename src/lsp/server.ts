/**
 * The language server (`oclhub lsp`): LSP over a connection (stdio from the CLI), composed from one
 * module per feature. Every handler is guarded: bad input — broken documents, positions past the end,
 * files deleted under the server — gives an empty answer, never a crash; a request that an edit overtook
 * fails with `ContentModified` (content-changes.ts) instead of answering for a text the client left.
 *
 * Diagnostics flow: a change re-analyses the changed file at once (analysis.ts, cached per file) and
 * publishes it with the latest workspace findings; the workspace pass (crossfile.ts) runs once edits
 * settle and is cancelled by the next edit. Rule settings of the workspace's `oclhub.ocl` apply to
 * everything published; findings they turn off are shown as hints, never dropped silently.
 */
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import {
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from '../diagnostics.js';
import { ruleSettingsApplier } from '../model/rule-settings.js';
import type { HubConfigDocument } from '../model/types.js';
import { AnalysisCache, ruleSettingsOf, schemaVersionFiles, type FileAnalysis } from './analysis.js';
import { codeActions } from './code-actions.js';
import { ContentChanges } from './content-changes.js';
import { complete } from './completion.js';
import { toLspDiagnostic } from './convert.js';
import { Cancelled, workspacePass, type WorkspacePassResult } from './crossfile.js';
import { formatDocument, formatRange } from './formatting.js';
import { HubAccess } from './hub-access.js';
import { hover } from './hover.js';
import { definition, references } from './navigation.js';
import { uriToFsPath } from './paths.js';
import { bomShift } from './positions.js';
import { documentSymbols, foldingRanges } from './symbols.js';
import { Workspace } from './workspace.js';

export interface ServerOptions {
  /** Quiet time after the last edit before the workspace pass runs (ms). */
  debounceMs?: number;
}

/** What feature modules read: files, their analyses, the hub and the latest workspace findings. */
export interface LspContext {
  readonly workspace: Workspace;
  readonly hub: HubAccess;
  /** The analysis of a file as the editor (or the disk) has it now; undefined when it cannot be read. */
  analysis(file: string): Promise<FileAnalysis | undefined>;
  config(): Promise<HubConfigDocument | undefined>;
  lastPass(): WorkspacePassResult | undefined;
  /** The last analysis of a file, without reading or analysing anything. */
  cached(file: string): FileAnalysis | undefined;
  /** The workspace path of a document URI (undefined for non-file URIs). */
  fileOf(uri: string): string | undefined;
  /** Whether the client takes snippets in completions. */
  readonly snippets: boolean;
}

const CONFIG_FILE = 'oclhub.ocl';

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  let workspace = new Workspace(undefined);
  let hubAccess = new HubAccess(undefined);
  const cache = new AnalysisCache();
  const changes = new ContentChanges();
  let debounceMs = options.debounceMs ?? 300;
  let watchFiles = false;
  let snippets = false;
  let pass: WorkspacePassResult | undefined;
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: { cancelled: boolean } | undefined;
  const published = new Set<string>();
  /** What was last sent per URI, so an unchanged file is not sent again after every workspace pass. */
  const lastSent = new Map<string, string>();
  const pendingFiles = new Set<string>();
  let flushScheduled = false;

  const log = (message: string) => connection.console.error(`oclhub lsp: ${message}`);

  const schemaVersionText = async (file: string): Promise<string | undefined> => {
    for (const candidate of schemaVersionFiles(file)) {
      if (candidate === file) return undefined;
      const text = await workspace.text(candidate);
      if (text !== undefined) return text;
    }
    return undefined;
  };

  const context: LspContext = {
    get workspace() {
      return workspace;
    },
    get hub() {
      return hubAccess;
    },
    async analysis(file) {
      const text = await workspace.text(file);
      if (text === undefined) {
        cache.forget(file);
        return undefined;
      }
      return cache.get(file, text, await schemaVersionText(file));
    },
    async config() {
      const analysis = await context.analysis(CONFIG_FILE);
      const document = analysis?.result.document;
      return document?.kind === 'oclhub' ? document : undefined;
    },
    lastPass: () => pass,
    cached: (file) => cache.peek(file),
    get snippets() {
      return snippets;
    },
    fileOf(uri) {
      const fsPath = uriToFsPath(uri);
      return fsPath === undefined ? undefined : workspace.pathOf(fsPath);
    },
  };

  /** Publishes one file: its own findings and the workspace pass's, through the rule settings. */
  const publish = async (file: string, config: HubConfigDocument | undefined): Promise<void> => {
    const analysis = await context.analysis(file);
    const uri = workspace.uriOf(file);
    if (!analysis) {
      lastSent.delete(uri);
      if (published.delete(uri)) await connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    const own: Diagnostic[] = [...analysis.diagnostics, ...(pass?.byFile.get(file) ?? [])];
    const settings = ruleSettingsApplier(ruleSettingsOf(config), { file: CONFIG_FILE });
    const { diagnostics, suppressed } = settings(own);
    const shift = bomShift(analysis.text);
    const uriOf = (f: string) => workspace.uriOf(f);
    const lsp = [...diagnostics.map((d) => toLspDiagnostic(d, shift, uriOf)), ...suppressed.map((d) => toLspDiagnostic(d, shift, uriOf, true))];
    if (lsp.length === 0 && !published.has(uri) && !workspace.isOpen(file)) return;
    if (lsp.length > 0) published.add(uri);
    else published.delete(uri);
    const version = workspace.overlay(file)?.version;
    const key = `${version ?? ''}\u0000${JSON.stringify(lsp)}`;
    if (lastSent.get(uri) === key) return;
    lastSent.set(uri, key);
    await connection.sendDiagnostics({ uri, ...(version !== undefined ? { version } : {}), diagnostics: lsp });
  };

  const flush = async () => {
    flushScheduled = false;
    const files = [...pendingFiles];
    pendingFiles.clear();
    const config = await context.config();
    for (const file of files) await publish(file, config);
  };

  const validateSoon = (file: string) => {
    pendingFiles.add(file);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => void flush().catch((e) => log(`diagnostics: ${String(e)}`)));
  };

  const runPass = async (token: { cancelled: boolean }) => {
    const analyses: FileAnalysis[] = [];
    for (const file of workspace.files()) {
      if (token.cancelled) return;
      const analysis = await context.analysis(file);
      if (analysis) analyses.push(analysis);
      await yieldToEvents();
    }
    const config = await context.config();
    const catalog = await hubAccess.freshCatalog().catch(() => undefined);
    let result: WorkspacePassResult;
    try {
      result = await workspacePass({ analyses, config, catalog, token });
    } catch (error) {
      if (error instanceof Cancelled) return;
      throw error;
    }
    if (token.cancelled) return;
    pass = result;
    for (const analysis of analyses) {
      if (token.cancelled) return;
      await publish(analysis.file, config);
    }
    for (const uri of [...published]) {
      const file = context.fileOf(uri);
      if (file !== undefined && !analyses.some((a) => a.file === file)) await publish(file, config);
    }
  };

  const scheduleWorkspacePass = () => {
    generation++;
    if (running) running.cancelled = true;
    if (timer) clearTimeout(timer);
    const mine = generation;
    timer = setTimeout(() => {
      timer = undefined;
      if (mine !== generation) return;
      const token = { cancelled: false };
      running = token;
      void runPass(token)
        .catch((e) => log(`workspace pass: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
        .finally(() => {
          if (running === token) running = undefined;
        });
    }, debounceMs);
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const root = folder ? uriToFsPath(folder) : (params.rootPath ?? undefined);
    workspace = new Workspace(root ?? undefined);
    hubAccess = new HubAccess(root ?? undefined);
    const init = (params.initializationOptions ?? {}) as { debounceMs?: unknown };
    if (typeof init.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        completionProvider: { triggerCharacters: ['"', '=', '{', '.', ' ', '['], resolveProvider: false },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
      },
      serverInfo: { name: 'oclhub' },
    };
  });

  connection.onInitialized(() => {
    if (watchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.ocl' }] }).catch(() => undefined);
    }
    void workspace
      .scan()
      .catch((e) => log(`scan: ${String(e)}`))
      .finally(scheduleWorkspacePass);
  });

  const track = (document: TextDocument) => {
    changes.changed();
    const file = context.fileOf(document.uri);
    if (file === undefined) return undefined;
    workspace.open(file, { text: document.getText(), version: document.version });
    return file;
  };

  documents.onDidOpen(({ document }) => {
    const file = track(document);
    if (file === undefined) return;
    validateSoon(file);
    scheduleWorkspacePass();
  });
  documents.onDidChangeContent(({ document }) => {
    const file = track(document);
    if (file === undefined) return;
    validateSoon(file);
    scheduleWorkspacePass();
  });
  documents.onDidClose(({ document }) => {
    changes.changed();
    const file = context.fileOf(document.uri);
    if (file === undefined) return;
    workspace.close(file);
    workspace.diskChanged(file, false);
    validateSoon(file);
    scheduleWorkspacePass();
  });

  connection.onDidChangeWatchedFiles(({ changes: watched }) => {
    changes.changed();
    for (const change of watched) {
      const file = context.fileOf(change.uri);
      if (file === undefined) continue;
      workspace.diskChanged(file, change.type === FileChangeType.Deleted);
      if (!workspace.isOpen(file)) validateSoon(file);
    }
    scheduleWorkspacePass();
  });

  const guard =
    <P, R>(what: string, fallback: R, handler: (params: P) => Promise<R> | R) =>
    (params: P): Promise<R> =>
      changes.answer(async () => {
        try {
          return await handler(params);
        } catch (error) {
          log(`${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          return fallback;
        }
      });

  connection.onDocumentFormatting(guard('formatting', null, (params) => formatDocument(context, params)));
  connection.onDocumentRangeFormatting(guard('range formatting', null, (params) => formatRange(context, params)));
  connection.onCompletion(guard('completion', null, (params) => complete(context, params)));
  connection.onHover(guard('hover', null, (params) => hover(context, params)));
  connection.onDefinition(guard('definition', null, (params) => definition(context, params)));
  connection.onReferences(guard('references', null, (params) => references(context, params)));
  connection.onDocumentSymbol(guard('symbols', null, (params) => documentSymbols(context, params)));
  connection.onFoldingRanges(guard('folding', null, (params) => foldingRanges(context, params)));
  connection.onCodeAction(guard('code actions', null, (params) => codeActions(context, params)));

  documents.listen(connection);
  connection.listen();
}
