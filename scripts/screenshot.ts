/**
 * Regenerates the README's screenshot of the demo hub's overview (docs/images/overview.png): builds the
 * demo hub as `npm start` does, serves it on an ephemeral port, and photographs `/` in headless
 * Chromium (Debian's package, see test/web/browser.ts).
 *   npx tsx scripts/screenshot.ts [output.png]
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../src/api/app.js';
import { hubPort } from '../src/api/hub-port.js';
import { startServer } from '../src/api/server.js';
import { buildDemoHub } from '../src/demo/build.js';
import { findChromium, launchBrowser } from '../test/web/browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.resolve(process.argv[2] ?? path.join(root, 'docs/images/overview.png'));

const chromium = findChromium();
if ('missing' in chromium) {
  process.stderr.write(`screenshot: ${chromium.missing}\n`);
  process.exit(2);
}
const demo = await buildDemoHub();
const server = await startServer({ app: createApp(hubPort(demo.hub)), host: '127.0.0.1', port: 0 });
const browser = await launchBrowser(chromium.path, { width: 1200, height: 800 });
try {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/`);
  await page.locator('#matrix').waitFor();
  // The temporary folder's name would change the picture on every run.
  await page.locator('.hub-facts li').first().evaluate((li) => (li.textContent = 'Hub templates/demo'));
  await page.locator('h1').evaluate((h) => (h.textContent = 'Hub demo'));
  await page.screenshot({ path: output, fullPage: true });
  process.stdout.write(`wrote ${path.relative(process.cwd(), output)}\n`);
} finally {
  await browser.close();
  await server.close();
  rmSync(demo.dir, { recursive: true, force: true });
}
