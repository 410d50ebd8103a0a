/** `oclhub demo` (npm start): builds the demo hub, serves it, and every printed example request works. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { runDemo } from '../../src/cli/commands/demo.js';

interface Example {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Reads the `curl -s [-X M] URL [-H 'k: v']... [-d 'body']` lines the demo prints. */
function parseCurlLines(text: string): Example[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('curl '))
    .map((line) => {
      const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      const example: Example = { method: 'GET', url: '', headers: {} };
      for (let i = 1; i < words.length; i++) {
        const word = words[i]!;
        if (word === '-s') continue;
        if (word === '-X') example.method = words[++i]!;
        else if (word === '-H') {
          const [name, ...value] = words[++i]!.split(':');
          example.headers[name!.trim()] = value.join(':').trim();
        } else if (word === '-d') example.body = words[++i]!;
        else example.url = word;
      }
      return example;
    });
}

describe('oclhub demo', () => {
  it('serves the demo hub and the printed curl commands succeed', async () => {
    const io = memoryIo();
    const shutdown = new AbortController();
    let demoDir = '';
    let checks: Promise<void> | undefined;
    const check = async () => {
      demoDir = /Demo hub repository: (\S+)/.exec(io.text())?.[1] ?? '';
      const examples = parseCurlLines(io.text());
      try {
        // The pages' URL comes before the example requests, and serves the overview.
        const pages = /Open the pages in a browser: (\S+)/.exec(io.text())?.[1];
        expect(pages, 'the demo prints the pages\' URL').toBeDefined();
        expect(io.text().indexOf(pages!)).toBeLessThan(io.text().indexOf('curl '));
        const overview = await fetch(pages!);
        expect(overview.status).toBe(200);
        expect(await overview.text()).toContain('Compliance matrix');
        expect(examples.length).toBeGreaterThanOrEqual(6);
        for (const example of examples) {
          const response = await fetch(example.url, { method: example.method, headers: example.headers, ...(example.body ? { body: example.body } : {}) });
          expect({ url: example.url, status: response.status }).toEqual({ url: example.url, status: 200 });
          expect(response.headers.get('content-type')).toMatch(/json/);
        }
        const releases = (await (await fetch(examples.find((e) => e.url.endsWith('/releases'))!.url)).json()) as { releases: Array<{ version: string }> };
        expect(releases.releases.map((r) => r.version)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
        // The gate examples: reporting violates a blocking policy, storefront complies.
        const gate = async (project: string) => {
          const example = examples.find((e) => e.url.endsWith('/api/evaluations') && e.body?.includes(`"${project}"`))!;
          return ((await (await fetch(example.url, { method: 'POST', headers: example.headers, body: example.body! })).json()) as { decision: string }).decision;
        };
        expect(await gate('reporting')).toBe('blocked');
        expect(await gate('storefront')).toBe('allowed');
      } finally {
        shutdown.abort();
      }
    };
    const finished = runDemo({ host: '127.0.0.1', port: 0 }, io, {
      handleSignals: false,
      shutdown: shutdown.signal,
      onListening() {
        checks = check();
      },
    });
    expect(await finished).toBe(0);
    expect(checks, 'the server never listened').toBeDefined();
    await checks;
    expect(demoDir).not.toBe('');
    expect(existsSync(demoDir)).toBe(false);
  });
});
