/** Every CLI command, one module each. */
import type { RegisterCommand } from '../main.js';
import { registerConvert } from './convert.js';
import { registerFmt } from './fmt.js';
import { registerRego } from './rego.js';
import { registerValidate } from './validate.js';

export const COMMANDS: RegisterCommand[] = [registerFmt, registerValidate, registerConvert, registerRego];
