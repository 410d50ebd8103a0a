/**
 * The worker side of the lint pool (pool.ts): waits to be told what to open (`open`: the thread may be
 * started before the hub is open), opens the hub (through the function its entry module gives, see
 * src/hub/lint-worker.ts), loads the active policies and says which (the starting thread gives it
 * projects only if they are its own: it may not have loaded them yet when it sends `open`), then
 * evaluates the projects it is sent, one at a time, in the order they come.
 */
import { parentPort } from 'node:worker_threads';
import { lintPolicies, lintProjectEncoded, policyKey } from '../engine.js';
import type { LintHub } from '../hub-view.js';
import type { LintWorkerInit, LintWorkerRequest, WireTarget, WorkerMessage } from './protocol.js';

export function serveLintWorker(open: (source: unknown) => Promise<LintHub>): void {
  const port = parentPort;
  if (!port) throw new Error('serveLintWorker runs in a worker thread');
  const post = (message: WorkerMessage) => port.postMessage(message);
  let opened!: (init: LintWorkerInit) => void;
  const given = new Promise<LintWorkerInit>((resolve) => (opened = resolve));
  const ready = given.then(async (init) => {
    const hub = await open(init.hub);
    const { policies } = await lintPolicies(hub, init.drafts);
    return { hub, policies, lint: init.lint };
  });
  ready.then(
    ({ policies }) => post({ type: 'ready', policies: policies.map(policyKey) }),
    (error: unknown) => post({ type: 'failed', error: messageOf(error) }),
  );
  // One project at a time: a second request waits for the first (the pool keeps several in flight, pool.ts `IN_FLIGHT`, so that a worker never waits for the next).
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: LintWorkerRequest) => {
    if (request.type === 'open') {
      opened(request.init);
      return;
    }
    queue = queue.then(async () => {
      const { hub, policies, lint } = await ready;
      try {
        const files = await readFiles(hub, request.target);
        if ('unreadable' in files) {
          post({ type: 'done', id: request.id, unreadable: files.unreadable });
          return;
        }
        const { readAt: _readAt, ...target } = request.target;
        const out = await lintProjectEncoded(hub, { ...target, files: files.files }, policies, lint);
        // The entry's memory is handed over, not copied (see lintProjectEncoded).
        port.postMessage({ type: 'done', id: request.id, ...out } satisfies WorkerMessage, [out.entry.buffer as ArrayBuffer]);
      } catch (error) {
        post({ type: 'error', id: request.id, error: messageOf(error) });
      }
    });
  });
}

/** A target's files: those sent, or read at the hub commit it names (as the starting thread's lazy targets read them). */
async function readFiles(hub: LintHub, target: WireTarget): Promise<{ files: ReadonlyMap<string, string> } | { unreadable: string }> {
  if (target.readAt === undefined || !target.fileIds) return { files: target.files };
  try {
    const files = new Map<string, string>();
    for (const file of target.fileIds.keys()) files.set(file, await hub.store.readTextFile(target.readAt, file));
    return { files };
  } catch (error) {
    return { unreadable: messageOf(error) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
