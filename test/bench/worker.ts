/**
 * One decoder on one recording, in a process of its own (so its peak RSS is its own):
 *
 *   node --import tsx test/bench/worker.ts porthole|novnc|copy <recording.fbs> <runs>
 *
 * Prints one JSON line (WorkerResult). Time is the process's CPU time (user + system; the
 * process is pinned to one core), which a machine busy with other work disturbs far less than
 * wall time. A first, untimed pass decodes everything (Tight's JPEG files too, with jpeg-js) and
 * gives the final picture; warm-up passes follow (at least two, about a second of CPU); each
 * timed run then decodes the whole recording from memory into an RGBA framebuffer as many times
 * as make it last a quarter of a second or more, into the same framebuffer each time in both
 * engines (as a live viewer's picture stays; a new one per pass made the kernel's first touch of
 * its pages most of a short recording's time), leaving JPEG files undecoded in both engines (in
 * both viewers the browser decodes them; the bench's JPEG table measures that); a last, untimed
 * pass samples the heap after every FBS block. `copy` is noVNC's walker with Raw as a plain
 * `TypedArray.set` of each row (the machine's copy bandwidth on the same bytes).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type FbsBlock, readFbs } from '../../main/rfb/recording/fbs.ts';
import { RfbSession } from '../../main/rfb/session.ts';
import type { DrawBatch } from '../../shared/draw-ops.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';
import { cpuSecondsSince, loadNoVnc, MemoryDisplay, replayWithNoVnc } from './novnc-driver.ts';

/** CPU seconds of warm-up passes before timing (at least two passes). */
const WARM_SECONDS = 1;

export type DecoderName = 'porthole' | 'novnc' | 'copy';

export interface WorkerResult {
  decoder: DecoderName;
  /** Mpixel/s of each timed run, in order. */
  runs: number[];
  /** Passes over the recording in each timed run. */
  passesPerRun: number;
  pixels: number;
  updates: number | undefined;
  /** Server messages by type number (noVNC's walker counts them). */
  messages: Record<number, number> | undefined;
  /** SHA-1 of the final picture's RGB bytes (alpha aside), width and height. */
  pictureHash: string;
  width: number;
  height: number;
  /** Peak resident set of this whole process (Node, tsx, the recording in memory, the decoder). */
  peakRssBytes: number;
  /** Peak growth of the resident set during one run, over what it was before the run. */
  rssGrowthBytes: number;
  /** Peak growth of JS heap + external memory during one run. */
  heapGrowthBytes: number;
}

function rgbHash(rgba: Uint8Array): string {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return createHash('sha1').update(rgb).digest('hex');
}

/**
 * Runs `play` with `afterBlock` called after each block; returns the peak growth of the
 * resident set and of the heap (JS + external) over what they were before, less `preloaded`
 * (memory the driver fills before decoding starts).
 */
async function sampleGrowth(
  play: (afterBlock: () => void) => void,
  preloaded = 0,
): Promise<{ rss: number; heap: number }> {
  // External memory of collected buffers is released after the collection, on a later tick.
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
  const heapNow = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const rssBase = process.memoryUsage.rss();
  const heapBase = heapNow();
  let rss = rssBase;
  let heap = heapBase;
  play(() => {
    rss = Math.max(rss, process.memoryUsage.rss());
    heap = Math.max(heap, heapNow());
  });
  return { rss: Math.max(0, rss - rssBase - preloaded), heap: Math.max(0, heap - heapBase - preloaded) };
}

const withoutJpeg = (batch: DrawBatch): DrawBatch => ({
  ...batch,
  ops: batch.ops.filter((op) => op.kind !== 'jpeg'),
});

/**
 * Porthole's engine over the blocks, as `porthole replay` drives it (RfbSession into a
 * Framebuffer), optionally leaving JPEG files undecoded and with a hook after each block.
 */
function portholeRun(blocks: FbsBlock[], fb: Framebuffer, decodeJpeg: boolean, afterBlock?: () => void) {
  const session = new RfbSession(
    { write: () => {}, close: () => {} },
    { colourLevel: 'native', autoRequest: false },
    { onDraw: decodeJpeg ? (batch) => fb.apply(batch) : (batch) => fb.apply(withoutJpeg(batch)) },
  );
  const start = process.cpuUsage();
  if (afterBlock) {
    for (const block of blocks) {
      session.receive(block.data);
      afterBlock();
    }
  } else {
    for (const block of blocks) session.receive(block.data);
  }
  const seconds = cpuSecondsSince(start);
  const { pixels, updates } = session.stats;
  return { seconds, pixels, updates, framebuffer: fb.data, width: fb.width, height: fb.height };
}

async function main(): Promise<void> {
  const [decoder, path, runsText] = process.argv.slice(2) as [DecoderName, string, string];
  const runs = Number(runsText);
  const blocks = readFbs(readFileSync(path));
  let play: (
    decodeJpeg: boolean,
    afterBlock?: () => void,
  ) => {
    seconds: number;
    pixels: number;
    updates?: number;
    messages?: Record<number, number>;
    framebuffer: Uint8Array;
    width: number;
    height: number;
  };
  // The driver first copies each block into an ArrayBuffer of its own, as a browser hands
  // noVNC its WebSocket messages; that copy of the recording is not the decoders' memory.
  let preloaded = 0;
  if (decoder === 'porthole') {
    const framebuffer = new Framebuffer();
    play = (decodeJpeg, afterBlock) => portholeRun(blocks, framebuffer, decodeJpeg, afterBlock);
  } else if (decoder === 'novnc' || decoder === 'copy') {
    const novnc = await loadNoVnc();
    const plainCopyRaw = decoder === 'copy';
    const display = new MemoryDisplay();
    play = (decodeJpeg, afterBlock) =>
      replayWithNoVnc(novnc, blocks, { decodeJpeg, afterBlock, plainCopyRaw, display });
    preloaded = blocks.reduce((n, b) => n + b.data.length, 0);
  } else {
    throw new Error(`unknown decoder "${decoder}"`);
  }
  const picture = play(true);
  const result: WorkerResult = {
    decoder,
    runs: [],
    passesPerRun: 0,
    pixels: picture.pixels,
    updates: picture.updates,
    messages: picture.messages,
    pictureHash: rgbHash(picture.framebuffer),
    width: picture.width,
    height: picture.height,
    peakRssBytes: 0,
    rssGrowthBytes: 0,
    heapGrowthBytes: 0,
  };
  // Warm up (the JIT keeps improving over the first passes of a short recording), then time
  // runs of as many passes as make a run last WARM_SECONDS / 4 or more.
  let warmPasses = 0;
  let warmSeconds = 0;
  while (warmPasses < 2 || (warmSeconds < WARM_SECONDS && warmPasses < 50)) {
    warmSeconds += play(false).seconds;
    warmPasses++;
  }
  const passes = Math.max(1, Math.ceil(WARM_SECONDS / 4 / (warmSeconds / warmPasses)));
  for (let run = 0; run < runs; run++) {
    let seconds = 0;
    let pixels = 0;
    for (let pass = 0; pass < passes; pass++) {
      const r = play(false);
      seconds += r.seconds;
      pixels += r.pixels;
    }
    result.runs.push(pixels / seconds / 1e6);
  }
  result.passesPerRun = passes;
  const growth = await sampleGrowth((afterBlock) => play(false, afterBlock), preloaded);
  result.rssGrowthBytes = growth.rss;
  result.heapGrowthBytes = growth.heap;
  // VmHWM of this process's own memory: getrusage's maxrss keeps the parent's peak across exec.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  result.peakRssBytes = hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench worker: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
