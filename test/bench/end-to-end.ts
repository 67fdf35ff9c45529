/**
 * The live path, end to end: a real Xvnc playing full-motion video (the bench's video class:
 * ffplay of testsrc2 and of a mandelbrot clip, a terminal scrolling below) → Porthole's session
 * (browser mode's server, `porthole web`, a process of its own) → the draw stream → the canvas
 * of real headless Chromium; and TigerVNC's vncviewer and gvncviewer (gtk-vnc) on the same
 * server in the same run, each in Xvfb. Run by `npm run bench` after the decoders (not with
 * --quick), or alone with `npm run bench -- --end-to-end`.
 *
 * - Updates per second and bytes: Xvnc's own count for each viewer (TigerVNC's EncodeManager
 *   logs "Framebuffer updates: N" and the bytes it sent when a viewer leaves), over the time the
 *   viewer was connected: one method for all three.
 * - Frames painted per second (Porthole): animation frames of the page in which the screen's
 *   canvas was drawn on (putImageData, drawImage, fillRect counted by a script the page loads
 *   first, nothing in the viewer's code).
 * - CPU seconds per update: user + system time from /proc over the measured window, of every
 *   process of the viewer (Porthole: browser mode's server and every Chromium process;
 *   vncviewer and gvncviewer: their process), divided by the updates Xvnc sent in that window
 *   (its rate over the connection times the window).
 * - Responsiveness (Porthole): requestAnimationFrame deltas, long tasks (PerformanceObserver),
 *   the session process's event-loop delay (monitorEventLoopDelay, loaded with --import), RSS of
 *   the session process above what it was before connecting.
 * - Latency: an xterm alone on a second Xvnc, a key pressed in the page 200 times: from the
 *   page's keydown to the first draw on the canvas after it (the echo), p50 and p99.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import { openTcpSession } from '../../main/rfb/transports/tcp.ts';
import { buildRenderer, connectTo, launchChromium, waitForStatus } from '../support/browser.ts';
import { freePort, startXvnc, stopProcess, type XvncServer } from '../support/servers.ts';
import { type CpuProfile, profileTable, topSelfTime } from './profile-summary.ts';
import { CLASSES, type Geometry } from './recordings.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every process under `root` (children, grandchildren…), from /proc. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** What a process of Porthole's browser mode is: the session process or which kind of Chromium process. */
function processKind(pid: number, sessionPid: number): string {
  if (pid === sessionPid) return 'session process';
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'Chromium, other';
  }
  const type = /--type=([\w-]+)/.exec(command)?.[1];
  if (type === 'renderer') return 'Chromium renderer';
  if (type === 'gpu-process') return 'Chromium GPU';
  if (type === undefined) return 'Chromium browser';
  return 'Chromium, other';
}

export const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** User + system CPU seconds of each process (0 for one that is gone). */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* gone */
    }
  }
  return ticks / TICKS;
}

/** RSS of all `pids` together (0 for one that is gone). */
export function totalRssBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += rssBytes(pid);
    } catch {
      /* gone */
    }
  }
  return total;
}

export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 2 ** 20, GiB: 2 ** 30 };

/**
 * What Xvnc logged about the last viewer that left: updates sent, bytes of them, and each
 * encoder's share of the pixels (EncodeManager's "Tight (JPEG):", "ZRLE:"… blocks).
 */
