/** Step types, and step options, that are deprecated or whose target is retired (BP009). */
import type { ActionModel } from '../../model/types.js';
import { actionsOf } from '../processes.js';
import type { ProjectRule } from '../rule.js';
import { practiceCode } from '../codes.js';

export interface Deprecation {
  actionType: string;
  /** When only some uses are deprecated: the property and the value that make it so (case-insensitive). */
  property?: { name: string; value: string };
  what: string;
  instead: string;
  /** Where the deprecation is stated. */
  source: string;
}

export const DEPRECATIONS: readonly Deprecation[] = [
  {
    actionType: 'Octopus.AzureCloudService',
    what: 'The "Deploy an Azure Cloud Service" step targets Azure Cloud Services (classic), which Microsoft retired on 31 August 2024; Octopus deprecates the step from 2024.1',
    instead: 'Move the application to Azure App Service, Azure Kubernetes Service or Cloud Services (extended support) and deploy it with their steps',
    source: 'https://octopus.com/docs/deployments/azure/cloud-services',
  },
  {
    actionType: 'Octopus.HelmChartUpgrade',
    property: { name: 'Octopus.Action.Helm.ClientVersion', value: 'V2' },
    what: 'The Helm step is set to Helm 2, which the Helm project stopped supporting in November 2020',
    instead: 'Set the Helm client version to V3 (and migrate the releases with helm-2to3)',
    source: 'the Helm project, "Helm 2 and the Charts Project Are Now Unsupported" (helm.sh blog, 13 November 2020)',
  },
];

/** The action types some deprecation names: every action of every project is checked, and almost none is one of them. */
const DEPRECATED_TYPES = new Set(DEPRECATIONS.map((d) => d.actionType));

function deprecationOf(action: ActionModel): Deprecation | undefined {
  if (action.actionType === undefined || !DEPRECATED_TYPES.has(action.actionType)) return undefined;
  return DEPRECATIONS.find((d) => {
    if (d.actionType !== action.actionType) return false;
    if (!d.property) return true;
    return (action.properties.values[d.property.name] ?? '').trim().toLowerCase() === d.property.value.toLowerCase();
  });
}

export const deprecatedActionType: ProjectRule = {
  ...practiceCode('BP009'),
  name: 'deprecated-action-type',
  scope: 'project',
  check(project, ctx) {
    for (const { document, action, name } of actionsOf(project)) {
      const deprecation = deprecationOf(action);
      if (!deprecation) continue;
      const range = (deprecation.property ? action.properties.ranges[deprecation.property.name] : undefined) ?? action.attributeRanges['action_type'] ?? action.headerRange;
      ctx.report(`"${name}": ${deprecation.what}`, ctx.at(project, document.file, range), { detail: `${deprecation.instead}. Source: ${deprecation.source}` });
    }
  },
};
