/**
 * Hover: attribute and block documentation from the schemas; on a template usage, the version its mask
 * resolves to among the published versions and the template's description; on a policy, its active
 * version, its published versions and where it fails (the hub's compliance matrix at HEAD); on a
 * template parameter, its declaration; on an environment slug, its entry in `oclhub.ocl`.
 */
import type { Hover, HoverParams } from 'vscode-languageserver';
import { classifyPath, guessKindFromDocument } from '../model/kinds.js';
import type { ProcessTemplateDocument } from '../model/types.js';
import { parseVersionMask, resolveMask } from '../templates/version-mask.js';
import type { FileAnalysis } from './analysis.js';
import { hubFiles, parametersFor, templateDocument } from './facts.js';
import { locate, schemaPath } from './locate.js';
import { subjectAt, type Subject } from './navigation.js';
import { bomShift, toLspRange } from './positions.js';
import { kindDescription, propertyAt } from './schema-docs.js';
import type { LspContext } from './server.js';

export async function hover(context: LspContext, params: HoverParams): Promise<Hover | null> {
  const file = context.fileOf(params.textDocument.uri);
  const analysis = file === undefined ? undefined : await context.analysis(file);
  if (!analysis) return null;
  const offset = analysis.offsetAt(params.position.line, params.position.character);
  const shift = bomShift(analysis.text);
  const subject = await subjectAt(context, analysis, offset);
  if (subject && subject.kind !== 'template') {
    const value = await describeSubject(context, analysis, subject);
    if (value) return { contents: { kind: 'markdown', value }, range: toLspRange(subject.range, shift) };
  }
  const at = locate(analysis.ast, offset);
  const kind = analysis.kind ?? classifyPath(analysis.file)?.kind ?? guessKindFromDocument(analysis.ast);
  if (subject?.kind === 'template' && at.attribute?.name === 'process_template_slug') {
    const value = await describeSubject(context, analysis, subject);
    if (value) return { contents: { kind: 'markdown', value }, range: toLspRange(subject.range, shift) };
  }
  if (!kind) return null;
  if (at.onName && !at.entry) {
    const name = at.attribute?.name ?? at.blocks[at.blocks.length - 1]?.name;
    const path = schemaPath(at.attribute ? at.blocks : at.blocks.slice(0, -1));
    const range = at.attribute?.nameRange ?? at.blocks[at.blocks.length - 1]?.nameRange;
    if (name === undefined || !range) return null;
    const property = propertyAt(kind, path, name);
    const lines = [`**${name}**${property ? ` — ${property.block ? 'block' : (property.type ?? 'value')}${property.required ? ', required' : ''}` : ''}`];
    if (property?.description) lines.push(property.description);
    if (property?.values) lines.push(`One of: ${property.values.map((v) => `\`${v}\``).join(', ')}`);
    if (!property) lines.push(`Not an attribute or block oclhub knows in ${kindDescription(kind).title ?? kind}.`);
    return { contents: { kind: 'markdown', value: lines.join('\n\n') }, range: toLspRange(range, shift) };
  }
  if (subject?.kind === 'template') {
    const value = await describeSubject(context, analysis, subject);
    if (value) return { contents: { kind: 'markdown', value }, range: toLspRange(subject.range, shift) };
  }
  return null;
}

async function describeSubject(context: LspContext, analysis: FileAnalysis, subject: Subject): Promise<string | undefined> {
  switch (subject.kind) {
    case 'template':
    case 'usage':
      return subject.slug === undefined ? undefined : describeUsage(context, analysis, subject);
    case 'parameter':
      return describeParameter(context, analysis, subject);
    case 'policy':
      return describePolicy(context, subject.slug);
    case 'environment': {
      const config = await context.config();
      const environment = config?.environments.find((e) => e.slug === subject.slug);
      if (!environment) return config ? `Environment \`${subject.slug}\` is not declared in oclhub.ocl.` : undefined;
      return [`**${environment.name}** (environment \`${environment.slug}\`)`, `Promotion order ${environment.order}`, environment.tags.length ? `Tags: ${environment.tags.join(', ')}` : '']
        .filter(Boolean)
        .join('\n\n');
    }
  }
}

