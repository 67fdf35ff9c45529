import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../main/cli/commands.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import type { Corpus, JobReport } from './cases.ts';
import { CASE_WATCHDOG_MS, runCase } from './check.ts';
import { boundProblems, type FuzzJob, saveHungCase } from './jobs.ts';
import { hex32, Prng } from './prng.ts';
import { recordServers } from './recordings.ts';
import { syntheticSeeds } from './seeds.ts';
import { FuzzWorker, HangError } from './worker-pool.ts';

/*
 * Bounded fuzzing of the RFB engine's boundary (RfbSession.receive, readFbs, replay), run on
 * every `vitest run`. The cases run in a worker thread (fuzz-worker.ts) whose watchdog
 * (worker-pool.ts) turns a case running over CASE_WATCHDOG_MS into a failure naming it.
 * Cases are deterministic: FUZZ_SEED picks another run, FUZZ_SCALE=10 runs ten times the cases.
 * A failing case is saved under .tmp/fuzz-failures for test/fuzz/replay-case.ts; the report
 * names its seed and what was done to the stream. Hostile inputs are in hostile.test.ts.
 */

const RUN_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x504f5254;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const CASES = {
  synthetic: 3000,
  generated: 2000,
  random: 3000,
  chunking: 800,
  roundtrip: 600,
  fbs: 300,
  recordings: 2000,
  recordedFbs: 300,
};
const MiB = 1 << 20;
const FAILURE_DIR = fileURLToPath(new URL('../../.tmp/fuzz-failures', import.meta.url));

const worker = new FuzzWorker();
afterAll(() => worker.stop());

const cases = (n: number) => Math.max(1, Math.round(n * SCALE));

/** Runs a job; a hang is turned into a failure that names the case and saves its input. */
async function run(job: FuzzJob): Promise<JobReport> {
  try {
    return await worker.run(job, CASE_WATCHDOG_MS);
  } catch (error) {
    if (!(error instanceof HangError) || error.caseIndex < 0) throw error;
    throw new Error(
      `${error.message} (run seed ${hex32(job.runSeed)}, ${saveHungCase(job, error.caseIndex, FAILURE_DIR)})`,
    );
  }
}

function expectClean(report: JobReport, what: string): void {
  const top = Object.entries(report.errors)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([shape, n]) => `${n}x "${shape}"`);
  console.log(
    `${what}: ${report.cases} cases in ${(report.ms / 1000).toFixed(1)} s, ${report.closed} ended with an error ` +
      `(${Object.keys(report.errors).length} kinds; most often ${top.join(', ')}); slowest case ${report.maxCaseMs.toFixed(0)} ms; ` +
      (report.maxQueueBytes
        ? `peak queue ${report.maxQueueBytes / 1024} KiB, arena ${report.maxArenaBytes / 1024} KiB, `
        : '') +
      `process ArrayBuffers ${(report.memory.arrayBuffers / MiB).toFixed(0)} MiB, heap ${(report.memory.heapUsed / MiB).toFixed(0)} MiB`,
  );
  const failures = report.failures
    .slice(0, 10)
    .map(
      (f) =>
        `case ${f.index} (seed ${f.caseSeed}) ${f.label}\n    ${f.problems.join('\n    ')}\n    saved: ${f.file}`,
    );
  if (report.failures.length > 10) failures.push(`... and ${report.failures.length - 10} more`);
  expect(failures, `run seed ${hex32(RUN_SEED)}`).toEqual([]);
  expect(report.cases).toBeGreaterThan(0);
  expect(boundProblems(report)).toEqual([]);
}

describe('the synthetic seeds', () => {
  // A seed that fails unmutated would make its mutants shallow: check them first.
  it('are accepted whole and byte by byte', () => {
    for (const seed of syntheticSeeds()) {
      for (const chunking of ['whole', 'bytes'] as const) {
        const outcome = runCase(
          { bytes: seed.bytes, options: seed.options, chunking, apiCalls: false },
          new Prng(1),
        );
        expect(outcome.problems, seed.name).toEqual([]);
        if (/^(refused|auth-failed)/.test(seed.name))
          expect(outcome.error?.kind, seed.name).toMatch(/protocol|auth/);
        else expect(outcome.error, seed.name).toBeUndefined();
      }
    }
  });
});

describe('fuzzing RfbSession.receive', () => {
  const jobs: [Corpus, number, string][] = [
    ['synthetic', CASES.synthetic, 'mutated synthetic seeds (every handshake, message and encoding)'],
    ['generated', CASES.generated, 'grammar-generated streams, inflated data damaged before compression'],
    ['random', CASES.random, 'random bytes, alone or after a valid banner or handshake'],
  ];
  for (const [corpus, n, what] of jobs) {
    it(`${what}: no throw, one clean close, bounded memory`, async () => {
      const report = await run({
        kind: 'fuzz',
        corpus,
        runSeed: RUN_SEED,
        cases: cases(n),
        failureDir: FAILURE_DIR,
      });
      expectClean(report, corpus);
    });
  }
});

describe('decoding does not depend on how the stream is cut', () => {
  it('mutated and generated streams decode the same whole, in random pieces and byte by byte', async () => {
    const report = await run({
      kind: 'chunking',
      runSeed: RUN_SEED,
      cases: cases(CASES.chunking),
      failureDir: FAILURE_DIR,
    });
    expectClean(report, 'chunking');
  });
});

describe('fuzzing readFbs and replay', () => {
  it('mutated FBS files of the synthetic seeds give a result or a clear RfbError', async () => {
    const report = await run({
      kind: 'fbs',
      runSeed: RUN_SEED,
      cases: cases(CASES.fbs),
      failureDir: FAILURE_DIR,
    });
    expectClean(report, 'fbs');
  });

  it('a mutated stream recorded as `porthole record` does replays the same as it decoded live', async () => {
    const report = await run({
      kind: 'roundtrip',
      runSeed: RUN_SEED,
      cases: cases(CASES.roundtrip),
      failureDir: FAILURE_DIR,
    });
    expectClean(report, 'roundtrip');
  });

  it('a recording that cannot be read is a usage error', () => {
    expect(() => replay('/nonexistent/porthole-fuzz.fbs')).toThrow(RfbError);
    expect(() => replay('/nonexistent/porthole-fuzz.fbs')).toThrow(/cannot read the recording/);
  });
});

describe('fuzzing recordings of real servers', () => {
  /** Xvnc, x11vnc and QEMU in every encoding they send (recordings.ts), recorded once. */
  const dir = mkdtempSync(join(tmpdir(), 'porthole-fuzz-recordings-'));
  let recorded: string[] = [];
  beforeAll(async () => {
    recorded = await recordServers(dir);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every recording replays cleanly as recorded', () => {
    expect(recorded.length).toBeGreaterThan(0);
    for (const file of recorded) expect(replay(file).updates, file).toBeGreaterThan(0);
  });

  it('mutated recordings: no throw, one clean close, bounded memory', async () => {
    const report = await run({
      kind: 'fuzz',
      corpus: 'recordings',
      runSeed: RUN_SEED,
      cases: cases(CASES.recordings),
      failureDir: FAILURE_DIR,
      recordingsDir: dir,
    });
    expectClean(report, 'recordings');
  });

  it('the recordings as mutated FBS files give a result or a clear RfbError', async () => {
    const report = await run({
      kind: 'fbs',
      runSeed: RUN_SEED,
      cases: cases(CASES.recordedFbs),
      failureDir: FAILURE_DIR,
      recordingsDir: dir,
    });
    expectClean(report, 'recorded fbs');
  });
});
