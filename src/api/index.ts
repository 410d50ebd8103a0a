/** The HTTP API: app factory, hub adapter, server helper, tokens, OpenAPI. */
export { createApp, type ApiOptions, type OclhubApp } from './app.js';
export { hubPort, type HubPortOptions } from './hub-port.js';
export { startServer, type RunningServer, type StartServerOptions } from './server.js';
export { parseTokenFile, readTokenFile, type TokenEntry, type Scope } from './tokens.js';
export { buildOpenApi } from './openapi.js';
export { PROBLEM_BASE, PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, type Problem } from './problem.js';
export type * from './ports.js';
