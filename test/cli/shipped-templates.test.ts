/** What oclhub ships in templates/ (demo hub, starter policies) must be valid and formatted as Octopus writes it. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const root = path.resolve(__dirname, '../..');

describe('shipped templates', () => {
  it('are formatted (oclhub fmt --check)', async () => {
    const result = await run(root, 'fmt', '--check', 'templates');
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });

  it('validate without errors or warnings', async () => {
    const result = await run(root, 'validate', '--format', 'json', 'templates');
    const report = JSON.parse(result.stdout) as { summary: { files: number; errors: number; warnings: number } };
    expect(report.summary.files).toBeGreaterThan(15);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 0 });
    expect(result.code).toBe(0);
  });
});
