import { describe, expect, it } from 'vitest';
import { commitAll, hubRepo, open, processText, PUBLISHER, REQUIRED_PARAMETER, SMOKE_STEP, TEMPLATE_PATH, templateText } from './helpers.js';

const PROJECT = 'projects/web-app/.octopus/deployment_process.ocl';

describe('impact preview (publish --dry-run)', () => {
  it('lists which registered projects float onto the new version and the errors it would cause', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText(), [PROJECT]: processText('1.X') });
    const hub = await open(dir);
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });

    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP }) }, 'smoke');
    const minor = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'minor', dryRun: true, publisher: PUBLISHER });
    expect(minor.ok).toBe(true);
    expect(minor.impact).toEqual([
      {
        project: 'web-app',
        name: 'Web App',
        usages: [{ file: PROJECT, usage: 'web', mask: '1.X', before: '1.0.0', after: '1.1.0', floats: true }],
        newDiagnostics: [],
      },
    ]);

    // A new required parameter published (forced) as a minor breaks the project that floats onto it.
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP, extraParameters: REQUIRED_PARAMETER }) }, 'url');
    const breaking = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'minor', force: true, dryRun: true, publisher: PUBLISHER });
    expect(breaking.bump?.required).toBe('major');
    const entry = breaking.impact![0]!;
    expect(entry.usages[0]!.floats).toBe(true);
    expect(entry.newDiagnostics.map((d) => d.code)).toEqual(['TPL111']);
    expect(entry.newDiagnostics[0]!.summary).toContain('Template.Url');

    // As a major, the project's 1.X mask does not move, so nothing breaks.
    const major = await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', dryRun: true, publisher: PUBLISHER });
    expect(major.impact![0]!.usages[0]).toMatchObject({ before: '1.0.0', after: '1.0.0', floats: false });
    expect(major.impact![0]!.newDiagnostics).toEqual([]);
  });
});

describe('lock and outdated', () => {
  it('locks resolved versions, detects drift and reports newer versions per usage', async () => {
    const dir = hubRepo({ [TEMPLATE_PATH]: templateText() });
    const hub = await open(dir);
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });
    const files = new Map([['.octopus/deployment_process.ocl', processText('1.X')]]);
    const before = await hub.resolveProject({ files });
    const lock = hub.lock(before);
    expect(Object.keys(lock.usages)).toEqual(['.octopus/deployment_process.ocl#web']);
    expect(lock.usages['.octopus/deployment_process.ocl#web']).toMatchObject({ template: 'deploy-web', mask: '1.X', version: '1.0.0' });
    expect(lock.usages['.octopus/deployment_process.ocl#web']!.contentHash).toMatch(/^sha256:/);

    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP }) }, 'smoke');
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'minor', publisher: PUBLISHER });
    commitAll(dir, { [TEMPLATE_PATH]: templateText({ extraSteps: SMOKE_STEP, withoutRegion: true }) }, 'no region');
    await hub.publish({ kind: 'process-templates', slug: 'deploy-web', bump: 'major', publisher: PUBLISHER });

    const floating = await hub.resolveProject({ files });
    expect(floating.processes[0]!.usages[0]!.version).toBe('1.1.0');
    expect(hub.checkLock(lock, floating).map((d) => d.code)).toEqual(['TPL120']);
    const locked = await hub.resolveProject({ files, lock });
    expect(locked.processes[0]!.usages[0]!.version).toBe('1.0.0');
    expect(hub.checkLock(lock, locked)).toEqual([]);
    // A pin holds only while the mask still takes it: a project that moved to 2.X floats again.
    const remasked = await hub.resolveProject({ files: new Map([['.octopus/deployment_process.ocl', processText('2.X')]]), lock });
    expect(remasked.processes[0]!.usages[0]!.version).toBe('2.0.0');

    expect(hub.outdated(locked)).toEqual([
      { file: '.octopus/deployment_process.ocl', usage: 'web', template: 'deploy-web', mask: '1.X', resolved: '1.0.0', newestAllowed: '1.1.0', newestOverall: '2.0.0', needsManualAcceptance: true },
    ]);
  });
});
