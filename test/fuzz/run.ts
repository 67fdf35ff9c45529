// The fuzz harness from the command line, for runs longer than the test's:
//   npm run fuzz -- --cases N [--seed S] [--findings DIR] [--workers W]
// Runs N seeded cases over every kind of job (mutated synthetic seeds of every handshake,
// encoding, pseudo-encoding and extension; grammar-generated and random streams; chunkings;
// FBS files and record/replay round trips), in the proportions of the CI run, and prints cases/s,
// the slowest case and peak memory. The same --seed gives the same cases. A finding (a broken
// rule of the engine's boundary, or a hang) is written to the findings directory as a file that
// `npx tsx test/fuzz/replay-case.ts FILE` (or `porthole replay FILE` for .fbs) replays. Exits 1
// if there was any; Ctrl+C prints the figures of the cases completed so far. FUZZ_WATCHDOG_MS=20000 suits a long run under `nice` on a busy machine.
// Then one case in 50 more fuzzes the live handshakes (handshakes.ts: mutated RSA-AES streams
// and TLS records under VeNCrypt); their findings name the case's seed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTestPki } from '../support/certificates.ts';
import type { JobReport } from './cases.ts';
import { CASE_WATCHDOG_MS } from './check.ts';
import { rsaAesCase, runHandshakeCases, tlsCase } from './handshakes.ts';
import { boundProblems, type FuzzJob, saveHungCase } from './jobs.ts';
import { caseSeed, hex32, type Prng } from './prng.ts';
import { FuzzWorker, HangError } from './worker-pool.ts';

type JobKind =
  | { kind: 'fuzz'; corpus: 'synthetic' | 'generated' | 'random' }
  | { kind: 'chunking' | 'roundtrip' | 'fbs' };

/** The mix of the CI run (engine.fuzz.test.ts), without the recordings of real servers. */
const MIX: [JobKind, number][] = [
  [{ kind: 'fuzz', corpus: 'synthetic' }, 3000],
  [{ kind: 'fuzz', corpus: 'generated' }, 2000],
  [{ kind: 'fuzz', corpus: 'random' }, 3000],
  [{ kind: 'chunking' }, 800],
  [{ kind: 'roundtrip' }, 600],
  [{ kind: 'fbs' }, 300],
];
/** Cases per job sent to the worker: progress is printed after each. */
const BATCH = 2000;
const MiB = 1 << 20;

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: String(MIX.reduce((n, [, w]) => n + w, 0)) },
    seed: { type: 'string', default: '0x504f5254' },
    findings: { type: 'string', default: '.tmp/fuzz-findings' },
    workers: { type: 'string', default: '1' },
  },
});
const total = Number(values.cases);
const runSeed = Number(values.seed) >>> 0;
const findingsDir = resolve(values.findings);
const workers = Number(values.workers);
if (
  !Number.isSafeInteger(total) ||
  total < 1 ||
  Number.isNaN(Number(values.seed)) ||
  !Number.isSafeInteger(workers) ||
  workers < 1
) {
  process.stderr.write('usage: npm run fuzz -- --cases N [--seed S] [--findings DIR] [--workers W]\n');
  process.exit(1);
}

const label = (k: JobKind | FuzzJob) => (k.kind === 'fuzz' ? k.corpus : k.kind);
/** Each kind's share of `total`, largest remainders first, so the shares add up to it exactly. */
function shares(): number[] {
  const weight = MIX.reduce((n, [, w]) => n + w, 0);
  const exact = MIX.map(([, w]) => (total * w) / weight);
  const out = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i]).sort((a, b) => b[0] - a[0]);
  for (let left = total - out.reduce((a, b) => a + b, 0), j = 0; left > 0; left--, j++) out[order[j][1]]++;
  return out;
}

interface Totals {
  cases: number;
  closed: number;
  findings: string[];
  slowest: { ms: number; what: string };
  peak: { rss: number; arrayBuffers: number; heapUsed: number };
  queue: number;
  arena: number;
}
const totals: Totals = {
  cases: 0,
  closed: 0,
  findings: [],
  slowest: { ms: 0, what: '' },
  peak: { rss: 0, arrayBuffers: 0, heapUsed: 0 },
  queue: 0,
  arena: 0,
};

