/** The reason type of the bump check and the helpers its comparisons share. */
import type { Range } from '../diagnostics.js';
import { changedChildren } from './template-shape.js';

export type BumpLevel = 'major' | 'minor' | 'patch';

export interface BumpReason {
  bump: BumpLevel;
  /** Stable code, e.g. `TPL_BUMP_PARAMETER_REMOVED`. */
  code: string;
  /** A sentence naming the element, e.g. `removed parameter "Template.WorkerPool"`. */
  message: string;
  element: { kind: 'parameter' | 'step' | 'action' | 'channel' | 'element' | 'file' | 'document'; name: string };
  /** Where the element is in the new version (absent when it was removed). */
  file?: string;
  range?: Range;
  /** Where the element was in the previous version (absent when it is new). */
  previousFile?: string;
  previousRange?: Range;
}

export function at(file: string, range: Range): { file?: string; range: Range } {
  return file === '' ? { range } : { file, range };
}

export function previousAt(file: string, range: Range): { previousFile?: string; previousRange: Range } {
  return file === '' ? { previousRange: range } : { previousFile: file, previousRange: range };
}

/** Structural equality of two JSON-like trees (ASTs), stopping at the first difference. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * Pairs removed and added items whose content (without their names) is identical, one to one, in
 * order: that is a rename, reported once instead of as a removal plus an addition.
 */
export function pairRenames<T>(removed: readonly T[], added: readonly T[], key: (item: T) => string): Map<T, T> {
  const pairs = new Map<T, T>();
  const available = added.map((item) => ({ item, key: key(item), used: false }));
  for (const old of removed) {
    const oldKey = key(old);
    const match = available.find((candidate) => !candidate.used && candidate.key === oldKey);
    if (match) {
      match.used = true;
      pairs.set(old, match.item);
    }
  }
  return pairs;
}

export function describeChildren(...[previous, next]: Parameters<typeof changedChildren>): string {
  const names = changedChildren(previous, next);
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown || 'content';
}

