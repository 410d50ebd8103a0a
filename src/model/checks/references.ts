/**
 * Finds variable references in Octostache text (`#{Name}`, `#{if Name}`, `#{each x in Name}`,
 * `#{Name | Filter}`) and in script lookups (`$OctopusParameters["Name"]`), which is how a process
 * template reaches its parameters (platform-hub.md §2.2: "`#{ParamName}` / `$OctopusParameters["ParamName"]`").
 */

export interface VariableReference {
  /** The referenced variable name, e.g. `Template.Site.Name` (index parts such as `[step]` removed after the first `[`). */
  name: string;
  /** Offset of the reference's first character (`#` or `$`) in the text. */
  offset: number;
  /** The reference as written, e.g. `#{Template.Site.Name}`. */
  raw: string;
}

const OCTOSTACHE = /#\{([^{}]*)\}/g;
const SCRIPT_LOOKUP = /\$OctopusParameters\[\s*(["'])([^"'\]]+)\1\s*\]/g;

/** The variable expression inside `#{…}`, or undefined for end tags and `else`. Also returns a loop variable it declares. */
function parseTag(inner: string): { expression?: string; declares?: string } {
  const text = inner.trim();
  if (text === '' || text.startsWith('/') || text === 'else') return {};
  const each = /^each\s+([A-Za-z_][\w]*)\s+in\s+(.+)$/s.exec(text);
  if (each) return { expression: each[2]!, declares: each[1]! };
  const conditional = /^(?:if|unless)\s+(.+)$/s.exec(text);
  if (conditional) return { expression: conditional[1]! };
  return { expression: text };
}

/** The variable name an expression starts with: up to a filter, comparison, or whitespace; `[...]` indices kept out. */
function variableName(expression: string): string | undefined {
  const head = expression.split('|')[0]!.trim();
  const match = /^([^\s[=!<>"]+(?:\[[^\]]*\][^\s[=!<>"]*)*)/.exec(head);
  if (!match) return undefined;
  const name = match[1]!;
  if (/^["\d]/.test(name)) return undefined;
  return name;
}

export function findReferences(text: string): { references: VariableReference[]; locals: Set<string> } {
  const references: VariableReference[] = [];
  const locals = new Set<string>();
  for (const match of text.matchAll(OCTOSTACHE)) {
    const offset = match.index!;
    // `##{…}` is Octostache's escape for a literal `#{…}`.
    if (offset > 0 && text[offset - 1] === '#') continue;
    const { expression, declares } = parseTag(match[1]!);
    if (declares) locals.add(declares);
    if (expression === undefined) continue;
    const name = variableName(expression);
    if (name !== undefined) references.push({ name, offset, raw: match[0] });
  }
  for (const match of text.matchAll(SCRIPT_LOOKUP)) {
    references.push({ name: match[2]!, offset: match.index!, raw: match[0] });
  }
  return { references, locals };
}

/** The name's first segment (`Octopus.Action[x].Output` → `Octopus`). */
export function rootSegment(name: string): string {
  return name.split(/[.[]/)[0]!;
}

/** Octopus system variables all live under `Octopus.` (plus the environment-variable style `env:` lookups). */
export function isSystemVariable(name: string): boolean {
  const root = rootSegment(name).toLowerCase();
  return root === 'octopus' || root.startsWith('env:') || root === 'octopusparameters';
}

/** Whether a reference inside `name` that is a local of an `each` loop: `machine` or `machine.Name`. */
export function isLocal(name: string, locals: ReadonlySet<string>): boolean {
  return locals.has(rootSegment(name));
}
