/** `fmt --diff`: what formatting would change, as the unified diff `git diff` and `patch` read. */
import { createTwoFilesPatch } from 'diff';
import type { Colors } from './io.js';

export function unifiedDiff(display: string, before: string, after: string, colors?: Colors): string {
  const patch = createTwoFilesPatch(`a/${display}`, `b/${display}`, before, after, undefined, undefined, { context: 3 });
  // jsdiff opens with a line of `=`; git's format has none.
  const lines = patch.replace(/^=+\n/, '').split('\n');
  if (!colors) return lines.join('\n');
  return lines
    .map((line) =>
      line.startsWith('+++') || line.startsWith('---')
        ? colors.bold(line)
        : line.startsWith('@@')
          ? colors.cyan(line)
          : line.startsWith('+')
            ? colors.green(line)
            : line.startsWith('-')
              ? colors.red(line)
              : line,
    )
    .join('\n');
}
