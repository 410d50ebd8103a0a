/**
 * `oclhub lint --format json` written as it is produced: the same bytes as `renderLintJson`, as a
 * sequence of chunks (the head, then a few evaluations at a time), so that a 5,000-project report is
 * never one string of hundreds of megabytes, nor an ordered copy of every decision, in memory.
 *
 * `JSON.stringify(value, null, 2)` indents purely by depth, so evaluations stringified as the array
 * of a one-key object are, between its brackets, exactly their text inside the whole document.
 */
import { buildLintJson, type LintJsonOptions } from './lint-json.js';
import { lintExitCode, summarize, type LintReport } from './lint-report.js';

const EVALUATIONS = '\n  "evaluations": []';
/** `JSON.stringify({ e: [x, …] }, null, 2)` is this, the elements (each line indented by four), and the end. */
const WRAP_START = '{\n  "e": [';
const WRAP_END = '\n  ]\n}';
/** Evaluations stringified at a time. */
const BATCH = 64;

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
  for (let at = 0; at < report.evaluations.length; at += BATCH) {
    alone.evaluations = report.evaluations.slice(at, at + BATCH);
    // Stringified inside a one-key wrapper, the evaluations are already indented as in the whole document.
    const wrapped = JSON.stringify({ e: buildLintJson(alone, options).evaluations }, null, 2);
    yield `${at === 0 ? '' : ','}${wrapped.slice(WRAP_START.length, wrapped.length - WRAP_END.length)}`;
  }
  yield `\n  ${head.slice(open)}\n`;
}
