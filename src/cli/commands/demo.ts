/**
 * `oclhub demo [--host 127.0.0.1] [--port 8080]` (what `npm start` runs): builds the embedded demo hub
 * (templates/demo as a Git repository with published template and policy versions) in a temporary
 * folder and serves the HTTP API and the web pages over it, printing the pages' URL and example
 * requests. No set-up needed.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import { buildDemoHub, DemoBuildError } from '../../demo/build.js';
import { renderDiagnostics } from '../../report/text.js';
import { EXIT_USAGE, type CliIo } from '../io.js';
import type { RegisterCommand } from '../main.js';
import { runServe, type ServeHooks } from './serve.js';

export interface DemoCommandOptions {
  host: string;
  port: number;
}

export const registerDemo: RegisterCommand = (program, ctx) => {
  program
    .command('demo')
    .description('build the embedded demo hub in a temporary folder and serve the HTTP API over it')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8080)
    .action(async (options: DemoCommandOptions) => {
      ctx.setExitCode(await runDemo(options, ctx.io));
    });
};

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return port;
}

export async function runDemo(options: DemoCommandOptions, io: CliIo, hooks: ServeHooks = {}): Promise<number> {
  io.stdout('Building the demo hub (templates/demo) ...\n');
  let demo;
  try {
    demo = await buildDemoHub();
  } catch (error) {
    if (!(error instanceof DemoBuildError)) throw error;
    io.stderr(`oclhub demo: ${error.message}\n${renderDiagnostics(error.diagnostics, { colors: io.colors })}`);
    return EXIT_USAGE;
  }
  // A fresh token per run, so the example publish request works and nothing guessable is accepted.
  const token = randomBytes(18).toString('base64url');
  const tokenFile = path.join(demo.dir, 'oclhub-demo-tokens');
  await writeFile(tokenFile, `${token} read,publish demo <demo@oclhub.invalid>\n`, { mode: 0o600 });
  io.stdout(`Demo hub repository: ${demo.dir}\nPublished: ${demo.published.join(', ')}\n`);
  try {
    return await runServe({ hub: demo.dir, host: options.host, port: options.port, tokenFile }, io, {
      ...hooks,
      onListening(server) {
        io.stdout(examples(server.url, token));
        hooks.onListening?.(server);
      },
    });
  } finally {
    await rm(demo.dir, { recursive: true, force: true });
  }
}

function examples(url: string, token: string): string {
  return [
    '',
    `Open the pages in a browser: ${url}/  (compliance matrix, projects, templates, policies, diff; API docs at ${url}/docs)`,
    '',
    'Try:',
    `  curl -s ${url}/api/health`,
    `  curl -s ${url}/api/process-templates`,
    `  curl -s ${url}/api/process-templates/deploy-web-app/versions`,
    `  curl -s ${url}/api/process-templates/deploy-web-app/releases`,
    `  curl -s ${url}/api/projects/storefront/process`,
    `  curl -s '${url}/api/projects/reporting/input?environment=production'`,
    '  # The pre-deployment gate: reporting may not deploy to production (HTTP 200, "decision": "blocked")',
    `  curl -s -X POST ${url}/api/evaluations -H 'Content-Type: application/json' -d '{"project":"reporting","environment":"production"}'`,
    `  curl -s -X POST ${url}/api/evaluations -H 'Content-Type: application/json' -d '{"project":"storefront","environment":"production","release":{"version":"1.4.0"}}'`,
    `  curl -s ${url}/api/compliance`,
    `  curl -s '${url}/api/diff?from=process-templates/deploy-web-app/v1.0.0&to=main'`,
    `  curl -s -X POST ${url}/api/policies/no_disabled_steps/activation -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"version":"1.0.0"}'`,
    `  curl -s -X POST ${url}/api/process-templates/manual-approval/versions -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"bump":"patch","dryRun":true}'`,
    `  curl -s ${url}/openapi.json`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
