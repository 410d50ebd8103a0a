/**
 * Language server keystroke latency: a 5,000-line deployment process is open in `oclhub lsp` (a child
 * process, spoken to over stdio as an editor does); each keystroke is one incremental change, timed
 * from sending it to receiving the diagnostics published for that version. Baseline, in the same run:
 * `parseOcl` of the same text in this process. Goal (issue 15): a keystroke re-validates in < 50 ms.
 *   Run: npx tsx bench/lsp.ts [steps=265] [keystrokes=60]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { parseOcl } from '../src/ocl/index.js';

const STEPS = Number(process.argv[2] ?? 265);
const KEYSTROKES = Number(process.argv[3] ?? 60);
const GOAL_MS = 50;
const here = path.dirname(fileURLToPath(import.meta.url));

const step = (i: number) => `step "step-${i}" {
    name = "Step ${i}"
    properties = {
        Octopus.Action.TargetRoles = "web"
    }

    action {
        action_type = "Octopus.Script"
        environments = ["production", "staging"]
        properties = {
            Octopus.Action.RunOnServer = "true"
            Octopus.Action.Script.ScriptBody = <<-EOT
                echo "Deploying #{Octopus.Project.Name} step ${i}"
                EOT
        }
        worker_pool = "hosted-ubuntu"
    }
}
`;
const text = Array.from({ length: STEPS }, (_, i) => step(i)).join('\n');
const lineCount = text.split('\n').length;

const root = mkdtempSync(path.join(tmpdir(), 'oclhub-lsp-bench-'));
const file = path.join(root, '.octopus', 'deployment_process.ocl');
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, text);
const uri = pathToFileURL(file).toString();

const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '_lsp-server.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
const waiting = new Map<number, (p: PublishDiagnosticsParams) => void>();
connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
  if (p.uri === uri && p.version !== undefined) waiting.get(p.version)?.(p);
});
connection.listen();
const published = (version: number) => new Promise<PublishDiagnosticsParams>((resolve) => waiting.set(version, resolve));

await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(root).toString(), capabilities: {}, workspaceFolders: null });
await connection.sendNotification(InitializedNotification.type, {});
const opened = published(1);
await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'ocl', version: 1, text } });
await opened;

// Keystrokes: type a character into a step name, then delete it (the file stays valid, as while typing a word).
const target = text.indexOf('name = "Step 131"');
const before = text.slice(0, target).split('\n');
const line = before.length - 1;
const character = before[before.length - 1]!.length + 'name = "Step 131'.length;
const times: number[] = [];
let version = 1;
for (let k = 0; k < KEYSTROKES + 5; k++) {
  version++;
  const typing = k % 2 === 0;
  const range = typing ? { start: { line, character }, end: { line, character } } : { start: { line, character }, end: { line, character: character + 1 } };
  const done = published(version);
  const t = performance.now();
  await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text: typing ? 'x' : '' }] });
  const result = await done;
  const elapsed = performance.now() - t;
  if (result.diagnostics.length > 0) throw new Error(`unexpected diagnostics: ${JSON.stringify(result.diagnostics[0])}`);
  if (k >= 5) times.push(elapsed); // the first few warm the JIT
}

const parse: number[] = [];
for (let r = 0; r < 15; r++) {
  const t = performance.now();
  parseOcl(text);
  parse.push(performance.now() - t);
}

await connection.sendRequest(ShutdownRequest.type);
await connection.sendNotification(ExitNotification.type);
connection.dispose();
rmSync(root, { recursive: true, force: true });

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const pick = (values: number[], q: number) => sorted(values)[Math.min(values.length - 1, Math.floor(values.length * q))]!;
const median = pick(times, 0.5);
const p90 = pick(times, 0.9);
const parseMedian = pick(parse, 0.5);
console.log(
  `keystroke → diagnostics, ${lineCount} lines (${(text.length / 1e6).toFixed(2)} MB), ${times.length} keystrokes over stdio: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms` +
    ` = ${(median / parseMedian).toFixed(2)}x parseOcl of the same text (${parseMedian.toFixed(1)} ms, baseline); goal < ${GOAL_MS} ms: ${median < GOAL_MS ? 'met' : 'NOT met'} (median ${(median / GOAL_MS).toFixed(2)}x the goal)` +
    `; load average ${loadavg()[0]!.toFixed(1)} on this machine`,
);
