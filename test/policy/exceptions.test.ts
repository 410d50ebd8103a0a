import { describe, expect, it } from 'vitest';
import { validateFile } from '../../src/model/validate.js';
import type { HubConfigDocument } from '../../src/model/types.js';
import { applyExceptions, exceptionInForce } from '../../src/policy/exceptions.js';
import type { PolicyDecision } from '../../src/report/lint-report.js';

const HUB = `environment "staging" {
    name = "Staging"
}

environment "production" {
    name = "Production"
}

tenant "acme" {
    name = "Acme"
}

project "orders" {
    name = "Orders"
    path = "projects/orders/.octopus"
}

project "billing" {
    name = "Billing"
    path = "projects/billing/.octopus"
}

exception "orders-prod" {
    policy = "require_approval"
    project = "orders"
    environment = "production"
    reason = "Approved in ServiceNow"
    owner = "payments-team"
    expires = "2026-03-31"
}

exception "billing-any-env" {
    policy = "no_disabled_steps"
    project = "billing"
    reason = "Export disabled until the warehouse exists"
    owner = "data@example.com"
    expires = "2026-01-15"
}

exception "billing-acme" {
    policy = "require_approval"
    project = "billing"
    tenant = "acme"
    reason = "Acme approves by email"
    owner = "acme-owner"
    expires = "2026-12-31T12:00:00Z"
}
`;

function hub(): HubConfigDocument {
  const r = validateFile({ path: 'oclhub.ocl', text: HUB, context: { kind: 'oclhub', now: new Date('2026-01-01T00:00:00Z') } });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.document as HubConfigDocument;
}

function violation(policy: string, action: 'block' | 'warn' = 'block'): PolicyDecision {
  return { policy, inScope: true, allowed: false, action, outcome: 'violation', reason: `${policy} violated` };
}

describe('applyExceptions', () => {
  const exceptions = hub().exceptions;

  it('excepts a matching violation with owner, reason, expiry and id', () => {
    const { decisions, diagnostics } = applyExceptions([violation('require_approval')], exceptions, { project: 'orders', environment: 'production' }, { now: new Date('2026-02-01T00:00:00Z') });
    expect(decisions[0]).toMatchObject({
      outcome: 'excepted',
      action: 'block',
      exception: { id: 'orders-prod', owner: 'payments-team', reason: 'Approved in ServiceNow', expires: '2026-03-31' },
    });
    expect(diagnostics).toEqual([]);
  });

  it('matches the environment when the exception names one, and every environment otherwise', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    const staging = applyExceptions([violation('require_approval')], exceptions, { project: 'orders', environment: 'staging' }, { now });
    expect(staging.decisions[0]!.outcome).toBe('violation');
    for (const environment of ['staging', 'production']) {
      const r = applyExceptions([violation('no_disabled_steps')], exceptions, { project: 'billing', environment }, { now });
      expect(r.decisions[0]!.outcome).toBe('excepted');
    }
  });

  it('matches policy and project exactly', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    expect(applyExceptions([violation('no_disabled_steps')], exceptions, { project: 'orders', environment: 'production' }, { now }).decisions[0]!.outcome).toBe('violation');
    expect(applyExceptions([violation('require_approval')], exceptions, { project: 'billing', environment: 'production' }, { now }).decisions[0]!.outcome).toBe('violation');
  });

  it('matches the tenant when the exception names one', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const ctx = { project: 'billing', environment: 'production' };
    expect(applyExceptions([violation('require_approval')], exceptions, { ...ctx, tenant: 'acme' }, { now }).decisions[0]!.outcome).toBe('excepted');
    expect(applyExceptions([violation('require_approval')], exceptions, { ...ctx, tenant: 'globex' }, { now }).decisions[0]!.outcome).toBe('violation');
    expect(applyExceptions([violation('require_approval')], exceptions, ctx, { now }).decisions[0]!.outcome).toBe('violation');
  });

  it('stops applying an expired exception and warns once per violation it no longer waives', () => {
    // "2026-03-31" is valid through that day (UTC).
    const ctx = { project: 'orders', environment: 'production' };
    expect(applyExceptions([violation('require_approval')], exceptions, ctx, { now: new Date('2026-03-31T23:59:59Z') }).decisions[0]!.outcome).toBe('excepted');
    const { decisions, diagnostics } = applyExceptions([violation('require_approval', 'warn')], exceptions, ctx, { now: new Date('2026-04-01T00:00:00Z') });
    expect(decisions[0]!.outcome).toBe('violation');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'warning', code: 'POL110', file: 'oclhub.ocl' });
    expect(diagnostics[0]!.summary).toContain('orders-prod');
    expect(diagnostics[0]!.detail).toContain('now warns');
    // Positioned on the expires attribute of the exception (line 33 of HUB).
    expect(diagnostics[0]!.range!.start.line).toBe(HUB.split('\n').findIndex((l) => l.includes('"2026-03-31"')) + 1);
  });

  it('does not warn about an expired exception when nothing is violated', () => {
    const pass: PolicyDecision = { policy: 'require_approval', inScope: true, allowed: true, action: 'block', outcome: 'pass' };
    const r = applyExceptions([pass], exceptions, { project: 'orders', environment: 'production' }, { now: new Date('2027-01-01T00:00:00Z') });
    expect(r.decisions[0]).toBe(pass);
    expect(r.diagnostics).toEqual([]);
  });

  it('never waives an error decision', () => {
    const error: PolicyDecision = { policy: 'require_approval', inScope: true, allowed: false, action: 'block', outcome: 'error', error: 'boom' };
    const r = applyExceptions([error], exceptions, { project: 'orders', environment: 'production' }, { now: new Date('2026-02-01T00:00:00Z') });
    expect(r.decisions[0]!.outcome).toBe('error');
  });

  it('treats timestamps as exact instants and invalid dates as never in force', () => {
    expect(exceptionInForce({ expires: '2026-12-31T12:00:00Z' }, new Date('2026-12-31T11:59:59Z'))).toBe(true);
    expect(exceptionInForce({ expires: '2026-12-31T12:00:00Z' }, new Date('2026-12-31T12:00:00Z'))).toBe(false);
    expect(exceptionInForce({ expires: 'next tuesday' }, new Date('2020-01-01T00:00:00Z'))).toBe(false);
    expect(exceptionInForce({}, new Date('2020-01-01T00:00:00Z'))).toBe(false);
  });
});