function xvncStats(server: XvncServer): { updates: number; bytes: number; encodings: string } {
  const log = server.log();
  const at = log.lastIndexOf('Framebuffer updates:');
  if (at < 0) throw new Error(`Xvnc logged no update count for the viewer; its log ends: ${log.slice(-500)}`);
  const tail = log.slice(at);
  const updates = Number(/Framebuffer updates: (\d+)/.exec(tail)![1]);
  const total = /Total:[^\n]*\n[^\n]*?([\d.]+) (B|KiB|MiB|GiB)/.exec(tail);
  const pixels = new Map<string, number>();
  let encoder = '';
  for (const line of tail.split('\n')) {
    const heading = /EncodeManager: {3}(\S[^:]*):\s*$/.exec(line);
    if (heading) encoder = heading[1];
    const counted = /([\d.]+) Mpixels/.exec(line);
    if (counted && encoder && !line.includes('Total:'))
      pixels.set(encoder, (pixels.get(encoder) ?? 0) + Number(counted[1]));
    if (line.includes('Total:')) break;
  }
  const all = [...pixels.values()].reduce((a, b) => a + b, 0);
  const encodings = [...pixels]
    .sort((a, b) => b[1] - a[1])
    .map(([name, mpixels]) => `${name} ${Math.round((mpixels / all) * 100)}%`)
    .join(', ');
  return { updates, bytes: total ? Number(total[1]) * UNITS[total[2]] : 0, encodings };
}

export interface ViewerFigures {
  viewer: string;
  /** Which encodings Xvnc sent it, by share of pixels (from Xvnc's log). */
  encodings?: string;
  /** How its updates were counted. */
  counted: string;
  seconds: number;
  updatesPerSecond: number;
  /** Porthole only: animation frames in which the canvas was drawn on. */
  framesPaintedPerSecond?: number;
  bytesPerSecond: number;
  cpuSecondsPerUpdate: number;
  /** CPU seconds per second of the window (1 = one core busy). */
  cpuLoad: number;
  /** Porthole only: the same load split by process (session process, Chromium's renderer, GPU, the rest). */
  cpuLoadByProcess?: Record<string, number>;
  error?: string;
}

export interface ResponsivenessFigures {
  frameDeltaMs: { p50: number; p99: number; max: number };
  longTasks: { count: number; maxMs: number };
  eventLoopDelayMs: { p50: number; p99: number; max: number } | undefined;
  sessionRssAboveIdleBytes: number;
  /** Every process of Porthole's (session process and Chromium's) together, above the idle page. */
  allRssAboveIdleBytes: number;
}

export interface LatencyFigures {
  keys: number;
  echoed: number;
  p50Ms: number;
  p99Ms: number;
  /** The server's own update time: the same keys sent by a bare RFB client (Porthole's engine, no viewer). */
  server: { echoed: number; p50Ms: number; p99Ms: number };
}

/** Median ms for one binary WebSocket message of each size from Node into Chromium's page, and a short answer. */
export type WebSocketIntoChromium = { mib: number; medianMs: number; minMs: number }[];

/**
 * Ms per frame of each size sent down one streamed HTTP response into Chromium's page (browser
 * mode's way), read with a BYOB reader into a buffer per frame and with the default reader
 * (chunks copied out).
 */
export type StreamIntoChromium = { mib: number; byobMs: number; chunksMs: number }[];

const STREAM_FRAMES = 20;

/** Plain JavaScript for the page (see PAGE_PROBE): reads STREAM_FRAMES frames of `bytes` from `url`, ms per frame. */
const READ_STREAM = `async ({ url, bytes, mode }) => {
  const start = performance.now();
  const response = await fetch(url);
  let frames = 0;
  if (mode === 'byob') {
    const reader = response.body.getReader({ mode: 'byob' });
    for (;;) {
      let buffer = new ArrayBuffer(bytes);
      let at = 0;
      while (at < bytes) {
        const { value, done } = await reader.read(new Uint8Array(buffer, at, bytes - at));
        if (done) return (performance.now() - start) / frames;
        buffer = value.buffer;
        at += value.byteLength;
      }
      frames++;
    }
  }
  const reader = response.body.getReader();
  let chunks = [];
  let held = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return (performance.now() - start) / frames;
    chunks.push(value);
    held += value.length;
    while (held >= bytes) {
      const frame = new Uint8Array(bytes);
      let at = 0;
      while (at < bytes) {
        const first = chunks[0];
        const used = Math.min(first.length, bytes - at);
        frame.set(first.subarray(0, used), at);
        at += used;
        if (used === first.length) chunks.shift();
        else chunks[0] = first.subarray(used);
      }
      held -= bytes;
      frames++;
    }
  }
}`;

