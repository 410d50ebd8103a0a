import { compile } from './src/rego/index.ts';
for (const n of [2000, 4000, 8000]) {
  const body = Array.from({ length: n }, (_, i) => `  x${i} := input.a${i % 10} + ${i}`).join('\n');
  const src = `package p\nallow if {\n${body}\n  x${n - 1} > 0\n}\n`;
  const t0 = performance.now();
  const r = compile([{ file: 'a.rego', source: src }]);
  const t1 = performance.now();
  const e = r.policy?.eval('data.p.allow', { input: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, i])) });
  console.log(n, 'literals: compile', (t1 - t0).toFixed(0), 'ms', r.diagnostics.length ? JSON.stringify(r.diagnostics[0]) : '', 'eval', JSON.stringify(e?.results?.[0]?.expressions[0]?.value ?? e?.error));
}
const q = Array.from({ length: 1000 }, (_, i) => `y${i} := ${i}`).join('; ');
const p = compile([{ file: 'b.rego', source: 'package q\nz := 1' }]).policy!;
const t0 = performance.now();
const r = p.eval(q);
console.log('1000-literal query', (performance.now() - t0).toFixed(0), 'ms', r.error ? JSON.stringify(r.error) : r.results!.length);
