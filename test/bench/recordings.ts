/**
 * The benchmark's recordings: FBS files of a real Xvnc, recorded with Porthole's `record` (so
 * they carry what real sessions carry: Fence, EndOfContinuousUpdates, cursor and LED state),
 * one per content class × encoding choice × screen size. Cached in .tmp/bench/ under the
 * content version; bump it when a desktop or a length changes. `npm run bench:record` records
 * them all again; `npm run bench` records only what is missing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { record } from '../../main/cli/commands.ts';
import { Encoding } from '../../main/rfb/constants.ts';
import { jpegQualityLevel } from '../../main/rfb/quality.ts';
import { encodeFbsBlock, FBS_HEADER, readFbs } from '../../main/rfb/recording/fbs.ts';
import { startXvnc, type XServer } from '../support/servers.ts';
import { loadNoVnc, replayWithNoVnc } from './novnc-driver.ts';
import { startXvfb, stopGroup } from './tigervnc.ts';

export const CONTENT_VERSION = 4;
export const BENCH_DIR = join('.tmp', 'bench');

export type Geometry = [number, number];
export const FULL_HD: Geometry = [1920, 1080];
export const UHD: Geometry = [3840, 2160];

/** An encoding choice: what the recording viewer asks for, and vncviewer's name for it. */
export interface Variant {
  /** Undefined: the viewer's default list (the server's natural mix). */
  encodings: number[] | undefined;
  /** Recorded from what Xvnc sends TigerVNC's vncviewer with its own choices, not Porthole. */
  throughVncviewer?: boolean;
  tigervnc: string;
  /** The JPEG files of Tight are decoded by the browser in both viewers (see run.ts). */
  lossy: boolean;
}

export const VARIANTS: Record<string, Variant> = {
  raw: { encodings: [Encoding.Raw], tigervnc: 'Raw', lossy: false },
  hextile: { encodings: [Encoding.Hextile], tigervnc: 'Hextile', lossy: false },
  zrle: { encodings: [Encoding.ZRLE], tigervnc: 'ZRLE', lossy: false },
  tight: { encodings: [Encoding.Tight], tigervnc: 'Tight', lossy: false },
  'tight-jpeg': { encodings: [Encoding.Tight, jpegQualityLevel(7)], tigervnc: 'Tight', lossy: true },
  natural: { encodings: undefined, tigervnc: 'ZRLE', lossy: false },
  // What real sessions of TigerVNC's viewer carry: on a fast link it picks Tight with JPEG
  // (quality 8), with Fence and continuous updates.
  vncviewer: { encodings: undefined, throughVncviewer: true, tigervnc: 'Tight', lossy: true },
};

/** A kind of screen content: what runs on the desktop while it is recorded. */
export interface ContentClass {
  description: string;
  /** Seconds recorded per encoding choice. */
  seconds: number;
  /** Starts the content on the server; resolves once it is running. */
  start(server: XServer, geometry: Geometry): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A plasma fractal, blurred: compresses like a photo. Made once per size. */
function photo(width: number, height: number): string {
  const path = join(BENCH_DIR, `photo-${width}x${height}.png`);
  if (!existsSync(path))
    execFileSync('convert', ['-size', `${width}x${height}`, 'plasma:fractal', '-blur', '0x1', path]);
  return path;
}

/** A real-looking video clip (ffmpeg's mandelbrot source, zooming), H.264, made once per size. */
function mandelbrotClip(width: number, height: number): string {
  const path = join(BENCH_DIR, `mandelbrot-${width}x${height}.mp4`);
  if (!existsSync(path)) {
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
      ...['-i', `mandelbrot=size=${width}x${height}:rate=25`, '-t', '8'],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', `${path}.part.mp4`],
    ]);
    renameSync(`${path}.part.mp4`, path);
  }
  return path;
}

const SCROLL_FOREVER = 'while :; do ls -lR /usr/share; done';

function scrollingTerminal(server: XServer, columns: number, rows: number, x: number, y: number): void {
  server.run('xterm', [
    '-fn',
    'fixed',
    '-geometry',
    `${columns}x${rows}+${x}+${y}`,
    '-e',
    'sh',
    '-c',
    SCROLL_FOREVER,
  ]);
}

/** Terminal size in `fixed` (6×13 pixels) cells for a pixel area. */
const cells = (width: number, height: number): [number, number] => [
  Math.floor(width / 6) - 2,
  Math.floor(height / 13) - 2,
];

