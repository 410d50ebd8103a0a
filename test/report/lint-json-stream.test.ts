/** The JSON report written in chunks is the JSON report, byte for byte. */
import { describe, expect, it } from 'vitest';
import { lintJsonChunks } from '../../src/report/lint-json-stream.js';
import { renderLintJson } from '../../src/report/lint-json.js';
import { cleanReport, lintReport } from './lint-fixture.js';

describe('lintJsonChunks', () => {
  it('writes the bytes renderLintJson writes, a batch of evaluations per chunk', () => {
    for (const report of [lintReport(), cleanReport(), { ...lintReport(), evaluations: [] }, { ...lintReport(), shard: { index: 2, count: 3, environments: ['production'], tenants: [] } }]) {
      const chunks = [...lintJsonChunks(report)];
      expect(chunks.join('')).toBe(renderLintJson(report));
      if (report.evaluations.length > 0) expect(chunks.length).toBeGreaterThanOrEqual(3);
    }
    // More evaluations than one batch holds.
    const many = lintReport();
    many.evaluations = Array.from({ length: 150 }, (_, i) => ({ ...many.evaluations[i % many.evaluations.length]!, project: `p-${i}` }));
    const chunks = [...lintJsonChunks(many)];
    expect(chunks.join('')).toBe(renderLintJson(many));
    expect(chunks.length).toBe(2 + Math.ceil(150 / 64));
    const report = lintReport();
    expect([...lintJsonChunks(report, { findingsOnly: true })].join('')).toBe(renderLintJson(report, { findingsOnly: true }));
  });
});
