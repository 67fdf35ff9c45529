/**
 * The measurements behind two of the engine's choices (README, Benchmarks), on this machine:
 *
 *   npx tsx test/bench/decisions.ts [recording.fbs …]   (default: the video recordings)
 *
 * 1. zlib: the inflate calls a recording makes (captured from a real replay), played again
 *    through pako with one connection-long stream (what the engine used before) and through
 *    ZlibStream (inputs up to 256 bytes through a pako stream kept open, larger ones through
 *    Node's zlib with the last 32 KiB of output as dictionary).
 * 2. RGBX to canonical words: per pixel, or one `set` then an alpha loop (one 32-bit OR per
 *    pixel, or the alpha bytes set four per iteration, as the engine does), on Hextile-like
 *    16-pixel runs, 128 pixels, 1920-pixel rows and a whole frame.
 * CPU time (user + system), median of 5, the process pinned to one core if taskset allows.
 */
import { readFileSync } from 'node:fs';
import { Z_SYNC_FLUSH, ZStream, zlibInflate, zlibInflateInit } from 'pako';
import { readFbs } from '../../main/rfb/recording/fbs.ts';
import { RfbSession } from '../../main/rfb/session.ts';
import { ZlibStream } from '../../main/rfb/zlib-stream.ts';
import { cpuSecondsSince } from './novnc-driver.ts';
import { allRecordings, FULL_HD } from './recordings.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Median CPU milliseconds of `run` over 5 tries, after one untimed. */
function cpuMs(run: () => void): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = process.cpuUsage();
    run();
    times.push(cpuSecondsSince(start) * 1000);
  }
  return median(times);
}

type Call = { stream: string; input: Uint8Array; maxOutput: number } | { stream: string; reset: true };

/** The zlib calls of a replay of `path`, in order, each stream named by when it first appears. */
function capture(path: string): Call[] {
  const calls: Call[] = [];
  const { inflate, reset } = ZlibStream.prototype;
  const names = new Map<ZlibStream, string>();
  const name = (stream: ZlibStream) => {
    if (!names.has(stream)) names.set(stream, `stream ${names.size}`);
    return names.get(stream)!;
  };
  ZlibStream.prototype.inflate = function (this: ZlibStream, input: Uint8Array, maxOutput: number) {
    calls.push({ stream: name(this), input: input.slice(), maxOutput });
    return inflate.call(this, input, maxOutput);
  };
  ZlibStream.prototype.reset = function (this: ZlibStream) {
    calls.push({ stream: name(this), reset: true });
    reset.call(this);
  };
  const session = new RfbSession(
    { write: () => {}, close: () => {} },
    { colourLevel: 'native', autoRequest: false },
    {},
  );
  try {
    for (const block of readFbs(readFileSync(path))) session.receive(block.data);
  } finally {
    Object.assign(ZlibStream.prototype, { inflate, reset });
  }
  return calls;
}

/** A connection-long pako inflate stream, as the engine had it. */
class PakoStream {
  private strm = new ZStream();
  private out = new Uint8Array(1 << 16);

  constructor() {
    zlibInflateInit(this.strm);
  }

  inflate(input: Uint8Array, maxOutput: number): number {
    if (this.out.length < maxOutput + 1) this.out = new Uint8Array(maxOutput + 1);
    const strm = this.strm;
    strm.input = input;
    strm.next_in = 0;
    strm.avail_in = input.length;
    strm.output = this.out as Uint8Array<ArrayBuffer>;
    strm.next_out = 0;
    strm.avail_out = maxOutput + 1;
    zlibInflate(strm, Z_SYNC_FLUSH);
    return strm.next_out;
  }
}

function play(calls: Call[], make: () => { inflate(i: Uint8Array, m: number): unknown }): void {
  const streams = new Map<string, ReturnType<typeof make>>();
  for (const call of calls) {
    if ('reset' in call || !streams.has(call.stream)) streams.set(call.stream, make());
    if ('reset' in call) continue;
    streams.get(call.stream)!.inflate(call.input, call.maxOutput);
  }
}

const paths = process.argv.slice(2);
const recordings = paths.length
  ? paths
  : allRecordings([FULL_HD])
      .filter((r) => r.className === 'video' && ['tight', 'zrle', 'natural'].includes(r.variant))
      .map((r) => r.path);

console.log('zlib: CPU ms to inflate every compressed rectangle of a recording (median of 5)\n');
console.log('| recording | calls | compressed MiB | pako, one stream | ZlibStream | pako / ZlibStream |');
console.log('|---|--:|--:|--:|--:|--:|');
for (const path of recordings) {
  const calls = capture(path);
  const inputs = calls.filter((c) => !('reset' in c)) as { input: Uint8Array }[];
  const mib = inputs.reduce((n, c) => n + c.input.length, 0) / 2 ** 20;
  const pako = cpuMs(() => play(calls, () => new PakoStream()));
  const node = cpuMs(() => play(calls, () => new ZlibStream('bench')));
  console.log(
    `| ${path} | ${inputs.length} | ${mib.toFixed(1)} | ${pako.toFixed(0)} | ${node.toFixed(0)} | ${(pako / node).toFixed(2)} |`,
  );
}

const OPAQUE = 0xff000000;
const PIXELS = 1920 * 1080;
const src = Uint8Array.from({ length: PIXELS * 4 }, (_, i) => i * 7);
const dst = new Uint32Array(PIXELS);
type Convert = (off: number, at: number, count: number) => void;
const perPixel: Convert = (off, at, count) => {
  for (let i = at; i < at + count; i++, off += 4)
    dst[i] = src[off] | (src[off + 1] << 8) | (src[off + 2] << 16) | OPAQUE;
};
const copyThenWord: Convert = (off, at, count) => {
  new Uint8Array(dst.buffer, at * 4, count * 4).set(src.subarray(off, off + count * 4));
  for (let i = at; i < at + count; i++) dst[i] |= OPAQUE;
};
const copyThenBytes: Convert = (off, at, count) => {
  const bytes = new Uint8Array(dst.buffer, at * 4, count * 4);
  bytes.set(src.subarray(off, off + count * 4));
  let i = 3;
  for (; i + 12 < bytes.length; i += 16) {
    bytes[i] = 255;
    bytes[i + 4] = 255;
    bytes[i + 8] = 255;
    bytes[i + 12] = 255;
  }
  for (; i < bytes.length; i += 4) bytes[i] = 255;
};
console.log('\nRGBX to canonical words, Mpixel/s (CPU time, median of 5, one 1920x1080 frame)\n');
console.log(
  '| run length | per pixel | one set, then a word loop | one set, then alpha bytes four at a time |',
);
console.log('|--:|--:|--:|--:|');
for (const run of [16, 128, 1920, PIXELS]) {
  const speed = (convert: Convert) => {
    const ms = cpuMs(() => {
      for (let at = 0; at + run <= PIXELS; at += run) convert(at * 4, at, run);
    });
    return (PIXELS / ms / 1000).toFixed(0);
  };
  console.log(`| ${run} | ${speed(perPixel)} | ${speed(copyThenWord)} | ${speed(copyThenBytes)} |`);
}
