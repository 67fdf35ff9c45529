import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Limits, SessionOptions } from '../../main/rfb/session.ts';
import { type CaseInput, type CaseOutcome, type Chunking, printable, runCase } from './check.ts';
import { generatedStream, randomStream } from './generate.ts';
import { type MappedSeed, mutate } from './mutate.ts';
import { caseSeed, hex32, Prng } from './prng.ts';

/** Which inputs a fuzz job draws its cases from. */
export type Corpus = 'synthetic' | 'recordings' | 'random' | 'generated';

export interface FuzzCase {
  input: CaseInput;
  /** The seed and the mutations, for the failure report. */
  label: string;
}

export interface Failure {
  index: number;
  caseSeed: string;
  label: string;
  problems: string[];
  /** The failing input, saved so the case can be replayed exactly (test/fuzz/replay-case.ts). */
  file: string;
}

export interface MemoryPeak {
  arrayBuffers: number;
  heapUsed: number;
  rss: number;
}

export interface JobReport {
  cases: number;
  ms: number;
  failures: Failure[];
  /** Cases whose stream closed the session, and how (messages with numbers blanked). */
  closed: number;
  errors: Record<string, number>;
  maxQueueBytes: number;
  maxArenaBytes: number;
  maxCaseMs: number;
  /** The case that took maxCaseMs. */
  slowest?: { caseSeed: string; label: string };
  memory: MemoryPeak;
}

function pickChunking(prng: Prng, length: number): Chunking {
  const roll = prng.int(20);
  if (roll < 4) return 'whole';
  if (roll < 7 && length <= 8192) return 'bytes';
  return 'random';
}

/** Case `index` of a job: everything about it follows from its seed. */
export function makeCase(corpus: Corpus, seeds: readonly MappedSeed[], seed: number): FuzzCase {
  const prng = new Prng(seed);
  let bytes: Uint8Array;
  let options: SessionOptions;
  let label: string;
  if (corpus === 'random') {
    const g = randomStream(prng, seeds);
    ({ bytes, options } = g);
    label = g.steps.join('; ');
  } else if (corpus === 'generated') {
    const g = generatedStream(prng);
    ({ bytes, options } = g);
    const mutant = prng.chance(0.3)
      ? mutate({ ...g, name: 'generated', initEnd: 0, map: { fields: [], messages: [] } }, seeds, prng)
      : undefined;
    if (mutant) bytes = mutant.bytes;
    label = [...g.steps, ...(mutant?.steps ?? [])].join('; ');
  } else {
    const seed = prng.pick(seeds);
    const mutant = mutate(seed, seeds, prng);
    ({ bytes } = mutant);
    options = seed.options;
    label = `${seed.name}: ${mutant.steps.join('; ')}`;
  }
  if (prng.chance(0.1)) {
    const limits = prng.pick(SMALL_LIMITS);
    options = { ...options, limits, autoRequest: prng.chance(0.5) };
    label += `; limits ${JSON.stringify(limits)}`;
  }
  return {
    input: { bytes, options, chunking: pickChunking(prng, bytes.length), apiCalls: prng.chance(0.3) },
    label,
  };
}

/** Tight limits, so that the paths past them (cut text skipped unbuffered, sizes refused) get fuzzed too. */
const SMALL_LIMITS: Partial<Limits>[] = [
  { maxCutText: 0 },
  { maxCutText: 8 },
  { maxWidth: 64, maxHeight: 64, maxPixels: 2048 },
  { maxCursorPixels: 4 },
  { maxColourMapEntries: 16 },
  { maxNameLength: 2 },
];

/** The prng a case's `runCase` uses (chunk sizes, viewer calls), apart from the one that built it. */
export const runPrng = (seed: number) => new Prng(seed ^ 0x5eed5eed);

/** An error message with its numbers blanked, to count kinds of failure rather than instances. */
export function errorShape(message: string): string {
  return printable(message)
    .replace(/\d+/g, 'N')
    .replace(/"[^"]*"/g, '"…"')
    .slice(0, 90);
}

/** What a report needs of one case's outcome. */
export type CaseSummary = Pick<CaseOutcome, 'problems' | 'error' | 'ms' | 'queueBytes' | 'arenaBytes'>;

export class ReportBuilder {
  private readonly start = performance.now();
  readonly report: JobReport = {
    cases: 0,
    ms: 0,
    failures: [],
    closed: 0,
    errors: {},
    maxQueueBytes: 0,
    maxArenaBytes: 0,
    maxCaseMs: 0,
    memory: { arrayBuffers: 0, heapUsed: 0, rss: 0 },
  };

  /** Counts one case; `save` writes its input for replay and is called only if it failed. */
  add(index: number, seed: number, label: string, outcome: CaseSummary, save: () => string): void {
    const r = this.report;
    r.cases++;
    r.maxQueueBytes = Math.max(r.maxQueueBytes, outcome.queueBytes);
    r.maxArenaBytes = Math.max(r.maxArenaBytes, outcome.arenaBytes);
    if (outcome.ms > r.maxCaseMs) {
      r.maxCaseMs = outcome.ms;
      r.slowest = { caseSeed: hex32(seed), label: printable(label).slice(0, 160) };
    }
    if (outcome.error) {
      r.closed++;
      const shape = errorShape(outcome.error.message);
      if (shape in r.errors || Object.keys(r.errors).length < 2000)
        r.errors[shape] = (r.errors[shape] ?? 0) + 1;
    }
    if (outcome.problems.length > 0) {
      const problems = outcome.problems.map(printable);
      r.failures.push({ index, caseSeed: hex32(seed), label: printable(label), problems, file: save() });
    }
    if (r.cases % 16 === 0) this.sampleMemory();
  }

