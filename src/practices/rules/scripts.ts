/** Inline scripts long enough to belong in a package or a Git repository (BP005). */
import { actionsOf } from '../processes.js';
import type { ProjectRule } from '../rule.js';
import { practiceCode } from '../codes.js';

/** Properties holding script text Octopus runs: the script step's body and package steps' custom scripts. */
function isScriptProperty(key: string): boolean {
  return key === 'Octopus.Action.Script.ScriptBody' || key.startsWith('Octopus.Action.CustomScripts.');
}

/** Lines of the text without its trailing white space (trimEnd removes what /\s+$/ matches), counted without splitting it. */
export function lineCount(text: string): number {
  const trimmed = text.trimEnd();
  if (trimmed === '') return 0;
  let lines = 1;
  for (let at = trimmed.indexOf('\n'); at >= 0; at = trimmed.indexOf('\n', at + 1)) lines++;
  return lines;
}

export const longInlineScript: ProjectRule = {
  ...practiceCode('BP005'),
  name: 'long-inline-script',
  threshold: { default: 100, unit: 'lines', fires: 'at-or-above' },
  scope: 'project',
  check(project, ctx) {
    for (const { document, action, name } of actionsOf(project)) {
      // A script from a package or a Git repository is not inline, whatever its body says.
      const source = action.properties.values['Octopus.Action.Script.ScriptSource'];
      if (source !== undefined && source.toLowerCase() !== 'inline') continue;
      for (const [key, value] of Object.entries(action.properties.values)) {
        if (!isScriptProperty(key)) continue;
        const lines = lineCount(value);
        if (!ctx.crosses(lines)) continue;
        ctx.report(`Inline script of ${lines} lines in "${name}" (${ctx.threshold} or more)`, ctx.at(project, document.file, action.properties.ranges[key] ?? action.headerRange), {
          detail:
            'A script this long deserves tests, review and reuse of its own: keep it in a Git repository or a package and run it from there ' +
            '(Script source: Git repository / package), or make it a step template.',
        });
      }
    }
  },
};