export interface EndToEndFigures {
  webSocketIntoChromium: WebSocketIntoChromium | undefined;
  streamIntoChromium: StreamIntoChromium | undefined;
  width: number;
  height: number;
  windowSeconds: number;
  viewers: ViewerFigures[];
  responsiveness: ResponsivenessFigures | undefined;
  latency: LatencyFigures | undefined;
  /** With --profile: the top functions of the session process and of the page, as tables. */
  profiles?: string;
}

/**
 * Runs in the page before the viewer: counts frames with canvas drawing (on one screen's canvas
 * when `only` is set), rAF deltas, long tasks, key echo. Plain JavaScript in a string: a function would be sent as tsx compiled it, with
 * helpers the page does not have.
 */
const PAGE_PROBE = `
(() => {
  const probe = {
    frames: 0, dirty: false, deltas: [], longTasks: [], lastFrame: 0, keyAt: 0, echoes: [], only: null,
    reset() { probe.frames = 0; probe.deltas = []; probe.longTasks = []; },
  };
  window.__bench = probe;
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ['putImageData', 'drawImage', 'fillRect']) {
    const original = proto[name];
    proto[name] = function (...args) {
      if (this.canvas.hasAttribute('data-porthole-screen') && (!probe.only || probe.only === this.canvas)) {
        probe.dirty = true;
        if (probe.keyAt) {
          probe.echoes.push(performance.now() - probe.keyAt);
          probe.keyAt = 0;
        }
      }
      return original.apply(this, args);
    };
  }
  const tick = (now) => {
    if (probe.lastFrame) probe.deltas.push(now - probe.lastFrame);
    probe.lastFrame = now;
    if (probe.dirty) probe.frames++;
    probe.dirty = false;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push(entry.duration);
  }).observe({ entryTypes: ['longtask'] });
  window.addEventListener('keydown', () => { probe.keyAt = performance.now(); }, true);
})();
`;

interface PageProbe {
  frames: number;
  deltas: number[];
  longTasks: number[];
  echoes: number[];
}

/** The row of a viewer that could not be measured, saying why. */
const notMeasured = (viewer: string, error: unknown): ViewerFigures => ({
  viewer,
  counted: '',
  seconds: 0,
  updatesPerSecond: 0,
  bytesPerSecond: 0,
  cpuSecondsPerUpdate: 0,
  cpuLoad: 0,
  error: (error as Error).message,
});

export const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Browser mode's server as a process of its own, with the event-loop probe loaded. */
export async function startWeb(
  dataDir: string,
  eventLoopFile: string,
  profileFile?: string,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(ROOT, 'test/bench/event-loop-probe.mjs'),
      join(ROOT, 'bin/porthole.js'),
      'web',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
    ],
    {
      env: {
        ...process.env,
        PORTHOLE_EVENT_LOOP_FILE: eventLoopFile,
        ...(profileFile && { PORTHOLE_PROFILE_FILE: profileFile }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own, which stopProcess stops.
      detached: true,
    },
  );
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) done(line.trim());
    });
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.once('exit', (code) => fail(new Error(`porthole web exited with ${code}: ${err}`)));
  });
  return { child, url };
}

export async function openProbedPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 2000, height: 1300 }, deviceScaleFactor: 1 });
  await context.addInitScript({ content: PAGE_PROBE });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

export const probeOf = (page: Page) =>
  page.evaluate(() => {
    const p = (window as unknown as { __bench: PageProbe }).__bench;
    return { frames: p.frames, deltas: p.deltas, longTasks: p.longTasks, echoes: p.echoes };
  });

