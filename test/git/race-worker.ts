// Child process for the cross-process race tests: waits for a start signal file, then creates a tag or
// commits to a branch through its own GitStore and prints the outcome as JSON.
import * as fs from 'node:fs';
import { GitStoreError, openRepository } from '../../src/git/index.js';

const [mode, dir, signal, name, expectedOid, label] = process.argv.slice(2) as [string, string, string, string, string, string];

async function main(): Promise<void> {
  const store = await openRepository({ dir });
  fs.writeFileSync(`${signal}.ready-${label}`, '');
  while (!fs.existsSync(signal)) await new Promise((resolve) => setTimeout(resolve, 1));
  const identity = { name: `Worker ${label}`, email: `${label}@example.com` };
  try {
    if (mode === 'tag') {
      const tag = await store.createTag({ name, target: 'main', message: `by ${label}`, tagger: identity });
      console.log(JSON.stringify({ ok: true, oid: tag.oid }));
    } else {
      const result = await store.commitChanges({
        branch: name,
        expectedOid,
        changes: [{ path: `by-${label}.txt`, content: `${label}\n` }],
        message: `commit by ${label}`,
        author: identity,
      });
      console.log(JSON.stringify({ ok: true, oid: result.oid }));
    }
  } catch (error) {
    if (!(error instanceof GitStoreError)) throw error;
    console.log(JSON.stringify({ ok: false, code: error.code, message: error.message }));
  }
}

await main();
