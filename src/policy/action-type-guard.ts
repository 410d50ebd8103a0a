/**
 * The steps whose `ActionType` is unknown, made to fail closed when a policy looks at them the way it
 * could see the missing type: the input handed to the engine holds, for each such step, a proxy that
 * throws (an engine error, `ACTION_TYPE_READ`) when the evaluation reads `ActionType`, asks whether it
 * is there, or enumerates the step's keys (iteration, `count`, equality, `json.marshal`, `walk`,
 * a set of steps). Reading any other field by name is untouched.
 *
 * Why not judge from the policy's text alone (`mayReadActionType`): a policy can reach the field
 * without naming it (`some k; step[k]`, `json.marshal(step)`), and would then decide on an input that
 * lacks the type as if the step had none. The text check still decides first (a policy that names
 * `ActionType` is an error without being run); this guard covers what the text cannot see.
 *
 * Guarded copies are made once per input object and once per container of such steps, so the
 * identity-keyed reuse of rule values across environments (`knownRuleValue`) keeps working.
 */
import { RegoEvalError } from '../rego/errors.js';
import type { UnknownActionType } from './input.js';

/** The engine error code of an evaluation that looked at an unknown `ActionType`. */
export const ACTION_TYPE_READ = 'POL_ACTION_TYPE_READ';

const FIELD = 'ActionType';

/** Id of the step an evaluation last tried to see the type of (set just before the engine error; evaluation is synchronous). */
let lastReadStepId: string | undefined;

/** The step whose type the last refused evaluation looked at, once. */
export function takeReadStepId(): string | undefined {
  const id = lastReadStepId;
  lastReadStepId = undefined;
  return id;
}

/** Per original input object, and per original field value of an input (shared by a project's inputs), the guarded copy. */
const guarded = new WeakMap<object, { ids: ReadonlySet<string>; value: unknown }>();

/**
 * `input` with every object whose `Id` names one of `steps` (and which has no `ActionType`) replaced by
 * a guarding proxy. The same input object, or input field value, gives the same guarded copy while
 * `steps` name the same ids.
 */
export function guardUnknownActionTypes(input: unknown, steps: readonly UnknownActionType[]): unknown {
  const ids = idsOf(steps);
  return guardOnce(input, ids, input === null || typeof input !== 'object' || Array.isArray(input) ? guardContainer : guardTopLevel);
}

/**
 * The ids of a list of steps, once per list (a caller passes one project's list for all its decisions);
 * checked against the list each time (a few ids, no allocation), so a list changed in place is not
 * answered with its old ids.
 */
const idsByList = new WeakMap<readonly UnknownActionType[], ReadonlySet<string>>();

function idsOf(steps: readonly UnknownActionType[]): ReadonlySet<string> {
  let ids = idsByList.get(steps);
  if (ids === undefined || ids.size !== steps.length || !steps.every((s) => ids!.has(s.id))) idsByList.set(steps, (ids = new Set(steps.map((s) => s.id))));
  return ids;
}

function guardOnce(value: unknown, ids: ReadonlySet<string>, guard: (value: unknown, ids: ReadonlySet<string>) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const known = guarded.get(value);
  if (known && (known.ids === ids || (known.ids.size === ids.size && [...ids].every((id) => known.ids.has(id))))) return known.value;
  const copy = guard(value, ids);
  guarded.set(value, { ids, value: copy });
  return copy;
}

/** The input's own fields, each guarded once: the inputs of one project's environments share their steps. */
function guardTopLevel(value: unknown, ids: ReadonlySet<string>): unknown {
  return withFields(value as Record<string, unknown>, (item) => guardOnce(item, ids, guardContainer));
}

/** `object` with each field's value passed through `guard`: a copy when one of them changed, else itself. */
function withFields(object: Record<string, unknown>, guard: (item: unknown) => unknown): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const item = object[key];
    const safe = guard(item);
    if (safe !== item) (copy ??= { ...object })[key] = safe;
  }
  return copy ?? object;
}

function guardContainer(value: unknown, ids: ReadonlySet<string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const safe = guardContainer(item, ids);
      if (safe !== item) (copy ??= value.slice())[i] = safe;
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  const id = object.Id;
  if (typeof id === 'string' && ids.has(id) && !Object.prototype.hasOwnProperty.call(object, FIELD)) return stepProxy(object, id);
  return withFields(object, (item) => guardContainer(item, ids));
}

function stepProxy(step: Record<string, unknown>, id: string): Record<string, unknown> {
  const refuse = (): never => {
    lastReadStepId = id;
    throw new RegoEvalError(ACTION_TYPE_READ, `the evaluation looked at the ActionType of step ${JSON.stringify(step.Slug ?? id)}, which is unknown`);
  };
  return new Proxy(step, {
    get: (target, key, receiver) => (key === FIELD ? refuse() : Reflect.get(target, key, receiver)),
    has: (target, key) => (key === FIELD ? refuse() : Reflect.has(target, key)),
    getOwnPropertyDescriptor: (target, key) => (key === FIELD ? refuse() : Reflect.getOwnPropertyDescriptor(target, key)),
    // The keys of a step show whether it has a type: any enumeration counts as looking at it.
    ownKeys: () => refuse(),
  });
}
