/**
 * What best-practice rules read: the hub's oclhub.ocl and each project's parsed documents (plus, where a
 * surface has them, the published template versions and the hub's policies). Every rule is a pure
 * function of this input; no rule reads a file, a repository or the clock on its own.
 */
import type { Diagnostic, SourceRepository } from '../diagnostics.js';
import type { DependencyDeclaration } from '../deps/declarations.js';
import type { HubConfigDocument, HubProjectModel, ModelDocument, PolicyDocument } from '../model/types.js';

export interface PracticeDocument {
  /** The path findings name (as the surface shows it). */
  file: string;
  /** The file's text, for positions inside values (the dependencies JSON) and text searches. */
  text?: string;
  document: ModelDocument;
}

export interface PracticeProject {
  /** The registered slug, or the folder name of an unregistered project. */
  slug: string;
  registered?: HubProjectModel;
  /**
   * False when the project's files could not be read (e.g. another repository `validate --hub` does not
   * clone): rules about its content say nothing about it rather than reporting an "empty" project.
   */
  read?: boolean;
  documents: readonly PracticeDocument[];
  /** Where the documents were read from, copied onto each finding about them. */
  repository?: SourceRepository;
  /** Published versions (ascending) of the process templates the project uses, by slug; the outdated-template rule needs them. */
  publishedVersions?: ReadonlyMap<string, readonly string[]>;
}

export interface PracticeInput {
  config?: HubConfigDocument;
  /** Where oclhub.ocl is (default `oclhub.ocl`). */
  configFile?: string;
  projects: readonly PracticeProject[];
  /** The hub's policy files (at the ref), for the policy rules. */
  policies?: readonly { file: string; document: PolicyDocument }[];
  /** Slugs of policies published as tags (a policy may be published but no longer in the ref). */
  publishedPolicies?: readonly string[];
  /** "Now" for date rules; default the current time. */
  now?: Date;
}

/** A string-typed variable value, kept per project for the cross-project duplicate rule. */
export interface VariableFact {
  name: string;
  value: string;
  file: string;
  range: Diagnostic['range'];
}

/**
 * What the hub-wide rules need from a project, small enough to cache with a project's lint result (so a
 * cached project need not be read again for them).
 */
export interface ProjectFacts {
  slug: string;
  repository?: SourceRepository;
  /** The project's files were not read: its template dependencies are unknown. */
  unread?: true;
  variables: VariableFact[];
  dependencies: DependencyDeclaration[];
}

export type RuleScope = 'project' | 'hub';

export interface Threshold {
  default: number;
  /** What is counted, for messages and docs ("steps", "lines", "days"). */
  unit: string;
  /** How the count compares with the threshold for the rule to fire. */
  fires: 'at-or-above' | 'above' | 'at-or-below';
}
