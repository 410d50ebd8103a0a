/** The Oclhub-Warning header value: a warning's code, where it is and its summary, as ASCII a header can carry. */
import { describe, expect, it } from 'vitest';
import { warningHeaderValue } from '../../src/api/routes/projects.js';

describe('warningHeaderValue', () => {
  it('escapes what a header cannot carry (non-ASCII, quotes, line breaks) as JSON does, so JSON.parse reads it back', () => {
    const summary = 'ActionType is unknown for step "Genehmigung – Produktion"\nüber Vorlage';
    const value = warningHeaderValue({ severity: 'warning', code: 'SEM043', summary, file: 'ä/deployment_process.ocl', range: { start: { line: 3, column: 1, offset: 20 }, end: { line: 3, column: 5, offset: 24 } } });
    expect(value).toMatch(/^[\x20-\x7e]*$/);
    const parsed = /^SEM043; file=("[^"]*"); line=3; column=1; summary=("(?:[^"\\]|\\.)*")$/.exec(value);
    expect(parsed, value).not.toBeNull();
    expect([JSON.parse(parsed![1]!), JSON.parse(parsed![2]!)]).toEqual(['ä/deployment_process.ocl', summary]);
  });

  it('leaves out the parameters a warning does not have, and never a server folder', () => {
    const value = warningHeaderValue({ severity: 'warning', code: 'SEM043', summary: 'x', repository: { id: 'infra', location: '/srv/repos/infra', commit: 'a'.repeat(40) } });
    expect(value).toBe(`SEM043; repository="infra"; commit="${'a'.repeat(40)}"; summary="x"`);
  });
});
