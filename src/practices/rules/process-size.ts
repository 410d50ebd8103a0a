/** How big a project's process is: too many steps (BP001), or nothing at all (BP002). */
import { processesOf } from '../processes.js';
import type { ProjectRule } from '../rule.js';
import { practiceCode } from '../codes.js';

export const tooManySteps: ProjectRule = {
  ...practiceCode('BP001'),
  name: 'too-many-steps',
  threshold: { default: 20, unit: 'steps', fires: 'at-or-above' },
  octolint: 'OctoLintTooManySteps',
  scope: 'project',
  check(project, ctx) {
    for (const { document, kind, process } of processesOf(project)) {
      // Octolint counts the process's steps; a process template usage is one step of the process.
      if (kind !== 'deployment_process' || !ctx.crosses(process.items.length)) continue;
      const at = process.items[Math.min(ctx.threshold, process.items.length) - 1] ?? process.items[0]!;
      ctx.report(`The deployment process has ${process.items.length} steps (${ctx.threshold} or more)`, ctx.at(project, document.file, at.headerRange), {
        detail:
          'Long processes are hard to review and slow to change. Move reusable parts into process templates, ' +
          'operational tasks into runbooks, or split the application into projects deployed by a "Deploy a Release" step.',
      });
    }
  },
};

export const emptyProject: ProjectRule = {
  ...practiceCode('BP002'),
  name: 'empty-project',
  octolint: 'OctoLintEmptyProject',
  scope: 'project',
  check(project, ctx) {
    if (project.read === false) return;
    const steps = processesOf(project)
      .filter((p) => p.kind === 'deployment_process')
      .reduce((n, p) => n + p.process.items.length, 0);
    const runbooks = project.documents.filter((d) => d.document.kind === 'runbook' && !d.document.migratedDraft).length;
    if (steps > 0 || runbooks > 0) return;
    ctx.report(`Project "${project.slug}" has no deployment process steps and no runbooks`, ctx.projectLocation(project), {
      detail: 'An empty project deploys nothing. Add its process, or remove the project (and its registration in oclhub.ocl).',
    });
  },
};
