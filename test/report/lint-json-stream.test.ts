/** The JSON report written in chunks is the JSON report, byte for byte. */
import { describe, expect, it } from 'vitest';
import { lintJsonChunks } from '../../src/report/lint-json-stream.js';
import { renderLintJson } from '../../src/report/lint-json.js';
import { cleanReport, lintReport } from './lint-fixture.js';

describe('lintJsonChunks', () => {
  it('writes the bytes renderLintJson writes, one evaluation per chunk', () => {
    for (const report of [lintReport(), cleanReport(), { ...lintReport(), evaluations: [] }, { ...lintReport(), shard: { index: 2, count: 3, environments: ['production'], tenants: [] } }]) {
      const chunks = [...lintJsonChunks(report)];
      expect(chunks.join('')).toBe(renderLintJson(report));
      if (report.evaluations.length > 0) expect(chunks).toHaveLength(report.evaluations.length + 2);
    }
    const report = lintReport();
    expect([...lintJsonChunks(report, { findingsOnly: true })].join('')).toBe(renderLintJson(report, { findingsOnly: true }));
  });
});
