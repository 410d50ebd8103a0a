/**
 * Policy checks: violation_action, slug / file name / Rego package agreement, the fixed rule names
 * (`evaluate` in scope, `result` in conditions), Rego syntax and user-defined functions.
 */
import type { Diagnostic, LineIndex, Range } from '../../diagnostics.js';
import { parseModule } from '../../rego/parser.js';
import type { Module } from '../../rego/ast.js';
import { modelDiagnostic } from '../codes.js';
import { oclString, replaceFix } from '../fixes.js';
import { suggest } from '../suggest.js';
import type { PolicyDocument, RegoSourceModel } from '../types.js';

export const VIOLATION_ACTIONS = ['block', 'warn'] as const;

export interface PolicyCheckOptions {
  file?: string | undefined;
  lines?: LineIndex | undefined;
}

/** Maps a 1-based position in a Rego module embedded in an OCL value back to the OCL file. */
export function regoToOclRange(source: RegoSourceModel, line: number, column: number, length: number, lines: LineIndex | undefined): Range | undefined {
  if (source.firstLine === undefined || source.rego === undefined || source.regoRange === undefined) return undefined;
  const oclLine = source.firstLine + line - 1;
  if (!lines || oclLine > lines.lineCount) return source.regoRange;
  const regoLineText = source.rego.split('\n')[line - 1] ?? '';
  const oclLineText = lines.lineText(oclLine);
  // Heredoc dedent removes leading whitespace only, so the Rego line is a suffix of the OCL line.
  const shift = oclLineText.endsWith(regoLineText.replace(/\r$/, '')) ? oclLineText.length - regoLineText.replace(/\r$/, '').length : 0;
  const startColumn = Math.max(1, column + shift);
  // Offset of the OCL line start: search from the value start for the (oclLine - valueLine)th newline.
  let offset = source.regoRange.start.offset;
  for (let l = source.regoRange.start.line; l < oclLine; l++) {
    const next = lines.text.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  if (source.regoRange.start.line === oclLine) offset -= source.regoRange.start.column - 1;
  const start = offset + startColumn - 1;
  return lines.range(start, Math.min(start + Math.max(length, 1), offset + oclLineText.length));
}

/** Package name by regex, for modules that do not parse. */
function packageByRegex(rego: string): { name: string; line: number; column: number } | undefined {
  const lines = rego.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)package\s+([^\s#]+)/.exec(lines[i]!);
    if (m) return { name: m[2]!, line: i + 1, column: m[1]!.length + 1 };
  }
  return undefined;
}

function defines(module: Module, rule: string): boolean {
  return module.rules.some((r) => {
    const first = r.head.ref[0];
    return first !== undefined && first.type === 'string' && first.value === rule;
  });
}

function definesByRegex(rego: string, rule: string): boolean {
  return new RegExp(`^\\s*(?:default\\s+)?${rule}\\b\\s*(?:if\\b|:=|=|\\{|\\[|contains\\b|$)`, 'm').test(rego);
}

export function checkPolicy(doc: PolicyDocument, options: PolicyCheckOptions): Diagnostic[] {
  const file = options.file;
  const out: Diagnostic[] = [];
  const docStart: Range = { start: doc.source.range.start, end: doc.source.range.start };

  if (doc.violationAction !== undefined && !(VIOLATION_ACTIONS as readonly string[]).includes(doc.violationAction)) {
    const hint = suggest(doc.violationAction, VIOLATION_ACTIONS);
    out.push(
      modelDiagnostic('POL001', `violation_action is "${doc.violationAction}"; it must be "block" or "warn"`, {
        file,
        range: doc.source.attributeRanges['violation_action'],
        detail:
          (hint ? `Did you mean "${hint}"? ` : '') +
          'Octopus publishes any other value and then cannot show its policies screen (OctopusDeploy/Issues#10061). Omit the attribute for the default, "block".',
        fix:
          hint !== undefined && doc.source.attributeRanges['violation_action']
            ? replaceFix(`Change to "${hint}"`, doc.source.attributeRanges['violation_action'], `violation_action = ${oclString(hint)}`)
            : undefined,
      }),
    );
  }

  const slug = doc.slug;
  if (slug !== undefined) {
    if (slug.includes('-')) {
      out.push(
        modelDiagnostic('POL002', `Policy file name "${slug}.ocl" contains a dash`, {
          file,
          range: docStart,
          detail: `The slug is the Rego package name and the file name, so it may not contain dashes: rename the file to "${slug.replace(/-/g, '_')}.ocl" and use \`package ${slug.replace(/-/g, '_')}\`.`,
        }),
      );
    } else if (!/^[a-z_][a-z0-9_]*$/.test(slug)) {
      out.push(
        modelDiagnostic('POL010', `Policy slug "${slug}" must be lower-case letters, digits and underscores`, {
          file,
          range: docStart,
          detail: 'The slug doubles as the Rego package name.',
        }),
      );
    }
  }

  const packages: { which: 'scope' | 'conditions'; name: string; range: Range | undefined }[] = [];
  for (const which of ['scope', 'conditions'] as const) {
    const source = doc[which];
    if (!source || source.rego === undefined) continue;
    const rule = which === 'scope' ? 'evaluate' : 'result';
    const parsed = parseModule(source.rego, file);
    const module = parsed.module;
    for (const error of parsed.errors.slice(0, 5)) {
      out.push(
        modelDiagnostic('POL008', `Rego in \`${which}\` does not parse: ${error.message}`, {
          file,
          range: regoToOclRange(source, error.location.line, error.location.column, 1, options.lines) ?? source.regoRange,
          detail: 'Octopus publishes a policy with invalid Rego, then marks it invalid at deployment time (OctopusDeploy/Issues#9903).',
        }),
      );
    }
    const pkg = module
      ? module.package.length > 0
        ? { name: module.package.join('.'), line: module.packageLocation.line, column: module.packageLocation.column }
        : undefined
      : packageByRegex(source.rego);
    if (!pkg) {
      out.push(
        modelDiagnostic('POL005', `Rego in \`${which}\` has no \`package\` line`, {
          file,
          range: source.regoRange ?? source.headerRange,
          detail: slug ? `Start the module with \`package ${slug}\`.` : 'Start the module with `package <policy slug>`.',
        }),
      );
    } else {
      const range = regoToOclRange(source, pkg.line, pkg.column, `package ${pkg.name}`.length, options.lines) ?? source.regoRange;
      packages.push({ which, name: pkg.name, range });
      if (slug !== undefined && pkg.name !== slug && pkg.name !== slug.replace(/-/g, '_')) {
        out.push(
          modelDiagnostic('POL003', `Rego package "${pkg.name}" in \`${which}\` does not match the policy file name "${slug}"`, {
            file,
            range,
            detail: `The file name, the slug and the package of both modules must be identical: use \`package ${slug.replace(/-/g, '_')}\`.`,
            // Rewritten only where the range holds exactly the package line's words.
            fix:
              range && options.lines?.text.slice(range.start.offset, range.end.offset) === `package ${pkg.name}`
                ? replaceFix(`Change to \`package ${slug.replace(/-/g, '_')}\``, range, `package ${slug.replace(/-/g, '_')}`)
                : undefined,
          }),
        );
      }
    }
    const hasRule = module ? defines(module, rule) : definesByRegex(source.rego, rule);
    if (!hasRule && (module || parsed.errors.length === 0 || !definesByRegex(source.rego, rule))) {
      out.push(
        modelDiagnostic(which === 'scope' ? 'POL006' : 'POL007', `The \`${which}\` module does not define \`${rule}\``, {
          file,
          range: source.regoRange ?? source.headerRange,
          detail:
            which === 'scope'
              ? 'Octopus evaluates the rule `evaluate` (a boolean) to decide whether the policy applies; e.g. `default evaluate := true`.'
              : 'Octopus evaluates the rule `result` (`{"allowed": bool, "reason"?: string, "action"?: "block"|"warn"}`); e.g. `default result := {"allowed": true}`.',
        }),
      );
    }
    if (module) {
      for (const r of module.rules) {
        if (!r.head.args) continue;
        const first = r.head.ref[0];
        const name = first && first.type === 'string' ? first.value : 'function';
        out.push(
          modelDiagnostic('POL009', `User-defined function \`${name}\` in \`${which}\``, {
            file,
            range: regoToOclRange(source, r.location.line, r.location.column, name.length, options.lines) ?? source.regoRange,
            detail: 'Octopus refuses policies with user-defined functions at publish ("User-defined functions are not supported", OctopusDeploy/Issues#9740): inline the logic in rules.',
          }),
        );
      }
    }
  }
  const [first, second] = packages;
  if (first && second && first.name !== second.name) {
    out.push(
      modelDiagnostic('POL004', `The scope and conditions modules use different packages ("${first.name}" and "${second.name}")`, {
        file,
        range: second.range,
        related: first.range ? [{ file, range: first.range, message: `\`${first.which}\` package` }] : undefined,
      }),
    );
  }
  return out;
}
