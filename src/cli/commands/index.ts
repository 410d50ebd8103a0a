/** Every CLI command, one module each. */
import type { RegisterCommand } from '../main.js';
import { registerConvert } from './convert.js';
import { registerDemo } from './demo.js';
import { registerFmt } from './fmt.js';
import { registerInit } from './init.js';
import { registerDiff } from './diff.js';
import { registerEvaluate } from './evaluate.js';
import { registerInput } from './input.js';
import { registerLint } from './lint.js';
import { registerLock } from './lock.js';
import { registerOutdated } from './outdated.js';
import { registerPublish } from './publish.js';
import { registerRego } from './rego.js';
import { registerResolve } from './resolve.js';
import { registerServe } from './serve.js';
import { registerTest } from './test.js';
import { registerValidate } from './validate.js';
import { registerVersions } from './versions.js';

export const COMMANDS: RegisterCommand[] = [registerFmt, registerValidate, registerConvert, registerRego, registerPublish, registerVersions, registerResolve, registerLock, registerOutdated, registerServe, registerTest, registerInit, registerLint, registerEvaluate, registerInput, registerDiff, registerDemo];
