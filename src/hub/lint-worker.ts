/**
 * A lint worker thread's entry (see src/lint/workers): opens the hub the starting thread reads, at the
 * same commit, and evaluates the projects it is sent. It lives in the façade because opening a hub is
 * the façade's; everything else about workers is in src/lint/workers.
 */
import { serveLintWorker } from '../lint/workers/serve.js';
import { Hub, type HubWorkerSource } from './hub.js';

serveLintWorker((source) => Hub.forWorker(source as HubWorkerSource));
