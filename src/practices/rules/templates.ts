/** Step templates without a recorded version (BP007) and process templates a newer major has passed by (BP008). */
import major from 'semver/functions/major.js';
import { parseVersionMask, resolvedMaskOf, newestOverallOf } from '../../templates/version-mask.js';
import { actionsOf, processesOf } from '../processes.js';
import type { ProjectRule } from '../rule.js';
import { practiceCode } from '../codes.js';

/** The semver functions used here, each loaded alone (the package's index loads all fifty of its modules). */
const semver = { major };

export const unpinnedStepTemplate: ProjectRule = {
  ...practiceCode('BP007'),
  name: 'unpinned-step-template',
  scope: 'project',
  check(project, ctx) {
    for (const { document, action, name } of actionsOf(project)) {
      const id = action.properties.values['Octopus.Action.Template.Id'];
      if (id === undefined || (action.properties.values['Octopus.Action.Template.Version'] ?? '').trim() !== '') continue;
      ctx.report(`"${name}" uses step template ${id} without Octopus.Action.Template.Version`, ctx.at(project, document.file, action.properties.ranges['Octopus.Action.Template.Id']), {
        detail: 'Octopus records the step template version a step was created from, so it can show when the template has changed. Add the version (re-save the step in Octopus, or set the property).',
      });
    }
  },
};

export const outdatedProcessTemplate: ProjectRule = {
  ...practiceCode('BP008'),
  name: 'outdated-process-template',
  scope: 'project',
  check(project, ctx) {
    const published = project.publishedVersions;
    // Without the published versions (tags) nothing can be said: the rule stays silent rather than guess.
    if (!published) return;
    for (const { document, process } of processesOf(project)) {
      for (const usage of process.usages) {
        if (usage.processTemplateSlug === undefined || usage.versionMask === undefined) continue;
        const versions = published.get(usage.processTemplateSlug);
        const mask = parseVersionMask(usage.versionMask);
        if (!versions || versions.length === 0 || 'error' in mask || mask.kind === 'prerelease') continue;
        const newest = newestOverallOf(versions);
        const taken = resolvedMaskOf(mask, versions);
        if (newest === undefined) continue;
        const major = mask.kind === 'exact' ? semver.major(mask.version) : mask.major;
        const base = taken ?? `${major}.0.0`;
        if (semver.major(newest) <= semver.major(base)) continue;
        ctx.report(
          `Process template "${usage.processTemplateSlug}" ${newest} is published; version_mask "${usage.versionMask}" stays on ${taken ?? `major ${major}`}`,
          ctx.at(project, document.file, usage.attributeRanges['version_mask'] ?? usage.headerRange),
          { detail: `Masks never take a new major version: review ${newest}'s changes (oclhub outdated, oclhub publish --dry-run) and move the mask to "${semver.major(newest)}.X".` },
        );
      }
    }
  },
};
