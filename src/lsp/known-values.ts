/**
 * Values the schemas leave open but editors should offer. Action types: those found in the public
 * Octopus OCL corpus (shared/corpus/ocl, 2026), most frequent first; the workspace's own are added at
 * completion time. Property and display-setting keys: the ones oclhub's checks read.
 */
export const KNOWN_ACTION_TYPES: readonly string[] = [
  'Octopus.Script',
  'Octopus.AzurePowerShell',
  'Octopus.AzureResourceGroup',
  'Octopus.Manual',
  'Octopus.AzureWebApp',
  'Octopus.DeployRelease',
  'Octopus.AwsRunScript',
  'Octopus.KubernetesRunScript',
  'Octopus.AzureAppService',
  'Octopus.TentaclePackage',
  'Octopus.TerraformApply',
  'Octopus.KubernetesDeployRawYaml',
  'Octopus.Email',
  'kustomize',
  'aws-ecs',
];

export const DISPLAY_SETTING_KEYS: readonly string[] = ['Octopus.ControlType', 'Octopus.SelectOptions'];

export const PROPERTY_KEYS: readonly string[] = [
  'Octopus.Action.RunOnServer',
  'Octopus.Action.Script.ScriptBody',
  'Octopus.Action.Script.ScriptSource',
  'Octopus.Action.Script.Syntax',
  'Octopus.Action.TargetRoles',
  'Octopus.Step.ConditionVariableExpression',
];
