/** Building hub configs and project documents from OCL text for dependency and best-practice tests. */
import { validateFile } from '../../src/model/validate.js';
import type { HubConfigDocument, ModelDocument } from '../../src/model/types.js';
import type { ProjectDocumentSource } from '../../src/deps/template-json.js';

export function config(text: string): HubConfigDocument {
  const result = validateFile({ path: 'oclhub.ocl', text, context: { kind: 'oclhub' } });
  if (result.document?.kind !== 'oclhub') throw new Error(`oclhub.ocl does not build: ${result.diagnostics.map((d) => d.summary).join('; ')}`);
  return result.document;
}

export function documentOf(file: string, text: string): ProjectDocumentSource & { document: ModelDocument } {
  const result = validateFile({ path: file, text });
  if (!result.document) throw new Error(`${file} does not build: ${result.diagnostics.map((d) => d.summary).join('; ')}`);
  return { file, text, document: result.document };
}

/** A deployment process using the Verify Dependencies template with `json` as its dependencies (indented as Octopus writes it). */
export function verifyDependenciesProcess(json: string, extra = ''): string {
  const body = json
    .split('\n')
    .map((line) => (line === '' ? '' : `            ${line}`))
    .join('\n');
  return `process_template "verify-dependencies" {
    name = "Verify Dependencies"
    process_template_slug = "deploy-process-verify-dependencies"
    version_mask = "1.X"

    parameter "Template.Dependency.Projects" {
        value = <<-EOT
${body}
            EOT
    }
${extra}}
`;
}

/** The 1-based line and column where `needle` first occurs in `text` (expectations come from the text). */
export function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`no occurrence ${occurrence} of ${JSON.stringify(needle)}`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

export const HUB = `environment "dev" {
    name = "Development"
    order = 1
}

environment "test" {
    name = "Test"
    order = 2
}

environment "prod" {
    name = "Production"
    order = 3
}

tenant "internal" {
    name = "Internal"
    projects = ["store-hub"]
}

tenant "acme" {
    name = "Acme Corp"
    projects = ["tawa"]
}

project "web" {
    name = "Web Front End"
    path = "projects/web/.octopus"
}

project "spear" {
    name = "Spear"
    path = "projects/spear/.octopus"
}

project "taka" {
    name = "TAKA"
    path = "projects/taka/.octopus"
}

project "tawa" {
    name = "TAWA"
    path = "projects/tawa/.octopus"
    tenanted = "TenantedOrUntenanted"
}

project "store-hub" {
    name = "StoreHub"
    path = "projects/store-hub/.octopus"
    tenanted = "Tenanted"
}
`;
