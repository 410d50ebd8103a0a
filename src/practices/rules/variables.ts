/**
 * Project variables nothing refers to (BP010) and the same value kept in several projects (BP011), both
 * after Octolint's checks: its naive text search (kept naive on purpose: a miss is only an info) and its
 * list of values too ordinary to share (empty, numbers, true/false/yes/no).
 */
import type { VariablesDocument } from '../../model/types.js';
import { append } from '../processes.js';
import type { HubRule, ProjectRule } from '../rule.js';
import type { PracticeProject, VariableFact } from '../types.js';
import { practiceCode } from '../codes.js';

/** Variables whose names Octopus (not the project) reads, or that look like JSON/array substitutions. */
function ignoredName(name: string): boolean {
  return name.startsWith('Octopus') || name.includes(':') || name.includes('[');
}

function variablesDocuments(project: PracticeProject): { file: string; document: VariablesDocument }[] {
  return project.documents.flatMap((d) => (d.document.kind === 'variables' && d.document.projectTemplate === undefined ? [{ file: d.file, document: d.document }] : []));
}

export const unusedVariable: ProjectRule = {
  ...practiceCode('BP010'),
  name: 'unused-variable',
  octolint: 'OctoLintUnusedVariables',
  scope: 'project',
  check(project, ctx) {
    const variableFiles = variablesDocuments(project);
    if (variableFiles.length === 0) return;
    // Where a variable can be used: process and settings files (any property, condition, package or pool).
    const places = project.documents.filter((d) => d.document.kind === 'deployment_process' || (d.document.kind === 'runbook' && !d.document.migratedDraft) || d.document.kind === 'deployment_settings');
    // A project without any process says nothing about its variables (BP002 reports the emptiness).
    if (!places.some((d) => d.document.kind !== 'deployment_settings')) return;
    const texts = places.map((d) => d.text);
    // Without the texts there is nothing to search, and "unused" would be a guess.
    if (texts.some((t) => t === undefined)) return;
    const haystack = texts.join('\n');
    const values = variableFiles.flatMap(({ document }) => document.variables.flatMap((v) => v.values.map((value) => ({ variable: v.name, text: value.value ?? '' }))));
    for (const { file, document } of variableFiles) {
      for (const variable of document.variables) {
        if (ignoredName(variable.name) || haystack.includes(variable.name)) continue;
        if (values.some((v) => v.variable !== variable.name && v.text.includes(variable.name))) continue;
        ctx.report(`Variable "${variable.name}" is not referred to by any step, setting or other variable`, ctx.at(project, file, variable.labelRange ?? variable.headerRange), {
          detail:
            'Found by a plain text search, as Octolint does: a script that builds the name at run time, a library variable set or a step template can still use it. ' +
            'Delete it if nothing does.',
        });
      }
    }
  },
};

/** Values worth comparing across projects (Octolint's `shouldIgnoreVariable`, plus bare `#{…}` references). */
function shareable(type: string, name: string, value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (type !== 'String' || value.trim() === '' || ignoredName(name)) return false;
  if (/^[+-]?\d+$/.test(value.trim()) || ['true', 'false', 'yes', 'no'].includes(lower)) return false;
  // A value that only refers to another variable shares nothing a library variable set would hold.
  return !/^#\{[^}]*\}$/.test(value.trim());
}

/** The string values of a project's variables that the duplicate rule compares. */
export function variableFacts(project: PracticeProject): VariableFact[] {
  const out: VariableFact[] = [];
  for (const { file, document } of variablesDocuments(project)) {
    for (const variable of document.variables) {
      for (const value of variable.values) {
        if (value.value === undefined || !shareable(variable.type, variable.name, value.value)) continue;
        out.push({ name: variable.name, value: value.value, file, range: value.labelRange ?? value.headerRange });
      }
    }
  }
  return out;
}

export const duplicatedVariableValue: HubRule = {
  ...practiceCode('BP011'),
  name: 'duplicated-variable-value',
  octolint: 'OctoLintDuplicatedVariables',
  scope: 'hub',
  check(facts, ctx) {
    const byValue = new Map<string, { project: string; fact: VariableFact }[]>();
    for (const project of facts) {
      for (const fact of project.variables) append(byValue, fact.value, { project: project.slug, fact });
    }
    for (const occurrences of byValue.values()) {
      const projects = [...new Set(occurrences.map((o) => o.project))];
      if (projects.length < 2) continue;
      const reported = new Set<string>();
      for (const { project, fact } of occurrences) {
        const key = `${project}\u0000${fact.name}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const other = occurrences.find((o) => o.project !== project)!;
        const repository = facts.find((f) => f.slug === project)?.repository;
        const otherRepository = facts.find((f) => f.slug === other.project)?.repository;
        ctx.report(`Variable "${fact.name}" has the same value as "${other.fact.name}" in project "${other.project}"`, { file: fact.file, range: fact.range, project, repository }, {
          detail: `${projects.length} projects keep this value (${projects.join(', ')}). Values shared between projects belong in a library variable set, so they change in one place.`,
          // The other project's file is in its repository, which may not be this one's.
          related: [{ file: other.fact.file, ...(other.fact.range ? { range: other.fact.range } : {}), message: `"${other.fact.name}" in project "${other.project}"`, ...(otherRepository ? { repository: otherRepository } : {}) }],
        });
      }
    }
  },
};
