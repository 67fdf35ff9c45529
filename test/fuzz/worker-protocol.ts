import type { Corpus } from './cases.ts';

/** Work for the fuzz worker (fuzz-worker.ts); each kind's result type is in worker-pool.ts. */
export type Job =
  | {
      kind: 'fuzz';
      corpus: Corpus;
      runSeed: number;
      cases: number;
      failureDir: string;
      recordingsDir?: string;
    }
  | { kind: 'fbs'; runSeed: number; cases: number; failureDir: string; recordingsDir?: string }
  | { kind: 'roundtrip'; runSeed: number; cases: number; failureDir: string }
  | { kind: 'chunking'; runSeed: number; cases: number; failureDir: string }
  | { kind: 'hostile'; name: string };

export interface WorkerRequest {
  id: number;
  job: Job;
}

export type WorkerReply = { id: number; result: unknown } | { id: number; error: string };

export interface WorkerData {
  heartbeat: SharedArrayBuffer;
  /** A directory the worker may write to; the pool removes it. */
  scratch: string;
  /** The worker module, for worker-boot.mjs. */
  entry: string;
}