/** Porthole in Chromium on `server` for `seconds` after it settles; its figures and responsiveness. */
async function measurePorthole(
  server: XvncServer,
  geometry: Geometry,
  seconds: number,
  quality: 'Auto' | 'Medium',
  profileDir: string | undefined,
): Promise<{ figures: ViewerFigures; responsiveness: ResponsivenessFigures; profiles?: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'porthole-bench-'));
  const eventLoopFile = join(dataDir, 'event-loop.json');
  const sessionProfile = profileDir && join(profileDir, `session-${geometry.join('x')}.cpuprofile`);
  const web = await startWeb(dataDir, eventLoopFile, sessionProfile);
  const browser = await launchChromium();
  try {
    const page = await openProbedPage(browser, web.url);
    const ours = () => [web.child.pid!, ...descendants(process.pid).filter((pid) => /chrom/.test(comm(pid)))];
    const idleRss = rssBytes(web.child.pid!);
    const idleAllRss = totalRssBytes(ours());
    const connected = performance.now();
    await connectTo(page, server.target, { quality });
    await waitForStatus(page, /Connected to/, 60_000, 'bench-connected');
    await sleep(3000);
    const cpuStart = cpuSeconds(ours());
    const kinds = (pids: number[]) => {
      const byKind = new Map<string, number[]>();
      for (const pid of pids) {
        const kind = processKind(pid, web.child.pid!);
        byKind.set(kind, [...(byKind.get(kind) ?? []), pid]);
      }
      return byKind;
    };
    const cpuByKindStart = new Map([...kinds(ours())].map(([kind, pids]) => [kind, cpuSeconds(pids)]));
    process.kill(web.child.pid!, 'SIGUSR2');
    await page.evaluate(() => (window as unknown as { __bench: { reset(): void } }).__bench.reset());
    const cdp = profileDir ? await page.context().newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const start = performance.now();
    await sleep(seconds * 1000);
    const pageProfile = cdp && ((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile);
    const probe = await probeOf(page);
    process.kill(web.child.pid!, 'SIGUSR2');
    const cpu = cpuSeconds(ours()) - cpuStart;
    const measured = (performance.now() - start) / 1000;
    const cpuLoadByProcess = Object.fromEntries(
      [...kinds(ours())].map(([kind, pids]) => [
        kind,
        (cpuSeconds(pids) - (cpuByKindStart.get(kind) ?? 0)) / measured,
      ]),
    );
    const rss = rssBytes(web.child.pid!);
    const allRss = totalRssBytes(ours());
    await page.context().close();
    const connectedSeconds = (performance.now() - connected) / 1000;
    await sleep(1500);
    const stats = xvncStats(server);
    await sleep(200);
    let profiles: string | undefined;
    if (profileDir && pageProfile && sessionProfile) {
      const pageFile = join(profileDir, `page-${geometry.join('x')}.cpuprofile`);
      writeFileSync(pageFile, JSON.stringify(pageProfile));
      const sessionLines = existsSync(sessionProfile)
        ? topSelfTime(JSON.parse(readFileSync(sessionProfile, 'utf8')))
        : [];
      profiles = [
        profileTable(`Session process, top self time (${sessionProfile}):`, sessionLines),
        profileTable(`Chromium page, top self time (${pageFile}):`, topSelfTime(pageProfile)),
      ].join('\n');
    }
    let eventLoop: ResponsivenessFigures['eventLoopDelayMs'];
    try {
      eventLoop = JSON.parse(readFileSync(eventLoopFile, 'utf8'));
    } catch {
      eventLoop = undefined;
    }
    const updatesPerSecond = stats.updates / connectedSeconds;
    return {
      figures: {
        viewer: `Porthole (browser mode), ${quality === 'Auto' ? 'Auto (lossless here)' : 'Medium (JPEG 7)'}`,
        encodings: stats.encodings,
        counted: "Xvnc's count of updates sent; frames painted from the page",
        seconds: measured,
        updatesPerSecond,
        framesPaintedPerSecond: probe.frames / measured,
        bytesPerSecond: stats.bytes / connectedSeconds,
        cpuSecondsPerUpdate: cpu / (updatesPerSecond * measured),
        cpuLoad: cpu / measured,
        cpuLoadByProcess,
      },
      responsiveness: {
        frameDeltaMs: {
          p50: percentile(probe.deltas, 50),
          p99: percentile(probe.deltas, 99),
          max: Math.max(...probe.deltas),
        },
        longTasks: { count: probe.longTasks.length, maxMs: Math.max(0, ...probe.longTasks) },
        eventLoopDelayMs: eventLoop,
        sessionRssAboveIdleBytes: rss - idleRss,
        allRssAboveIdleBytes: allRss - idleAllRss,
      },
      profiles,
    };
  } finally {
    await browser.close();
    await stopProcess(web.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A native viewer in its own Xvfb on `server` for `seconds` after it settles. */
async function measureNative(
  name: string,
  command: string,
  args: (server: XvncServer) => string[],
  server: XvncServer,
  geometry: Geometry,
  seconds: number,
): Promise<ViewerFigures> {
  const display = 90 + Math.floor(Math.random() * 100);
  const xvfb = spawn(
    'Xvfb',
    [`:${display}`, '-screen', '0', `${geometry[0] + 64}x${geometry[1] + 64}x24`, '-nolisten', 'tcp'],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  let viewer: ChildProcess | undefined;
  try {
    await sleep(1000);
    const connected = performance.now();
    viewer = spawn(command, args(server), {
      env: { ...process.env, DISPLAY: `:${display}` },
      stdio: 'ignore',
      detached: true,
    });
    await sleep(3000);
    if (viewer.exitCode !== null) throw new Error(`${command} exited with ${viewer.exitCode}`);
    const pids = [viewer.pid!, ...descendants(viewer.pid!)];
    const cpuStart = cpuSeconds(pids);
    const start = performance.now();
    await sleep(seconds * 1000);
    const cpu = cpuSeconds(pids) - cpuStart;
    const measured = (performance.now() - start) / 1000;
    await stopProcess(viewer);
    const connectedSeconds = (performance.now() - connected) / 1000;
    await sleep(1500);
    const stats = xvncStats(server);
    const updatesPerSecond = stats.updates / connectedSeconds;
    return {
      viewer: name,
      encodings: stats.encodings,
      counted: "Xvnc's count of updates sent",
      seconds: measured,
      updatesPerSecond,
      bytesPerSecond: stats.bytes / connectedSeconds,
      cpuSecondsPerUpdate: cpu / (updatesPerSecond * measured),
      cpuLoad: cpu / measured,
    };
  } catch (error) {
    return notMeasured(name, error);
  } finally {
    if (viewer) await stopProcess(viewer);
    await stopProcess(xvfb);
  }
}

/** Key echo latency: an xterm alone on a quiet Xvnc, `keys` presses typed into the page. */
async function measureLatency(keys: number): Promise<LatencyFigures> {
  const server = await startXvnc({ security: 'none', geometry: [1280, 800] });
  const dataDir = mkdtempSync(join(tmpdir(), 'porthole-bench-'));
  const web = await startWeb(dataDir, join(dataDir, 'event-loop.json'));
  const browser = await launchChromium();
  try {
    server.run('xterm', ['-fn', 'fixed', '-geometry', '120x40+0+0', '-e', 'cat']);
    await sleep(1500);
    const page = await openProbedPage(browser, web.url);
    await connectTo(page, server.target);
    await waitForStatus(page, /Connected to/, 60_000, 'bench-latency');
    await sleep(2000);
    const canvas = page.locator('canvas[data-porthole-screen]').first();
    await canvas.click({ position: { x: 200, y: 200 } });
    await sleep(500);
    await page.evaluate(() => {
      (window as unknown as { __bench: { echoes: number[] } }).__bench.echoes = [];
    });
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < keys; i++) {
      await page.keyboard.press(letters[i % letters.length]);
      // The next key only after the echo had time to come back (or 300 ms).
      await sleep(120);
      if (i % 60 === 59) await page.keyboard.press('Enter');
    }
    const { echoes } = await probeOf(page);
    await page.context().close();
    const serverEchoes = await serverUpdateTimes(server, keys);
    return {
      keys,
      echoed: echoes.length,
      p50Ms: percentile(echoes, 50),
      p99Ms: percentile(echoes, 99),
      server: {
        echoed: serverEchoes.length,
        p50Ms: percentile(serverEchoes, 50),
        p99Ms: percentile(serverEchoes, 99),
      },
    };
  } finally {
    await browser.close();
    await stopProcess(web.child);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The server's own update time for a key: a bare RFB client (Porthole's engine in this process,
 * nothing painted) sends each key and times the first drawing update after it, the same
 * criterion as the page's. What the viewer adds is the page's latency minus this.
 */
async function serverUpdateTimes(server: XvncServer, keys: number): Promise<number[]> {
  const echoes: number[] = [];
  let keyAt = 0;
  let connected = () => {};
  const { session, ended } = openTcpSession(
    '127.0.0.1',
    server.port,
    {},
    {
      onState: (state) => state === 'connected' && connected(),
      onDraw: (batch) => {
        if (
          keyAt &&
          batch.ops.some((op) => op.kind === 'pixels' || op.kind === 'fill' || op.kind === 'copy')
        ) {
          echoes.push(performance.now() - keyAt);
          keyAt = 0;
        }
      },
    },
  );
  await new Promise<void>((resolve) => {
    connected = resolve;
  });
  await sleep(1000);
  session.sendPointer(200, 200, 0); // the xterm has the keyboard where the pointer is
  await sleep(500);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < keys; i++) {
    const keysym = letters.charCodeAt(i % letters.length);
    keyAt = performance.now();
    session.sendKey(keysym, true);
    session.sendKey(keysym, false);
    await sleep(120);
    if (i % 60 === 59) {
      keyAt = 0;
      session.sendKey(0xff0d, true); // Return
      session.sendKey(0xff0d, false);
      await sleep(120);
    }
  }
  session.close();
  await ended;
  return echoes;
}

/**
 * What carrying decoded pictures into the page costs on its own: binary WebSocket messages of 0.25, 1 and
 * 8 MiB (a 1920×1080 RGBA frame) from a Node `ws` server into a page of headless Chromium,
 * which answers each with its length (12 of each, median and fastest); and frames of 1 and
 * 8 MiB down one streamed HTTP response, as browser mode sends them.
 */
export async function measureIntoChromium(): Promise<{
  webSocket: WebSocketIntoChromium;
  streamed: StreamIntoChromium;
}> {
  const http = createServer((request, response) => {
    const bytes = Number(/mib=([\d.]+)/.exec(request.url ?? '')?.[1] ?? 0) * 2 ** 20;
    if (!bytes) {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><title>bench</title>');
      return;
    }
    // STREAM_FRAMES frames of `bytes` down one response, as the page stream sends them.
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    const frame = Buffer.alloc(bytes, 7);
    let sent = 0;
    const send = () => {
      while (sent < STREAM_FRAMES) {
        sent++;
        if (!response.write(frame)) return void response.once('drain', send);
      }
      response.end();
    };
    send();
  });
  const sockets = new WebSocketServer({ server: http });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const port = (http.address() as { port: number }).port;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const connection = once(sockets, 'connection');
    await page.evaluate((p) => {
      const ws = new WebSocket(`ws://127.0.0.1:${p}/`);
      ws.binaryType = 'arraybuffer';
      ws.onmessage = (event) => ws.send(String((event.data as ArrayBuffer).byteLength));
    }, port);
    const [socket] = (await connection) as [NodeWebSocket];
    const figures: WebSocketIntoChromium = [];
    for (const mib of [0.25, 1, 8]) {
      const message = Buffer.alloc(mib * 2 ** 20, 7);
      const times: number[] = [];
      for (let i = 0; i < 12; i++) {
        const start = performance.now();
        socket.send(message);
        await once(socket, 'message');
        times.push(performance.now() - start);
      }
      figures.push({ mib, medianMs: percentile(times, 50), minMs: Math.min(...times) });
    }
    const streamed: StreamIntoChromium = [];
    for (const mib of [1, 8]) {
      const read = (mode: string) =>
        page.evaluate(
          `(${READ_STREAM})(${JSON.stringify({ url: `/s?mib=${mib}`, bytes: mib * 2 ** 20, mode })})`,
        ) as Promise<number>;
      const byob: number[] = [];
      const chunks: number[] = [];
      for (let i = 0; i < 3; i++) {
        byob.push(await read('byob'));
        chunks.push(await read('chunks'));
      }
      streamed.push({ mib, byobMs: percentile(byob, 50), chunksMs: percentile(chunks, 50) });
    }
    return { webSocket: figures, streamed };
  } finally {
    await browser.close();
    sockets.close();
    http.close();
  }
}

/** The whole section: throughput of the three viewers on one busy Xvnc, responsiveness, latency. */
export async function measureEndToEnd(
  geometry: Geometry,
  seconds: number,
  log: (text: string) => void,
  profileDir?: string,
): Promise<EndToEndFigures> {
  buildRenderer();
  const server = await startXvnc({ security: 'none', geometry });
  const viewers: ViewerFigures[] = [];
  let responsiveness: ResponsivenessFigures | undefined;
  let profiles: string | undefined;
  try {
    await CLASSES.video.start(server, geometry);
    // Like against like: vncviewer picks Tight with JPEG (quality 8) by itself on a fast link,
    // Porthole's Auto stays lossless there; each is also run with the other kind of picture.
    for (const quality of ['Auto', 'Medium'] as const) {
      log(`bench: end to end ${geometry.join('x')}: Porthole ${quality}…`);
      try {
        const porthole = await measurePorthole(
          server,
          geometry,
          seconds,
          quality,
          quality === 'Auto' ? profileDir : undefined,
        );
        viewers.push(porthole.figures);
        if (quality === 'Auto') {
          responsiveness = porthole.responsiveness;
          profiles = porthole.profiles;
        }
      } catch (error) {
        viewers.push(notMeasured(`Porthole (browser mode), ${quality}`, error));
      }
    }
    const natives: [string, string, (s: XvncServer) => string[]][] = [
      [
        'TigerVNC vncviewer (its default: Tight JPEG 8)',
        'vncviewer',
        (s) => ['-FullScreen=0', '-RemoteResize=0', `127.0.0.1::${s.port}`],
      ],
      [
        'TigerVNC vncviewer, lossless (-NoJPEG -AutoSelect=0)',
        'vncviewer',
        (s) => ['-FullScreen=0', '-RemoteResize=0', '-NoJPEG', '-AutoSelect=0', `127.0.0.1::${s.port}`],
      ],
      ['gvncviewer (gtk-vnc)', 'gvncviewer', (s) => [`127.0.0.1:${s.port - 5900}`]],
    ];
    for (const [name, command, args] of natives) {
      log(` ${name}…`);
      viewers.push(await measureNative(name, command, args, server, geometry, seconds));
    }
  } finally {
    await server.stop();
  }
  log(' latency…');
  let latency: LatencyFigures | undefined;
  try {
    latency = await measureLatency(200);
  } catch (error) {
    log(` (latency failed: ${(error as Error).message})`);
  }
  log(' WebSocket into Chromium…');
  const intoChromium = await measureIntoChromium().catch(() => undefined);
  log(' done\n');
  return {
    webSocketIntoChromium: intoChromium?.webSocket,
    streamIntoChromium: intoChromium?.streamed,
    width: geometry[0],
    height: geometry[1],
    windowSeconds: seconds,
    viewers,
    responsiveness,
    latency,
    profiles,
  };
}

const f = (x: number | undefined, digits = 1) =>
  x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits);

export function endToEndTable(all: EndToEndFigures[]): string {
  const lines: string[] = [];
  for (const e of all) {
    lines.push(
      `End to end, ${e.width}×${e.height}, full-motion video (${e.windowSeconds} s window; updates and bytes counted by Xvnc over each viewer's connection; CPU from /proc over the window, every process of the viewer):`,
      '',
      '| viewer | updates/s | frames painted/s | MiB/s | CPU (cores) | CPU ms per update | encodings (share of pixels) |',
      '|---|--:|--:|--:|--:|--:|---|',
    );
    for (const v of e.viewers) {
      lines.push(
        `| ${v.viewer} | ${f(v.updatesPerSecond)} | ${f(v.framesPaintedPerSecond)} | ${f(v.bytesPerSecond / 2 ** 20, 2)} | ${f(v.cpuLoad, 2)} | ${f(v.cpuSecondsPerUpdate * 1000)} | ${v.error ?? v.encodings ?? ''} |`,
      );
    }
    for (const v of e.viewers) {
      if (!v.cpuLoadByProcess) continue;
      const parts = Object.entries(v.cpuLoadByProcess).sort((a, b) => b[1] - a[1]);
      lines.push(
        '',
        `${v.viewer}, CPU by process (cores): ${parts.map(([k, x]) => `${k} ${f(x, 2)}`).join(', ')}.`,
      );
    }
    const r = e.responsiveness;
    if (r) {
      lines.push(
        '',
        `Porthole's responsiveness (Auto) in that window: frame time (rAF delta) p50 ${f(r.frameDeltaMs.p50)} ms, p99 ${f(r.frameDeltaMs.p99)} ms, max ${f(r.frameDeltaMs.max)} ms; long tasks ${r.longTasks.count} (longest ${f(r.longTasks.maxMs)} ms); session process event-loop delay ${r.eventLoopDelayMs ? `p50 ${f(r.eventLoopDelayMs.p50)} ms, p99 ${f(r.eventLoopDelayMs.p99)} ms, max ${f(r.eventLoopDelayMs.max)} ms` : '–'}; RSS above the idle page: the session process ${f(r.sessionRssAboveIdleBytes / 2 ** 20, 0)} MiB, all of Porthole's processes ${f(r.allRssAboveIdleBytes / 2 ** 20, 0)} MiB (target < 100 per session).`,
      );
    }
    if (e.latency) {
      lines.push(
        '',
        `Key echo latency (xterm on a quiet 1280×800 Xvnc, ${e.latency.keys} keys, ${e.latency.echoed} echoes seen): keydown in the page to the first draw on the canvas after it, p50 ${f(e.latency.p50Ms)} ms, p99 ${f(e.latency.p99Ms)} ms. The server's own update time (the same keys from a bare RFB client, Porthole's engine with nothing painted, to the first drawing update; ${e.latency.server.echoed} seen): p50 ${f(e.latency.server.p50Ms)} ms, p99 ${f(e.latency.server.p99Ms)} ms; the viewer adds p50 ${f(e.latency.p50Ms - e.latency.server.p50Ms)} ms, p99 ${f(e.latency.p99Ms - e.latency.server.p99Ms)} ms (target: p99 within 17 ms).`,
      );
    }
    if (e.webSocketIntoChromium) {
      lines.push(
        '',
        `Carrying decoded pictures into Chromium's page, alone: one binary WebSocket message from Node and a short answer, ${e.webSocketIntoChromium.map((w) => `${w.mib} MiB ${f(w.medianMs)} ms (fastest ${f(w.minMs)})`).join(', ')}; frames down one streamed HTTP response (browser mode's way; ${STREAM_FRAMES} a response, median of 3), ${(e.streamIntoChromium ?? []).map((w) => `${w.mib} MiB ${f(w.byobMs)} ms each read with a BYOB reader, ${f(w.chunksMs)} ms copied out of chunks`).join('; ')}.`,
      );
    }
    if (e.profiles) lines.push('', e.profiles);
    lines.push('');
  }
  return lines.join('\n');
}
