/**
 * `oclhub lint --format json` written as it is produced: the same bytes as `renderLintJson`, as a
 * sequence of chunks (the head, then one evaluation at a time), so that a 5,000-project report is
 * never one string of hundreds of megabytes, nor an ordered copy of every decision, in memory.
 *
 * `JSON.stringify(value, null, 2)` indents purely by depth and never puts a raw line break inside a
 * string, so an evaluation stringified alone and indented by two levels is exactly its text inside
 * the whole document.
 */
import { buildLintJson, type LintJsonOptions } from './lint-json.js';
import { lintExitCode, summarize, type LintReport } from './lint-report.js';

const EVALUATIONS = '\n  "evaluations": []';

/** The chunks of `renderLintJson(report, options)` with the default indentation. */
export function* lintJsonChunks(report: LintReport, options: Omit<LintJsonOptions, 'indent'> = {}): Generator<string> {
  // The head: every field in its place; the summary and exit code are the whole report's.
  const summary = summarize(report);
  const head = JSON.stringify({ ...buildLintJson({ ...report, evaluations: [] }, options), exitCode: lintExitCode(summary), summary }, null, 2);
  const at = head.indexOf(EVALUATIONS);
  if (at < 0 || report.evaluations.length === 0) {
    yield head + '\n';
    return;
  }
  const open = at + EVALUATIONS.length - 1; // just past `[`
  yield head.slice(0, open);
  const alone: LintReport = { ...report, diagnostics: [], evaluations: [] };
  delete alone.suppressed;
  delete alone.repositories;
  let first = true;
  for (const evaluation of report.evaluations) {
    alone.evaluations = [evaluation];
    const one = buildLintJson(alone, options).evaluations[0]!;
    yield `${first ? '' : ','}\n    ${JSON.stringify(one, null, 2).replace(/\n/g, '\n    ')}`;
    first = false;
  }
  yield `\n  ${head.slice(open)}\n`;
}
