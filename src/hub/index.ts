/**
 * The hub façade: every surface (CLI, API, web, language server) goes through this folder.
 * `hub.ts` opens a hub at a ref and answers questions about it; `activation.ts` edits policy
 * activation in `oclhub.ocl`; `validate.ts` holds the validation entry points behind `oclhub validate`;
 * `replica.ts` is a hub served by one of several replicas over one remote (docs/topology.md).
 */
export * from './hub.js';
export * from './activation.js';
export * from './validate.js';
export * from './replica.js';
