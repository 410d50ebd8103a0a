/**
 * `oclhub serve [--hub DIR|URL#REF] [--host 127.0.0.1] [--port 8080] [--token-file FILE] [--auth-reads] [--cors ORIGIN]
 *  [--allowed-host HOST]... [--headers-timeout S] [--request-timeout S]`:
 * serves the HTTP API over a hub, one log line per request, until SIGINT/SIGTERM; then it stops
 * accepting connections, lets in-flight requests finish and exits 0.
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { createApp } from '../../api/app.js';
import { hubPort } from '../../api/hub-port.js';
import { startServer, type RunningServer } from '../../api/server.js';
import { readTokenFile, type TokenEntry } from '../../api/tokens.js';
import { addHubOptions, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface ServeCommandOptions extends HubCliOptions {
  host: string;
  port: number;
  tokenFile?: string;
  authReads?: boolean;
  cors?: string;
  /** Host names answered besides the loopback ones (DNS-rebinding guard). */
  allowedHost?: string[];
  /** Seconds a client may take to send the request headers / the whole request. */
  headersTimeout?: number;
  requestTimeout?: number;
}

export interface ServeHooks {
  /** Stops the server like SIGTERM does (tests). */
  shutdown?: AbortSignal;
  /** Called once the server listens. */
  onListening?(server: RunningServer): void;
  /** Listen for SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
}

export const registerServe: RegisterCommand = (program, ctx) => {
  const command = program
    .command('serve')
    .description('serve the HTTP API (JSON, OpenAPI at /openapi.json) over a hub repository');
  addHubOptions(command)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
    .option('--token-file <file>', 'bearer tokens, one per line: <token> <scope>[,<scope>...] [Name <email>]')
    .option('--auth-reads', 'require a token with the read scope for reads too')
    .option('--cors <origin>', 'allow cross-origin requests from this origin')
    .option('--allowed-host <host>', 'answer requests for this Host name too (repeatable; on a loopback address only loopback names are answered by default; * for any)', collect, [])
    .option('--headers-timeout <seconds>', 'seconds a client may take to send the request headers', parseSeconds, 20)
    .option('--request-timeout <seconds>', 'seconds a client may take to send the whole request', parseSeconds, 30)
    .action(async (options: ServeCommandOptions) => {
      ctx.setExitCode(await runServe(options, ctx.io));
    });
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > 3600) throw new InvalidArgumentError('expected a number of seconds (0-3600)');
  return seconds;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return port;
}

export async function runServe(options: ServeCommandOptions, io: CliIo, hooks: ServeHooks = {}): Promise<number> {
  let tokens: TokenEntry[] = [];
  if (options.tokenFile !== undefined) {
    const read = await readTokenFile(path.resolve(io.cwd, options.tokenFile));
    for (const error of read.errors) io.stderr(`oclhub serve: ${error}\n`);
    if (read.errors.length > 0) return EXIT_USAGE;
    tokens = read.tokens;
  }
  const hub = await openHubForCli(options, io, 'serve');
  if (!hub) return EXIT_USAGE;
  for (const d of hub.configDiagnostics) io.stderr(`oclhub serve: ${d.severity} ${d.code}: ${d.file ? `${d.file}: ` : ''}${d.summary}\n`);
  if (tokens.length === 0) io.stderr('oclhub serve: no --token-file: publishing and activation are refused (401)\n');

  const log = (line: string) => io.stdout(`${line}\n`);
  const app = createApp(hubPort(hub), {
    tokens,
    ...(options.authReads ? { authReads: true } : {}),
    ...(options.cors !== undefined ? { cors: options.cors } : {}),
    log,
    logError: (message) => io.stderr(`${message}\n`),
  });
  let server: RunningServer;
  try {
    server = await startServer({
      app,
      host: options.host,
      port: options.port,
      log,
      ...(options.allowedHost && options.allowedHost.length > 0 ? { allowedHosts: options.allowedHost } : {}),
      ...(options.headersTimeout !== undefined ? { headersTimeoutMs: options.headersTimeout * 1000 } : {}),
      ...(options.requestTimeout !== undefined ? { requestTimeoutMs: options.requestTimeout * 1000 } : {}),
    });
  } catch (error) {
    io.stderr(`oclhub serve: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  io.stdout(`oclhub serving ${hub.location} at ${server.url} (OpenAPI: ${server.url}/openapi.json)\n`);
  hooks.onListening?.(server);

  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  if (hooks.handleSignals !== false) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  if (hooks.shutdown?.aborted) stop();
  hooks.shutdown?.addEventListener('abort', stop, { once: true });
  await stopped;
  // Leave no handler behind: a second signal then ends the process the usual way.
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  io.stdout('oclhub serve: shutting down (waiting for in-flight requests)\n');
  await server.close();
  io.stdout('oclhub serve: stopped\n');
  return EXIT_OK;
}
