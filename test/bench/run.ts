/**
 * `npm run bench`: decoding speed of Porthole, noVNC 1.7 and TigerVNC 1.12 side by side on the
 * same recordings of a busy 1920x1080 Xvnc session, in the same run, with ratios and memory.
 * Writes the Markdown report to stdout and to .tmp/bench-results.md.
 *
 *   npm run bench [-- --fresh] [-- --only zrle,hextile] [-- --runs 5]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { replay } from '../../main/cli/commands.ts';
import type { Image } from '../support/truth.ts';
import { ENCODINGS, ensureRecordings } from './recordings.ts';
import { replayWithTigerVnc, stopAllViewers, type TigerVncResult } from './tigervnc.ts';
import type { DecoderName, WorkerResult } from './worker.ts';

/** Field-notes figures for TigerVNC's decoders alone (its decoder benchmark), 1080p, one core (Mpixel/s). */
const TIGERVNC_ANCHOR: Record<string, number> = { raw: 384, hextile: 665, zrle: 314, tight: 392 };
const TIGERVNC_RUNS = 5;
const RESULTS = '.tmp/bench-results.md';
const TARGET_NOVNC = 2;
const TARGET_TIGERVNC = 0.5;

const { values } = parseArgs({
  options: { fresh: { type: 'boolean' }, only: { type: 'string' }, runs: { type: 'string' } },
});
const encodings = values.only
  ? values.only.split(',').map((e) => e.trim().toLowerCase())
  : Object.keys(ENCODINGS);
