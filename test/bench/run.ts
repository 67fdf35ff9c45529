/**
 * `npm run bench`: decoding speed of Porthole, noVNC 1.7 and TigerVNC 1.12 side by side on the
 * same recordings of a real Xvnc (content classes × encodings, see recordings.ts), in the same
 * run, with ratios and memory; then the draw stream and where Tight JPEG is decoded. Writes the
 * Markdown report to stdout (or, with --json, every figure as one JSON object) and to
 * .tmp/bench-results.md.
 *
 *   npm run bench [-- --fresh] [-- --only video,tight] [-- --runs 3] [-- --4k] [-- --json]
 *   npm run bench -- --quick    (seconds: one fresh short recording, every engine, one run)
 *   npm run bench -- --end-to-end [-- --seconds 20]   (only the live end-to-end section)
 *   npm run bench -- --end-to-end --profile DIR   (also CPU profiles of the session process and
 *     the page over the window, written to DIR, their top functions printed)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { replay } from '../../main/cli/commands.ts';
import type { Image } from '../support/truth.ts';
import { type DrawStreamFigures, drawStreamTable, measureDrawStream } from './draw-stream.ts';
import { type EndToEndFigures, endToEndTable, measureEndToEnd } from './end-to-end.ts';
import { type JpegFigures, jpegTable, measureJpegDecode } from './jpeg-decode.ts';
import {
  allRecordings,
  BENCH_DIR,
  CLASSES,
  ensureRecordings,
  FULL_HD,
  type Recording,
  recordingFor,
  UHD,
  VARIANTS,
} from './recordings.ts';
import { measureScale, type ScaleFigures, scaleTable } from './scale.ts';
import { replayWithTigerVnc, stopAllViewers, type TigerVncResult } from './tigervnc.ts';
import type { DecoderName, WorkerResult } from './worker.ts';

/** Field-notes figures for TigerVNC's decoders alone (its decoder benchmark), 1080p, one core (Mpixel/s). */
const TIGERVNC_ANCHOR: Record<string, number> = { raw: 384, hextile: 665, zrle: 314, tight: 392 };
const RESULTS = '.tmp/bench-results.md';
const TARGET_NOVNC = 2;
const TARGET_TIGERVNC = 1;
const TARGET_COPY = 0.5;
/** Largest difference of a colour channel allowed between two JPEG decoders (jpeg-js, libjpeg-turbo). */
const JPEG_TOLERANCE = 8;

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean' },
    only: { type: 'string' },
    runs: { type: 'string' },
    quick: { type: 'boolean' },
    json: { type: 'boolean' },
    '4k': { type: 'boolean' },
    'end-to-end': { type: 'boolean' },
    seconds: { type: 'string' },
    profile: { type: 'string' },
  },
});
const quick = values.quick ?? false;
const runs = Math.max(1, Number(values.runs ?? (quick ? 1 : 3)));
const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  stopAllViewers();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const log = (text: string) => process.stderr.write(text);

/** The recordings this run measures. */
function chosenRecordings(): Recording[] {
  if (quick) {
    // Always fresh: the busy photo desktop at 1280x720, the viewer's default encodings.
    const r = recordingFor('photo', 'natural', [1280, 720]);
    return [{ ...r, name: 'quick: photo/natural 1280x720', path: join(BENCH_DIR, 'quick.fbs') }];
  }
  const all = allRecordings(values['4k'] ? [FULL_HD, UHD] : [FULL_HD]);
  if (!values.only) return all;
  const wanted = values.only.split(',').map((w) => w.trim().toLowerCase());
  const known = [...Object.keys(CLASSES), ...Object.keys(VARIANTS)];
  for (const w of wanted) {
    if (!known.includes(w) && !all.some((r) => r.name === w))
      throw new Error(`--only: unknown "${w}"; known: ${known.join(', ')} or class/encoding`);
  }
  // A class and an encoding choice narrow each other; either alone picks all of its recordings.
  const classes = wanted.filter((w) => w in CLASSES);
  const variants = wanted.filter((w) => w in VARIANTS);
  return all.filter(
    (r) =>
      wanted.includes(r.name) ||
      ((classes.length === 0 || classes.includes(r.className)) &&
        (variants.length === 0 || variants.includes(r.variant)) &&
        classes.length + variants.length > 0),
  );
}

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
const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b ? (a / b).toFixed(2) : '–';

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

