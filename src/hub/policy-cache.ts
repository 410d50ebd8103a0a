/**
 * Published policy files validated once per content, as config-cache.ts does for oclhub.ocl: a lint
 * validates every active policy (25 on a big hub: 40–50 ms of a re-run's start) though a published
 * version never changes. Each validation is kept in the lint cache folder (`lint-policies.json`, the
 * record format of lint/cache.ts: each entry checksummed, the file replaced atomically; a run that
 * validated something new keeps the entries it used and the new ones).
 *
 * An entry is used only when it is exactly what validating would give now:
 * - its key is a SHA-256 of the file's path and text, the tool's version, the cache engine's version
 *   (ENGINE_VERSION) and this module's format; policy validation reads nothing else (no clock, no
 *   other file);
 * - it is stored only when JSON gives the result back as it is (`exactJson`), as the validation
 *   returned it (before the policy loader adds anything to the model);
 * - one that is damaged, torn or not of this shape is a miss, and a miss validates.
 */
import { LintCache } from '../lint/cache.js';
import { ENGINE_VERSION, sha } from '../lint/fast-rerun.js';
import { validatePolicyFile, type PolicyValidation, type PolicyValidator } from '../policy/load.js';
import { exactJson } from './config-cache.js';

const FORMAT = 'oclhub-policy-validation/1';

export interface PolicyValidations {
  /** Validates a policy file, from the cache when it holds this file's result (see `PolicyValidator`). */
  validate: PolicyValidator;
  /** Writes the validations used when one was added; a cache that cannot be written only costs speed. */
  save(): Promise<void>;
}

function isValidation(value: unknown): value is PolicyValidation {
  if (value === null || typeof value !== 'object') return false;
  const { document, diagnostics } = value as Partial<PolicyValidation>;
  return Array.isArray(diagnostics) && (document === undefined || (document !== null && typeof document === 'object' && document.kind === 'policy'));
}

/** The policy validations kept in the lint cache folder `dir` for `toolVersion`. */
export async function openPolicyValidations(dir: string, toolVersion: string): Promise<PolicyValidations> {
  const cache = await LintCache.open(dir, 'lint-policies');
  let added = false;
  return {
    validate(file, text) {
      const key = sha([FORMAT, ENGINE_VERSION, toolVersion, file, text]);
      const stored = cache.get<unknown>(key);
      if (isValidation(stored)) return stored;
      const result = validatePolicyFile(file, text);
      // Written now, as validated: the loader adds the slug to the model afterwards.
      const json = exactJson({ ...(result.document !== undefined ? { document: result.document } : {}), diagnostics: result.diagnostics });
      if (json !== undefined) {
        cache.setEncoded(key, json);
        added = true;
      }
      return result;
    },
    async save() {
      if (added) await cache.save();
    },
  };
}
