/** Every CLI command, one module each. */
import type { RegisterCommand } from '../main.js';

export const COMMANDS: RegisterCommand[] = [];
