import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ReplayResult, replay } from '../../main/cli/commands.ts';
import { encodeFbsBlock, FBS_HEADER, FbsRecorder, readFbs } from '../../main/rfb/recording/fbs.ts';
import { RfbSession, type ServerInfo, type SessionOptions } from '../../main/rfb/session.ts';
import type { RfbError } from '../../shared/rfb-error.ts';
import {
  type CaseRange,
  type CaseSummary,
  type FuzzCase,
  type JobReport,
  makeCase,
  runCases,
  runPrng,
  saveCase,
} from './cases.ts';
import { CASE_WATCHDOG_MS, judgeError } from './check.ts';
import { fbsStream, mapSeed } from './corpus.ts';
import { type MappedSeed, mutate } from './mutate.ts';
import { hex32, Prng } from './prng.ts';

/** An FBS file and the stream it holds, mapped for stream mutations. */
export interface FbsSeed {
  name: string;
  file: Uint8Array;
  stream: MappedSeed;
}

const READ_KINDS = new Set(['usage', 'protocol']);
const REPLAY_KINDS = new Set(['usage', 'protocol', 'auth', 'network']);

/** `file` is copied: a Buffer from readFileSync may share memory, and Buffer.slice does not copy. */
export function fbsSeed(name: string, file: Uint8Array): FbsSeed {
  file = new Uint8Array(file);
  return {
    name,
    file,
    stream: mapSeed({ name, bytes: fbsStream(file), options: { colourLevel: 'native' } }),
  };
}

/** Records each seed that gets past ServerInit through FbsRecorder, as `porthole record` does. */
export function recordSeeds(seeds: readonly MappedSeed[], dir: string): FbsSeed[] {
  mkdirSync(dir, { recursive: true });
  return seeds
    .filter((s) => s.initEnd > 0)
    .map((seed) => {
      const path = join(dir, `${seed.name}.fbs`);
      const recorder = new FbsRecorder(path);
      const session = new RfbSession({ write: () => {}, close: () => {} }, seed.options, {
        onInbound: (chunk) => recorder.inbound(chunk),
        onServerInit: (info) => recorder.serverInit(info),
      });
      // Odd-sized reads, so the file has many blocks and the handshake spans several.
      for (let at = 0; at < seed.bytes.length; at += 997) session.receive(seed.bytes.subarray(at, at + 997));
      recorder.close();
      return fbsSeed(seed.name, readFileSync(path));
    });
}

/** Offsets of the blocks' u32 length fields in a well-formed file. */
function blockOffsets(file: Uint8Array): number[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const offsets: number[] = [];
  for (let off = FBS_HEADER.length; off + 4 <= file.length; ) {
    offsets.push(off);
    off += 8 + ((view.getUint32(off) + 3) & ~3);
  }
  return offsets;
}

const BLOCK_LENGTHS = (length: number) => [
  0xffffffff,
  (64 << 20) + 1,
  64 << 20,
  0x7ffffffd,
  0,
  length + 1,
  length + 3,
  length + 4,
  Math.max(0, length - 1),
];

/** One damaged file: its header, a block length, its end, random bits, or its stream. */
function mutateFbs(
  seed: FbsSeed,
  others: readonly FbsSeed[],
  prng: Prng,
): { bytes: Uint8Array; step: string } {
  const file = seed.file;
  switch (prng.int(5)) {
    case 0: {
      const out = file.slice();
      const at = prng.int(FBS_HEADER.length);
      out[at] = prng.chance(0.5) ? out[at] ^ (1 << prng.int(8)) : prng.int(256);
      return { bytes: prng.chance(0.2) ? out.slice(0, at) : out, step: `damage header byte ${at}` };
    }
    case 1: {
      const out = file.slice();
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      const at = prng.pick(blockOffsets(file));
      const length = prng.pick(BLOCK_LENGTHS(view.getUint32(at)));
      view.setUint32(at, length);
      return { bytes: out, step: `set the block length at ${at} to ${length}` };
    }
    case 2: {
      const at = prng.int(file.length);
      return { bytes: file.slice(0, at), step: `truncate the file at ${at}` };
    }
    case 3: {
      const out = file.slice();
      const n = prng.logSize(8);
      for (let i = 0; i < n; i++) out[prng.int(out.length)] ^= 1 << prng.int(8);
      return { bytes: out, step: `flip ${n} bits` };
    }
    default: {
      const m = mutate(
        seed.stream,
        others.map((o) => o.stream),
        prng,
      );
      const parts: Uint8Array[] = [new TextEncoder().encode(FBS_HEADER)];
      for (let at = 0; at < m.bytes.length; ) {
        const n = prng.logSize(65536);
        parts.push(encodeFbsBlock(m.bytes.subarray(at, at + n), prng.u32()));
        at += n;
      }
      return {
        bytes: new Uint8Array(Buffer.concat(parts)),
        step: `re-blocked stream: ${m.steps.join('; ')}`,
      };
    }
  }
}

