/** Policy OCL files written the way Octopus's UI writes them (heredoc Rego indented 12 spaces). */
import { loadPolicyText, type PolicySource } from '../../src/policy/load.js';

export interface PolicyParts {
  slug: string;
  name?: string;
  description?: string;
  violationReason?: string;
  violationAction?: string;
  /** Rego of the scope module; `package <slug>` is prepended when `withPackage` is not false. */
  scope: string;
  conditions: string;
  withPackage?: boolean;
}

function indentRego(rego: string): string {
  return rego
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line.trim() === '' ? '' : `            ${line}`))
    .join('\n');
}

function heredoc(rego: string): string {
  let tag = 'EOT';
  while (rego.includes(tag)) tag += 'X';
  return `<<-${tag}\n${indentRego(rego)}\n            ${tag}`;
}

/** The OCL text of a policy file. */
export function policyOcl(parts: PolicyParts): string {
  const pkg = (rego: string) => (parts.withPackage === false ? rego : `package ${parts.slug}\n\n${rego}`);
  const lines = [`name = ${JSON.stringify(parts.name ?? parts.slug)}`];
  if (parts.description !== undefined) lines.push(`description = ${JSON.stringify(parts.description)}`);
  if (parts.violationReason !== undefined) lines.push(`violation_reason = ${JSON.stringify(parts.violationReason)}`);
  if (parts.violationAction !== undefined) lines.push(`violation_action = ${JSON.stringify(parts.violationAction)}`);
  return `${lines.join('\n')}\n\nconditions {\n    rego = ${heredoc(pkg(parts.conditions))}\n}\n\nscope {\n    rego = ${heredoc(pkg(parts.scope))}\n}\n`;
}

/** Parses a policy text through the policy model; fails the test when it does not build. */
export function loadPolicy(parts: PolicyParts, extra: { version?: string } = {}): PolicySource {
  const file = `.octopus/policies/${parts.slug}.ocl`;
  const { policy, diagnostics } = loadPolicyText(file, policyOcl(parts), extra);
  if (!policy) throw new Error(`policy does not load: ${JSON.stringify(diagnostics, null, 2)}`);
  return policy;
}
