import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { type JobReport, runChunkingJob, runFuzzJob } from './cases.ts';
import { type CaseOutcome, runCase } from './check.ts';
import { fbsFiles, mapSeed, recordingSeeds } from './corpus.ts';
import { type FbsSeed, fbsSeed, recordSeeds, runFbsJob, runRoundTripJob } from './fbs-fuzz.ts';
import { HOSTILE_INPUTS } from './hostile-inputs.ts';
import type { MappedSeed } from './mutate.ts';
import { Prng } from './prng.ts';
import { syntheticSeeds } from './seeds.ts';
import type { Job, WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.ts';

/*
 * Runs fuzz jobs off the test's thread, so that a case stuck in an endless loop can be stopped
 * (Worker.terminate) and reported by the watchdog in worker-pool.ts, which watches `beat`.
 */

const { heartbeat: beats, scratch } = workerData as WorkerData;
const beat = new Int32Array(beats);

/** Tells the watchdog that case `index` starts now (-1: the job's corpus is being prepared). */
function heartbeat(index: number): void {
  Atomics.store(beat, 1, index);
  Atomics.add(beat, 0, 1);
}

let synthetic: MappedSeed[] | undefined;
const syntheticMapped = () => (synthetic ??= syntheticSeeds().map(mapSeed));

/** The servers' recordings if given, else the synthetic seeds as recorded by FbsRecorder. */
function fbsCorpus(recordingsDir: string | undefined): FbsSeed[] {
  if (recordingsDir) return fbsFiles(recordingsDir).map(({ name, file }) => fbsSeed(name, file));
  return recordSeeds(syntheticMapped(), join(scratch, 'synthetic-fbs'));
}

function run(job: Job): JobReport | CaseOutcome {
  heartbeat(-1); // preparing the corpus
  switch (job.kind) {
    case 'fuzz': {
      const seeds =
        job.corpus === 'recordings' ? recordingSeeds(job.recordingsDir!).map(mapSeed) : syntheticMapped();
      return runFuzzJob(job.corpus, seeds, job, job.failureDir, heartbeat);
    }
    case 'fbs':
      return runFbsJob(fbsCorpus(job.recordingsDir), job, join(scratch, 'fbs'), job.failureDir, heartbeat);
    case 'chunking':
      return runChunkingJob(syntheticMapped(), job, job.failureDir, heartbeat);
    case 'roundtrip':
      return runRoundTripJob(syntheticMapped(), job, join(scratch, 'roundtrip'), job.failureDir, heartbeat);
    case 'hostile': {
      const input = HOSTILE_INPUTS.find((h) => h.name === job.name);
      if (!input) throw new Error(`no hostile input named ${job.name}`);
      const { bytes, options } = input.build();
      heartbeat(0);
      return runCase(
        {
          bytes,
          options: options ?? { colourLevel: 'full' },
          chunking: 'random',
          apiCalls: false,
          sampleMemory: true,
        },
        new Prng(1),
      );
    }
  }
}

const port = parentPort!;
port.on('message', ({ id, job }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { id, result: run(job) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
