// Loads the TypeScript fuzz worker: worker threads do not get Vitest's transform, so tsx does it.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
