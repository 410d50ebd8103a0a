import { describe, expect, it } from 'vitest';
import { validateFile } from '../../src/model/validate.js';
import type { HubConfigDocument } from '../../src/model/types.js';
import { decide } from '../../src/policy/decide.js';
import { loadPolicy } from './helpers.js';

const exceptions = (validateFile({
  path: 'oclhub.ocl',
  text: `project "web" {\n    name = "Web"\n    path = "web/.octopus"\n}\n\nexception "web-approval" {\n    policy = "approval"\n    project = "web"\n    reason = "Approved in ServiceNow"\n    owner = "web-team"\n    expires = "2026-06-30"\n}\n`,
  context: { kind: 'oclhub' },
}).document as HubConfigDocument).exceptions;

const approval = loadPolicy({ slug: 'approval', scope: 'default evaluate := true', conditions: 'result := {"allowed": input.RequiresApproval}' });
const tags = loadPolicy({ slug: 'tags', scope: 'default evaluate := true', conditions: 'result := {"allowed": count(input.Project.Tags) > 0}', violationAction: 'warn' });
const broken = loadPolicy({ slug: 'broken', scope: 'default evaluate := true', conditions: 'result := {"allowed": true} if { false }' });
const input = { RequiresApproval: false, Project: { Tags: [] } };
const context = { project: 'web', environment: 'production' };

describe('decide', () => {
  it('blocks on a blocking violation and not on warnings', () => {
    const r = decide({ policies: [approval, tags], input, context });
    expect(r.decisions.map((d) => [d.policy, d.outcome, d.action])).toEqual([
      ['approval', 'violation', 'block'],
      ['tags', 'violation', 'warn'],
    ]);
    expect(r.blocked).toBe(true);
    expect(decide({ policies: [tags], input, context }).blocked).toBe(false);
  });

  it('lets an exception in force unblock, and warns once it has expired', () => {
    const waived = decide({ policies: [approval], input, context, exceptions, now: new Date('2026-06-01T00:00:00Z') });
    expect(waived.blocked).toBe(false);
    expect(waived.decisions[0]).toMatchObject({ outcome: 'excepted', exception: { owner: 'web-team' } });
    const expired = decide({ policies: [approval], input, context, exceptions, now: new Date('2026-07-01T00:00:00Z') });
    expect(expired.blocked).toBe(true);
    expect(expired.diagnostics.map((d) => d.code)).toEqual(['POL110']);
  });

  it('fails closed on errors unless onError is warn', () => {
    expect(decide({ policies: [broken], input, context }).blocked).toBe(true);
    expect(decide({ policies: [broken], input, context, onError: 'warn' }).blocked).toBe(false);
  });
});
