/**
 * The README's examples run as written against `oclhub demo`: the demo hub is built as `oclhub demo`
 * builds it, cloned as the README says (`git clone <folder> demo-hub`), and every `Example:` command
 * of the CLI reference runs in the clone without a usage or tool error; every `curl` of the HTTP API
 * section succeeds against the API served over it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPort } from '../../src/api/hub-port.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { buildDemoHub } from '../../src/demo/build.js';
import { openHub } from '../../src/hub/index.js';
import { PUBLISH_TOKEN, startApi, type Api } from '../api/helpers.js';
import { git, removeDir, tempDir } from '../git/helpers.js';
import { REPO_ROOT } from './demo-hub.js';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** Splits a command line the way a POSIX shell would for these examples: words, '…' and "…" quoting. */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]!);
}

/** `Example: \`oclhub …\`` commands; servers that run until stopped are left out. */
function cliExamples(): string[] {
  return [...README.matchAll(/Example:\s+`(oclhub [^`]+)`/g)].map((m) => m[1]!.replace(/\s+/g, ' ')).filter((c) => !/^oclhub (serve|demo)\b/.test(c));
}

/** The `curl` commands of the HTTP API section's example block (continuation lines joined). */
function curlExamples(): string[] {
  const section = README.slice(README.indexOf('## HTTP API'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.startsWith('curl '));
}

let bare: string;
let work: string;
let clone: string;

beforeAll(async () => {
  work = tempDir('oclhub-readme-');
  const demo = await buildDemoHub();
  bare = demo.dir;
  clone = path.join(work, 'demo-hub');
  git(work, ['clone', '-q', bare, 'demo-hub']);
}, 180_000);

afterAll(() => {
  removeDir(work);
  removeDir(bare);
});

describe('the README examples', () => {
  it('name what the demo has (no deploy-web where the demo has deploy-web-app)', () => {
    expect(README).not.toMatch(/deploy-web(?![-\w])/);
    expect(cliExamples().length).toBeGreaterThanOrEqual(10);
  });

  it('every CLI example runs in a clone of the demo hub without a usage or tool error', async () => {
    for (const example of cliExamples()) {
      const argv = words(example).slice(1);
      const redirect = argv.indexOf('>');
      const target = redirect >= 0 ? argv[redirect + 1] : undefined;
      if (redirect >= 0) argv.splice(redirect, 2);
      const io = memoryIo(clone);
      const code = await main(argv, io);
      const stderr = io.err.join('');
      expect({ example, code, stderr: code === 2 ? stderr : '' }).toEqual({ example, code: expect.any(Number), stderr: '' });
      expect([0, 1], `${example}\n${stderr}`).toContain(code);
      if (target !== undefined) fs.writeFileSync(path.join(clone, target), io.out.join(''));
    }
    // The examples that write files wrote what they say.
    expect(JSON.parse(fs.readFileSync(path.join(clone, 'process.json'), 'utf8'))).toBeTypeOf('object');
    expect((JSON.parse(fs.readFileSync(path.join(clone, 'lint.sarif'), 'utf8')) as { version: string }).version).toBe('2.1.0');
  }, 180_000);

  it('every curl example of the HTTP API succeeds against the API over the demo hub', async () => {
    const hub = (await openHub({ dir: clone })).hub!;
    const api: Api = await startApi(hubPort(hub, { tagTtlMs: 0 }));
    const examples = curlExamples();
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const example of examples) {
      const args = words(example);
      let method = 'GET';
      let url = '';
      let body: string | undefined;
      const headers: Record<string, string> = {};
      for (let i = 1; i < args.length; i++) {
        const arg = args[i]!;
        if (arg === '-s') continue;
        if (arg === '-X') method = args[++i]!;
        else if (arg === '-H') {
          const [name, ...value] = args[++i]!.split(':');
          headers[name!.trim()] = value.join(':').trim().replace('$OCLHUB_TOKEN', PUBLISH_TOKEN);
        } else if (arg === '-d') body = args[++i]!;
        else url = arg.replace(/^localhost:8080/, api.url);
      }
      const response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
      expect({ example, status: response.status }).toEqual({ example, status: response.status >= 200 && response.status < 300 ? response.status : 200 });
    }
  }, 120_000);
});
