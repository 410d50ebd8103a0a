/**
 * Assembles src/git/delta.wat with wabt (the bytes delta-wasm.ts embeds) and prints them as base64:
 *   npx tsx test/git/assemble-delta.ts
 * test/git/delta.test.ts checks the embedded bytes against this.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

export const WAT_FILE = fileURLToPath(new URL('../../src/git/delta.wat', import.meta.url));

export async function assembleDelta(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(WAT_FILE, fs.readFileSync(WAT_FILE, 'utf8'), { bulk_memory: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  console.log(Buffer.from(await assembleDelta()).toString('base64'));
}
