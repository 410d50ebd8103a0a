/**
 * One entry point for the `oclhub lint --format` flag: the format names and a dispatcher over the
 * lint renderers, so the CLI (and the API) stay thin.
 */
import { renderGithub, renderGithubStepSummary, type GithubOptions, type StepSummaryOptions } from './github.js';
import { renderGitlab, type GitlabOptions } from './gitlab.js';
import { renderJunit, type JunitOptions } from './junit.js';
import { renderLintJson, type LintJsonOptions } from './lint-json.js';
import type { LintReport } from './lint-report.js';
import { renderLintText, type LintTextOptions } from './lint-text.js';
import { renderSarif, type SarifOptions } from './sarif.js';

export const LINT_FORMATS = ['text', 'json', 'sarif', 'junit', 'github', 'gitlab'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export function isLintFormat(name: string): name is LintFormat {
  return (LINT_FORMATS as readonly string[]).includes(name);
}

/** Options per format; each renderer reads only its own. */
export interface LintRenderOptions {
  text?: LintTextOptions;
  json?: LintJsonOptions;
  sarif?: SarifOptions;
  junit?: JunitOptions;
  github?: GithubOptions;
  gitlab?: GitlabOptions;
}

export function renderLint(report: LintReport, format: LintFormat, options: LintRenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderLintText(report, options.text);
    case 'json':
      return renderLintJson(report, options.json);
    case 'sarif':
      return renderSarif(report, options.sarif);
    case 'junit':
      return renderJunit(report, options.junit);
    case 'github':
      return renderGithub(report, options.github);
    case 'gitlab':
      return renderGitlab(report, options.gitlab);
  }
}

export { renderGithubStepSummary, type StepSummaryOptions };
