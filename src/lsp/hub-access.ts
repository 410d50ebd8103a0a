/**
 * The hub the workspace root is: opened through the façade (src/hub) at HEAD, for published versions
 * (tags), active policies and the compliance matrix. It is re-opened when HEAD moves. A root that is not
 * a Git repository has no published versions: usages are then checked against the working tree only.
 */
import { openHub, type ComplianceMatrix, type Hub } from '../hub/hub.js';
import type { TemplateCatalog } from '../templates/catalog.js';

export class HubAccess {
  private opening: Promise<Hub | undefined> | undefined;
  private matrix: { commit: string | null; result: Promise<ComplianceMatrix | undefined> } | undefined;

  constructor(private readonly root: string | undefined) {}

  /** The hub at the current HEAD (re-opened when HEAD has moved since it was opened). */
  async hub(): Promise<Hub | undefined> {
    if (this.root === undefined) return undefined;
    const root = this.root;
    this.opening ??= openHub({ dir: root }).then(
      (opened) => opened.hub,
      () => undefined,
    );
    const hub = await this.opening;
    if (hub && hub.commit !== null) {
      const head = await hub.store.resolveRef('HEAD').then(
        (r) => r.oid,
        () => undefined,
      );
      if (head !== undefined && head !== hub.commit) {
        this.opening = undefined;
        return this.hub();
      }
    }
    return hub;
  }

  /** The catalog with its tag listing re-read (a publish may have happened since). */
  async freshCatalog(): Promise<TemplateCatalog | undefined> {
    const hub = await this.hub();
    if (!hub) return undefined;
    hub.catalog.refresh();
    return hub.catalog;
  }

  /** The compliance matrix of the hub at HEAD (computed once per commit, in the background). */
  async compliance(): Promise<ComplianceMatrix | undefined> {
    const hub = await this.hub();
    if (!hub) return undefined;
    if (!this.matrix || this.matrix.commit !== hub.commit) {
      this.matrix = { commit: hub.commit, result: hub.compliance({ cacheDir: false }).catch(() => undefined) };
    }
    return this.matrix.result;
  }
}
