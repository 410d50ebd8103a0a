/** OCL and Rego as text with line numbers: code frames at a finding, whole listings, diagnostics. */
import { LineIndex, type Diagnostic, type Range } from '../../diagnostics.js';

/** Lines `first..last` of `text`, the lines of `range` marked. */
export function CodeFrame(props: { file: string; text: string; range?: Range; context?: number; note?: string }) {
  const index = new LineIndex(props.text);
  const start = Math.min(Math.max(props.range?.start.line ?? 1, 1), index.lineCount);
  const end = Math.min(Math.max(props.range?.end.line ?? start, start), index.lineCount);
  // A whole-file range (1:1–1:1) is the process as a whole: show its opening lines.
  const context = props.context ?? 2;
  const first = Math.max(1, start - context);
  const last = Math.min(index.lineCount, Math.max(end, start) + context, start + 12);
  const lines: number[] = [];
  for (let n = first; n <= last; n++) lines.push(n);
  return (
    <figure class="code-frame">
      <figcaption class="frame-title">
        <span class="mono">{`${props.file}:${start}${props.range ? `:${props.range.start.column}` : ''}`}</span>
        {props.note ? ` — ${props.note}` : ''}
      </figcaption>
      <pre>
        {lines.map((n) => {
          const text = index.lineText(n);
          const subject = n >= start && n <= end;
          return (
            <span class={subject ? 'line subject' : 'line'}>
              <span class="ln" aria-hidden="true">
                {String(n).padStart(String(last).length)}
              </span>
              {subject ? <mark>{text === '' ? ' ' : text}</mark> : text}
              {'\n'}
            </span>
          );
        })}
      </pre>
    </figure>
  );
}

/** A whole text with its line numbers (starting at `firstLine`). */
export function Listing(props: { text: string; firstLine?: number; label: string }) {
  const lines = props.text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const first = props.firstLine ?? 1;
  const width = String(first + lines.length - 1).length;
  return (
    <figure class="listing">
      <figcaption class="frame-title">{props.label}</figcaption>
      <pre>
        {lines.map((text, i) => (
          <span class="line">
            <span class="ln" aria-hidden="true">
              {String(first + i).padStart(width)}
            </span>
            {text}
            {'\n'}
          </span>
        ))}
      </pre>
    </figure>
  );
}

/** Diagnostics as a list: severity, code, location, summary (and a frame when the source is known). */
export function Diagnostics(props: { diagnostics: readonly Diagnostic[]; sources?: ReadonlyMap<string, string>; label?: string }) {
  if (props.diagnostics.length === 0) return null;
  return (
    <ul class="diagnostics" aria-label={props.label ?? 'Diagnostics'}>
      {props.diagnostics.map((d) => {
        const text = d.file !== undefined ? props.sources?.get(d.file) : undefined;
        return (
          <li>
            <strong>{d.severity}</strong> <code>{d.code}</code>
            {d.file !== undefined ? <span class="mono">{` ${d.file}${d.range ? `:${d.range.start.line}:${d.range.start.column}` : ''}`}</span> : null}: {d.summary}
            {d.adjusted ? <span class="badge">{`severity changed by a rule setting (was ${d.adjusted.originalSeverity})`}</span> : null}
            {d.detail ? <div>{d.detail}</div> : null}
            {text !== undefined && d.range && d.file !== undefined ? <CodeFrame file={d.file} text={text} range={d.range} context={1} /> : null}
          </li>
        );
      })}
    </ul>
  );
}
