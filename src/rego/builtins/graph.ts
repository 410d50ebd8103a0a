/** graph.reachable and graph.reachable_paths over adjacency objects (node -> array/set of nodes). */
import { type Value, RegoSet, equals, objectGet } from '../value.js';
import type { Builtin, BuiltinContext } from './registry.js';
import { def, members, obj, typeError } from './util.js';

/** Members of an array or set; anything else has none (OPA ignores other vertex collections). */
function vertices(v: Value | undefined): Value[] {
  return (v === undefined ? undefined : members(v)) ?? [];
}

/** The starting nodes: an array or a set, as OPA requires (a type error otherwise). */
function initial(name: string, args: Value[]): Value[] {
  const start = members(args[1]!);
  if (start === undefined) throw typeError(name, 2, args[1]!, 'array', 'set');
  return start;
}

function reachable(args: Value[], ctx: BuiltinContext): RegoSet {
  const graph = obj('graph.reachable', args, 0);
  const queue = [...initial('graph.reachable', args)];
  const reached = new RegoSet();
  while (queue.length > 0) {
    const node = queue.shift()!;
    ctx.tick(1);
    const edges = objectGet(graph, node);
    if (edges === undefined) continue;
    for (const next of vertices(edges)) if (!reached.has(next)) queue.push(next);
    reached.add(node);
  }
  return reached;
}

function reachablePaths(args: Value[], ctx: BuiltinContext): RegoSet {
  const graph = obj('graph.reachable_paths', args, 0);
  const start = initial('graph.reachable_paths', args);
  const result = new RegoSet();
  const commit = (path: Value[]): void => {
    // A DAG can have exponentially many paths: each one is charged as it is made.
    ctx.alloc(48 + 8 * path.length);
    result.add(path.slice());
  };
  // Extends `path` by `node`. A node that is not a key of the graph ends the path without being
  // part of it; a node without edges ends it as its last element.
  const build = (path: Value[], node: Value): void => {
    ctx.tick(1);
    const edges = objectGet(graph, node);
    if (edges === undefined) return commit(path);
    path.push(node);
    const next = vertices(edges);
    if (next.length === 0) commit(path);
    for (const neighbor of next) {
      // A cycle ends the path where it would revisit a node.
      if (path.some((p) => equals(p, neighbor))) commit(path);
      else build(path, neighbor);
    }
    path.pop();
  };
  for (const node of start) {
    const edges = objectGet(graph, node);
    if (edges === undefined) continue;
    const list = vertices(edges);
    if (list.length === 0) commit([node]);
    for (const neighbor of list) build([node], neighbor);
  }
  return result;
}

export const GRAPH: Builtin[] = [
  def('graph.reachable', 2, reachable),
  def('graph.reachable_paths', 2, reachablePaths),
];
