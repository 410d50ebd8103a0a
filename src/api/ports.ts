/**
 * What the HTTP API needs from a hub. Routes depend only on this interface, so the façade (src/hub.ts)
 * plugs in through `hubPort(hub)` and tests can run the API over any real store. Optional methods are
 * features whose backing library may not exist yet: their routes answer 501 problem+json until a port
 * provides them.
 *
 * Every `ref` is optional and defaults to the hub's default branch. Methods throw GitStoreError for Git
 * failures (unknown ref → 404, invalid path or ref name → 400); "no such template/project" is
 * `undefined`, not an exception.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { OclJsonDocument } from '../ocl/json.js';

export type TemplateKind = 'process-templates' | 'project-templates' | 'policies';

export interface TemplateSummary {
  slug: string;
  /** Published versions, ascending. */
  versions: string[];
  latest?: string;
  latestStable?: string;
  /** Whether the ref holds the template's file (a template may be published but since deleted). */
  inRef: boolean;
}

export interface TemplateListing {
  kind: TemplateKind;
  /** The commit read, or null for a repository without commits (working tree). */
  commit: string | null;
  templates: TemplateSummary[];
}

export interface TemplateFile {
  /** Repository path. */
  path: string;
  ocl: string;
  /** The lossless JSON form (docs/ocl-json.md); null when the OCL does not parse. */
  json: OclJsonDocument | null;
  diagnostics: Diagnostic[];
}

export interface TemplateContent {
  kind: TemplateKind;
  slug: string;
  commit: string | null;
  /** One file for process templates and policies; the folder's files for project templates. */
  files: TemplateFile[];
}

export interface VersionInfo {
  version: string;
  prerelease: boolean;
  tag: string;
  commit: string;
  /** ISO 8601 tag time. */
  date?: string;
  notes: string;
  publisher?: { name: string; email: string };
  contentHash?: string;
  previousVersion?: string;
}

export interface Identity {
  name: string;
  email: string;
}

export interface PublishRequest {
  kind: TemplateKind;
  slug: string;
  /** The bump from the latest version; without it `version` is published as given. */
  bump?: string;
  notes?: string;
  ref?: string;
  dryRun?: boolean;
  /**
   * With `bump`: the version the caller expects the bump to give, refused (TPL203) unless it is the
   * version created — checked atomically with the tag creation, across servers, so two callers who
   * both saw 1.2.0 and asked for a minor get one 1.3.0 and one conflict, never 1.3.0 and 1.4.0.
   * Without `bump`: exactly this version (higher than every published one, bump-checked).
   */
  version?: string;
  /** The caller's identity (from its token); the port's default identity when absent. */
  publisher?: Identity;
}

/** The façade's publish result: `ok` false means refused, with error diagnostics (TPL2xx codes). */
export interface PublishOutcome {
  ok: boolean;
  published: boolean;
  dryRun: boolean;
  kind: TemplateKind;
  slug: string;
  version?: string;
  previous?: string;
  tag?: string;
  commit?: string;
  contentHash?: string;
  bump?: { requested: string; required: string; sufficient: boolean; forced: boolean; message: string; reasons: unknown[] };
  impact?: unknown[];
  diagnostics: Diagnostic[];
  /** Validation findings rule settings turned off. */
  suppressed?: Diagnostic[];
  /** With TPL210 (another publish holds the template's lock): when to retry. */
  retryAfterSeconds?: number;
}

export interface ProjectSummary {
  slug: string;
  name: string;
  /** Folder in the hub repository, or in `repository`. */
  path?: string;
  repository?: string;
  ref?: string;
  environments: string[];
}

export interface ProjectListing {
  commit: string | null;
  projects: ProjectSummary[];
}

export interface ResolveProcessRequest {
  project: string;
  environment?: string;
  ref?: string;
}

export interface PolicyInputRequest {
  project: string;
  environment: string;
  tenant?: string;
  ref?: string;
}

export interface PolicyInputAnswer {
  /** The exact Octopus policy input object. */
  input: unknown;
  /** Warnings about the input itself, served beside it (the body stays the Octopus object). */
  warnings: Diagnostic[];
}

export interface EvaluationRequest {
  project: string;
  environment: string;
  tenant?: string;
  release?: { version: string; gitRef?: string };
  runbook?: string;
  skippedSteps?: string[];
  ref?: string;
}

export interface DependenciesRequest {
  project: string;
  environment?: string;
  tenant?: string;
  ref?: string;
}

export interface ActivationRequest {
  slug: string;
  /** The version to activate, or null to deactivate. */
  version: string | null;
  author?: Identity;
}

/** The port the API runs over. */
export interface HubPort {
  listTemplates(kind: TemplateKind, ref?: string): Promise<TemplateListing>;
  /** The template's files at a ref (a branch, a commit, or a version tag); undefined when absent there. */
  getTemplate(kind: TemplateKind, slug: string, ref?: string): Promise<TemplateContent | undefined>;
  /** Published versions with tag details, ascending; empty when none. */
  versions(kind: TemplateKind, slug: string): Promise<VersionInfo[]>;
  publish?(request: PublishRequest): Promise<PublishOutcome>;
  listProjects?(ref?: string): Promise<ProjectListing>;
  /** The resolved process with provenance; undefined when the project is unknown. */
  resolveProcess?(request: ResolveProcessRequest): Promise<unknown | undefined>;
  /** The input, and what a reader of it must know that the object cannot say (SEM043: an `ActionType` left out); undefined when the project is unknown. */
  policyInput?(request: PolicyInputRequest): Promise<PolicyInputAnswer | undefined>;
  /**
   * `requestKey`, when given, identifies the request exactly (its body's bytes): an answer kept in the
   * decision cache is then also found by it (`cachedEvaluation`).
   */
  evaluate?(request: EvaluationRequest, requestKey?: string): Promise<unknown>;
  /**
   * The answer `evaluate` gave to the request with this key, when the hub is still in the state it was
   * decided in (default branch commit, tag listing, exceptions in force) and that state is known
   * without loading anything; undefined otherwise (ask `evaluate`). A cache hit costs no parsing.
   */
  cachedEvaluation?(requestKey: string): Promise<unknown | undefined>;
  compliance?(ref?: string): Promise<unknown>;
  diff?(from: string, to: string): Promise<unknown>;
  activatePolicy?(request: ActivationRequest): Promise<unknown>;
  /** A project's dependency report (src/deps/report.ts); undefined when the project is unknown. */
  dependencies?(request: DependenciesRequest): Promise<unknown | undefined>;
}
