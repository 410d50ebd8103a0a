/**
 * A hub served by one of several stateless replicas over one hub remote (docs/topology.md): each
 * replica has its own bare clone (src/git/replica.ts), reads it like any hub folder, and makes every
 * write — a published tag, an activation commit — in the clone first and then on the remote with an
 * atomic, unforced push. The remote's ref update decides between replicas: a refused push is undone
 * here (the clone takes the remote's refs again) and reported as a conflict to retry.
 *
 * Writes and syncs of one replica run one at a time (`exclusive`), so a sync never prunes a tag that
 * is created but not pushed yet.
 */
import type { Diagnostic } from '../diagnostics.js';
import { openReplicaClone, pushReplica, syncReplica } from '../git/replica.js';
import { openHub, type Hub } from './hub.js';

export interface OpenReplicaOptions {
  /** The shared hub remote: any URL or path Git clones from. */
  remote: string;
  /** This replica's own clone (created on first use). */
  dir: string;
}

export type PushOutcome = { ok: true } | { ok: false; conflict: string };

export class HubReplica {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly hub: Hub,
    readonly remote: string,
    readonly dir: string,
  ) {}

  /** Runs `task` after every earlier write or sync of this replica, and before any later one. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** The clone's branches and tags made the remote's (call inside `exclusive`). */
  sync(): Promise<void> {
    return syncReplica(this.dir);
  }

  /**
   * Pushes refs written in the clone (call inside `exclusive`). Refused — the remote has the tag, or
   * its branch moved — the clone takes the remote's refs again and the answer says why.
   */
  async push(refs: readonly string[]): Promise<PushOutcome> {
    const pushed = await pushReplica(this.dir, refs);
    if (pushed.ok) return { ok: true };
    await syncReplica(this.dir);
    return { ok: false, conflict: pushed.rejected.map((r) => `${r.ref.replace(/^refs\/(tags|heads)\//, '')}: ${r.reason}`).join('; ') };
  }
}

/** Clones (or fetches) the remote into `dir` and opens the hub there, at the remote's default branch. */
export async function openReplica(options: OpenReplicaOptions): Promise<{ replica?: HubReplica; diagnostics: Diagnostic[] }> {
  try {
    await openReplicaClone(options.remote, options.dir);
  } catch (error) {
    return { diagnostics: [{ severity: 'error', code: 'HUB001', summary: error instanceof Error ? error.message : String(error) }] };
  }
  const { hub, diagnostics } = await openHub({ dir: options.dir });
  return hub ? { replica: new HubReplica(hub, options.remote, options.dir), diagnostics } : { diagnostics };
}