function add(kind: string, report: JobReport): void {
  totals.cases += report.cases;
  totals.closed += report.closed;
  totals.queue = Math.max(totals.queue, report.maxQueueBytes);
  totals.arena = Math.max(totals.arena, report.maxArenaBytes);
  for (const key of ['rss', 'arrayBuffers', 'heapUsed'] as const)
    totals.peak[key] = Math.max(totals.peak[key], report.memory[key]);
  if (report.maxCaseMs > totals.slowest.ms && report.slowest) {
    totals.slowest = {
      ms: report.maxCaseMs,
      what: `${kind} case seed ${report.slowest.caseSeed}: ${report.slowest.label}`,
    };
  }
  for (const f of report.failures)
    totals.findings.push(`${kind} case seed ${f.caseSeed}: ${f.problems[0]} (${f.file})`);
  for (const p of boundProblems(report)) totals.findings.push(`${kind}: ${p}`);
}

/** Runs one batch; a hung case is a finding, and the batch goes on after it in a new worker. */
async function runBatch(worker: FuzzWorker, job: FuzzJob): Promise<void> {
  const end = (job.first ?? 0) + job.cases;
  for (let first = job.first ?? 0; first < end; ) {
    try {
      add(label(job), await worker.run({ ...job, first, cases: end - first }, CASE_WATCHDOG_MS));
      return;
    } catch (error) {
      if (!(error instanceof HangError) || error.caseIndex < 0) throw error;
      totals.cases += error.caseIndex - first + 1;
      totals.findings.push(
        `${label(job)} hang: ${error.message}; ${saveHungCase(job, error.caseIndex, findingsDir)}`,
      );
      first = error.caseIndex + 1;
    }
  }
}

const started = performance.now();
const seconds = () => (performance.now() - started) / 1000;
const counts = shares();
const batches: FuzzJob[] = [];
// Batches of all kinds interleaved, so that a run stopped early has covered every kind.
for (let b = 0; b * BATCH < Math.max(...counts); b++) {
  MIX.forEach(([kind, _], i) => {
    const first = b * BATCH;
    const cases = Math.min(BATCH, counts[i] - first);
    if (cases <= 0) return;
    // Each kind draws its own case seeds from the run's seed.
    batches.push({
      ...kind,
      runSeed: caseSeed(runSeed, -1 - i),
      first,
      cases,
      failureDir: findingsDir,
    } as FuzzJob);
  });
}
process.stdout.write(`fuzzing ${total} cases, seed ${hex32(runSeed)}; findings go to ${findingsDir}\n`);
/** One worker thread taking batches from the shared list until it is empty. */
async function work(): Promise<void> {
  const worker = new FuzzWorker();
  try {
    for (let job = batches.shift(); job; job = batches.shift()) {
      await runBatch(worker, job);
      process.stdout.write(
        `${totals.cases} cases, ${seconds().toFixed(0)} s, ${(totals.cases / seconds()).toFixed(0)} cases/s, ` +
          `${totals.findings.length} findings\n`,
      );
    }
  } finally {
    await worker.stop();
  }
}
const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;

/** The figures of the cases completed so far. */
function summary(): string {
  return [
    `${totals.cases} cases in ${seconds().toFixed(1)} s: ${(totals.cases / seconds()).toFixed(0)} cases/s`,
    `${totals.closed} ended with a clear error, the rest still open at the end of their stream`,
    `slowest case ${totals.slowest.ms.toFixed(0)} ms (watchdog ${CASE_WATCHDOG_MS} ms): ${totals.slowest.what}`,
    `peak memory: RSS ${mib(totals.peak.rss)}, ArrayBuffers ${mib(totals.peak.arrayBuffers)}, heap ${mib(totals.peak.heapUsed)}; ` +
      `largest receive queue ${mib(totals.queue)}, pixel arena ${mib(totals.arena)}`,
    `${totals.findings.length} findings${totals.findings.length ? ':' : ''}`,
    ...totals.findings.slice(0, 50).map((f) => `  ${f}`),
    '',
  ].join('\n');
}

// Stopped before the end (Ctrl+C): the figures of the batches completed, then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stdout.write(`stopped by ${signal}; completed so far:\n${summary()}`);
    process.exit(130);
  });
}
await Promise.all(Array.from({ length: workers }, work));
// The live handshakes (RSA-AES, TLS records under VeNCrypt), one case per 50 of the others.
const handshakeCases = Math.max(2, Math.round(total / 50));
const pki = makeTestPki(mkdtempSync(join(tmpdir(), 'porthole-fuzz-pki-')));
for (const [kind, one] of [
  ['rsa-aes', rsaAesCase],
  ['tls', (prng: Prng) => tlsCase(prng, pki)],
] as const) {
  const { failures } = await runHandshakeCases(caseSeed(runSeed, -100), Math.ceil(handshakeCases / 2), one);
  totals.cases += Math.ceil(handshakeCases / 2);
  totals.findings.push(...failures.map((f) => `${kind} handshake ${f}`));
}
process.stdout.write(summary());
process.exit(totals.findings.length ? 1 : 0);
