import type { CaseRange, Corpus } from './cases.ts';

/** Work for the fuzz worker (fuzz-worker.ts); each kind's result type is in worker-pool.ts. */
export type Job =
  | (CaseRange & { kind: 'fuzz'; corpus: Corpus; failureDir: string; recordingsDir?: string })
  | (CaseRange & { kind: 'fbs'; failureDir: string; recordingsDir?: string })
  | (CaseRange & { kind: 'roundtrip'; failureDir: string })
  | (CaseRange & { kind: 'chunking'; failureDir: string })
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
