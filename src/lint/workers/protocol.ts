/**
 * What the lint engine and its worker threads say to each other (see pool.ts). A thread may start
 * before the hub is open (the CLI starts it while it sets up: its start overlaps that work), so it is
 * told what to open in its first message, `open`, not in its `workerData`. A project goes out as
 * its target (files included, or the hub commit to read them at) and comes back as the bytes of its
 * cache entry (lint/result-entry.ts: for a project in the hub, its evaluations already rendered as a
 * piece of the JSON report), so the starting thread takes a worker's result exactly as it takes a
 * cached one, and writes it to the cache without encoding it again.
 */
import type { LintProjectTarget } from '../engine.js';
import type { LintOptions } from '../engine.js';

/** What a lint worker opens and evaluates with: the `open` message. */
export interface LintWorkerInit {
  /** `LintWorkerSource.hub`: how the entry opens the hub. */
  hub: unknown;
  drafts?: boolean;
  /** The run's options that a project's result depends on. */
  lint: Pick<LintOptions, 'environments' | 'tenants' | 'release' | 'onError' | 'findingsOutlines'>;
}

/** A project as sent to a worker: without its `load` function; `readAt` says which hub commit to read `fileIds` at instead. */
export type WireTarget = Omit<LintProjectTarget, 'load'> & { readAt?: string };

export interface ProjectRequest {
  type: 'project';
  id: number;
  target: WireTarget;
}

/** What the starting thread sends a worker: `open` first (once), then projects. */
export type LintWorkerRequest = { type: 'open'; init: LintWorkerInit } | ProjectRequest;

/**
 * A project's result: its cache entry's bytes (a buffer of its own, transferred: not copied), or why
 * its files could not be read, or what went wrong evaluating it.
 */
export type ProjectOutcome = { entry: Uint8Array; evaluated: number } | { unreadable: string };

export type WorkerMessage =
  /** The policies it loaded (`policyKey`): a worker whose policies are not the starting thread's is given no project. */
  | { type: 'ready'; policies: string[] }
  /** The worker cannot serve (the hub would not open): it takes no project. */
  | { type: 'failed'; error: string }
  | ({ type: 'done'; id: number } & ProjectOutcome)
  /** Evaluating the project threw: the project is reported as undecided (fail closed). */
  | { type: 'error'; id: number; error: string };
