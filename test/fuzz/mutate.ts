import type { Prng } from './prng.ts';
import type { Seed } from './seeds.ts';
import type { StreamMap } from './stream-map.ts';

/** A seed with the map of its clean stream. */
export interface MappedSeed extends Seed {
  map: StreamMap;
  /** Where the message stream starts (just past ServerInit); 0 if the seed never gets there. */
  initEnd: number;
}

export interface Mutant {
  bytes: Uint8Array;
  /** What was done, for the failure report. */
  steps: string[];
}

const BOUNDARY_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];
const HUGE_U16 = [0xffff, 0x8000, 0x7fff, 0x4001, 0x0000, 0x0100];
const HUGE_U32 = [0xffffffff, 0x80000000, 0x7fffffff, 0x04000001, 0x01000000, 0x00ffffff, 0x0000ffff, 0];

type Mutator = (bytes: Uint8Array, prng: Prng, seed: MappedSeed, others: readonly MappedSeed[]) => Mutant;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A position to mutate: usually past the handshake, where most of the parser lives. */
function position(bytes: Uint8Array, prng: Prng, seed: MappedSeed): number {
  if (bytes.length === 0) return 0;
  if (seed.initEnd > 0 && seed.initEnd < bytes.length && prng.chance(0.8))
    return prng.range(seed.initEnd, bytes.length - 1);
  return prng.int(bytes.length);
}

/** A message start, or any position if the map has none. */
function boundary(bytes: Uint8Array, prng: Prng, seed: MappedSeed): number {
  const starts = seed.map.messages.filter((m) => m <= bytes.length);
  return starts.length > 0 && prng.chance(0.7) ? prng.pick(starts) : position(bytes, prng, seed);
}

const bitFlips: Mutator = (bytes, prng, seed) => {
  const out = bytes.slice();
  const n = prng.logSize(8);
  for (let i = 0; i < n && out.length > 0; i++) out[position(out, prng, seed)] ^= 1 << prng.int(8);
  return { bytes: out, steps: [`flip ${n} bits`] };
};

const boundaryBytes: Mutator = (bytes, prng, seed) => {
  const out = bytes.slice();
  const n = prng.logSize(4);
  for (let i = 0; i < n && out.length > 0; i++) {
    const fields = seed.map.fields.filter((f) => f.offset < out.length);
    const at = fields.length > 0 && prng.chance(0.5) ? prng.pick(fields).offset : position(out, prng, seed);
    out[at] = prng.pick(BOUNDARY_BYTES);
  }
  return { bytes: out, steps: [`overwrite ${n} bytes with boundary values`] };
};

/** Writes a huge (or off-by-one) value into a length, count or geometry field. */
const hugeField: Mutator = (bytes, prng, seed) => {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const fields = seed.map.fields.filter((f) => f.offset + f.size <= out.length);
  const field =
    fields.length > 0
      ? prng.pick(fields)
      : { offset: position(out, prng, seed), size: prng.pick([2, 4] as const) };
  if (field.offset + field.size > out.length) return { bytes: out, steps: ['huge field: stream too short'] };
  let value: number;
  const nudge = prng.chance(0.3);
  if (field.size === 1) {
    value = nudge ? (out[field.offset] + prng.pick([1, -1])) & 0xff : prng.pick(BOUNDARY_BYTES);
    out[field.offset] = value;
  } else if (field.size === 2) {
    value = nudge ? (view.getUint16(field.offset) + prng.pick([1, -1])) & 0xffff : prng.pick(HUGE_U16);
    view.setUint16(field.offset, value);
  } else {
    value = nudge ? (view.getUint32(field.offset) + prng.pick([1, -1])) >>> 0 : prng.pick(HUGE_U32);
    view.setUint32(field.offset, value);
  }
  return {
    bytes: out,
    steps: [`set the ${field.size}-byte field at ${field.offset} to 0x${value.toString(16)}`],
  };
};

const insertRun: Mutator = (bytes, prng, seed) => {
  const at = prng.chance(0.5) ? boundary(bytes, prng, seed) : position(bytes, prng, seed);
  const n = prng.logSize(256);
  const run = prng.chance(0.5) ? prng.bytes(n) : new Uint8Array(n).fill(prng.pick(BOUNDARY_BYTES));
  return {
    bytes: concat(bytes.subarray(0, at), run, bytes.subarray(at)),
    steps: [`insert ${n} bytes at ${at}`],
  };
};

const deleteRun: Mutator = (bytes, prng, seed) => {
  const at = position(bytes, prng, seed);
  const n = prng.logSize(1024);
  return {
    bytes: concat(bytes.subarray(0, at), bytes.subarray(at + n)),
    steps: [`delete ${n} bytes at ${at}`],
  };
};

/** Repeats a run of bytes or a whole message (a server that resends, or a recorder that stuttered). */
const duplicateRun: Mutator = (bytes, prng, seed) => {
  const starts = seed.map.messages.filter((m) => m < bytes.length);
  let from: number;
  let to: number;
  if (starts.length > 1 && prng.chance(0.5)) {
    const i = prng.int(starts.length - 1);
    from = starts[i];
    to = starts[i + 1];
  } else {
    from = position(bytes, prng, seed);
    to = Math.min(bytes.length, from + prng.logSize(4096));
  }
  const at = prng.chance(0.5) ? to : boundary(bytes, prng, seed);
  const copy = bytes.slice(from, to);
  return {
    bytes: concat(bytes.subarray(0, at), copy, bytes.subarray(at)),
    steps: [`duplicate bytes ${from}..${to} at ${at}`],
  };
};

const truncate: Mutator = (bytes, prng, seed) => {
  const at = position(bytes, prng, seed);
  return { bytes: bytes.slice(0, at), steps: [`truncate at ${at}`] };
};

/** This stream up to some point, then another stream from some point: two servers' data spliced. */
const splice: Mutator = (bytes, prng, seed, others) => {
  const other = prng.pick(others);
  const at = boundary(bytes, prng, seed);
  const from = boundary(other.bytes, prng, other);
  return {
    bytes: concat(bytes.subarray(0, at), other.bytes.subarray(from)),
    steps: [`splice at ${at} with ${other.name} from ${from}`],
  };
};

const MUTATORS: [Mutator, number][] = [
  [bitFlips, 3],
  [boundaryBytes, 2],
  [hugeField, 4],
  [insertRun, 1],
  [deleteRun, 1],
  [duplicateRun, 1],
  [truncate, 1],
  [splice, 1],
];
const TOTAL_WEIGHT = MUTATORS.reduce((n, [, w]) => n + w, 0);

function pickMutator(prng: Prng): Mutator {
  let r = prng.int(TOTAL_WEIGHT);
  for (const [mutator, weight] of MUTATORS) {
    r -= weight;
    if (r < 0) return mutator;
  }
  return MUTATORS[0][0];
}

/** One to four stacked mutations of `seed`. */
export function mutate(seed: MappedSeed, others: readonly MappedSeed[], prng: Prng): Mutant {
  let bytes = seed.bytes;
  const steps: string[] = [];
  const n = prng.chance(0.6) ? 1 : prng.range(2, 4);
  for (let i = 0; i < n; i++) {
    const m = pickMutator(prng)(bytes, prng, seed, others);
    bytes = m.bytes;
    steps.push(...m.steps);
  }
  return { bytes, steps };
}
