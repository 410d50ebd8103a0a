/**
 * The matrix the overview shows, from the façade's compliance answer: error cells for projects that
 * cannot be evaluated (never blanks), excepted and inconclusive cells, tenant rows, promotion order,
 * and the rule-setting counts when the answer carries them.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoHub, type DemoHub } from '../../src/demo/build.js';
import type { ComplianceRow } from '../../src/hub/index.js';
import { linkTo, type PageContext } from '../../src/web/context.js';
import { buildMatrix, type ComplianceAnswer } from '../../src/web/model.js';
import { OverviewPage } from '../../src/web/pages/overview.js';

let demo: DemoHub;
let answer: ComplianceAnswer;

beforeAll(async () => {
  demo = await buildDemoHub();
  const matrix = await demo.hub.compliance({ cacheDir: false });
  answer = { commit: demo.hub.commit, rows: matrix.rows, diagnostics: matrix.diagnostics };
});
afterAll(() => rmSync(demo.dir, { recursive: true, force: true }));

function cellsOf(m: ReturnType<typeof buildMatrix>, project: string, tenant?: string) {
  const row = m.groups.flatMap((g) => g.rows).find((r) => r.project.slug === project && r.tenant?.slug === tenant)!;
  return Object.fromEntries([...row.cells].map(([env, cell]) => [env, cell.status]));
}

describe('compliance matrix model', () => {
  it('groups projects, orders environments by promotion and gives tenants their own rows', () => {
    const m = buildMatrix(demo.hub, answer);
    expect(m.environments.map((e) => e.slug)).toEqual(['development', 'staging', 'production']);
    expect(m.groups.map((g) => [g.name, g.rows.map((r) => r.tenant?.slug ?? r.project.slug)])).toEqual([
      ['Web', ['storefront']],
      ['Finance', ['payments-api', 'acme', 'globex', 'reporting']],
    ]);
    expect(cellsOf(m, 'reporting')).toEqual({ development: 'excepted', production: 'blocked' });
    expect(m.counts).toEqual({ blocked: 1, error: 0, warned: 0, inconclusive: 0, excepted: 1, allowed: 12 });
  });

  it('shows error cells for a project nothing was evaluated for, and for one with error diagnostics', () => {
    const withoutReporting: ComplianceAnswer = { ...answer, rows: answer.rows.filter((r) => r.project !== 'reporting') };
    expect(cellsOf(buildMatrix(demo.hub, withoutReporting), 'reporting')).toEqual({ development: 'error', production: 'error' });
    const broken: ComplianceAnswer = {
      ...answer,
      diagnostics: [{ severity: 'error', code: 'TPL101', summary: 'No published version matches 9.X', file: 'projects/storefront/.octopus/deployment_process.ocl' }],
    };
    expect(cellsOf(buildMatrix(demo.hub, broken), 'storefront')).toEqual({ development: 'error', staging: 'error', production: 'error' });
  });

  it('maps decision outcomes the façade does not produce yet (inconclusive) through the same function', () => {
    const rows: ComplianceRow[] = answer.rows.map((r) =>
      r.project === 'storefront' && r.environment === 'production'
        ? { ...r, findings: [{ policy: 'p', inScope: true, allowed: true, action: 'block', outcome: 'inconclusive' as never, reason: 'needs input.Release' }] }
        : r,
    );
    expect(cellsOf(buildMatrix(demo.hub, { ...answer, rows }), 'storefront').production).toBe('inconclusive');
    // Also when only the row's outcome map carries it.
    const byOutcome: ComplianceRow[] = answer.rows.map((r) => (r.project === 'storefront' && r.environment === 'staging' ? { ...r, outcomes: { ...r.outcomes, p: 'inconclusive' as never } } : r));
    const m = buildMatrix(demo.hub, { ...answer, rows: byOutcome });
    expect(cellsOf(m, 'storefront').staging).toBe('inconclusive');
    expect(m.groups[0]!.rows[0]!.cells.get('staging')!.findings).toBe(1);
  });

  it('filters by project tag', () => {
    const m = buildMatrix(demo.hub, answer, { tag: 'pci/in-scope' });
    expect(m.groups.flatMap((g) => g.rows).map((r) => r.project.slug)).toEqual(['payments-api', 'payments-api', 'payments-api']);
    expect(m.tags).toContain('team/web');
  });

  it('shows the counts of findings rule settings adjusted or suppressed, when there are any', async () => {
    const ctx: PageContext = { hub: demo.hub, refs: await demo.hub.refs(), path: '/', query: {}, signedIn: false, href: (p, q) => linkTo(undefined, p, q) };
    const render = async (diagnostics: { errors: number; warnings: number; adjusted: number; suppressed?: number }) =>
      String(await OverviewPage({ ctx, matrix: buildMatrix(demo.hub, answer), templates: 2, policies: { active: 3 }, diagnostics }).toString());
    expect(await render({ errors: 0, warnings: 0, adjusted: 0 })).not.toContain('suppressed');
    expect(await render({ errors: 0, warnings: 1, adjusted: 2, suppressed: 3 })).toContain('<span class="n">3</span> findings suppressed, <span>2</span> adjusted by rule settings');
  });
});
