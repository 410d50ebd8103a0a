/**
 * The port of one replica among several over one hub remote (src/hub/replica.ts, docs/topology.md).
 * Reads are the hub port's, over this replica's clone, which follows the remote every `syncMs`.
 * Writes see the remote first (a sync), are made in the clone, and are pushed: a push the remote
 * refuses — another replica published that version, or moved the branch, first — is undone and
 * answered 409 `conflict` (retry: the next attempt starts from the remote's state).
 */
import type { HubReplica } from '../hub/index.js';
import { hubPort, type FacadePort, type HubPortOptions } from './hub-port.js';
import type { ActivationRequest, PublishOutcome, PublishRequest } from './ports.js';
import { ProblemError } from './problem.js';

export interface ReplicaPortOptions extends HubPortOptions {
  /** How often the clone is synced with the remote for reads, in ms (default 1000; 0: only before writes). */
  syncMs?: number;
  /** Told about a failed background sync (the replica keeps serving its clone as it is). */
  onSyncError?: (error: unknown) => void;
}

export interface ReplicaPort extends FacadePort {
  /** Stops the background sync; resolves once a sync in progress (a fetch writing into the clone) has finished. */
  close(): Promise<void>;
}

export function replicaPort(replica: HubReplica, options: ReplicaPortOptions = {}): ReplicaPort {
  const port = hubPort(replica.hub, options);
  const syncMs = options.syncMs ?? 1000;
  const timer =
    syncMs > 0
      ? setInterval(() => {
          replica.exclusive(() => replica.sync()).catch((error: unknown) => options.onSyncError?.(error));
        }, syncMs)
      : undefined;
  timer?.unref?.();

  const refused = (what: string, conflict: string) => {
    port.refreshTags();
    return new ProblemError('conflict', `${what} was refused by the hub remote: another server wrote it first (${conflict}). Nothing was changed; retry.`);
  };

  return {
    ...port,
    close: async () => {
      clearInterval(timer);
      // Queued behind whatever runs now: after it, nothing writes into the clone on this port's behalf.
      await replica.exclusive(async () => {});
    },

    publish(request: PublishRequest): Promise<PublishOutcome> {
      return replica.exclusive(async () => {
        await replica.sync();
        const outcome = await port.publish(request);
        if (!outcome.published || outcome.tag === undefined) return outcome;
        const pushed = await replica.push([`refs/tags/${outcome.tag}`]);
        if (!pushed.ok) throw refused(`Publishing ${request.slug} ${outcome.version ?? ''}`.trim(), pushed.conflict);
        return outcome;
      });
    },

    activatePolicy(request: ActivationRequest): Promise<unknown> {
      return replica.exclusive(async () => {
        await replica.sync();
        const result = (await port.activatePolicy(request)) as { changed?: boolean; branch?: string };
        if (!result.changed || result.branch === undefined) return result;
        const pushed = await replica.push([`refs/heads/${result.branch}`]);
        if (!pushed.ok) throw refused(`Activating ${request.slug}`, pushed.conflict);
        return result;
      });
    },
  };
}
