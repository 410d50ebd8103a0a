/**
 * The API server bench/api.ts loads: `createApp(hubPort(hub))` over the hub folder given, plus a
 * trivial Hono route (`GET /bench/trivial`) on the same app as the same-run baseline. Prints its URL
 * on the first line of stdout; stops on SIGTERM.
 *   node bench/_api-server.js <hub dir>
 */
import { openHub } from '../src/hub/index.js';
import { createApp, hubPort, startServer } from '../src/api/index.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bench/_api-server.ts <hub dir>');
const { hub, diagnostics } = await openHub({ dir });
if (!hub) throw new Error(`cannot open ${dir}: ${JSON.stringify(diagnostics)}`);
const app = createApp(hubPort(hub));
app.get('/bench/trivial', (c) => c.text('ok'));
const server = await startServer({ app, host: '127.0.0.1', port: 0 });
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
