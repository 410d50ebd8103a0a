/**
 * Sub-properties Octopus expands for typed variables: a parameter or variable `X` of an account or
 * certificate type is also readable as `X.<Property>` at deployment time
 * (`$OctopusParameters["Template.Docker.Account.Username"]`). Lists from Octopus's documentation
 * (OctopusDeploy/docs, src/pages/docs/projects/variables/*-variables.md):
 *
 * - certificate-variables.md "Expanded properties";
 * - username-password-account-variables.md, aws-account-variables.md (Access Key and OpenID Connect
 *   accounts), azure-account-variables.md (Service Principal, OpenID Connect and Management certificate),
 *   google-cloud-account-variables.md (key file and OpenID Connect);
 * - generic OpenID Connect accounts expose the token and the audience (infrastructure/accounts/openid-connect.md,
 *   GenericOidcAccountResource.Audience).
 *
 * `Id` is documented for accounts (`#{Azure account.Id}`): the variable's own value is the account id.
 * Token and SSH key-pair accounts are not variable types (VariableType has no such member), so a
 * parameter cannot hold one.
 */
import { suggest } from '../suggest.js';

export const TYPED_VARIABLE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  Certificate: [
    'Type',
    'Name',
    'Thumbprint',
    'RawOriginal',
    'Password',
    'Pfx',
    'Certificate',
    'PrivateKey',
    'CertificatePem',
    'PrivateKeyPem',
    'ChainPem',
    'Subject',
    'SubjectCommonName',
    'Issuer',
    'NotBefore',
    'NotAfter',
  ],
  UsernamePasswordAccount: ['Id', 'Username', 'Password'],
  AmazonWebServicesAccount: ['Id', 'AccessKey', 'SecretKey', 'RoleArn', 'SessionDuration', 'OpenIdConnect.Jwt'],
  AzureAccount: [
    'Id',
    'SubscriptionNumber',
    'Client',
    'Password',
    'TenantId',
    'AzureEnvironment',
    'ResourceManagementEndpointBaseUri',
    'ActiveDirectoryEndpointBaseUri',
    'Audience',
    'OpenIdConnect.Jwt',
    'CertificateThumbprint',
    'ServiceManagementEndpointBaseUri',
    'ServiceManagementEndpointSuffix',
  ],
  GoogleCloudAccount: ['Id', 'JsonKey', 'Audience', 'OpenIdConnect.Jwt', 'OpenIdConnect.TokenLifetimeSeconds'],
  GenericOidcAccount: ['Id', 'Audience', 'OpenIdConnect.Jwt'],
};

/** Whether values of this control type (or variable type) have expanded sub-properties. */
export function hasSubProperties(type: string | undefined): type is string {
  return type !== undefined && TYPED_VARIABLE_PROPERTIES[type] !== undefined;
}

export interface SubPropertyReference {
  /** The declared name the reference starts with, as declared. */
  parameter: string;
  /** The part after `<parameter>.`, as written. */
  property: string;
  controlType: string;
  /** Whether Octopus documents the property for the type (compared case-insensitively, as Octopus does). */
  known: boolean;
  /** For an unknown property, the documented one it most likely means. */
  suggestion?: string;
}

/**
 * `Template.Docker.Account.Username` → parameter `Template.Docker.Account` and property `Username`, when a
 * declared parameter of a typed control type is a dotted prefix of the name (the longest one wins).
 * `declared` maps lower-cased names to the declared name and its control type. Undefined when no typed
 * parameter is such a prefix.
 */
export function subPropertyReference(name: string, declared: ReadonlyMap<string, { name: string; controlType?: string | undefined }>): SubPropertyReference | undefined {
  const lower = name.toLowerCase();
  for (let dot = lower.lastIndexOf('.'); dot > 0; dot = lower.lastIndexOf('.', dot - 1)) {
    const parameter = declared.get(lower.slice(0, dot));
    if (!parameter) continue;
    if (!hasSubProperties(parameter.controlType)) return undefined;
    const property = name.slice(dot + 1);
    const documented = TYPED_VARIABLE_PROPERTIES[parameter.controlType]!;
    const known = documented.some((p) => p.toLowerCase() === property.toLowerCase());
    const out: SubPropertyReference = { parameter: parameter.name, property, controlType: parameter.controlType, known };
    if (!known) {
      const hint = suggest(property, documented);
      if (hint !== undefined) out.suggestion = hint;
    }
    return out;
  }
  return undefined;
}
