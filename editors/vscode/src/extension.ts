/**
 * The VS Code client: starts `oclhub lsp --stdio` for the workspace and hands it every `.ocl` document.
 * All language smarts live in the server; this file only wires the editor to it.
 */
import { workspace, type ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const command = workspace.getConfiguration('oclhub').get<string>('path') || 'oclhub';
  const serverOptions: ServerOptions = {
    run: { command, args: ['lsp'], transport: TransportKind.stdio },
    debug: { command, args: ['lsp'], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'ocl' }],
    synchronize: { fileEvents: workspace.createFileSystemWatcher('**/*.ocl') },
  };
  client = new LanguageClient('oclhub', 'oclhub', serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
