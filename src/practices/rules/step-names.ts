/** Step names: the name Octopus gave a step when it was added (BP003), or no name at all (BP004). */
import { SLUG } from '../../model/checks/legacy.js';
import { processesOf } from '../processes.js';
import type { ProjectRule } from '../rule.js';
import { practiceCode } from '../codes.js';

/** The names Octopus gives built-in steps when they are added, before anyone renames them. */
export const DEFAULT_STEP_NAMES: ReadonlySet<string> = new Set([
  'Run a Script',
  'Run an Azure Script',
  'Run an AWS CLI Script',
  'Run gcloud in a Script',
  'Run a kubectl CLI Script',
  'Run a kubectl script',
  'Run a Service Fabric SDK PowerShell Script',
  'Deploy a Package',
  'Deploy to IIS',
  'Deploy a Windows Service',
  'Deploy an Azure Web App (Web Deploy)',
  'Deploy an Azure App Service',
  'Deploy an Azure Resource Manager template',
  'Deploy a Bicep template',
  'Deploy a Service Fabric App',
  'Deploy an Azure Cloud Service',
  'Deploy a VHD',
  'Deploy to NGINX',
  'Deploy Java Archive',
  'Deploy to Tomcat via Manager',
  'Start/Stop App in Tomcat',
  'Deploy to WildFly or EAP',
  'Enable/Disable deployment in WildFly or EAP',
  'Deploy a certificate to Tomcat',
  'Configure certificate for WildFly or EAP',
  'Deploy a keystore to the filesystem',
  'Import Certificate',
  'Transfer a Package',
  'Upload a package to an AWS S3 bucket',
  'Deploy an AWS CloudFormation template',
  'Apply an AWS CloudFormation Change Set',
  'Delete an AWS CloudFormation stack',
  'Deploy Amazon ECS Service',
  'Update Amazon ECS Service',
  'Create a Docker Network',
  'Run a Docker Container',
  'Stop a Docker Resource',
  'Deploy raw Kubernetes YAML',
  'Deploy Kubernetes YAML',
  'Kustomize',
  'Upgrade a Helm Chart',
  'Deploy a Helm Chart',
  'Deploy Kubernetes containers',
  'Configure and deploy Kubernetes containers',
  'Deploy Kubernetes config map resource',
  'Deploy Kubernetes ingress resource',
  'Deploy Kubernetes secret resource',
  'Deploy Kubernetes service resource',
  'Apply a Terraform template',
  'Destroy Terraform resources',
  'Plan to apply a Terraform template',
  'Plan a Terraform destroy',
  'Send an Email',
  'Health Check',
  'Manual Intervention Required',
  'Deploy a Release',
  'Jira Service Desk Change Request',
  'Run a Process Template',
]);

export const defaultStepName: ProjectRule = {
  ...practiceCode('BP003'),
  name: 'default-step-name',
  octolint: 'OctoLintProjectDefaultStepNames',
  scope: 'project',
  check(project, ctx) {
    for (const { document, process } of processesOf(project)) {
      for (const item of process.items) {
        const names =
          item.type === 'process_template'
            ? [{ name: item.name, range: item.attributeRanges['name'] ?? item.headerRange }]
            : item.actions.length === 1
              ? [{ name: item.actions[0]!.name ?? item.name, range: item.actions[0]!.attributeRanges['name'] ?? item.attributeRanges['name'] ?? item.headerRange }]
              : item.actions.map((a) => ({ name: a.name ?? item.name, range: a.attributeRanges['name'] ?? a.headerRange }));
        for (const { name, range } of names) {
          if (!DEFAULT_STEP_NAMES.has(name)) continue;
          ctx.report(`"${name}" is the default name of the step type`, ctx.at(project, document.file, range), {
            detail: 'Name steps after what they do ("Migrate the orders database"): the name is what deployment logs, output variables (Octopus.Action[<name>]) and approvers see.',
          });
        }
      }
    }
  },
};

export const stepWithoutName: ProjectRule = {
  ...practiceCode('BP004'),
  name: 'step-without-name',
  scope: 'project',
  check(project, ctx) {
    for (const { document, process } of processesOf(project)) {
      for (const item of process.items) {
        // Before schema version 4 (and in hand-written files) the label itself is the name: "Deploy web".
        if (item.hasExplicitName || !SLUG.test(item.slug)) continue;
        ctx.report(`Step "${item.slug}" has no name: Octopus shows its slug`, ctx.at(project, document.file, item.labelRange ?? item.headerRange), {
          detail: 'Octopus writes `name` for every step it saves; add one that says what the step does.',
        });
      }
    }
  },
};
