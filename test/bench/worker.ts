/**
 * One decoder on one recording, in a process of its own (so its peak RSS is its own):
 *
 *   node --import tsx test/bench/worker.ts porthole|novnc <recording.fbs> <runs>
 *
 * Prints one JSON line (WorkerResult). Timed runs decode the whole recording from memory into
 * an RGBA framebuffer; a last, untimed run samples the heap after every FBS block.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { replay } from '../../main/cli/commands.ts';
import { type FbsBlock, readFbs } from '../../main/rfb/recording/fbs.ts';
import { RfbSession } from '../../main/rfb/session.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';
import { loadNoVnc, replayWithNoVnc } from './novnc-driver.ts';

export type DecoderName = 'porthole' | 'novnc';

export interface WorkerResult {
  decoder: DecoderName;
  /** Mpixel/s of each timed run, in order (the first includes JIT warm-up). */
  runs: number[];
  pixels: number;
  updates: number | undefined;
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

/** Porthole's engine over the blocks, as `replay` drives it, with a hook after each block. */
function portholeWithHook(blocks: FbsBlock[], afterBlock: () => void): void {
  const fb = new Framebuffer();
  const session = new RfbSession(
    { write: () => {}, close: () => {} },
    { colourLevel: 'native', autoRequest: false },
    { onDraw: (batch) => fb.apply(batch) },
  );
  for (const block of blocks) {
    session.receive(block.data);
    afterBlock();
  }
}

async function main(): Promise<void> {
  const [decoder, path, runsText] = process.argv.slice(2) as [DecoderName, string, string];
  const runs = Number(runsText);
  const result: WorkerResult = {
    decoder,
    runs: [],
    pixels: 0,
    updates: undefined,
    pictureHash: '',
    width: 0,
    height: 0,
    peakRssBytes: 0,
    rssGrowthBytes: 0,
    heapGrowthBytes: 0,
  };
  let growth: { rss: number; heap: number };
  if (decoder === 'porthole') {
    for (let run = 0; run < runs; run++) {
      const r = replay(path);
      result.runs.push(r.mpixelPerSec);
      if (run === runs - 1) {
        Object.assign(result, { pixels: r.pixels, updates: r.updates, width: r.width, height: r.height });
        result.pictureHash = rgbHash(r.framebuffer.data);
      }
    }
    const blocks = readFbs(readFileSync(path));
    growth = await sampleGrowth((after) => portholeWithHook(blocks, after));
  } else if (decoder === 'novnc') {
    const blocks = readFbs(readFileSync(path));
    const novnc = await loadNoVnc();
    for (let run = 0; run < runs; run++) {
      const r = replayWithNoVnc(novnc, blocks);
      result.runs.push(r.pixels / r.seconds / 1e6);
      if (run === runs - 1) {
        Object.assign(result, { pixels: r.pixels, width: r.width, height: r.height });
        result.pictureHash = rgbHash(r.framebuffer);
      }
    }
    // The driver first copies each block into an ArrayBuffer of its own, as a browser hands
    // noVNC its WebSocket messages; that copy of the recording is not the decoders' memory.
    const recordingBytes = blocks.reduce((n, b) => n + b.data.length, 0);
    growth = await sampleGrowth((after) => replayWithNoVnc(novnc, blocks, after), recordingBytes);
  } else {
    throw new Error(`unknown decoder "${decoder}"`);
  }
  result.rssGrowthBytes = growth.rss;
  result.heapGrowthBytes = growth.heap;
  result.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench worker: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