export function ffplay(
  server: XServer,
  input: string[],
  width: number,
  height: number,
  x: number,
  y: number,
): void {
  server.run('ffplay', [
    ...['-hide_banner', '-loglevel', 'error', '-an', '-noborder', '-loop', '0'],
    ...['-x', String(width), '-y', String(height), '-left', String(x), '-top', String(y)],
    ...input,
  ]);
}

export const CLASSES: Record<string, ContentClass> = {
  video: {
    description:
      'full-motion video: ffplay of testsrc2 and of a mandelbrot clip (H.264), side by side over the top half, a terminal scrolling `ls -lR` below',
    seconds: 4,
    async start(server, [width, height]) {
      const half = [width / 2, height / 2] as const;
      ffplay(server, ['-f', 'lavfi', '-i', `testsrc2=size=${half[0]}x${half[1]}:rate=30`], ...half, 0, 0);
      ffplay(server, [mandelbrotClip(...half)], ...half, half[0], 0);
      scrollingTerminal(server, ...cells(width, height / 2), 0, height / 2);
      await sleep(3000);
    },
  },
  text: {
    description: 'text only: one terminal over the whole screen scrolling `ls -lR` as fast as it can',
    seconds: 4,
    async start(server, [width, height]) {
      scrollingTerminal(server, ...cells(width, height), 0, 0);
      await sleep(1500);
    },
  },
  photo: {
    description:
      'a photo-like desktop (a plasma fractal as the root window) with a terminal window dragged across it',
    seconds: 4,
    async start(server, [width, height]) {
      // ImageMagick's display sets the root window's background and exits with status 1 even then.
      try {
        execFileSync('display', ['-window', 'root', photo(width, height)], {
          env: { ...process.env, DISPLAY: `:${server.display}` },
        });
      } catch {
        /* see above */
      }
      server.run('xterm', [
        ...['-name', 'dragged', '-fn', 'fixed', '-geometry', '80x24+100+100'],
        ...['-e', 'sh', '-c', 'exec top -d 0.5'],
      ]);
      const steps = Array.from({ length: 40 }, (_, i) => Math.round(((width - 600) * i) / 40));
      const path = [...steps, ...[...steps].reverse()].join(' ');
      server.run('sh', [
        '-c',
        `sleep 1; while :; do for x in ${path}; do xdotool search --classname dragged windowmove %1 $x $((${height / 4} + x / 8)) 2>/dev/null; sleep 0.03; done; done`,
      ]);
      await sleep(2000);
    },
  },
  office: {
    description:
      'an office-like screen with small changes: a white full-screen terminal showing text, someone typing into it, the cursor blinking',
    seconds: 4,
    async start(server, [width, height]) {
      const [columns, rows] = cells(width, height);
      server.run('xterm', [
        ...[
          '-name',
          'document',
          '-fn',
          'fixed',
          '-bg',
          'white',
          '-fg',
          'black',
          '-bc',
          '-bcn',
          '400',
          '-bcf',
          '400',
        ],
        ...['-geometry', `${columns}x${rows}+0+0`, '-e', 'sh', '-c', 'ls -l /usr/share | head -70; exec cat'],
      ]);
      await sleep(1000);
      server.run('sh', [
        '-c',
        'while :; do xdotool search --classname document windowfocus --sync %1 type --delay 90 "The quarterly figures are in the attached sheet; see column D. " 2>/dev/null; done',
      ]);
      await sleep(1000);
    },
  },
};

/** One recording the benchmark knows. */
export interface Recording {
  name: string;
  className: string;
  variant: string;
  geometry: Geometry;
  path: string;
}

export function recordingFor(className: string, variant: string, geometry: Geometry): Recording {
  const size = `${geometry[0]}x${geometry[1]}`;
  const name = `${className}/${variant}${geometry === FULL_HD ? '' : ` ${size}`}`;
  return {
    name,
    className,
    variant,
    geometry,
    path: join(BENCH_DIR, `${className}-${variant}-${size}-v${CONTENT_VERSION}.fbs`),
  };
}

/** Every recording, 1080p first, by class then encoding choice. */
export function allRecordings(geometries: Geometry[]): Recording[] {
  return geometries.flatMap((g) =>
    Object.keys(CLASSES).flatMap((c) => Object.keys(VARIANTS).map((v) => recordingFor(c, v, g))),
  );
}

