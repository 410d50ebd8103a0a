/** Tenants no tenanted project is connected to (BP026). */
import type { HubRule } from '../rule.js';
import { practiceCode } from '../codes.js';

export const tenantWithoutProjects: HubRule = {
  ...practiceCode('BP026'),
  name: 'tenant-without-projects',
  scope: 'hub',
  check(_facts, ctx) {
    const config = ctx.config;
    if (!config) return;
    const tenanted = config.projects.filter((p) => p.tenanted === 'Tenanted' || p.tenanted === 'TenantedOrUntenanted');
    for (const tenant of config.tenants) {
      // A tenant listing no projects is connected to every project of the hub.
      const connected = tenant.projects.length === 0 ? tenanted : tenanted.filter((p) => tenant.projects.includes(p.slug));
      if (connected.length > 0) continue;
      const listed = tenant.projects.length > 0 ? ` (it lists ${tenant.projects.map((p) => `"${p}"`).join(', ')}, none of them tenanted)` : tenanted.length === 0 ? ' (no project is tenanted)' : '';
      ctx.report(`Tenant "${tenant.slug}" is connected to no tenanted project${listed}`, { file: ctx.configFile, range: tenant.labelRange ?? tenant.headerRange }, {
        detail: 'Nothing is ever deployed for it. Connect it to the projects that serve it (and make them `tenanted`), or remove it.',
      });
    }
  },
};
