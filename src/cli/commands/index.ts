/**
 * Every CLI command, one module each, loaded on demand: a run of `oclhub lint` loads the lint command
 * and what it imports, not the whole tool (start-up time matters for CI and for cached lint runs).
 */
import type { RegisterCommand } from '../main.js';

export interface CommandEntry {
  /** The command's name as typed (`oclhub <name>`). */
  name: string;
  load(): Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'fmt', load: async () => (await import('./fmt.js')).registerFmt },
  { name: 'validate', load: async () => (await import('./validate.js')).registerValidate },
  { name: 'convert', load: async () => (await import('./convert.js')).registerConvert },
  { name: 'rego', load: async () => (await import('./rego.js')).registerRego },
  { name: 'publish', load: async () => (await import('./publish.js')).registerPublish },
  { name: 'activate', load: async () => (await import('./activate.js')).registerActivate },
  { name: 'versions', load: async () => (await import('./versions.js')).registerVersions },
  { name: 'resolve', load: async () => (await import('./resolve.js')).registerResolve },
  { name: 'lock', load: async () => (await import('./lock.js')).registerLock },
  { name: 'outdated', load: async () => (await import('./outdated.js')).registerOutdated },
  { name: 'serve', load: async () => (await import('./serve.js')).registerServe },
  { name: 'test', load: async () => (await import('./test.js')).registerTest },
  { name: 'init', load: async () => (await import('./init.js')).registerInit },
  { name: 'lint', load: async () => (await import('./lint.js')).registerLint },
  { name: 'evaluate', load: async () => (await import('./evaluate.js')).registerEvaluate },
  { name: 'input', load: async () => (await import('./input.js')).registerInput },
  { name: 'diff', load: async () => (await import('./diff.js')).registerDiff },
  { name: 'demo', load: async () => (await import('./demo.js')).registerDemo },
  { name: 'lsp', load: async () => (await import('./lsp.js')).registerLsp },
  { name: 'deps', load: async () => (await import('./deps.js')).registerDeps },
  { name: 'report', load: async () => (await import('./report-merge.js')).registerReport },
];
