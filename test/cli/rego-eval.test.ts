import { describe, expect, it } from 'vitest';
import { run, tempTree } from './helpers.js';

const POLICY = `package demo

default allow := false

allow if input.user == "admin"

names contains n if some n in data.team.members
`;

describe('oclhub rego eval', () => {
  it('prints OPA-style results with expressions and bindings', async () => {
    const root = await tempTree({ 'p.rego': POLICY, 'input.json': '{"user": "admin"}', 'data.json': '{"team": {"members": ["b", "a"]}}' });
    const result = await run(root, 'rego', 'eval', '-m', 'p.rego', '-d', 'data.json', '-i', 'input.json', 'data.demo.allow');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ result: [{ expressions: [{ value: true, text: 'data.demo.allow' }] }] });

    const rows = await run(root, 'rego', 'eval', '-d', 'p.rego', '-d', 'data.json', 'x := data.demo.names[_]');
    expect(JSON.parse(rows.stdout)).toEqual({
      result: [
        { expressions: [{ value: true, text: 'x := data.demo.names[_]' }], bindings: { x: 'a' } },
        { expressions: [{ value: true, text: 'x := data.demo.names[_]' }], bindings: { x: 'b' } },
      ],
    });
  });

  it('prints {} when the query is undefined', async () => {
    const root = await tempTree({ 'p.rego': POLICY });
    const result = await run(root, 'rego', 'eval', '-m', 'p.rego', 'data.demo.missing');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('{}\n');
  });

  it('exits 2 with a positioned message on parse and compile errors', async () => {
    const root = await tempTree({ 'bad.rego': 'package bad\n\np := [1,\n', 'unsafe.rego': 'package u\n\np if x > 1\n' });
    const parse = await run(root, 'rego', 'eval', '-m', 'bad.rego', 'data.bad.p');
    expect(parse.code).toBe(2);
    expect(parse.stdout).toBe('');
    expect(parse.stderr).toMatch(/^bad\.rego:\d+:\d+: rego_parse_error: /);

    const unsafe = await run(root, 'rego', 'eval', '-m', 'unsafe.rego', 'data.u.p');
    expect(unsafe.code).toBe(2);
    expect(unsafe.stderr).toMatch(/^unsafe\.rego:3:\d+: rego_unsafe_var_error: var x is unsafe/);
  });

  it('raises builtin errors only with --strict', async () => {
    const root = await tempTree({ 'p.rego': 'package s\n\nn := to_number("x")\n' });
    expect((await run(root, 'rego', 'eval', '-m', 'p.rego', 'data.s.n')).stdout).toBe('{}\n');
    const strict = await run(root, 'rego', 'eval', '--strict', '-m', 'p.rego', 'data.s.n');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('to_number');
  });
});

describe('oclhub rego eval limits', () => {
  it('takes the evaluation budget from --max-steps, --max-millis and --max-memory-mb', async () => {
    const root = await tempTree({ 'p.rego': 'package l\n\nn := count([1 | some a in numbers.range(1, 1000); some b in numbers.range(1, 1000)])\n' });
    const steps = await run(root, 'rego', 'eval', '--max-steps', '5000', '-m', 'p.rego', 'data.l.n');
    expect(steps.code).toBe(2);
    expect(steps.stderr).toContain('REGO_LIMIT: evaluation exceeded the step limit (5000 steps)');
    const memory = await run(root, 'rego', 'eval', '--max-memory-mb', '1', '-m', 'p.rego', 'data.l.n');
    expect(memory.stderr).toContain('evaluation exceeded the memory limit (1048576 bytes of values created)');
    expect(JSON.parse((await run(root, 'rego', 'eval', '-m', 'p.rego', 'data.l.n')).stdout)).toEqual({ result: [{ expressions: [{ value: 1_000_000, text: 'data.l.n' }] }] });
    expect((await run(root, 'rego', 'eval', '--max-millis', 'soon', '-m', 'p.rego', 'data.l.n')).code).toBe(2);
  });
});

describe('oclhub rego eval -d <directory>', () => {
  it('loads modules and mounts JSON files at their folder path', async () => {
    const root = await tempTree({
      'bundle/policy/p.rego': 'package p\n\nlimit := data.config.limits.max\n',
      'bundle/config/limits/data.json': '{"max": 3}',
    });
    const result = await run(root, 'rego', 'eval', '-d', 'bundle', 'data.p.limit');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ result: [{ expressions: [{ value: 3, text: 'data.p.limit' }] }] });
  });
});
