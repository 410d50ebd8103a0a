/**
 * The web pages: server-rendered HTML (Hono's JSX) over the hub façade, mounted beside the API. See
 * routes.tsx for the pages, status.ts for the one mapping from decisions to matrix statuses.
 */
export { webRoutes, CONTENT_SECURITY_POLICY, type WebOptions } from './routes.js';
export { contextStatus, decisionStatus, STATUS_VIEW, STATUS_ORDER, type CellStatus } from './status.js';
