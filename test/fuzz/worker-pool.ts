import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobReport } from './cases.ts';
import { CASE_WATCHDOG_MS, type CaseOutcome } from './check.ts';
import type { Job, WorkerData, WorkerReply } from './worker-protocol.ts';

type Result<J extends Job> = J extends { kind: 'hostile' } ? CaseOutcome : JobReport;

/** Thrown when a case stops making progress: the worker is stopped and the case named. */
export class HangError extends Error {
  constructor(
    readonly job: Job,
    readonly caseIndex: number,
    readonly ms: number,
  ) {
    super(
      `${caseIndex < 0 ? 'preparing the corpus (running the clean seeds)' : `case ${caseIndex}`} of ${JSON.stringify(job)} ` +
        `ran more than ${ms} ms: a hang`,
    );
  }
}

/** How much longer than usual everything may take: a raised FUZZ_WATCHDOG_MS raises these too. */
const SLACK = Math.max(1, CASE_WATCHDOG_MS / 2000);
/** How long the worker may take to start (tsx compiles the engine). */
const STARTUP_MS = 30_000 * SLACK;
/** How long a job may take to prepare its corpus (which runs the clean seeds through the engine). */
const PREPARE_MS = 15_000 * SLACK;
const POLL_MS = 50;

/**
 * One worker thread that runs fuzz jobs, and the watchdog over it: every case beats a shared
 * counter, and a case that does not end within `hangMs` gets the worker terminated (which stops
 * even an endless synchronous loop) and the job rejected with a HangError naming the case.
 */
export class FuzzWorker {
  private worker: Worker | undefined;
  private readonly beat = new Int32Array(new SharedArrayBuffer(8));
  private readonly scratch = mkdtempSync(join(tmpdir(), 'porthole-fuzz-'));
  private nextId = 0;

  private async start(): Promise<Worker> {
    const data: WorkerData = {
      heartbeat: this.beat.buffer as SharedArrayBuffer,
      scratch: this.scratch,
      entry: new URL('./fuzz-worker.ts', import.meta.url).href,
    };
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: data });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the fuzz worker did not start within ${STARTUP_MS} ms`)),
        STARTUP_MS,
      );
      worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return worker;
  }

  async run<J extends Job>(job: J, hangMs: number): Promise<Result<J>> {
    this.worker ??= await this.start();
    const worker = this.worker;
    const id = ++this.nextId;
    return new Promise<Result<J>>((resolve, reject) => {
      let lastBeat = Atomics.load(this.beat, 0);
      let lastChange = performance.now();
      const done = () => {
        clearInterval(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const timer = setInterval(() => {
        const b = Atomics.load(this.beat, 0);
        const now = performance.now();
        if (b !== lastBeat) {
          lastBeat = b;
          lastChange = now;
        } else if (now - lastChange > (Atomics.load(this.beat, 1) < 0 ? PREPARE_MS : hangMs)) {
          done();
          this.worker = undefined;
          void worker.terminate();
          const index = Atomics.load(this.beat, 1);
          reject(new HangError(job, index, index < 0 ? PREPARE_MS : hangMs));
        }
      }, POLL_MS);
      const onMessage = (reply: WorkerReply) => {
        if (reply.id !== id) return;
        done();
        if ('error' in reply) reject(new Error(`the fuzz worker failed: ${reply.error}`));
        else resolve(reply.result as Result<J>);
      };
      const onError = (error: Error) => {
        done();
        this.worker = undefined;
        reject(error);
      };
      const onExit = (code: number) => onError(new Error(`the fuzz worker exited with code ${code}`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, job });
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