for (const e of encodings) {
  if (!ENCODINGS[e])
    throw new Error(`--only: unknown encoding "${e}"; known: ${Object.keys(ENCODINGS).join(', ')}`);
}
const runs = Math.max(1, Number(values.runs ?? 5));
const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  stopAllViewers();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)}`;
const fixed = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(0));
/** Median, with the range when there are several figures. */
const spread = (xs: number[]) =>
  xs.length === 0
    ? '–'
    : xs.length === 1
      ? fixed(xs[0])
      : `${fixed(median(xs))} (${fixed(Math.min(...xs))}–${fixed(Math.max(...xs))})`;
const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '–');

/** One decoder over one recording in its own process (worker.ts), pinned to core 0. */
function runWorker(decoder: DecoderName, path: string): Promise<WorkerResult> {
  const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
  const node = [process.execPath, '--expose-gc', '--import', 'tsx', worker, decoder, path, String(runs)];
  const child = pinned ? spawn('taskset', ['-c', '0', ...node]) : spawn(node[0], node.slice(1));
  live.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((done, fail) => {
    child.once('exit', (code) => {
      live.delete(child);
      if (code === 0) done(JSON.parse(out) as WorkerResult);
      else fail(new Error(`${decoder} worker exited with ${code}: ${err.trim()}`));
    });
  });
}

/** The box where `ours` (RGBA) and the screen differ, red and blue crossed if `swap`; undefined if equal. */
function diffBox(ours: Uint8Array, screen: Image, swap: boolean) {
  const d = screen.data;
  const [r, b] = swap ? [2, 0] : [0, 2];
  let x0 = screen.width;
  let y0 = screen.height;
  let x1 = -1;
  let y1 = -1;
  for (let i = 0; i < ours.length; i += 4) {
    if (ours[i] !== d[i + r] || ours[i + 1] !== d[i + 1] || ours[i + 2] !== d[i + b]) {
      const x = (i / 4) % screen.width;
      const y = (i / 4 - x) / screen.width;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? undefined : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * Whether vncviewer's screen shows Porthole's picture. It takes the RGBX recording as BGRX (see
 * tigervnc.ts), so red and blue come out crossed, except with Tight, whose 3-byte pixels are
 * R, G, B in any format. Its "Press F8" notice, near the top centre for the first seconds, is
 * the one difference allowed.
 */
function viewerShowsSame(ours: Uint8Array, screen: Image): string {
  if (ours.length !== screen.data.length) return 'NO (size)';
  const boxes = [false, true].map((swap) => diffBox(ours, screen, swap));
  if (boxes.includes(undefined)) return 'yes';
  const box = boxes.reduce((a, b) => (a!.width * a!.height <= b!.width * b!.height ? a : b))!;
  const where = `${box.width}x${box.height} at ${box.x},${box.y}`;
  const notice =
    box.y + box.height < 120 && box.width < 420 && Math.abs(box.x + box.width / 2 - screen.width / 2) < 40;
  return notice ? `yes, but for its F8 notice (${where})` : `NO (differs in ${where})`;
}

interface Row {
  encoding: string;
  content: string;
  porthole: WorkerResult;
  novnc: WorkerResult;
  viewer: TigerVncResult[];
  viewerWhole: number[];
  viewerThreads: number[];
  viewerPicture: string;
  viewerError: string | undefined;
}

async function measure(encoding: string, path: string): Promise<Row> {
  process.stderr.write(`bench: ${encoding}: Porthole…`);
  const porthole = await runWorker('porthole', path);
  process.stderr.write(' noVNC…');
  const novnc = await runWorker('novnc', path);
  process.stderr.write(' vncviewer…');
  const ours = replay(path);
  const viewer: TigerVncResult[] = [];
  let viewerError: string | undefined;
  for (let run = 0; run < TIGERVNC_RUNS && !viewerError; run++) {
    try {
      viewer.push(await replayWithTigerVnc(path, ENCODINGS[encoding].tigervnc));
    } catch (error) {
      viewerError = (error as Error).message;
    }
  }
  process.stderr.write(' done\n');
  const last = viewer.at(-1);
  return {
    encoding,
    content: `${ours.updates} updates, ${(ours.pixels / 1e6).toFixed(0)} Mpixel, ${mib(ours.bytes)} MiB`,
    porthole,
    novnc,
    viewer,
    viewerWhole: viewer.map((v) => ours.pixels / v.cpuSeconds / 1e6),
    viewerThreads: viewer.map((v) => ours.pixels / v.decodeThreadSeconds / 1e6),
    viewerPicture: last ? viewerShowsSame(ours.framebuffer.data, last.screen) : '–',
    viewerError,
  };
}

const memoryCells = (w: WorkerResult) =>
  `${mib(w.peakRssBytes)} / ${mib(w.rssGrowthBytes)} / ${mib(w.heapGrowthBytes)}`;

function report(rows: Row[], seconds: number): string {
  const speed = [
    `| recording (1920x1080) | content | Porthole | noVNC 1.7 | Porthole / noVNC | vncviewer 1.12, whole process | vncviewer 1.12, decode threads | Porthole / vncviewer decode threads | TigerVNC decoders, anchor (not measured in this run) | Porthole / anchor | same final picture (noVNC; vncviewer) |`,
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  const memory = [
    '| recording | Porthole: process peak RSS / RSS growth / heap growth (MiB) | noVNC: process peak RSS / RSS growth / heap growth (MiB) | vncviewer: process peak RSS (MiB) |',
    '|---|--:|--:|--:|',
  ];
  const short: string[] = [];
  for (const r of rows) {
    const p = median(r.porthole.runs);
    const n = median(r.novnc.runs);
    const anchor = TIGERVNC_ANCHOR[r.encoding];
    const threads = r.viewerThreads.length ? median(r.viewerThreads) : undefined;
    const samePixels = r.porthole.pixels === r.novnc.pixels;
    const noVncSame = r.porthole.pictureHash === r.novnc.pictureHash && samePixels ? 'yes' : 'NO';
    speed.push(
      `| ${r.encoding} | ${r.content} | ${fixed(p)} | ${fixed(n)} | ${ratio(p, n)} | ${spread(r.viewerWhole)} | ${spread(r.viewerThreads)} | ${ratio(p, threads)} | ${anchor ?? '–'} | ${ratio(p, anchor)} | ${noVncSame}; ${r.viewerPicture} |`,
    );
    const viewerRss = r.viewer.length ? mib(Math.max(...r.viewer.map((v) => v.peakRssBytes))) : '–';
    memory.push(`| ${r.encoding} | ${memoryCells(r.porthole)} | ${memoryCells(r.novnc)} | ${viewerRss} |`);
    if (p / n < TARGET_NOVNC) short.push(`${r.encoding}: Porthole/noVNC ${ratio(p, n)} < ${TARGET_NOVNC}`);
    if (threads && p / threads < TARGET_TIGERVNC) {
      short.push(
        `${r.encoding}: Porthole/vncviewer decode threads ${ratio(p, threads)} < ${TARGET_TIGERVNC}`,
      );
    }
    if (anchor && p / anchor < TARGET_TIGERVNC) {
      short.push(`${r.encoding}: Porthole/anchor ${ratio(p, anchor)} < ${TARGET_TIGERVNC}`);
    }
    if (r.viewerError)
      short.push(`${r.encoding}: vncviewer could not be measured: ${r.viewerError.split('\n')[0]}`);
  }
  const core = pinned ? 'pinned to core 0 with taskset' : 'not pinned (taskset missing)';
  const notes = [
    `Decoding speed in Mpixel/s (pixels of the recording's encoded rectangles ÷ decode time). Porthole and noVNC: median of ${runs} runs, each in a process of its own, ${core}; decode only (the recording is in memory), into an RGBA framebuffer. Porthole runs \`replay()\`; noVNC runs its own decoders and Websock receive queue from @novnc/novnc 1.7.0, driven by our message walker and a display doing plain typed-array copies.`,
    `vncviewer 1.12 (TigerVNC's C++ decoders): median (and range) of ${TIGERVNC_RUNS} runs; the same recording played over loopback to a full-screen vncviewer in Xvfb, ${core}, as fast as it reads; CPU time between the first message byte and the viewer's answer to a Fence sent after the last one. "Whole process" counts every thread minus its idle rate (socket reads, parsing, handing the picture to X): a lower bound of its decoders' speed. "Decode threads" counts only DecodeManager's worker threads (decodeRect into the framebuffer, leaving out the main thread's readRect): an upper bound. (CPU time from /proc/PID/task/*/schedstat, nanoseconds.) The viewer asks for BGRX and takes the RGBX recording as such: same work, red and blue swapped on its screen (accounted for in the picture check).`,
    "The anchor is the field notes' figure for TigerVNC's decoders alone (decoder benchmark, 1080p, one core), measured earlier on this kind of machine: not measured in this run.",
    "Memory: peak RSS of each decoder's whole process (for Porthole and noVNC: Node + tsx + copies of the recording, which dominate for Raw; for vncviewer its VmHWM, without the recording), and for Porthole and noVNC the peak growth of the RSS and of the JS heap + external buffers during one more run, sampled after every FBS block (noVNC's up-front copy of the recording into per-message ArrayBuffers taken off).",
    `Targets: Porthole/noVNC ≥ ${TARGET_NOVNC}, Porthole/TigerVNC ≥ ${TARGET_TIGERVNC}. ${short.length ? `Short of a target: ${short.join('; ')}.` : 'Every target met.'}`,
    `Bench time ${seconds.toFixed(0)} s.`,
  ];
  return `${speed.join('\n')}\n\n${memory.join('\n')}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
}

async function main(): Promise<void> {
  const start = performance.now();
  const paths = await ensureRecordings(encodings, values.fresh ?? false);
  const rows: Row[] = [];
  for (const encoding of encodings) rows.push(await measure(encoding, paths.get(encoding)!));
  const text = report(rows, (performance.now() - start) / 1000);
  process.stdout.write(text);
  mkdirSync('.tmp', { recursive: true });
  writeFileSync(RESULTS, text);
  process.stderr.write(`bench: written to ${RESULTS}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
