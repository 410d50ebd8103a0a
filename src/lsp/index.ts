/** The language server behind `oclhub lsp`: see server.ts. */
import type { Readable, Writable } from 'node:stream';
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { startServer, type ServerOptions } from './server.js';

export { startServer, type ServerOptions, type LspContext } from './server.js';

/** Serves LSP on a pair of streams until the client closes them or sends `exit`. */
export function runLanguageServer(input: Readable, output: Writable, options: ServerOptions = {}): Promise<void> {
  const connection = createConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    input.once('end', () => resolve());
    input.once('close', () => resolve());
    startServer(connection, options);
  });
}
