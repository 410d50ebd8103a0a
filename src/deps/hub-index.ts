/**
 * Look-ups over oclhub.ocl that dependency checks share: projects by slug and by Octopus name (the
 * template finds projects, spaces and tenants by name, case-insensitively and trimmed, as its
 * `Get-FilteredOctopusItem` does), tenants, spaces, and each project's environments in promotion order.
 */
import type { HubConfigDocument, HubEnvironmentModel, HubProjectModel, HubSpaceModel, HubTenantModel } from '../model/types.js';

function key(name: string): string {
  return name.trim().toLowerCase();
}

export class HubIndex {
  readonly projects = new Map<string, HubProjectModel>();
  private readonly projectsByName = new Map<string, HubProjectModel[]>();
  readonly tenants = new Map<string, HubTenantModel>();
  private readonly tenantsByName = new Map<string, HubTenantModel>();
  private readonly spacesByName = new Map<string, HubSpaceModel>();

  constructor(readonly config: HubConfigDocument | undefined) {
    for (const project of config?.projects ?? []) {
      if (!this.projects.has(project.slug)) this.projects.set(project.slug, project);
      const list = this.projectsByName.get(key(project.name)) ?? [];
      list.push(project);
      this.projectsByName.set(key(project.name), list);
    }
    for (const tenant of config?.tenants ?? []) {
      if (!this.tenants.has(tenant.slug)) this.tenants.set(tenant.slug, tenant);
      if (!this.tenantsByName.has(key(tenant.name))) this.tenantsByName.set(key(tenant.name), tenant);
    }
    for (const space of config?.spaces ?? []) if (!this.spacesByName.has(key(space.name))) this.spacesByName.set(key(space.name), space);
  }

  /** Whether oclhub.ocl declares any project: without one, no reference can be checked. */
  get knowsProjects(): boolean {
    return this.projects.size > 0;
  }

  /** The space a project (or tenant, environment) lives in: its own, else the default space. */
  spaceOf(item: { space?: string }): string | undefined {
    return item.space ?? this.config?.defaultSpace ?? this.config?.spaces[0]?.slug;
  }

  /** Projects with this Octopus name (case-insensitive, trimmed), optionally only in one space. */
  projectsNamed(name: string, space?: string): HubProjectModel[] {
    const found = this.projectsByName.get(key(name)) ?? [];
    return space === undefined ? found : found.filter((p) => this.spaceOf(p) === space);
  }

  projectNames(): string[] {
    return [...this.projects.values()].map((p) => p.name);
  }

  tenantNamed(name: string): HubTenantModel | undefined {
    return this.tenantsByName.get(key(name));
  }

  tenantNames(): string[] {
    return [...this.tenants.values()].map((t) => t.name);
  }

  spaceNamed(name: string): HubSpaceModel | undefined {
    return this.spacesByName.get(key(name));
  }

  /** Whether a tenant is connected to a project (a tenant listing no projects is connected to every one). */
  tenantConnected(tenant: HubTenantModel, project: HubProjectModel): boolean {
    return tenant.projects.length === 0 || tenant.projects.includes(project.slug);
  }

  /** The environments a project deploys to, in promotion order: its own list, else every environment of its space. */
  environmentsOf(project: HubProjectModel): HubEnvironmentModel[] {
    const all = this.config?.environments ?? [];
    const space = this.spaceOf(project);
    const chosen =
      project.environments.length > 0
        ? project.environments.map((slug) => all.find((e) => e.slug === slug)).filter((e): e is HubEnvironmentModel => e !== undefined)
        : all.filter((e) => this.spaceOf(e) === space);
    return [...chosen].sort((a, b) => a.order - b.order);
  }

  environment(slugOrName: string): HubEnvironmentModel | undefined {
    const all = this.config?.environments ?? [];
    return all.find((e) => e.slug === slugOrName) ?? all.find((e) => key(e.name) === key(slugOrName));
  }

  /** A registered project by slug, else by name. */
  project(slugOrName: string): HubProjectModel | undefined {
    return this.projects.get(slugOrName) ?? this.projectsByName.get(key(slugOrName))?.[0];
  }
}
