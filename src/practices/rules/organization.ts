/**
 * How oclhub.ocl organises projects and environments, after Octolint's organisation checks: the
 * default project group (BP020, BP021), environment count (BP022), environments nobody deploys to
 * (BP023) or only one project does (BP024), and project groups whose projects share no environment (BP025).
 */
import type { HubConfigDocument, HubProjectModel } from '../../model/types.js';
import { append } from '../processes.js';
import type { HubRule, RuleContext } from '../rule.js';
import { practiceCode } from '../codes.js';

const DEFAULT_GROUP_NAME = 'default project group';

/** The space an item belongs to: its own, else the default space (one implicit space when none is declared). */
function spaceOf(config: HubConfigDocument, item: { space?: string }): string {
  return item.space ?? config.defaultSpace ?? config.spaces[0]?.slug ?? '';
}

function bySpace<T extends { space?: string }>(config: HubConfigDocument, items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) append(out, spaceOf(config, item), item);
  return out;
}

/** The environments a project deploys to: its list, else every environment of its space. */
export function projectEnvironments(config: HubConfigDocument, project: HubProjectModel): string[] {
  if (project.environments.length > 0) return project.environments;
  return [...spaceEnvironments(config).get(spaceOf(config, project)) ?? []];
}

/**
 * Each space's environment slugs (each once), made once per configuration: the hub-wide rules ask
 * for them per project, and a hub of a thousand projects mostly lists none of its own.
 */
const spaceEnvironmentsOf = new WeakMap<HubConfigDocument, Map<string, readonly string[]>>();
function spaceEnvironments(config: HubConfigDocument): Map<string, readonly string[]> {
  let bySlug = spaceEnvironmentsOf.get(config);
  if (!bySlug) {
    const sets = new Map<string, Set<string>>();
    for (const environment of config.environments) {
      const space = spaceOf(config, environment);
      let set = sets.get(space);
      if (!set) sets.set(space, (set = new Set()));
      set.add(environment.slug);
    }
    bySlug = new Map([...sets].map(([space, set]) => [space, [...set]]));
    spaceEnvironmentsOf.set(config, bySlug);
  }
  return bySlug;
}

function isDefaultGroup(config: HubConfigDocument, group: string | undefined): boolean {
  if (group === undefined) return true;
  const declared = config.projectGroups.find((g) => g.slug === group);
  return group === 'default-project-group' || declared?.name.trim().toLowerCase() === DEFAULT_GROUP_NAME;
}

function configOf(ctx: RuleContext): HubConfigDocument | undefined {
  return ctx.config;
}

export const defaultGroupTooLarge: HubRule = {
  ...practiceCode('BP020'),
  name: 'default-project-group-too-large',
  threshold: { default: 10, unit: 'projects', fires: 'above' },
  octolint: 'OctoLintDefaultProjectGroupChildCount',
  scope: 'hub',
  check(_facts, ctx) {
    const config = configOf(ctx);
    if (!config) return;
    for (const [space, projects] of bySpace(config, config.projects)) {
      const inDefault = projects.filter((p) => isDefaultGroup(config, p.group));
      if (!ctx.crosses(inDefault.length)) continue;
      const group = config.projectGroups.find((g) => spaceOf(config, g) === space && isDefaultGroup(config, g.slug));
      const at = group ?? inDefault[ctx.threshold]!;
      ctx.report(`The default project group${space ? ` of space "${space}"` : ''} holds ${inDefault.length} projects (more than ${ctx.threshold})`, { file: ctx.configFile, range: at.labelRange ?? at.headerRange }, {
        detail: 'Projects without a `group` land in Octopus\'s "Default Project Group", which then fills the dashboard. Create project groups (by team or system) and set `group` on each project.',
      });
    }
  },
};

export const projectWithoutGroup: HubRule = {
  ...practiceCode('BP021'),
  name: 'project-without-group',
  scope: 'hub',
  check(_facts, ctx) {
    for (const project of configOf(ctx)?.projects ?? []) {
      if (project.group !== undefined) continue;
      ctx.report(`Project "${project.slug}" is in no project group`, { file: ctx.configFile, range: project.labelRange ?? project.headerRange, project: project.slug }, {
        detail: 'Octopus puts it in the "Default Project Group". Set `group` to a `project_group` that says who owns it.',
      });
    }
  },
};

export const tooManyEnvironments: HubRule = {
  ...practiceCode('BP022'),
  name: 'too-many-environments',
  threshold: { default: 10, unit: 'environments', fires: 'above' },
  octolint: 'OctoLintEnvironmentCount',
  scope: 'hub',
  check(_facts, ctx) {
    const config = configOf(ctx);
    if (!config) return;
    for (const [space, environments] of bySpace(config, config.environments)) {
      if (!ctx.crosses(environments.length)) continue;
      const at = environments[ctx.threshold]!;
      ctx.report(`${environments.length} environments${space ? ` in space "${space}"` : ''} (more than ${ctx.threshold})`, { file: ctx.configFile, range: at.labelRange ?? at.headerRange }, {
        detail:
          'Many environments usually stand for tenants, regions or customers. Keep environments for promotion stages (dev, test, production) ' +
          'and model the rest with tenants and tags. See https://octopus.com/docs/getting-started/best-practices/environments-and-deployment-targets-and-roles#environments',
      });
    }
  },
};

