/** Checks on oclhub.ocl beyond its schema: unique slugs, references, project locations, dates, versions, tags. */
import valid from 'semver/functions/valid.js';
import type { Diagnostic, Range } from '../../diagnostics.js';
import { modelDiagnostic } from '../codes.js';
import { KNOWN_CODES } from '../code-registry.js';
import { checkBasePath, folderPath, invalidProjectPath } from '../folder-path.js';
import { checkRuleSettings, ruleSettingsOf } from '../rule-settings.js';
import { suggest } from '../suggest.js';
import type { BlockSource, HubConfigDocument } from '../types.js';

/** The semver functions used here, each loaded alone (the package's index loads all fifty of its modules). */
const semver = { valid };

export interface HubConfigCheckOptions {
  file?: string | undefined;
  /** "Now" for expiry checks (default: the current time). */
  now?: Date | undefined;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** End of validity of an `expires` value: a date means "through that day, UTC". Undefined when invalid. */
export function parseExpiry(value: string): Date | undefined {
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const date = new Date(Date.UTC(y, m - 1, d + 1));
    // Reject 2026-02-30 and the like: the day must survive the round trip.
    const check = new Date(Date.UTC(y, m - 1, d));
    return check.getUTCMonth() === m - 1 && check.getUTCDate() === d ? date : undefined;
  }
  if (TIMESTAMP.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

export function isValidTag(tag: string): boolean {
  const parts = tag.split('/');
  return parts.length === 2 && parts[0]!.trim() !== '' && parts[1]!.trim() !== '';
}

export function checkHubConfig(doc: HubConfigDocument, options: HubConfigCheckOptions = {}): Diagnostic[] {
  const file = options.file;
  const out: Diagnostic[] = [];
  const attr = (item: BlockSource, name: string): Range => item.attributeRanges[name] ?? item.labelRange ?? item.headerRange;

  const unique = <T extends BlockSource>(items: readonly T[], key: (t: T) => string, what: string): Map<string, T> => {
    const seen = new Map<string, T>();
    for (const item of items) {
      const k = key(item);
      const earlier = seen.get(k);
      if (earlier) {
        out.push(
          modelDiagnostic('SEM030', `Duplicate ${what} "${k}"`, {
            file,
            range: item.labelRange ?? item.headerRange,
            related: [{ file, range: earlier.labelRange ?? earlier.headerRange, message: `first ${what} "${k}"` }],
          }),
        );
      } else seen.set(k, item);
    }
    return seen;
  };
  const spaces = unique(doc.spaces, (s) => s.slug, 'space');
  const environments = unique(doc.environments, (e) => e.slug, 'environment');
  const tenants = unique(doc.tenants, (t) => t.slug, 'tenant');
  const groups = unique(doc.projectGroups, (g) => g.slug, 'project group');
  const projects = unique(doc.projects, (p) => p.slug, 'project');
  unique(doc.policies, (p) => p.slug, 'policy activation');
  unique(doc.exceptions, (e) => e.id, 'exception');
  unique(doc.stepTemplates, (t) => t.id, 'step template');

  const reference = (value: string | undefined, known: Map<string, unknown>, what: string, range: Range, implicitOk = false): void => {
    if (value === undefined || known.has(value) || implicitOk) return;
    const hint = suggest(value, known.keys());
    out.push(
      modelDiagnostic('SEM031', `Unknown ${what} "${value}"`, {
        file,
        range,
        detail: hint ? `Did you mean "${hint}"?` : known.size > 0 ? `Declared: ${[...known.keys()].map((k) => `"${k}"`).join(', ')}.` : `No ${what} is declared in oclhub.ocl.`,
      }),
    );
  };
  // With no `space` blocks every item lives in one implicit space, so naming one is an error only if spaces are declared.
  const spaceRef = (value: string | undefined, range: Range) => reference(value, spaces, 'space', range);

  spaceRef(doc.defaultSpace, doc.source.attributeRanges['default_space'] ?? doc.source.range);
  const basePath = checkBasePath(doc, file);
  if (basePath) out.push(basePath);

  const checkTags = (tags: readonly string[], item: BlockSource) => {
    for (const tag of tags) {
      if (!isValidTag(tag)) {
        out.push(
          modelDiagnostic('SEM036', `Tag "${tag}" must be written as "TagSet/Tag"`, {
            file,
            range: attr(item, 'tags'),
            detail: 'Octopus gives policies canonical tag names, e.g. "region/us-east".',
          }),
        );
      }
    }
  };

  const orders = new Map<string, Map<number, string>>();
  for (const env of doc.environments) {
    spaceRef(env.space, attr(env, 'space'));
    checkTags(env.tags, env);
    if (env.attributeRanges['order'] !== undefined) {
      const spaceKey = env.space ?? '';
      let bySpace = orders.get(spaceKey);
      if (!bySpace) orders.set(spaceKey, (bySpace = new Map()));
      const other = bySpace.get(env.order);
      if (other !== undefined && other !== env.slug) {
        out.push(
          modelDiagnostic('SEM038', `Environments "${other}" and "${env.slug}" have the same order ${env.order}`, {
            file,
            range: attr(env, 'order'),
            detail: 'The promotion order between them is then the declaration order.',
          }),
        );
      } else bySpace.set(env.order, env.slug);
    }
  }
  for (const tenant of doc.tenants) {
    spaceRef(tenant.space, attr(tenant, 'space'));
    checkTags(tenant.tags, tenant);
    for (const p of tenant.projects) reference(p, projects, 'project', attr(tenant, 'projects'));
    for (const e of tenant.environments) reference(e, environments, 'environment', attr(tenant, 'environments'));
  }
  for (const group of doc.projectGroups) spaceRef(group.space, attr(group, 'space'));
  for (const project of doc.projects) {
    spaceRef(project.space, attr(project, 'space'));
    reference(project.group, groups, 'project group', attr(project, 'group'));
    checkTags(project.tags, project);
    for (const e of project.environments) reference(e, environments, 'environment', attr(project, 'environments'));
    if (project.path === undefined && project.repository === undefined) {
      out.push(
        modelDiagnostic('SEM032', `Project "${project.slug}" has neither \`path\` nor \`repository\``, {
          file,
          range: project.labelRange ?? project.headerRange,
          detail: 'Set `path` to the folder holding its .octopus files in this repository, or `repository` (URL or local path) and optionally `ref` and `path` inside it.',
        }),
      );
    }
    const folder = project.path !== undefined ? folderPath(project.path) : undefined;
    // An empty path already has its schema error (SCH006): no second finding.
    if (folder?.valid === false && project.path !== '') out.push(invalidProjectPath(project, folder.reason, file));
    if (project.ref !== undefined && project.repository === undefined) {
      out.push(
        modelDiagnostic('SEM032', `Project "${project.slug}" sets \`ref\` without \`repository\``, {
          file,
          range: attr(project, 'ref'),
          detail: 'A project in this repository is read at the hub\'s own ref; `ref` applies only to another repository.',
        }),
      );
    }
  }
  for (const activation of doc.policies) {
    if (activation.activeVersion !== undefined && semver.valid(activation.activeVersion) === null) {
      out.push(
        modelDiagnostic('SEM035', `active_version "${activation.activeVersion}" of policy "${activation.slug}" is not a semantic version`, {
          file,
          range: attr(activation, 'active_version'),
          detail: 'Write the published version exactly, e.g. "1.2.0".',
        }),
      );
    }
  }
  const now = options.now ?? new Date();
  for (const exception of doc.exceptions) {
    reference(exception.project, projects, 'project', attr(exception, 'project'));
    reference(exception.environment, environments, 'environment', attr(exception, 'environment'));
    reference(exception.tenant, tenants, 'tenant', attr(exception, 'tenant'));
    if (exception.expires !== undefined) {
      const expiry = parseExpiry(exception.expires);
      if (!expiry) {
        out.push(
          modelDiagnostic('SEM034', `expires "${exception.expires}" is not a date`, {
            file,
            range: attr(exception, 'expires'),
            detail: 'Write a date as YYYY-MM-DD (valid through that day, UTC) or an RFC 3339 timestamp.',
          }),
        );
      } else if (expiry.getTime() <= now.getTime()) {
        out.push(
          modelDiagnostic('SEM033', `Exception "${exception.id}" expired on ${exception.expires}`, {
            file,
            range: attr(exception, 'expires'),
            detail: 'An expired exception no longer waives the policy: renew it with a new date or delete it.',
          }),
        );
      }
    }
  }
  // A block without a valid severity already has its schema error (SCH003/SCH005): no second finding.
  const settings = ruleSettingsOf(doc).filter((s) => s.severity !== undefined);
  out.push(...checkRuleSettings(settings, KNOWN_CODES, file ?? 'oclhub.ocl'));
  return out;
}
