/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by layer (src/<folder>, each dependency,
 * GC, module loading, Node internals); time by owner: the innermost src/ folder, module loading or
 * isomorphic-git on the stack (a dependency's or Node's time goes to its caller: ajv under src/model
 * is validation, pako under isomorphic-git is Git; what has no owner is GC, V8 or Node itself); inclusive time by layer (time with
 * that layer anywhere on the stack: e.g. src/policy inclusive counts the Rego engine it calls); and the
 * top functions by self time.
 *   npx tsx bench/_profile.ts <file.cpuprofile> [root the profiled code ran from]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Which layer a frame belongs to: `src/rego`, `bench`, `dep:isomorphic-git`, `GC`, `node internals`... */
export function layerOf(url: string, functionName: string, root: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8 / native (program)';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(root)') return 'root';
  if (url === '') return 'native (V8 builtins, Node bindings)';
  if (url.startsWith('node:internal/modules/')) return 'module loading';
  if (url.startsWith('node:')) return 'node internals';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + '/node_modules/'.length).split('/');
    return `dep:${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const relative = path.relative(root, file);
  if (relative.startsWith('..')) return 'other';
  const parts = relative.split(path.sep);
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : 'src';
  return parts[0]!;
}

function shortLocation(url: string, line: number, root: string): string {
  if (url === '' || url.startsWith('node:')) return url === '' ? '' : `${url}:${line + 1}`;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = file.lastIndexOf('/node_modules/');
  const shown = modules >= 0 ? file.slice(modules + 1) : path.relative(root, file);
  return `${shown}:${line + 1}`;
}

export interface ProfileSummary {
  totalMs: number;
  selfByLayer: [string, number][];
  byInnermostSource: [string, number][];
  inclusiveByLayer: [string, number][];
  topFunctions: { name: string; location: string; layer: string; ms: number }[];
}

export function summariseProfile(file: string, root: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const layer = new Map<number, string>();
  for (const node of profile.nodes) layer.set(node.id, layerOf(node.callFrame.url, node.callFrame.functionName, root));
  // The layers on each node's stack, computed once per node from its parent's.
  const stackLayers = new Map<number, Set<string>>();
  const layersOnStack = (id: number): Set<string> => {
    const known = stackLayers.get(id);
    if (known) return known;
    const up = parent.get(id);
    const set = new Set(up !== undefined ? layersOnStack(up) : []);
    set.add(layer.get(id)!);
    stackLayers.set(id, set);
    return set;
  };
  // The innermost src/ (or bench/) folder on each node's stack, else "no src/ frame: <own layer>".
  // Module loading and isomorphic-git count as owners too: the loader's file reads and JSON parsing
  // are loading, and isomorphic-git's work resumes after awaits with no caller frame (pako, sha.js
  // and fs calls under it are Git reads).
  const isSource = (l: string) => l === 'src' || l.startsWith('src/') || l === 'bench' || l === 'module loading' || l === 'dep:isomorphic-git';
  const innermost = new Map<number, string | undefined>();
  const innermostSource = (id: number): string | undefined => {
    if (innermost.has(id)) return innermost.get(id);
    const own = layer.get(id)!;
    const up = parent.get(id);
    const found = isSource(own) ? own : up !== undefined ? innermostSource(up) : undefined;
    innermost.set(id, found);
    return found;
  };
  const byInnermostSource = new Map<string, number>();
  const selfByNode = new Map<number, number>();
  const selfByLayer = new Map<string, number>();
  const inclusiveByLayer = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + ms);
    const own = layer.get(id)!;
    selfByLayer.set(own, (selfByLayer.get(own) ?? 0) + ms);
    const source = innermostSource(id) ?? `no src/ frame: ${own}`;
    byInnermostSource.set(source, (byInnermostSource.get(source) ?? 0) + ms);
    for (const l of layersOnStack(id)) inclusiveByLayer.set(l, (inclusiveByLayer.get(l) ?? 0) + ms);
  }
  // Functions: the same function reached through different stacks is one entry.
  const byFunction = new Map<string, { name: string; location: string; layer: string; ms: number }>();
  for (const [id, ms] of selfByNode) {
    const node = byId.get(id)!;
    const location = shortLocation(node.callFrame.url, node.callFrame.lineNumber, root);
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name}\u0000${location}`;
    const entry = byFunction.get(key) ?? { name, location, layer: layer.get(id)!, ms: 0 };
    entry.ms += ms;
    byFunction.set(key, entry);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total,
    selfByLayer: sorted(selfByLayer),
    byInnermostSource: sorted(byInnermostSource),
    inclusiveByLayer: sorted(inclusiveByLayer).filter(([l]) => l !== 'root' && l !== 'other'),
    topFunctions: [...byFunction.values()].sort((a, b) => b.ms - a.ms),
  };
}

export function formatProfile(summary: ProfileSummary, topCount = 30): string {
  const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)}%`;
  const ms = (v: number) => `${v.toFixed(0).padStart(7)} ms`;
  const lines = [`sampled ${(summary.totalMs / 1000).toFixed(2)} s`, '', 'self time by layer:'];
  for (const [l, v] of summary.selfByLayer) if (v / summary.totalMs >= 0.002) lines.push(`  ${l.padEnd(34)} ${ms(v)} ${pct(v)}`);
  lines.push('', 'time by owner: the innermost src/ folder, module loading or isomorphic-git on the stack (dependencies and Node calls count for their caller):');
  for (const [l, v] of summary.byInnermostSource) if (v / summary.totalMs >= 0.002) lines.push(`  ${l.padEnd(50)} ${ms(v)} ${pct(v)}`);
  lines.push('', 'inclusive time by layer (the layer anywhere on the stack):');
  for (const [l, v] of summary.inclusiveByLayer) if (v / summary.totalMs >= 0.005) lines.push(`  ${l.padEnd(34)} ${ms(v)} ${pct(v)}`);
  lines.push('', `top ${topCount} functions by self time:`);
  for (const f of summary.topFunctions.slice(0, topCount)) lines.push(`  ${ms(f.ms)} ${pct(f.ms)}  ${f.name.padEnd(34)} ${f.layer.padEnd(22)} ${f.location}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [file, root] = process.argv.slice(2);
  if (!file) {
    process.stdout.write('usage: npx tsx bench/_profile.ts <file.cpuprofile> [root the profiled code ran from]\n');
  } else {
    process.stdout.write(`${formatProfile(summariseProfile(file, path.resolve(root ?? process.cwd())))}\n`);
  }
}
