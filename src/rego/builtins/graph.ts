/** graph.reachable and graph.reachable_paths over adjacency objects (node -> array/set of nodes). */
import { type Value, RegoSet, equals, objectGet } from '../value.js';
import type { Builtin, BuiltinContext } from './registry.js';
import { def, obj } from './util.js';

/** Members of an array or set; anything else has none (OPA ignores other vertex collections). */
function vertices(v: Value | undefined): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RegoSet) return v.values();
  return [];
}

function reachable(args: Value[], ctx: BuiltinContext): RegoSet {
  const graph = obj('graph.reachable', args, 0);
  const queue = [...vertices(args[1])];
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
  const result = new RegoSet();
  const build = (path: Value[], edges: Value[]): void => {
    for (const neighbor of edges) {
      ctx.tick(1);
      // A cycle ends the path where it would revisit a node.
      if (path.some((p) => equals(p, neighbor))) {
        ctx.alloc(48 + 8 * path.length);
        result.add(path.slice());
        continue;
      }
      path.push(neighbor);
      const next = vertices(objectGet(graph, neighbor));
      if (next.length > 0) build(path, next);
      else {
        // A DAG can have exponentially many paths: each one is charged as it is made.
        ctx.alloc(48 + 8 * path.length);
        result.add(path.slice());
      }
      path.pop();
    }
  };
  for (const node of vertices(args[1])) {
    const edges = objectGet(graph, node);
    if (edges === undefined) continue;
    const list = vertices(edges);
    if (list.length > 0) build([node], list);
    else result.add([node]);
  }
  return result;
}

export const GRAPH: Builtin[] = [
  def('graph.reachable', 2, reachable),
  def('graph.reachable_paths', 2, reachablePaths),
];
