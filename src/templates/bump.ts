/**
 * The bump check: which version bump the changes between two versions of a template require, and
 * why. Octopus leaves this to convention (platform-hub.md §2.4: Major = parameters added or removed,
 * consumers must act; Minor = non-breaking; Patch = no parameter change). oclhub enforces it:
 *
 * major — a consumer's existing usage can break:
 *   removed parameter; renamed parameter; new parameter without a default that is not `is_optional`
 *   (consumers must set it, Octopus errors on save otherwise); an optional parameter that became
 *   required; changed `Octopus.ControlType`; removed or renamed step (slug or display `name`:
 *   expanded action names and output variables `Octopus.ProcessTemplate[…].Action[<name>]` use the
 *   step name); removed or renamed action of a step; removed or renamed channel of a project
 *   template (platform-hub.md §3.3: "Deleting/renaming a channel … requires a major version").
 * minor — additive: new optional parameter (has a default or `is_optional`), a required parameter
 *   that became optional, new step, new action in a step, new channel.
 * patch — anything else: other parameter or step edits (labels, help text, defaults, properties,
 *   scripts), step order, name/description/icon, other files, formatting only.
 * none — identical content. Publishing it is allowed (a new version can carry new notes); the
 *   publish command reports "no changes since v<previous>".
 */
import type { RequestedBump, RequiredBump } from './tag-message.js';
import type { BumpReason } from './bump-reasons.js';
import { compareParameters, compareSteps } from './bump-elements.js';
import { compareChannels, compareOthers, formattingDiffers } from './bump-files.js';
import { extractShape, type TemplateSnapshot } from './template-shape.js';

export type { BumpLevel, BumpReason } from './bump-reasons.js';

export interface BumpResult {
  required: RequiredBump;
  /** Major reasons first, then minor, then patch; empty exactly when `required` is `none`. */
  reasons: BumpReason[];
}

const RANK: Record<RequiredBump, number> = { none: 0, patch: 1, minor: 2, major: 3 };

export function computeRequiredBump(previous: TemplateSnapshot, next: TemplateSnapshot): BumpResult {
  const before = extractShape(previous);
  const after = extractShape(next);
  const reasons: BumpReason[] = [];
  compareParameters(before, after, reasons);
  compareSteps(before, after, reasons);
  compareChannels(before, after, reasons);
  compareOthers(before, after, reasons);
  if (reasons.length === 0 && formattingDiffers(before, after)) {
    reasons.push({
      bump: 'patch',
      code: 'TPL_BUMP_FORMATTING',
      message: 'formatting changed (no change in meaning)',
      element: { kind: 'document', name: '' },
    });
  }
  const order = reasons.map((reason, index) => ({ reason, index }));
  order.sort((a, b) => RANK[b.reason.bump] - RANK[a.reason.bump] || a.index - b.index);
  const sorted = order.map((o) => o.reason);
  const required = sorted[0]?.bump ?? 'none';
  return { required, reasons: sorted };
}

/**
 * Whether the requested bump satisfies the required one (major > minor > patch > none). A
 * pre-release always does: consumers take pre-releases only by opting in, and the stable version
 * that follows is checked again. (Number the pre-release after the required bump — nextVersion's
 * `prereleaseOf` — so that it leads to the right stable version.)
 */
export function compareBump(requested: RequestedBump, required: RequiredBump): { sufficient: boolean; message: string } {
  if (requested === 'prerelease') {
    return {
      sufficient: true,
      message:
        required === 'none' || required === 'patch'
          ? 'pre-releases are not bump-checked'
          : `pre-releases are not bump-checked; the changes require a ${required} version when this becomes stable`,
    };
  }
  if (RANK[requested] >= RANK[required]) {
    return { sufficient: true, message: required === 'none' ? 'no changes: any bump is allowed' : `a ${requested} version is enough for these changes (they require ${required})` };
  }
  return { sufficient: false, message: `the changes require a ${required} version, but a ${requested} was requested (use --force to publish anyway)` };
}

/** One line for a terminal or a tag: `no changes since v1.2.0`, or the required bump and its reasons. */
export function summarizeBump(result: BumpResult, previousVersion?: string): string {
  const since = previousVersion === undefined ? '' : ` since v${previousVersion}`;
  if (result.required === 'none') return `no changes${since}`;
  return `changes${since} require a ${result.required} version: ${result.reasons.map((r) => r.message).join('; ')}`;
}