async function recordOne(server: XServer, recording: Recording, seconds: number): Promise<void> {
  // Written under another name first, so an interrupted run leaves no half recording.
  if (VARIANTS[recording.variant].throughVncviewer) {
    await recordThroughVncviewer(server, recording.geometry, `${recording.path}.part`, seconds);
    await trimToCompleteMessages(`${recording.path}.part`);
    renameSync(`${recording.path}.part`, recording.path);
    return;
  }
  await record(
    {
      target: server.target,
      password: undefined,
      encodings: VARIANTS[recording.variant].encodings,
      colourLevel: 'full',
      timeoutSeconds: 30,
    },
    `${recording.path}.part`,
    seconds,
  );
  await trimToCompleteMessages(`${recording.path}.part`);
  renameSync(`${recording.path}.part`, recording.path);
}

/**
 * Records what `server` sends TigerVNC's vncviewer (in an Xvfb of its own, through a loopback
 * proxy that writes every server-to-viewer chunk as an FBS block) for `seconds`.
 */
async function recordThroughVncviewer(
  server: XServer,
  [width, height]: Geometry,
  path: string,
  seconds: number,
): Promise<void> {
  const blocks: Uint8Array[] = [new TextEncoder().encode(FBS_HEADER)];
  const start = performance.now();
  const proxy = net.createServer((viewerSide) => {
    const serverSide = net.connect(server.port, '127.0.0.1');
    viewerSide.pipe(serverSide);
    serverSide.on('data', (data: Buffer) => {
      blocks.push(encodeFbsBlock(data, Math.round(performance.now() - start)));
      viewerSide.write(data);
    });
    const end = () => {
      viewerSide.destroy();
      serverSide.destroy();
    };
    for (const socket of [viewerSide, serverSide]) socket.on('error', end).on('close', end);
  });
  await new Promise<void>((listening) => proxy.listen(0, '127.0.0.1', listening));
  const xvfb = await startXvfb(width + 64, height + 64);
  let viewer: ChildProcess | undefined;
  try {
    viewer = spawn(
      'vncviewer',
      ['-FullScreen=0', '-RemoteResize=0', `127.0.0.1::${(proxy.address() as net.AddressInfo).port}`],
      { env: { ...process.env, DISPLAY: `:${xvfb.display}` }, stdio: 'ignore', detached: true },
    );
    await sleep(seconds * 1000);
    if (blocks.length < 3)
      throw new Error('vncviewer received nothing from Xvnc through the recording proxy');
  } finally {
    stopGroup(viewer);
    stopGroup(xvfb.child);
    proxy.close();
  }
  writeFileSync(path, Buffer.concat(blocks));
}

/**
 * Cuts a recording after its last complete message. A recording stops where the clock says,
 * often inside an update; engines that paint as rectangles arrive (noVNC, vncviewer) and one
 * that paints whole updates (Porthole) would then end on different pictures, both right.
 */
async function trimToCompleteMessages(path: string): Promise<void> {
  const blocks = readFbs(readFileSync(path));
  let left = replayWithNoVnc(await loadNoVnc(), blocks).completeBytes;
  const parts: Uint8Array[] = [new TextEncoder().encode(FBS_HEADER)];
  for (const block of blocks) {
    if (left <= 0) break;
    const data = block.data.subarray(0, Math.min(block.data.length, left));
    parts.push(encodeFbsBlock(data, block.ms));
    left -= data.length;
  }
  writeFileSync(path, Buffer.concat(parts));
}

/**
 * Records each of `recordings` not there yet (all of them with `fresh`): one Xvnc per class
 * and size, its content started once, then one recording per encoding choice.
 */
export async function ensureRecordings(recordings: Recording[], fresh: boolean, secondsOverride?: number) {
  mkdirSync(BENCH_DIR, { recursive: true });
  const wanted = recordings.filter((r) => fresh || !existsSync(r.path));
  const groups = new Map<string, Recording[]>();
  for (const r of wanted) {
    const key = `${r.className} ${r.geometry.join('x')}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [key, group] of groups) {
    const { className, geometry } = group[0];
    process.stderr.write(`bench: recording ${key}: ${group.map((r) => r.variant).join(', ')}…\n`);
    const server = await startXvnc({ security: 'none', geometry });
    try {
      await CLASSES[className].start(server, geometry);
      for (const r of group) await recordOne(server, r, secondsOverride ?? CLASSES[className].seconds);
    } finally {
      await server.stop();
    }
  }
}