/**
 * Whether vncviewer's screen shows Porthole's picture. It takes the RGBX recording as BGRX (see
 * tigervnc.ts), so red and blue come out crossed, except in Tight rectangles, whose 3-byte
 * pixels are R, G, B in any format: a pixel matches with red and blue crossed or not (a
 * natural mix has both). Its "Press F8" notice, near the top centre for the first seconds, is
 * the one difference allowed; with JPEG, also differences of at most JPEG_TOLERANCE between
 * JPEG decoders.
 */
function viewerShowsSame(ours: Uint8Array, screen: Image, lossy: boolean): { same: boolean; text: string } {
  if (ours.length !== screen.data.length) return { same: false, text: 'NO (size)' };
  const tolerance = lossy ? JPEG_TOLERANCE : 0;
  const d = screen.data;
  let [x0, y0, x1, y1] = [screen.width, screen.height, -1, -1];
  let largest = 0;
  for (let i = 0; i < ours.length; i += 4) {
    const g = Math.abs(ours[i + 1] - d[i + 1]);
    const straight = Math.max(Math.abs(ours[i] - d[i]), g, Math.abs(ours[i + 2] - d[i + 2]));
    const crossed = Math.max(Math.abs(ours[i] - d[i + 2]), g, Math.abs(ours[i + 2] - d[i]));
    const diff = Math.min(straight, crossed);
    if (diff <= tolerance) {
      largest = Math.max(largest, diff);
      continue;
    }
    const x = (i / 4) % screen.width;
    const y = (i / 4 - x) / screen.width;
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  const jpeg = lossy && largest > 0 ? ` (JPEG decoders differ by at most ${largest} elsewhere)` : '';
  if (x1 < 0) return { same: true, text: `yes${jpeg}` };
  const [width, height] = [x1 - x0 + 1, y1 - y0 + 1];
  const where = `${width}x${height} at ${x0},${y0}`;
  const notice = y1 < 120 && width < 420 && Math.abs(x0 + width / 2 - screen.width / 2) < 40;
  return notice
    ? { same: true, text: `yes, but for its F8 notice (${where})${jpeg}` }
    : { same: false, text: `NO (differs in ${where})` };
}

interface Row {
  recording: Recording;
  bytes: number;
  updates: number;
  pixels: number;
  porthole: WorkerResult;
  novnc: WorkerResult;
  copy: WorkerResult | undefined;
  viewer: TigerVncResult[];
  viewerWhole: number[];
  viewerThreads: number[];
  noVncSame: boolean;
  viewerSame: { same: boolean; text: string } | undefined;
  viewerError: string | undefined;
}

async function measure(recording: Recording): Promise<Row> {
  const variant = VARIANTS[recording.variant];
  log(`bench: ${recording.name}: Porthole…`);
  const porthole = await runWorker('porthole', recording.path);
  log(' noVNC…');
  const novnc = await runWorker('novnc', recording.path);
  let copy: WorkerResult | undefined;
  if (recording.variant === 'raw') {
    log(' plain copy…');
    copy = await runWorker('copy', recording.path);
  }
  log(' vncviewer…');
  const ours = replay(recording.path);
  const viewer: TigerVncResult[] = [];
  let viewerError: string | undefined;
  for (let run = 0; run < runs && !viewerError; run++) {
    try {
      viewer.push(await replayWithTigerVnc(recording.path, variant.tigervnc));
    } catch (error) {
      viewerError = (error as Error).message;
    }
  }
  log(' done\n');
  const last = viewer.at(-1);
  return {
    recording,
    bytes: ours.bytes,
    updates: ours.updates,
    pixels: ours.pixels,
    porthole,
    novnc,
    copy,
    viewer,
    viewerWhole: viewer.map((v) => ours.pixels / v.cpuSeconds / 1e6),
    viewerThreads: viewer.map((v) => ours.pixels / v.decodeThreadSeconds / 1e6),
    noVncSame:
      porthole.pictureHash === novnc.pictureHash &&
      porthole.pixels === novnc.pixels &&
      (!copy || copy.pictureHash === porthole.pictureHash),
    viewerSame: last ? viewerShowsSame(ours.framebuffer.data, last.screen, variant.lossy) : undefined,
    viewerError,
  };
}

/** Every figure of a row, for --json. */
function rowFigures(r: Row) {
  const p = median(r.porthole.runs);
  const n = median(r.novnc.runs);
  const threads = r.viewerThreads.length ? median(r.viewerThreads) : undefined;
  const whole = r.viewerWhole.length ? median(r.viewerWhole) : undefined;
  const copy = r.copy ? median(r.copy.runs) : undefined;
  return {
    recording: r.recording.name,
    contentClass: r.recording.className,
    encodings: r.recording.variant,
    width: r.recording.geometry[0],
    height: r.recording.geometry[1],
    bytes: r.bytes,
    updates: r.updates,
    pixels: r.pixels,
    serverMessages: r.novnc.messages,
    mpixelPerSec: {
      porthole: p,
      novnc: n,
      plainCopy: copy,
      vncviewerWholeProcess: whole,
      vncviewerDecodeThreads: threads,
      tigervncAnchor: TIGERVNC_ANCHOR[r.recording.variant],
    },
    runs: {
      porthole: r.porthole.runs,
      novnc: r.novnc.runs,
      plainCopy: r.copy?.runs,
      vncviewerWholeProcess: r.viewerWhole,
      vncviewerDecodeThreads: r.viewerThreads,
    },
    ratios: {
      portholeToNovnc: n ? p / n : undefined,
      portholeToVncviewerDecodeThreads: threads ? p / threads : undefined,
      portholeToPlainCopy: copy ? p / copy : undefined,
    },
    memoryBytes: {
      porthole: pick(r.porthole),
      novnc: pick(r.novnc),
      vncviewerPeakRss: r.viewer.length ? Math.max(...r.viewer.map((v) => v.peakRssBytes)) : undefined,
    },
    samePicture: {
      novnc: r.noVncSame,
      vncviewer: r.viewerSame?.same,
      vncviewerNote: r.viewerSame?.text,
    },
    vncviewerError: r.viewerError,
  };
}

const pick = (w: WorkerResult) => ({
  peakRss: w.peakRssBytes,
  rssGrowth: w.rssGrowthBytes,
  heapGrowth: w.heapGrowthBytes,
});

/** The rows' shortfalls against the targets, one sentence each. */
function shortfalls(rows: Row[]): string[] {
  const short: string[] = [];
  for (const r of rows) {
    const f = rowFigures(r);
    const name = r.recording.name;
    const { portholeToNovnc, portholeToVncviewerDecodeThreads, portholeToPlainCopy } = f.ratios;
    if (portholeToNovnc !== undefined && portholeToNovnc < TARGET_NOVNC)
      short.push(`${name}: Porthole/noVNC ${portholeToNovnc.toFixed(2)} < ${TARGET_NOVNC}`);
    if (
      ['hextile', 'zrle', 'tight'].includes(r.recording.variant) &&
      portholeToVncviewerDecodeThreads !== undefined &&
      portholeToVncviewerDecodeThreads < TARGET_TIGERVNC
    ) {
      short.push(
        `${name}: Porthole/vncviewer decode threads ${portholeToVncviewerDecodeThreads.toFixed(2)} < ${TARGET_TIGERVNC}`,
      );
    }
    if (portholeToPlainCopy !== undefined && portholeToPlainCopy < TARGET_COPY)
      short.push(`${name}: Porthole/plain copy ${portholeToPlainCopy.toFixed(2)} < ${TARGET_COPY}`);
    if (r.viewerError)
      short.push(`${name}: vncviewer could not be measured: ${r.viewerError.split('\n')[0]}`);
  }
  return short;
}

function report(rows: Row[], seconds: number, load: number[][]): string {
  const speed = [
    `| recording | content | Porthole | noVNC 1.7 | Porthole / noVNC | vncviewer 1.12, whole process | vncviewer 1.12, decode threads | Porthole / vncviewer decode threads | plain copy (Raw) | Porthole / plain copy | same final picture (noVNC; vncviewer) |`,
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  const memory = [
    '| recording | Porthole: process peak RSS / RSS growth / heap growth (MiB) | noVNC: process peak RSS / RSS growth / heap growth (MiB) | vncviewer: process peak RSS (MiB) |',
    '|---|--:|--:|--:|',
  ];
  const memoryCells = (w: WorkerResult) =>
    `${mib(w.peakRssBytes)} / ${mib(w.rssGrowthBytes)} / ${mib(w.heapGrowthBytes)}`;
  for (const r of rows) {
    const f = rowFigures(r);
    const m = f.mpixelPerSec;
    const content = `${r.updates} updates, ${(r.pixels / 1e6).toFixed(0)} Mpixel, ${mib(r.bytes)} MiB`;
    speed.push(
      `| ${f.recording} | ${content} | ${fixed(m.porthole)} | ${fixed(m.novnc)} | ${ratio(m.porthole, m.novnc)} | ${spread(r.viewerWhole)} | ${spread(r.viewerThreads)} | ${ratio(m.porthole, m.vncviewerDecodeThreads)} | ${fixed(m.plainCopy)} | ${ratio(m.porthole, m.plainCopy)} | ${r.noVncSame ? 'yes' : 'NO'}; ${r.viewerSame?.text ?? '–'} |`,
    );
    const viewerRss = f.memoryBytes.vncviewerPeakRss;
    memory.push(
      `| ${f.recording} | ${memoryCells(r.porthole)} | ${memoryCells(r.novnc)} | ${viewerRss === undefined ? '–' : mib(viewerRss)} |`,
    );
  }
  const short = shortfalls(rows);
  const core = pinned ? 'pinned to core 0 with taskset' : 'not pinned (taskset missing)';
  const classes = [...new Set(rows.map((r) => r.recording.className))];
  const notes = [
    `Recordings (real Xvnc, recorded by Porthole, so with Fence and continuous updates): ${classes.map((c) => `**${c}**: ${CLASSES[c].description}`).join('; ')}. Encodings: raw, hextile, zrle, tight (lossless) and tight-jpeg (JPEG quality level 7) alone; natural = the viewer's default list (the server's own mix).`,
    `Decoding speed in Mpixel/s (pixels of the recording's encoded rectangles ÷ decode time). Porthole and noVNC: median of ${runs} runs of CPU time (user + system, which other work on a shared machine disturbs far less than wall time), each run as many passes over the recording as last a quarter of a second, after warm-up passes; each engine in a process of its own, ${core}; decode only (the recording is in memory), into an RGBA framebuffer; Tight's JPEG files are left undecoded in both (each viewer has the browser decode them; the JPEG table below measures that), and decoded with jpeg-js for the picture check. Porthole runs its RfbSession into a Framebuffer as \`porthole replay\` does; noVNC runs its own decoders and Websock receive queue from @novnc/novnc 1.7.0, driven by our message walker and a display doing plain typed-array copies.`,
    `Plain copy (Raw recordings only): the same walker with each Raw row put into the framebuffer by one \`TypedArray.set\` of the recording's bytes, no per-pixel work: this machine's copy bandwidth on those bytes.`,
    `vncviewer 1.12 (TigerVNC's C++ decoders): median (and range) of ${runs} runs; the same recording played over loopback to a full-screen vncviewer in Xvfb, ${core}, as fast as it reads; CPU time between the first message byte and the viewer's answer to a Fence sent after the last one. "Whole process" counts every thread minus its idle rate (socket reads, parsing, handing the picture to X): a lower bound of its decoders' speed. "Decode threads" counts only DecodeManager's worker threads (decodeRect into the framebuffer, leaving out the main thread's readRect): an upper bound. (CPU time from /proc/PID/task/*/schedstat, nanoseconds.) The viewer asks for BGRX and takes the RGBX recording as such: same work, red and blue swapped on its screen (accounted for in the picture check). With JPEG its decoder (libjpeg-turbo) may differ from jpeg-js by a few levels per channel (at most ${JPEG_TOLERANCE} allowed).`,
    "Memory: peak RSS of each decoder's whole process (for Porthole and noVNC: Node + tsx + copies of the recording, which dominate for Raw; for vncviewer its VmHWM, without the recording), and for Porthole and noVNC the peak growth of the RSS and of the JS heap + external buffers during one more run, sampled after every FBS block (noVNC's up-front copy of the recording into per-message ArrayBuffers taken off).",
    `Targets: Porthole/noVNC ≥ ${TARGET_NOVNC}; Porthole ≥ vncviewer's decode threads on Hextile, ZRLE and Tight; Raw ≥ ${TARGET_COPY} of the plain copy. ${short.length ? `Short of a target: ${short.join('; ')}.` : 'Every target met.'}`,
    `Load average (1, 5, 15 min) at the start ${load[0].map((x) => x.toFixed(1)).join(', ')}, at the end ${load[1].map((x) => x.toFixed(1)).join(', ')}: the machine is shared, so absolute figures move with it; ratios come from the same run.`,
    `Bench time ${seconds.toFixed(0)} s.`,
  ];
  return `${speed.join('\n')}\n\n${memory.join('\n')}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
}

async function main(): Promise<void> {
  const start = performance.now();
  const loadStart = loadavg();
  const endToEndOnly = values['end-to-end'] ?? false;
  const rows: Row[] = [];
  if (!endToEndOnly) {
    const recordings = chosenRecordings();
    if (recordings.length === 0) throw new Error('--only picked no recording');
    await ensureRecordings(recordings, quick || (values.fresh ?? false), quick ? 2 : undefined);
    for (const recording of recordings) rows.push(await measure(recording));
  }
  let drawStream: DrawStreamFigures | undefined;
  let jpeg: JpegFigures[] | undefined;
  const endToEnd: EndToEndFigures[] = [];
  let scale: ScaleFigures | undefined;
  if (!quick && !endToEndOnly) {
    log('bench: draw stream…\n');
    drawStream = await measureDrawStream();
    log('bench: JPEG in Node and in Chromium…\n');
    jpeg = await measureJpegDecode();
  }
  if (!quick && (endToEndOnly || !values.only)) {
    const windowSeconds = Math.max(5, Number(values.seconds ?? 20));
    if (values.profile) mkdirSync(values.profile, { recursive: true });
    for (const geometry of values['4k'] ? [FULL_HD, UHD] : [FULL_HD])
      endToEnd.push(
        await measureEndToEnd(geometry, windowSeconds, log, values.profile && resolve(values.profile)),
      );
    scale = await measureScale(windowSeconds, log);
  }
  const seconds = (performance.now() - start) / 1000;
  const load = [loadStart, loadavg()];
  let text = rows.length ? report(rows, seconds, load) : '';
  if (drawStream) text += `\n${drawStreamTable(drawStream)}`;
  if (jpeg) text += `\n${jpegTable(jpeg)}`;
  if (endToEnd.length) text += `\n${endToEndTable(endToEnd)}`;
  if (scale) text += `\n${scaleTable(scale)}`;
  mkdirSync('.tmp', { recursive: true });
  writeFileSync(RESULTS, text);
  if (values.json) {
    const figures = {
      quick,
      runs,
      pinned,
      loadAverage: { start: load[0], end: load[1] },
      seconds,
      decode: rows.map(rowFigures),
      shortOfTarget: shortfalls(rows),
      drawStream,
      jpeg,
      endToEnd,
      scale,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } else {
    process.stdout.write(text);
  }
  log(`bench: written to ${RESULTS}\n`);
  const different = rows.filter((r) => !r.noVncSame || (r.viewerSame && !r.viewerSame.same) || r.viewerError);
  if (different.length > 0) {
    log(
      `bench: not every engine ended on the same picture: ${different.map((r) => r.recording.name).join(', ')}\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