/** readFbs and replay on one file: each either succeeds or throws a clear RfbError. */
function runFbsCase(bytes: Uint8Array, path: string): CaseSummary {
  const problems: string[] = [];
  let error: unknown;
  const start = performance.now();
  try {
    readFbs(bytes);
  } catch (e) {
    error = e;
    problems.push(...judgeError(e, READ_KINDS).map((p) => `readFbs: ${p}`));
  }
  writeFileSync(path, bytes);
  try {
    replay(path);
  } catch (e) {
    error ??= e;
    problems.push(...judgeError(e, REPLAY_KINDS).map((p) => `replay: ${p}`));
  }
  const ms = performance.now() - start;
  if (ms > CASE_WATCHDOG_MS) problems.push(`took ${Math.round(ms)} ms (watchdog ${CASE_WATCHDOG_MS} ms)`);
  const e = error as { kind?: string; message?: string } | undefined;
  return {
    problems,
    error: e && { kind: String(e.kind), message: String(e.message) },
    ms,
    queueBytes: 0,
    arenaBytes: 0,
  };
}

export function runFbsJob(
  seeds: readonly FbsSeed[],
  range: CaseRange,
  scratchDir: string,
  failureDir: string,
  beat: (index: number) => void,
): JobReport {
  mkdirSync(scratchDir, { recursive: true });
  const path = join(scratchDir, 'case.fbs');
  return runCases(range, beat, (_, seed) => {
    const prng = new Prng(seed);
    const from = prng.pick(seeds);
    const { bytes, step } = mutateFbs(from, seeds, prng);
    return {
      label: `${from.name}.fbs: ${step}`,
      outcome: runFbsCase(bytes, path),
      save: () => {
        mkdirSync(failureDir, { recursive: true });
        const saved = join(failureDir, `fbs-${hex32(seed)}.fbs`);
        copyFileSync(path, saved);
        return saved;
      },
    };
  });
}

/**
 * Records a (mutated) stream the way `porthole record` does, then replays the recording: the
 * replay must end the same way as the live session (same error, or the same updates, rects
 * and pixels), since the recorder only swaps the live handshake for a canonical one.
 */
export function runRoundTrip(
  bytes: Uint8Array,
  options: SessionOptions,
  prng: Prng,
  path: string,
): CaseSummary {
  const problems: string[] = [];
  const start = performance.now();
  const recorder = new FbsRecorder(path);
  let info: ServerInfo | undefined;
  let live: RfbError | undefined;
  const session = new RfbSession({ write: () => {}, close: () => {} }, options, {
    onInbound: (chunk) => recorder.inbound(chunk),
    onServerInit: (i) => {
      info = i;
      recorder.serverInit(i);
    },
    onClose: (error) => {
      live = error;
    },
  });
  for (let at = 0; at < bytes.length; ) {
    const n = Math.min(bytes.length - at, prng.logSize(65536));
    session.receive(bytes.subarray(at, at + n));
    at += n;
  }
  recorder.close();
  let replayed: ReplayResult | undefined;
  let error: unknown;
  if (info) {
    try {
      replayed = replay(path);
    } catch (e) {
      error = e;
      problems.push(...judgeError(e, REPLAY_KINDS).map((p) => `replay: ${p}`));
    }
    const got = replayed ? 'no error' : JSON.stringify((error as Error).message);
    if (live && (error as Error | undefined)?.message !== live.message) {
      problems.push(`live: ${JSON.stringify(live.message)}; replay of its recording: ${got}`);
    } else if (!live && replayed) {
      const want = {
        updates: session.stats.updates,
        rects: session.stats.rects,
        pixels: session.stats.pixels,
      };
      const have = { updates: replayed.updates, rects: replayed.rects, pixels: replayed.pixels };
      if (JSON.stringify(want) !== JSON.stringify(have)) {
        problems.push(
          `live decoded ${JSON.stringify(want)}; replay of its recording ${JSON.stringify(have)}`,
        );
      }
    } else if (!live) {
      problems.push(`live: no error; replay of its recording: ${got}`);
    }
  }
  const ms = performance.now() - start;
  if (ms > CASE_WATCHDOG_MS) problems.push(`took ${Math.round(ms)} ms (watchdog ${CASE_WATCHDOG_MS} ms)`);
  const e = (live ?? error) as { kind?: string; message?: string } | undefined;
  return {
    problems,
    error: e && { kind: String(e.kind), message: String(e.message) },
    ms,
    queueBytes: 0,
    arenaBytes: 0,
  };
}

/** Case `index` of a round-trip job: a mutated or generated stream, alternately. */
export function roundTripCase(seeds: readonly MappedSeed[], index: number, seed: number): FuzzCase {
  const c = makeCase(index % 2 ? 'synthetic' : 'generated', seeds, seed);
  // A recording holds one pixel format and replays with default limits: no mid-stream changes.
  c.input.options = { ...c.input.options, limits: undefined };
  c.input.apiCalls = false;
  return c;
}

export function runRoundTripJob(
  seeds: readonly MappedSeed[],
  range: CaseRange,
  scratchDir: string,
  failureDir: string,
  beat: (index: number) => void,
): JobReport {
  mkdirSync(scratchDir, { recursive: true });
  const path = join(scratchDir, 'roundtrip.fbs');
  return runCases(range, beat, (i, seed) => {
    const c = roundTripCase(seeds, i, seed);
    return {
      label: c.label,
      outcome: runRoundTrip(c.input.bytes, c.input.options, runPrng(seed), path),
      save: () => saveCase(failureDir, seed, c),
    };
  });
}
