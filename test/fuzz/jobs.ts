import { chunkingCase, type FuzzCase, type JobReport, makeCase, saveCase } from './cases.ts';
import { mapSeed, recordingSeeds } from './corpus.ts';
import { roundTripCase } from './fbs-fuzz.ts';
import { caseSeed, hex32 } from './prng.ts';
import { syntheticSeeds } from './seeds.ts';
import type { Job } from './worker-protocol.ts';

/** The jobs that run many seeded cases (every kind but 'hostile'). */
export type FuzzJob = Exclude<Job, { kind: 'hostile' }>;

const MiB = 1 << 20;
/** The process's ArrayBuffer memory, sampled every 16 cases (no gc() to call; garbage counts too). */
export const MEMORY_BOUND = 1024 * MiB;
/** ByteQueue's own cap. */
export const QUEUE_BOUND = 256 * MiB;
/** The pixel arena: one rectangle of the largest framebuffer allowed (maxPixels x 4 bytes). */
export const ARENA_BOUND = 128 * MiB;

/** How a report broke the bounds above, if it did. */
export function boundProblems(report: JobReport): string[] {
  const problems: string[] = [];
  if (report.memory.arrayBuffers >= MEMORY_BOUND)
    problems.push(`process ArrayBuffers reached ${report.memory.arrayBuffers} bytes (bound ${MEMORY_BOUND})`);
  if (report.maxQueueBytes > QUEUE_BOUND)
    problems.push(`the receive queue reached ${report.maxQueueBytes} bytes (bound ${QUEUE_BOUND})`);
  if (report.maxArenaBytes > ARENA_BOUND)
    problems.push(`the pixel arena reached ${report.maxArenaBytes} bytes (bound ${ARENA_BOUND})`);
  return problems;
}

/** Rebuilds case `index` of a job on this thread, to save the input of a case that hung. */
export function rebuildCase(job: FuzzJob, index: number): FuzzCase | undefined {
  const seed = caseSeed(job.runSeed, index);
  const synthetic = () => syntheticSeeds().map(mapSeed);
  switch (job.kind) {
    case 'fuzz':
      return makeCase(
        job.corpus,
        job.corpus === 'recordings' ? recordingSeeds(job.recordingsDir!).map(mapSeed) : synthetic(),
        seed,
      );
    case 'roundtrip':
      return roundTripCase(synthetic(), index, seed);
    case 'chunking':
      return chunkingCase(synthetic(), index, seed);
    default:
      return undefined;
  }
}

/** Saves the input of case `index` of `job`, which hung, and says where (or that it cannot). */
export function saveHungCase(job: FuzzJob, index: number, dir: string): string {
  const seed = caseSeed(job.runSeed, index);
  const c = rebuildCase(job, index);
  return `case seed ${hex32(seed)}${c ? `; input saved in ${saveCase(dir, seed, c)}` : ''}`;
}
