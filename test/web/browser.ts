/**
 * A real headless Chromium for the page tests and the README screenshot: Debian's `chromium` package
 * (`.ci/run` installs it when missing) driven by playwright-core, with a fresh profile each launch and
 * nothing that reaches the network on its own. `findChromium()` says why there is no browser, so tests
 * can skip with that reason instead of failing on a machine without one.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The browser's path, or why there is none. */
export function findChromium(): { path: string } | { missing: string } {
  const explicit = process.env['OCLHUB_CHROMIUM'];
  if (explicit) return existsSync(explicit) ? { path: explicit } : { missing: `OCLHUB_CHROMIUM=${explicit} does not exist` };
  const found = CHROMIUM_PATHS.find((p) => existsSync(p));
  return found ? { path: found } : { missing: `no Chromium at ${CHROMIUM_PATHS.join(' or ')} (apt-get install chromium)` };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data folder, removed again on close. */
export async function launchBrowser(executablePath: string, options: { width?: number; height?: number } = {}): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'oclhub-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ARGS,
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
