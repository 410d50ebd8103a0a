/**
 * node:crypto for the lint's hashing on the re-run path (fast-rerun.ts `sha`, worktree.ts `blobId`),
 * loaded on first use, not at start-up: a re-run that finds nothing changed hashes nothing (node:crypto
 * takes 4–5 ms to load). Older Node, without getBuiltinModule: the facade, loaded now. Looked up once,
 * not per hash: a lint hashes thousands of times (tree-listings.ts `fileIdsDigest`, the working-tree
 * check), enough for V8 to spend ~13 ms optimising `getBuiltinModule` on every call's behalf.
 */
const facade: typeof import('node:crypto') | undefined = 'getBuiltinModule' in process ? undefined : await import('node:crypto');

let loaded: typeof import('node:crypto') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  return (loaded ??= facade ?? process.getBuiltinModule('node:crypto'));
}
