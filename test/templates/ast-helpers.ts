/**
 * Builds small OCL documents for the bump-check tests: the helpers write OCL text in Octopus's
 * layout (4-space indentation, one element per line) and doc() parses it with the real parser, so
 * ranges are real source positions.
 */
import { expect } from 'vitest';
import { parseOcl } from '../../src/ocl/index.js';
import type { OclBlock, OclDocument } from '../../src/ocl/ast.js';

/** A value written as OCL: strings are quoted, `heredoc()` and `map()` results are written as given. */
type Value = string | boolean | number | { ocl: string };

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `    ${line}`))
    .join('\n');
}

function write(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return v.ocl;
}

export function heredoc(text: string): { ocl: string } {
  return { ocl: `<<-EOT\n${indent(text)}\n    EOT` };
}

export function map(entries: Record<string, string>): { ocl: string } {
  const lines = Object.entries(entries).map(([key, v]) => `${key} = ${write(v)}`);
  return { ocl: `{\n${indent(lines.join('\n'))}\n}` };
}

export function attr(name: string, v: Value): string {
  return `${name} = ${write(v)}`;
}

export function block(name: string, labels: string[], ...body: string[]): string {
  const head = [name, ...labels.map((l) => JSON.stringify(l))].join(' ');
  return body.length === 0 ? `${head} {}` : `${head} {\n${indent(body.join('\n'))}\n}`;
}

/** Parses top-level elements separated by blank lines; fails the test on a parse error. */
export function doc(...elements: string[]): OclDocument {
  const { document, diagnostics } = parseOcl(elements.join('\n\n'));
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return document;
}

/** The top-level block `name "label"` of a document. */
export function findBlock(document: OclDocument, name: string, label: string): OclBlock {
  const found = document.body.find((e): e is OclBlock => e.type === 'block' && e.name === name && e.labels[0]?.value === label);
  if (!found) throw new Error(`test setup: no ${name} "${label}"`);
  return found;
}

export interface ParameterOptions {
  controlType?: string;
  default?: string;
  optional?: boolean;
  label?: string;
  helpText?: string;
}

export function parameter(name: string, options: ParameterOptions = {}): string {
  const body: string[] = [];
  if (options.controlType !== undefined) body.push(attr('display_settings', map({ 'Octopus.ControlType': options.controlType })));
  body.push(attr('help_text', options.helpText ?? ''));
  if (options.optional !== undefined) body.push(attr('is_optional', options.optional));
  body.push(attr('label', options.label ?? name));
  if (options.default !== undefined) body.push('', block('value', [options.default]));
  return block('parameter', [name], ...body);
}

export interface ActionOptions {
  slug?: string;
  name?: string;
  actionType?: string;
  properties?: Record<string, string>;
}

export function action(options: ActionOptions = {}): string {
  const body: string[] = [attr('action_type', options.actionType ?? 'Octopus.Script')];
  if (options.name !== undefined) body.push(attr('name', options.name));
  body.push(attr('properties', map(options.properties ?? { 'Octopus.Action.Script.ScriptBody': 'echo hi' })));
  return block('action', options.slug === undefined ? [] : [options.slug], ...body);
}

export function step(slug: string, options: { name?: string; actions?: ActionOptions[]; properties?: Record<string, string> } = {}): string {
  const body: string[] = [attr('name', options.name ?? slug)];
  if (options.properties) body.push(attr('properties', map(options.properties)));
  for (const a of options.actions ?? [{}]) body.push('', action(a));
  return block('step', [slug], ...body);
}
