/**
 * The dependency graph over a hub's projects, and its cycles. A cycle is reported on every project in
 * it, at each of that project's declarations that lead back to it (a project waiting for itself through
 * others can never be satisfied: each side's Stop check waits on the other's deployment).
 */
import type { Diagnostic } from '../diagnostics.js';
import { depDiagnostic } from './codes.js';
import type { DependencyDeclaration } from './declarations.js';

export interface DependencyGraph {
  /** Declarations by declaring project, in declaration order. */
  readonly outgoing: ReadonlyMap<string, readonly DependencyDeclaration[]>;
  /** Declarations naming each project, by the project depended on. */
  readonly incoming: ReadonlyMap<string, readonly DependencyDeclaration[]>;
  /** Strongly connected sets of projects that form cycles (more than one project, or one depending on itself). */
  readonly cycles: readonly (readonly string[])[];
}

export function buildGraph(declarations: readonly DependencyDeclaration[]): DependencyGraph {
  const outgoing = new Map<string, DependencyDeclaration[]>();
  const incoming = new Map<string, DependencyDeclaration[]>();
  for (const d of declarations) {
    (outgoing.get(d.project) ?? outgoing.set(d.project, []).get(d.project)!).push(d);
    if (d.dependsOn !== undefined) (incoming.get(d.dependsOn) ?? incoming.set(d.dependsOn, []).get(d.dependsOn)!).push(d);
  }
  return { outgoing, incoming, cycles: stronglyConnected(outgoing) };
}

/** Tarjan's algorithm, iterative (a long dependency chain must not overflow the stack). */
function stronglyConnected(outgoing: ReadonlyMap<string, readonly DependencyDeclaration[]>): string[][] {
  const successors = (node: string) => [...new Set((outgoing.get(node) ?? []).map((d) => d.dependsOn).filter((s): s is string => s !== undefined))];
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of outgoing.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: string[]; at: number }[] = [];
    const enter = (node: string) => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: successors(node), at: 0 });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.at < frame.next.length) {
        const next = frame.next[frame.at++]!;
        if (!index.has(next)) enter(next);
        else if (onStack.has(next)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(next)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && successors(component[0]!).includes(component[0]!);
        if (component.length > 1 || selfLoop) components.push(component.reverse());
      }
    }
  }
  return components;
}

/** The shortest path of declarations from `from` to `to` inside `members` (breadth first). */
function shortestPath(graph: DependencyGraph, from: string, to: string, members: ReadonlySet<string>): DependencyDeclaration[] | undefined {
  if (from === to) return [];
  const previous = new Map<string, DependencyDeclaration>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const d of graph.outgoing.get(node) ?? []) {
      const next = d.dependsOn;
      if (next === undefined || !members.has(next) || seen.has(next)) continue;
      seen.add(next);
      previous.set(next, d);
      if (next === to) {
        const path: DependencyDeclaration[] = [];
        for (let at = to; at !== from; at = previous.get(at)!.project) path.unshift(previous.get(at)!);
        return path;
      }
      queue.push(next);
    }
  }
  return undefined;
}

/** DEP006 on every declaration that closes a cycle, one per project edge inside each cycle. */
export function cycleDiagnostics(graph: DependencyGraph): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const cycle of graph.cycles) {
    const members = new Set(cycle);
    for (const project of cycle) {
      for (const d of graph.outgoing.get(project) ?? []) {
        if (d.dependsOn === undefined || !members.has(d.dependsOn)) continue;
        const back = shortestPath(graph, d.dependsOn, project, members) ?? [];
        const path = [project, ...[d, ...back].map((step) => step.dependsOn!)];
        out.push(
          depDiagnostic('DEP006', `Dependency cycle: ${path.join(' → ')}`, {
            file: d.source.file,
            range: d.source.range,
            project,
            detail: `Projects in the cycle: ${cycle.join(', ')}. None of them can satisfy its dependencies before the others are deployed; remove one of the dependencies.`,
            related: back.map((step) => ({ file: step.source.file, range: step.source.range, message: `${step.project} depends on ${step.dependsOn}` })),
          }),
        );
      }
    }
  }
  return out;
}

/** DEP007 when one project declares the same dependency twice (same project and tenant). */
export function duplicateDiagnostics(graph: DependencyGraph): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [project, declarations] of graph.outgoing) {
    const seen = new Map<string, DependencyDeclaration>();
    for (const d of declarations) {
      if (d.dependsOn === undefined) continue;
      const key = `${d.dependsOn}\u0000${d.tenant ?? d.tenantWritten ?? ''}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, d);
        continue;
      }
      const differs = first.versionPattern !== d.versionPattern ? ` with a different pattern ("${first.versionPattern}" and "${d.versionPattern}")` : '';
      out.push(
        depDiagnostic('DEP007', `Project "${project}" declares its dependency on "${d.dependsOn}" twice${differs}`, {
          file: d.source.file,
          range: d.source.range,
          project,
          detail: 'Each declaration is checked on its own; keep one.',
          related: [{ file: first.source.file, range: first.source.range, message: 'first declaration' }],
        }),
      );
    }
  }
  return out;
}

/** Every project reachable from `project` (its transitive dependencies), nearest first. */
export function transitiveDependencies(graph: DependencyGraph, project: string): string[] {
  const out: string[] = [];
  const seen = new Set([project]);
  const queue = [project];
  while (queue.length > 0) {
    for (const d of graph.outgoing.get(queue.shift()!) ?? []) {
      if (d.dependsOn === undefined || seen.has(d.dependsOn)) continue;
      seen.add(d.dependsOn);
      out.push(d.dependsOn);
      queue.push(d.dependsOn);
    }
  }
  return out;
}
