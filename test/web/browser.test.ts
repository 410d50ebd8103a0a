/**
 * The pages in a real headless Chromium (Debian's package through playwright-core) against the real
 * server over the demo hub: follow the blocked cell to its violation and code frame, open a template's
 * consumers, switch the ref, check that a step name holding markup stays text, and run axe-core on every
 * page. Every page is also watched for script errors and Content-Security-Policy refusals.
 * Skips, saying why, where no Chromium is installed.
 */
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.js';
import { findChromium, launchBrowser, type Browser } from './browser.js';
import { buildWebHub, RELAX_BRANCH, serve, XSS_NAME, type WebHub } from './fixture.js';

const chromium = findChromium();
if ('missing' in chromium) process.stdout.write(`test/web/browser.test.ts skipped: ${chromium.missing}\n`);

// A shared 2-core machine runs the whole suite alongside: give the browser room.
describe.skipIf('missing' in chromium)('pages in a real browser', { timeout: 120_000 }, () => {
  let hub: WebHub;
  let server: RunningServer;
  let browser: Browser;
  /** Script errors, CSP refusals and dialogs seen on any page. */
  const problems: string[] = [];

  beforeAll(async () => {
    hub = await buildWebHub();
    server = await serve(hub.demo);
    browser = await launchBrowser((chromium as { path: string }).path);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    hub?.cleanup();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${path}: console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${path}: page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`${path}: dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(server.url + path);
    return page;
  }

  it('follows the blocked cell of the overview to the violation and its code frame', async () => {
    const page = await open('/');
    const blocked = page.locator('#matrix td.st-blocked a');
    expect(await blocked.count()).toBe(1);
    expect(await blocked.innerText()).toContain('Blocked');
    // The cell's row and column say which context it is.
    const row = blocked.locator('xpath=ancestor::tr');
    expect((await row.locator('th').innerText()).trim()).toBe('Reporting');
    const column = await blocked.locator('xpath=ancestor::td').evaluate((td) => (td as HTMLTableCellElement).cellIndex);
    expect((await page.locator('#matrix thead th').nth(column).innerText()).trim()).toBe('Production');

    await blocked.click();
    await page.waitForURL(/\/projects\/reporting#context-production$/);
    const context = page.locator('#context-production');
    expect(await context.locator('h3').innerText()).toContain('Blocked');
    const violation = context.locator('tbody tr', { hasText: 'Require manual approval in production' });
    expect(await violation.innerText()).toContain('Violation (blocks)');
    expect(await violation.innerText()).toContain('Production deployments need an enabled manual intervention step');
    const frame = context.locator('.finding', { hasText: 'Require manual approval in production' }).locator('figure.code-frame');
    expect(await frame.locator('figcaption').innerText()).toContain('projects/reporting/.octopus/deployment_process.ocl:1:1');
    expect(await frame.locator('.line.subject').innerText()).toContain('step "migrate-database" {');
    // The warning on the same context points at the disabled step's line.
    const warning = context.locator('.finding', { hasText: 'No disabled steps' }).locator('figure.code-frame');
    expect(await warning.locator('.line.subject').innerText()).toContain('step "export-to-warehouse" {');
    await page.close();
  });

  it('opens a template\'s consumers', async () => {
    const page = await open('/templates');
    await page.getByRole('link', { name: 'deploy-web-app' }).click();
    await page.waitForURL(/\/templates\/process-templates\/deploy-web-app$/);
    await page.getByRole('link', { name: 'Consumers' }).click();
    const rows = page.locator('#consumers-table tbody tr');
    expect(await rows.count()).toBe(2);
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    const storefront = texts.find((t) => t.startsWith('Storefront'))!;
    expect(storefront).toContain('1.X');
    expect(storefront).toContain('1.1.0');
    expect(storefront).toMatch(/2\.0\.0$/);
    expect(texts.some((t) => t.startsWith('Payments API'))).toBe(true);
    await page.close();
  });

  it('switches the ref with the picker, and keeps it while navigating', async () => {
    const page = await open('/');
    const mainCommit = await page.locator('.hub-facts li').nth(2).innerText();
    await page.locator('#ref-input').fill(RELAX_BRANCH);
    await page.getByRole('button', { name: 'Switch' }).click();
    await page.waitForURL(new RegExp(`\\?ref=${RELAX_BRANCH}$`));
    expect(await page.locator('.hub-facts li').nth(2).innerText()).not.toBe(mainCommit);
    // Without the manual-approval policy, reporting only warns in production.
    const reporting = page.locator('#matrix tr[data-project="reporting"]');
    expect(await reporting.locator('td').nth(2).innerText()).toContain('Warned');
    expect(await page.locator('#matrix td.st-blocked').count()).toBe(0);
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.waitForURL(new RegExp(`/policies\\?ref=${RELAX_BRANCH}$`));
    expect(await page.locator('#ref-input').inputValue()).toBe(RELAX_BRANCH);
    await page.close();
  });

  it('shows a step name holding markup as text, and runs none of it', async () => {
    const page = await open('/projects/reporting');
    const step = page.locator('table tbody th', { hasText: 'export-to-warehouse' });
    expect(await step.innerText()).toContain(XSS_NAME);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('script').evaluateAll((scripts) => scripts.map((s) => s.getAttribute('src')))).toEqual([expect.stringMatching(/^\/assets\/app\.js\?v=/)]);
    await page.close();
  });

  it('filters the matrix and moves between cells with the arrow keys (progressive enhancement)', async () => {
    const page = await open('/');
    await page.locator('#matrix-filter').fill('payments');
    expect(await page.locator('#matrix tbody tr[data-project]:visible').count()).toBe(3);
    expect(await page.locator('#matrix-filter-status').innerText()).toBe('1 project matches');
    await page.locator('#matrix-filter').fill('');
    await page.locator('#matrix tr[data-project="storefront"] td a').first().focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('/projects/storefront#context-staging');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('/projects/payments-api#context-staging');
    await page.close();

    // Sortable tables: the versions of a template, newest first after two clicks on "Version".
    const versions = await open('/templates/process-templates/deploy-web-app');
    const header = versions.locator('#versions + table thead th').first();
    await header.getByRole('button', { name: 'Version' }).click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await header.getByRole('button', { name: 'Version' }).click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    expect((await versions.locator('#versions + table tbody th').allInnerTexts()).map((t) => t.trim())).toEqual(['2.0.0', '1.1.0', '1.0.0']);
    await versions.close();
  });

  const AUDITED = [
    '/',
    '/projects/reporting',
    '/projects/payments-api',
    '/templates',
    '/templates/process-templates/deploy-web-app?from=1.1.0&to=2.0.0',
    '/policies',
    '/policies/no_disabled_steps',
    `/diff?from=main&to=${RELAX_BRANCH}`,
    '/docs',
    '/projects/no-such-project',
  ];

  async function audit(page: Page): Promise<axe.AxeResults> {
    // Evaluated through the DevTools protocol, which the page's CSP does not govern.
    await page.evaluate(axe.source);
    return (await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }))) as axe.AxeResults;
  }

  it('runs axe-core so that it finds what it should (an unlabelled image and input)', async () => {
    const control = await browser.context.newPage();
    await control.setContent('<html><body><img src="data:,"><input type="text"></body></html>');
    expect((await audit(control)).violations.map((v) => v.id)).toEqual(expect.arrayContaining(['image-alt', 'label']));
    await control.close();
  });

  it.each(AUDITED)('has no serious or critical accessibility violations on %s (axe-core)', async (path) => {
    const page = await open(path);
    const result = await audit(page);
    await page.close();
    const found = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    expect(found).toEqual([]);
  }, 120_000);

  it('met no script error, CSP refusal or dialog on any page', () => {
    // A missing favicon or the like would show here too; the not-found page's own 404 is expected.
    expect(problems.filter((p) => !/no-such-project: console error: Failed to load resource: the server responded with a status of 404/.test(p))).toEqual([]);
  });
});