async function describeUsage(context: LspContext, analysis: FileAnalysis, subject: Extract<Subject, { kind: 'template' | 'usage' }>): Promise<string> {
  const slug = subject.slug!;
  const lines: string[] = [];
  const usageBlock = subject.kind === 'usage' ? subject.usage : locate(analysis.ast, subject.range.start.offset).blocks.find((b) => b.name === 'process_template');
  const usageSlug = usageBlock?.labels[0]?.value;
  const mask = usageBlock?.body.find((e) => e.type === 'attribute' && e.name === 'version_mask');
  const maskText = mask?.type === 'attribute' && mask.value.type === 'string' ? mask.value.value : undefined;
  const catalog = await context.hub.freshCatalog().catch(() => undefined);
  const versions = catalog ? await catalog.versions('process-templates', slug) : [];
  const resolvedFromPass = context.lastPass()?.usages.get(analysis.file)?.find((u) => u.slug === usageSlug && u.templateSlug === slug);
  let version = resolvedFromPass?.version;
  if (version === undefined && maskText !== undefined) {
    const parsed = parseVersionMask(maskText);
    if (!('error' in parsed)) version = resolveMask(parsed, versions);
  }
  let document: ProcessTemplateDocument | undefined;
  if (version !== undefined && catalog) {
    const loaded = await catalog.loadProcessTemplate(slug, version);
    document = loaded.document;
    lines.push(`**${document?.name ?? slug}** — process template \`${slug}\` **${version}** (tag \`${loaded.tag}\`)`);
  } else {
    document = (await templateDocument(context, slug))?.document;
    lines.push(`**${document?.name ?? slug}** — process template \`${slug}\``);
    if (maskText !== undefined) {
      lines.push(versions.length === 0 ? 'No published versions: the usage resolves to nothing until the template is published.' : `No published version matches \`${maskText}\`.`);
    }
  }
  if (document?.description) lines.push(document.description);
  if (maskText !== undefined && version !== undefined) lines.push(`\`version_mask = "${maskText}"\` resolves to ${version}.`);
  if (versions.length > 0) lines.push(`Published: ${[...versions].reverse().join(', ')}`);
  if (document && document.parameters.length > 0) {
    lines.push(`Parameters: ${document.parameters.map((p) => `\`${p.name}\`${p.isOptional || p.defaults.length > 0 ? '' : ' (required)'}`).join(', ')}`);
  }
  return lines.join('\n\n');
}

async function describeParameter(context: LspContext, analysis: FileAnalysis, subject: Extract<Subject, { kind: 'parameter' }>): Promise<string | undefined> {
  let parameters = subject.template !== undefined ? (await templateDocument(context, subject.template))?.document.parameters : undefined;
  if (!parameters) parameters = (await parametersFor(context, analysis))?.parameters;
  const parameter = parameters?.find((p) => p.name === subject.name);
  if (!parameter) return `Template parameter \`${subject.name}\` is not declared.`;
  const lines = [`**${parameter.label ?? parameter.name}** — parameter \`${parameter.name}\` (${parameter.controlType ?? 'no control type'})`];
  if (parameter.helpText) lines.push(parameter.helpText);
  const first = parameter.defaults[0]?.value;
  if (first !== undefined) lines.push(`Default: \`${first}\``);
  else if (!parameter.isOptional) lines.push('Required: a consuming project must set it.');
  if (parameter.selectOptions?.length) lines.push(`Options: ${parameter.selectOptions.map((o) => `\`${o.value}\``).join(', ')}`);
  return lines.join('\n\n');
}

/** How long a hover waits for the compliance matrix before answering without it. */
const COMPLIANCE_WAIT_MS = 5000;

async function describePolicy(context: LspContext, slug: string): Promise<string> {
  const lines: string[] = [];
  const file = (await hubFiles(context, 'policy')).get(slug);
  const policy = file === undefined ? undefined : (await context.analysis(file))?.result.document;
  const name = policy?.kind === 'policy' ? policy.name : undefined;
  lines.push(`**${name ?? slug}** — policy \`${slug}\``);
  if (policy?.kind === 'policy' && policy.description) lines.push(policy.description);
  const config = await context.config();
  const activation = config?.policies.find((p) => p.slug === slug);
  lines.push(activation?.activeVersion !== undefined ? `Active version: **${activation.activeVersion}**` : 'Not active: no `active_version` in oclhub.ocl, so it is not evaluated.');
  const catalog = await context.hub.freshCatalog().catch(() => undefined);
  const versions = catalog ? await catalog.versions('policies', slug) : [];
  lines.push(versions.length > 0 ? `Published: ${[...versions].reverse().join(', ')}` : 'Never published.');
  if (activation?.activeVersion !== undefined) {
    const matrix = await Promise.race([context.hub.compliance(), new Promise<undefined>((resolve) => void setTimeout(resolve, COMPLIANCE_WAIT_MS))]);
    if (!matrix) lines.push('Where it fails: still evaluating the hub; hover again in a moment.');
    else {
      const failures = matrix.rows.flatMap((row) =>
        row.findings
          .filter((f) => f.policy === slug && (f.outcome === 'violation' || f.outcome === 'error'))
          .map((f) => `- ${row.project} → ${row.environment}${row.tenant ? ` (${row.tenant})` : ''}: ${f.outcome === 'error' ? `error: ${f.error ?? ''}` : `${f.action}: ${f.reason ?? ''}`}`),
      );
      lines.push(failures.length === 0 ? `Where it fails: nowhere (${matrix.rows.length} project × environment contexts at ${matrix.hubRef ?? 'HEAD'}).` : `Where it fails (at ${matrix.hubRef?.slice(0, 12) ?? 'HEAD'}):\n${failures.join('\n')}`);
    }
  }
  return lines.join('\n\n');
}
