/**
 * `oclhub lsp [--stdio]`: the language server for OCL and the Rego in policies, speaking LSP on
 * stdin/stdout (editors start it; `--stdio` is accepted because clients pass it). Runs until the client
 * sends `exit` or closes the stream. Logs go to stderr; stdout carries only the protocol.
 */
import type { RegisterCommand } from '../main.js';
import { EXIT_OK } from '../io.js';

export const registerLsp: RegisterCommand = (program, ctx) => {
  program
    .command('lsp')
    .description('run the language server (LSP over stdio) for editors: diagnostics, formatting, completion, hover, navigation, quick fixes')
    .option('--stdio', 'talk LSP over stdin/stdout (the default and only transport)')
    .action(async () => {
      const { runLanguageServer } = await import('../../lsp/index.js');
      await runLanguageServer(process.stdin, process.stdout);
      ctx.setExitCode(EXIT_OK);
    });
};
