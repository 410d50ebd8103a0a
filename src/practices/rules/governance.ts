/** Policies activated nowhere (BP027) and policy exceptions about to expire (BP028). */
import { parseExpiry } from '../../model/checks/hub-config.js';
import type { HubRule } from '../rule.js';
import { practiceCode } from '../codes.js';

export const policyActiveNowhere: HubRule = {
  ...practiceCode('BP027'),
  name: 'policy-active-nowhere',
  scope: 'hub',
  check(_facts, ctx) {
    const config = ctx.config;
    if (!config) return;
    const active = new Set(config.policies.filter((p) => p.activeVersion !== undefined).map((p) => p.slug));
    const reported = new Set<string>();
    for (const { file, document } of ctx.input.policies ?? []) {
      const slug = document.slug;
      if (slug === undefined || active.has(slug) || reported.has(slug)) continue;
      reported.add(slug);
      ctx.report(`Policy "${slug}" is active nowhere`, { file, range: document.source.attributeRanges['name'] ?? { start: document.source.range.start, end: document.source.range.start } }, {
        detail: `No project is evaluated against it. Publish it (oclhub publish policy ${slug} --bump major) and activate it (oclhub activate ${slug} <version>), or delete it.`,
      });
    }
    for (const slug of ctx.input.publishedPolicies ?? []) {
      if (active.has(slug) || reported.has(slug)) continue;
      reported.add(slug);
      ctx.report(`Policy "${slug}" is published but active nowhere`, { file: ctx.configFile, range: { start: config.source.range.start, end: config.source.range.start } }, {
        detail: `Activate a published version to evaluate it (oclhub activate ${slug} <version>).`,
      });
    }
    for (const activation of config.policies) {
      if (activation.activeVersion !== undefined) continue;
      ctx.report(`Policy block "${activation.slug}" sets no active_version: the policy is active nowhere`, { file: ctx.configFile, range: activation.labelRange ?? activation.headerRange }, {
        detail: `Activate a published version: oclhub activate ${activation.slug} <version> writes active_version into this block (publish one first if there is none: oclhub publish policy ${activation.slug} --bump major).`,
      });
    }
  },
};

const DAY = 24 * 60 * 60 * 1000;

export const exceptionExpiringSoon: HubRule = {
  ...practiceCode('BP028'),
  name: 'exception-expiring-soon',
  threshold: { default: 14, unit: 'days', fires: 'at-or-below' },
  scope: 'hub',
  check(_facts, ctx) {
    for (const exception of ctx.config?.exceptions ?? []) {
      const expiry = exception.expires !== undefined ? parseExpiry(exception.expires) : undefined;
      // Invalid (SEM034) and past (SEM033) expiries are validation's findings.
      if (!expiry || expiry.getTime() <= ctx.now.getTime()) continue;
      const days = Math.ceil((expiry.getTime() - ctx.now.getTime()) / DAY);
      if (!ctx.crosses(days)) continue;
      ctx.report(`Exception "${exception.id}" expires on ${exception.expires} (in ${days} day${days === 1 ? '' : 's'})`, { file: ctx.configFile, range: exception.attributeRanges['expires'] ?? exception.headerRange, ...(exception.project !== undefined ? { project: exception.project } : {}) }, {
        detail: `After that the policy "${exception.policy ?? '?'}" applies again${exception.owner ? `; its owner is ${exception.owner}` : ''}. Fix what it waives, or renew it with a reviewed commit.`,
      });
    }
  },
};

/**
 * What BP028 reports for an oclhub.ocl text today, as a short string, read with regular expressions only
 * (no OCL parser): a cached rendered lint report is stale when it changes.
 */
export function expiringSoonKey(oclhubText: string, now: Date): string {
  const setting = /\brule\s+"BP028"\s*\{([^}]*)\}/.exec(oclhubText)?.[1];
  const threshold = Number(/\bthreshold\s*=\s*(\d+)/.exec(setting ?? '')?.[1] ?? exceptionExpiringSoon.threshold!.default);
  return [...oclhubText.matchAll(/\bexpires\s*=\s*"([^"]*)"/g)]
    .map((m) => {
      const expiry = parseExpiry(m[1]!);
      const days = expiry ? Math.ceil((expiry.getTime() - now.getTime()) / DAY) : -1;
      return days > 0 && days <= threshold ? String(days) : '-';
    })
    .join(',');
}
