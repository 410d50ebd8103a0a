/**
 * Conditional publish across servers: two real `oclhub serve` processes on one hub repository, and
 * rounds of concurrent `{ bump: "patch", version: <next> }` requests to both. Each round must create
 * exactly the version asked for, exactly once (one 201, every other answer 409), and no other version:
 * the expected version is checked under the template's repository lock, atomically with the tag.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, removeDir, tempDir } from '../git/helpers.js';
import { buildHub, PUBLISH_TOKEN, TOKEN_FILE } from './helpers.js';
import { serveProcess } from './serve-process.js';

const ROUNDS = 10;
const REQUESTS_PER_SERVER = 10;
/** Requests start spread over this many ms, so that one server's check and tag straddle the other's. */
const SPREAD_MS = 60;

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function serve(dir: string, tokens: string): Promise<string> {
  const { child, url } = await serveProcess(dir, tokens);
  children.push(child);
  return url;
}

describe('two server processes publishing the same template', () => {
  let dir: string;
  let urls: string[];
  beforeAll(async () => {
    dir = buildHub().dir;
    const tokenDir = tempDir('oclhub-race-tokens-');
    const tokens = path.join(tokenDir, 'tokens');
    writeFileSync(tokens, TOKEN_FILE);
    urls = await Promise.all([serve(dir, tokens), serve(dir, tokens)]);
    removeDir(tokenDir);
  }, 60_000);

  it('creates exactly the expected version once per round, and nothing else', async () => {
    const before = git(dir, ['tag', '-l']).trim().split('\n');
    const created: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const expected = `1.1.${round}`;
      const post = async (url: string) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * SPREAD_MS));
        const response = await fetch(`${url}/api/process-templates/deploy-web/versions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PUBLISH_TOKEN}` },
          body: JSON.stringify({ bump: 'patch', version: expected, notes: `round ${round}` }),
        });
        return { status: response.status, body: (await response.json()) as { version?: string; code?: string } };
      };
      const answers = await Promise.all(urls.flatMap((url) => Array.from({ length: REQUESTS_PER_SERVER }, () => post(url))));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 201), `round ${round}: ${JSON.stringify(statuses)}`).toHaveLength(1);
      expect(statuses.filter((s) => s !== 201 && s !== 409), `round ${round}`).toEqual([]);
      expect(answers.find((a) => a.status === 201)!.body.version).toBe(expected);
      for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.code).toBe('TPL203');
      created.push(`process-templates/deploy-web/v${expected}`);
    }
    const after = git(dir, ['tag', '-l']).trim().split('\n');
    expect(after.filter((t) => !before.includes(t)).sort()).toEqual(created.sort());
    expect(git(dir, ['fsck', '--strict', '--no-dangling']).trim()).toBe('');
  }, 120_000);
});