  sampleMemory(): void {
    const m = process.memoryUsage();
    const peak = this.report.memory;
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.rss = Math.max(peak.rss, m.rss);
  }

  finish(): JobReport {
    this.sampleMemory();
    this.report.ms = performance.now() - this.start;
    return this.report;
  }
}

/** What a failing case needs to be replayed: its input and the seed of its chunking. */
export interface SavedCase {
  caseSeed: string;
  label: string;
  chunking: Chunking;
  apiCalls: boolean;
  options: SessionOptions;
  bytesBase64: string;
}

export function saveCase(dir: string, seed: number, c: FuzzCase): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `case-${hex32(seed)}.json`);
  const saved: SavedCase = {
    caseSeed: hex32(seed),
    label: c.label,
    chunking: c.input.chunking,
    apiCalls: c.input.apiCalls,
    options: c.input.options,
    bytesBase64: Buffer.from(c.input.bytes).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(saved));
  return file;
}

/** Replays a saved case exactly. */
export function replaySaved(saved: SavedCase): CaseOutcome {
  const input: CaseInput = {
    bytes: new Uint8Array(Buffer.from(saved.bytesBase64, 'base64')),
    options: saved.options,
    chunking: saved.chunking,
    apiCalls: saved.apiCalls,
  };
  return runCase(input, runPrng(Number(saved.caseSeed)));
}

/** One case's result, and how to save its input should it have failed. */
export interface CaseRun {
  label: string;
  outcome: CaseSummary;
  save: () => string;
}

/** Which cases of a run a job covers: `first..first+cases-1` (first defaults to 0). */
export interface CaseRange {
  runSeed: number;
  cases: number;
  first?: number;
}

/** Runs the cases of `range`, calling `beat` before each so the watchdog can see progress. */
export function runCases(
  { runSeed, cases, first = 0 }: CaseRange,
  beat: (index: number) => void,
  one: (index: number, seed: number) => CaseRun,
): JobReport {
  const builder = new ReportBuilder();
  for (let i = first; i < first + cases; i++) {
    beat(i);
    const seed = caseSeed(runSeed, i);
    const { label, outcome, save } = one(i, seed);
    builder.add(i, seed, label, outcome, save);
  }
  return builder.finish();
}

export function runFuzzJob(
  corpus: Corpus,
  seeds: readonly MappedSeed[],
  range: CaseRange,
  failureDir: string,
  beat: (index: number) => void,
): JobReport {
  return runCases(range, beat, (_, seed) => {
    const c = makeCase(corpus, seeds, seed);
    return {
      label: c.label,
      outcome: runCase(c.input, runPrng(seed)),
      save: () => saveCase(failureDir, seed, c),
    };
  });
}

/**
 * Decodes one stream whole, in random pieces and (if short) byte by byte: decoders resume where
 * a piece ends, so every way must paint the same screen and end the same way.
 */
export function runChunkingCase(c: FuzzCase, seed: number): CaseSummary {
  const chunkings: Chunking[] =
    c.input.bytes.length <= 16384 ? ['whole', 'random', 'bytes'] : ['whole', 'random'];
  const outcomes = chunkings.map((chunking) =>
    runCase({ ...c.input, chunking, apiCalls: false, paint: true }, runPrng(seed)),
  );
  const problems = outcomes.flatMap((o, i) => o.problems.map((p) => `${chunkings[i]}: ${p}`));
  const [first] = outcomes;
  outcomes.slice(1).forEach((o, i) => {
    for (const key of ['error', 'updates', 'rects', 'pixels', 'screen'] as const) {
      const a = JSON.stringify(first.decoded![key]);
      const b = JSON.stringify(o.decoded![key]);
      if (a !== b) problems.push(`${key} differs: whole ${a}, ${chunkings[i + 1]} ${b}`);
    }
  });
  return {
    problems,
    error: first.error,
    ms: outcomes.reduce((n, o) => n + o.ms, 0),
    queueBytes: Math.max(...outcomes.map((o) => o.queueBytes)),
    arenaBytes: Math.max(...outcomes.map((o) => o.arenaBytes)),
  };
}

/** Case `index` of a chunking job: a mutated or generated stream, alternately, without viewer calls. */
export function chunkingCase(seeds: readonly MappedSeed[], index: number, seed: number): FuzzCase {
  const c = makeCase(index % 2 ? 'synthetic' : 'generated', seeds, seed);
  return { ...c, input: { ...c.input, apiCalls: false } };
}

export function runChunkingJob(
  seeds: readonly MappedSeed[],
  range: CaseRange,
  failureDir: string,
  beat: (index: number) => void,
): JobReport {
  return runCases(range, beat, (i, seed) => {
    const c = chunkingCase(seeds, i, seed);
    return { label: c.label, outcome: runChunkingCase(c, seed), save: () => saveCase(failureDir, seed, c) };
  });
}
