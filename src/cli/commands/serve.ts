/**
 * `oclhub serve [--hub DIR|URL#REF] [--host 127.0.0.1] [--port 8080] [--token-file FILE] [--auth-reads] [--cors ORIGIN]
 *  [--allowed-host HOST]... [--headers-timeout S] [--request-timeout S] [--log-format text|json] [--no-metrics]
 *  [--replica-of REMOTE [--clone DIR]]`:
 * serves the HTTP API over a hub, one log line per request (a JSON object each with `--log-format json`)
 * and Prometheus metrics at /metrics, until SIGINT/SIGTERM; then it stops accepting connections, lets
 * in-flight requests finish and exits 0.
 */
import path from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { createApp } from '../../api/app.js';
import { hubPort, type FacadePort } from '../../api/hub-port.js';
import { replicaPort } from '../../api/replica-port.js';
import { createApiMetrics } from '../../api/metrics.js';
import { jsonLogLine } from '../../api/middleware/json-logger.js';
import { startServer, type RunningServer } from '../../api/server.js';
import { readTokenFile, type TokenEntry } from '../../api/tokens.js';
import { createHash } from 'node:crypto';
import { openReplica, type Hub } from '../../hub/index.js';
import { addHubOptions, cacheDirFor, openHubForCli, type HubCliOptions } from '../hub-option.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';

export interface ServeCommandOptions extends HubCliOptions {
  host: string;
  port: number;
  tokenFile?: string;
  authReads?: boolean;
  cors?: string;
  logFormat?: 'text' | 'json';
  /** False with --no-metrics. */
  metrics?: boolean;
  /** Host names answered besides the loopback ones (DNS-rebinding guard). */
  allowedHost?: string[];
  /** Seconds a client may take to send the request headers / the whole request. */
  headersTimeout?: number;
  requestTimeout?: number;
  /** Serve as one of several replicas over this hub remote (docs/topology.md). */
  replicaOf?: string;
  /** The replica's own clone of the remote (created on first start). */
  clone?: string;
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
    .addOption(new Option('--log-format <format>', 'request log lines: text, or one JSON object per line').choices(['text', 'json']).default('text'))
    .option('--no-metrics', 'do not serve Prometheus metrics at /metrics')
    .option('--allowed-host <host>', 'answer requests for this Host name too (repeatable; on a loopback address only loopback names are answered by default; * for any)', collect, [])
    .option('--headers-timeout <seconds>', 'seconds a client may take to send the request headers', parseSeconds, 20)
    .option('--request-timeout <seconds>', 'seconds a client may take to send the whole request', parseSeconds, 30)
    .option('--replica-of <remote>', 'serve as one of several stateless replicas over this hub remote (any URL or path git clones): reads follow it, publish and activation are pushed to it (docs/topology.md)')
    .option('--clone <dir>', 'with --replica-of: this replica\'s own clone of the remote (default: <cache dir>/replicas/<hash of the remote>)')
    .action(async (options: ServeCommandOptions) => {
      ctx.setExitCode(await runServe(options, ctx.io));
    });
};

/** A replica's clone when --clone is not given: one folder per remote under the cache folder. */
function defaultCloneDir(options: ServeCommandOptions, io: CliIo, remote: string): string {
  return path.join(cacheDirFor(options, io), 'replicas', createHash('sha256').update(remote).digest('hex').slice(0, 16));
}

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
  const json = options.logFormat === 'json';
  // The server's own messages: plain lines, or JSON records like the request log.
  const say = (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}) => {
    const line = json ? jsonLogLine(level, message, fields) : level === 'info' ? message : `oclhub serve: ${message}`;
    if (level === 'info') io.stdout(`${line}\n`);
    else io.stderr(`${line}\n`);
  };
  let tokens: TokenEntry[] = [];
  if (options.tokenFile !== undefined) {
    const read = await readTokenFile(path.resolve(io.cwd, options.tokenFile));
    for (const error of read.errors) say('error', error);
    if (read.errors.length > 0) return EXIT_USAGE;
    tokens = read.tokens;
  }
  if (options.replicaOf !== undefined && options.hub !== undefined) {
    say('error', '--replica-of and --hub name the hub twice: a replica serves its own clone of the remote');
    return EXIT_USAGE;
  }
  if (options.clone !== undefined && options.replicaOf === undefined) {
    say('error', '--clone is the clone of a replica: give --replica-of <remote> too');
    return EXIT_USAGE;
  }
  const metrics = options.metrics === false ? undefined : createApiMetrics();
  const portOptions = metrics ? { observer: metrics } : {};
  let port: FacadePort;
  let hub: Hub;
  let stopPort = () => {};
  if (options.replicaOf !== undefined) {
    const dir = path.resolve(io.cwd, options.clone ?? defaultCloneDir(options, io, options.replicaOf));
    const opened = await openReplica({ remote: options.replicaOf, dir });
    if (!opened.replica) {
      for (const d of opened.diagnostics) say('error', `cannot serve a replica of ${options.replicaOf}: ${d.summary}`);
      return EXIT_USAGE;
    }
    const replica = replicaPort(opened.replica, { ...portOptions, onSyncError: (error) => say('warn', `cannot sync with ${options.replicaOf}: ${error instanceof Error ? error.message : String(error)}`) });
    port = replica;
    hub = opened.replica.hub;
    stopPort = () => replica.close();
  } else {
    const opened = await openHubForCli(options, io, 'serve');
    if (!opened) return EXIT_USAGE;
    hub = opened;
    port = hubPort(hub, portOptions);
  }
  for (const d of hub.configDiagnostics) say(d.severity === 'error' ? 'error' : 'warn', `${d.severity} ${d.code}: ${d.file ? `${d.file}: ` : ''}${d.summary}`, json ? { diagnostic: d } : {});
  if (tokens.length === 0) say('warn', 'no --token-file: publishing and activation are refused (401)');

  const log = (line: string) => io.stdout(`${line}\n`);
  const app = createApp(port, {
    tokens,
    ...(options.authReads ? { authReads: true } : {}),
    ...(options.cors !== undefined ? { cors: options.cors } : {}),
    ...(metrics ? { metrics } : {}),
    log,
    logFormat: json ? 'json' : 'text',
    logError: (message) => (json ? say('error', message) : io.stderr(`${message}\n`)),
  });
  let server: RunningServer;
  try {
    // Requests refused before reaching the app are logged by the server, as text lines.
    server = await startServer({
      app,
      host: options.host,
      port: options.port,
      log: json ? (line) => say('info', line) : log,
      ...(options.allowedHost && options.allowedHost.length > 0 ? { allowedHosts: options.allowedHost } : {}),
      ...(options.headersTimeout !== undefined ? { headersTimeoutMs: options.headersTimeout * 1000 } : {}),
      ...(options.requestTimeout !== undefined ? { requestTimeoutMs: options.requestTimeout * 1000 } : {}),
    });
  } catch (error) {
    say('error', `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
    stopPort();
    return EXIT_USAGE;
  }
  say('info', `oclhub serving ${options.replicaOf !== undefined ? `a replica of ${options.replicaOf} (clone ${hub.location})` : hub.location} at ${server.url} (OpenAPI: ${server.url}/openapi.json${metrics ? `, metrics: ${server.url}/metrics` : ''})`, { hub: hub.location, url: server.url });
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
  say('info', 'oclhub serve: shutting down (waiting for in-flight requests)');
  await server.close();
  stopPort();
  say('info', 'oclhub serve: stopped');
  return EXIT_OK;
}
