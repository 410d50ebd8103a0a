/**
 * The deployed-versions file `oclhub deps --deployed FILE` reads: which release of each project is
 * deployed in each environment, e.g. exported from Octopus's dashboard.
 *
 *     { "<project>": { "<environment>": "<version>" } }
 *
 * Projects and environments are named by oclhub slug or Octopus name (names case-insensitively). For a
 * tenanted project an environment may hold one version per tenant: `{ "<tenant>": "<version>" }`.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex, type Diagnostic } from '../diagnostics.js';
import type { HubEnvironmentModel, HubProjectModel, HubTenantModel } from '../model/types.js';
import { depDiagnostic } from './codes.js';

type EnvironmentValue = { version: string } | { tenants: Map<string, string> };

export interface DeployedVersions {
  file: string;
  /** Project key as written → environment key as written → the version(s). */
  projects: Map<string, Map<string, EnvironmentValue>>;
}

export type DeployedLookup =
  | { kind: 'version'; version: string }
  /** The project is in the file but has no version in that environment (for that tenant). */
  | { kind: 'none' }
  /** The file does not mention the project: nothing can be said about it. */
  | { kind: 'project-missing' }
  /** The environment holds per-tenant versions but the deployment names no tenant. */
  | { kind: 'tenant-needed' };

export function parseDeployedVersions(text: string, file: string): { deployed?: DeployedVersions; diagnostics: Diagnostic[] } {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new LineIndex(clean);
  const diagnostics: Diagnostic[] = [];
  const fail = (summary: string, node: { offset: number; length: number } | undefined, detail?: string) =>
    diagnostics.push(depDiagnostic('DEP020', summary, { file, range: node ? lines.range(node.offset, node.offset + node.length) : lines.range(0, 0), detail }));
  const errors: ParseError[] = [];
  const tree = parseTree(clean, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !tree) {
    for (const error of errors.slice(0, 5)) fail(`Not valid JSON: ${printParseErrorCode(error.error)}`, error);
    if (errors.length === 0) fail('The file is empty', undefined);
    return { diagnostics };
  }
  const shape = 'Expected { "<project>": { "<environment>": "<version>" } }.';
  if (tree.type !== 'object') {
    fail(`The top level must be an object of projects, not ${tree.type}`, tree, shape);
    return { diagnostics };
  }
  const projects = new Map<string, Map<string, EnvironmentValue>>();
  for (const [projectKey, environments] of entries(tree)) {
    if (environments.type !== 'object') {
      fail(`"${projectKey}" must map environments to versions, not ${environments.type}`, environments, shape);
      continue;
    }
    const byEnvironment = new Map<string, EnvironmentValue>();
    for (const [environmentKey, value] of entries(environments)) {
      if (value.type === 'string') byEnvironment.set(environmentKey, { version: String(value.value) });
      else if (value.type === 'object') {
        const tenants = new Map<string, string>();
        for (const [tenantKey, version] of entries(value)) {
          if (version.type === 'string') tenants.set(tenantKey, String(version.value));
          else fail(`The version of "${projectKey}" in "${environmentKey}" for "${tenantKey}" must be a string`, version);
        }
        byEnvironment.set(environmentKey, { tenants });
      } else if (value.type !== 'null') fail(`The version of "${projectKey}" in "${environmentKey}" must be a string (or an object of tenant versions)`, value);
    }
    projects.set(projectKey, byEnvironment);
  }
  return diagnostics.length > 0 ? { diagnostics } : { deployed: { file, projects }, diagnostics };
}

function entries(node: Node): [string, Node][] {
  const out: [string, Node][] = [];
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key && value) out.push([String(key.value), value]);
  }
  return out;
}

/** The value under the key naming `item` by slug, else by name (case-insensitively, trimmed). */
function find<V>(map: ReadonlyMap<string, V>, item: { slug: string; name: string }): V | undefined {
  const exact = map.get(item.slug);
  if (exact !== undefined) return exact;
  const name = item.name.trim().toLowerCase();
  for (const [key, value] of map) if (key.trim().toLowerCase() === name || key.trim().toLowerCase() === item.slug.toLowerCase()) return value;
  return undefined;
}

export function deployedVersion(deployed: DeployedVersions, project: HubProjectModel, environment: HubEnvironmentModel, tenant: HubTenantModel | undefined): DeployedLookup {
  const environments = find(deployed.projects, project);
  if (!environments) return { kind: 'project-missing' };
  const value = find(environments, environment);
  if (!value) return { kind: 'none' };
  if ('version' in value) return { kind: 'version', version: value.version };
  if (!tenant) return { kind: 'tenant-needed' };
  const version = find(value.tenants, tenant);
  return version === undefined ? { kind: 'none' } : { kind: 'version', version };
}
