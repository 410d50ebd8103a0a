/** The embedded demo hub built for `npm start`: real Git history, real publishes, real resolution. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoHub, type DemoHub } from '../../src/demo/build.js';

let demo: DemoHub;
beforeAll(async () => {
  demo = await buildDemoHub();
});
afterAll(() => rmSync(demo.dir, { recursive: true, force: true }));

describe('demo hub', () => {
  it('publishes several versions of the web-app template as annotated tags git can read', () => {
    const tags = execFileSync('git', ['--git-dir', demo.dir, 'tag', '-l', 'process-templates/deploy-web-app/*'], { encoding: 'utf8' });
    expect(tags.trim().split('\n')).toEqual([
      'process-templates/deploy-web-app/v1.0.0',
      'process-templates/deploy-web-app/v1.1.0',
      'process-templates/deploy-web-app/v2.0.0',
    ]);
    expect(execFileSync('git', ['--git-dir', demo.dir, 'cat-file', '-t', 'process-templates/deploy-web-app/v2.0.0'], { encoding: 'utf8' }).trim()).toBe('tag');
    expect(demo.published).toContain('policies/no_disabled_steps/v1.0.0');
  });

  it('lets a 1.X usage float to 1.1.0 while 2.0.0 waits for manual acceptance', async () => {
    const resolution = await demo.hub.resolveRegisteredProject('storefront');
    const usage = resolution.processes.flatMap((p) => p.usages).find((u) => u.templateSlug === 'deploy-web-app');
    expect(usage?.mask).toBe('1.X');
    expect(usage?.available).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    expect(usage?.version).toBe('1.1.0');
    expect(resolution.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('keeps the repository consistent for git fsck', () => {
    expect(() => execFileSync('git', ['--git-dir', demo.dir, 'fsck', '--strict'], { stdio: 'pipe' })).not.toThrow();
  });
});