/** Environment slug → the projects that deploy to it; made once per configuration (BP023 and BP024 both ask). */
const usageOf = new WeakMap<HubConfigDocument, Map<string, HubProjectModel[]>>();
function usage(config: HubConfigDocument): Map<string, HubProjectModel[]> {
  let out = usageOf.get(config);
  if (out) return out;
  out = new Map<string, HubProjectModel[]>(config.environments.map((e) => [e.slug, []]));
  const bySpace = spaceEnvironments(config);
  for (const project of config.projects) {
    // A project without its own list deploys to its space's environments, each listed once already.
    const slugs = project.environments.length > 0 ? new Set(project.environments) : (bySpace.get(spaceOf(config, project)) ?? []);
    for (const slug of slugs) out.get(slug)?.push(project);
  }
  usageOf.set(config, out);
  return out;
}

export const unusedEnvironment: HubRule = {
  ...practiceCode('BP023'),
  name: 'unused-environment',
  scope: 'hub',
  check(_facts, ctx) {
    const config = configOf(ctx);
    if (!config) return;
    const used = usage(config);
    const spacesWithProjects = new Set(config.projects.map((p) => spaceOf(config, p)));
    for (const environment of config.environments) {
      // In a space without projects every environment is "unused"; that says nothing.
      if (!spacesWithProjects.has(spaceOf(config, environment)) || (used.get(environment.slug)?.length ?? 0) > 0) continue;
      ctx.report(`No project deploys to environment "${environment.slug}"`, { file: ctx.configFile, range: environment.labelRange ?? environment.headerRange }, {
        detail: 'Every project lists its `environments` and none includes this one. Remove the environment, or add it to the projects that should deploy there.',
      });
    }
  },
};

export const singleProjectEnvironment: HubRule = {
  ...practiceCode('BP024'),
  name: 'single-project-environment',
  octolint: 'OctoLintProjectSpecificEnvs',
  scope: 'hub',
  check(_facts, ctx) {
    const config = configOf(ctx);
    if (!config) return;
    const used = usage(config);
    const projectsPerSpace = bySpace(config, config.projects);
    for (const environment of config.environments) {
      const projects = used.get(environment.slug) ?? [];
      if (projects.length !== 1 || (projectsPerSpace.get(spaceOf(config, environment))?.length ?? 0) < 2) continue;
      ctx.report(`Only project "${projects[0]!.slug}" deploys to environment "${environment.slug}"`, { file: ctx.configFile, range: environment.labelRange ?? environment.headerRange }, {
        detail: 'An environment for one project is often a stage of that project (a channel, or a tenant) rather than a place in the promotion path shared by all.',
        related: [{ file: ctx.configFile, range: projects[0]!.labelRange ?? projects[0]!.headerRange, message: `project "${projects[0]!.slug}"` }],
      });
    }
  },
};

export const exclusiveEnvironmentsInGroup: HubRule = {
  ...practiceCode('BP025'),
  name: 'exclusive-environments-in-group',
  octolint: 'OctoLintProjectGroupsWithExclusiveEnvironments',
  scope: 'hub',
  check(_facts, ctx) {
    const config = configOf(ctx);
    if (!config) return;
    const groups = new Map<string, HubProjectModel[]>();
    for (const project of config.projects) if (project.group !== undefined) append(groups, project.group, project);
    for (const [slug, projects] of groups) {
      if (projects.length < 2) continue;
      const sets = projects.map((p) => new Set(projectEnvironments(config, p)));
      const apart = projects.filter((_, i) => sets.every((other, j) => j === i || ![...sets[i]!].some((e) => other.has(e))));
      if (apart.length === 0) continue;
      const block = config.projectGroups.find((g) => g.slug === slug);
      const at = block ?? apart[0]!;
      ctx.report(`Project group "${slug}" holds ${apart.map((p) => `"${p.slug}"`).join(', ')}, sharing no environment with the group's other projects`, { file: ctx.configFile, range: at.labelRange ?? at.headerRange }, {
        detail: 'Projects grouped together usually move through the same environments; one that does not may belong to another group (or another space).',
        related: apart.map((p) => ({ file: ctx.configFile, range: p.attributeRanges['environments'] ?? p.labelRange ?? p.headerRange, message: `"${p.slug}" deploys to ${projectEnvironments(config, p).join(', ') || 'no environment'}` })),
      });
    }
  },
};
