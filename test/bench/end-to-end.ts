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
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import { buildRenderer, connectTo, launchChromium, waitForStatus } from '../support/browser.ts';
import { freePort, startXvnc, stopProcess, type XvncServer } from '../support/servers.ts';
import { CLASSES, type Geometry } from './recordings.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every process under `root` (children, grandchildren…), from /proc. */
function descendants(root: number): number[] {
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

const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** User + system CPU seconds of each process (0 for one that is gone). */
function cpuSeconds(pids: number[]): number {
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

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 2 ** 20, GiB: 2 ** 30 };

/** What Xvnc logged about the last viewer that left: updates sent and bytes of them. */
function xvncStats(server: XvncServer): { updates: number; bytes: number } {
  const log = server.log();
  const at = log.lastIndexOf('Framebuffer updates:');
  if (at < 0) throw new Error(`Xvnc logged no update count for the viewer; its log ends: ${log.slice(-500)}`);
  const tail = log.slice(at);
  const updates = Number(/Framebuffer updates: (\d+)/.exec(tail)![1]);
  const total = /Total:[^\n]*\n[^\n]*?([\d.]+) (B|KiB|MiB|GiB)/.exec(tail);
  return { updates, bytes: total ? Number(total[1]) * UNITS[total[2]] : 0 };
}

export interface ViewerFigures {
  viewer: string;
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
  error?: string;
}

export interface ResponsivenessFigures {
  frameDeltaMs: { p50: number; p99: number; max: number };
  longTasks: { count: number; maxMs: number };
  eventLoopDelayMs: { p50: number; p99: number; max: number } | undefined;
  sessionRssAboveIdleBytes: number;
}

export interface LatencyFigures {
  keys: number;
  echoed: number;
  p50Ms: number;
  p99Ms: number;
}

/** Median ms for one binary WebSocket message of each size from Node into Chromium's page, and a short answer. */
export type WebSocketIntoChromium = { mib: number; medianMs: number; minMs: number }[];

export interface EndToEndFigures {
  webSocketIntoChromium: WebSocketIntoChromium | undefined;
  width: number;
  height: number;
  windowSeconds: number;
  viewers: ViewerFigures[];
  responsiveness: ResponsivenessFigures | undefined;
  latency: LatencyFigures | undefined;
}

/**
 * Runs in the page before the viewer: counts frames with canvas drawing, rAF deltas, long tasks,
 * key echo. Plain JavaScript in a string: a function would be sent as tsx compiled it, with
 * helpers the page does not have.
 */
const PAGE_PROBE = `
(() => {
  const probe = {
    frames: 0, dirty: false, deltas: [], longTasks: [], lastFrame: 0, keyAt: 0, echoes: [],
    reset() { probe.frames = 0; probe.deltas = []; probe.longTasks = []; },
  };
  window.__bench = probe;
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ['putImageData', 'drawImage', 'fillRect']) {
    const original = proto[name];
    proto[name] = function (...args) {
      if (this.canvas.hasAttribute('data-porthole-screen')) {
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

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Browser mode's server as a process of its own, with the event-loop probe loaded. */
async function startWeb(
  dataDir: string,
  eventLoopFile: string,
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
      env: { ...process.env, PORTHOLE_EVENT_LOOP_FILE: eventLoopFile },
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

async function openProbedPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 2000, height: 1300 }, deviceScaleFactor: 1 });
  await context.addInitScript({ content: PAGE_PROBE });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

const probeOf = (page: Page) =>
  page.evaluate(() => {
    const p = (window as unknown as { __bench: PageProbe }).__bench;
    return { frames: p.frames, deltas: p.deltas, longTasks: p.longTasks, echoes: p.echoes };
  });

/** Porthole in Chromium on `server` for `seconds` after it settles; its figures and responsiveness. */
async function measurePorthole(
  server: XvncServer,
  seconds: number,
): Promise<{ figures: ViewerFigures; responsiveness: ResponsivenessFigures }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'porthole-bench-'));
  const eventLoopFile = join(dataDir, 'event-loop.json');
  const web = await startWeb(dataDir, eventLoopFile);
  const browser = await launchChromium();
  try {
    const page = await openProbedPage(browser, web.url);
    const idleRss = rssBytes(web.child.pid!);
    const connected = performance.now();
    await connectTo(page, server.target);
    await waitForStatus(page, /Connected to/, 60_000, 'bench-connected');
    await sleep(3000);
    const ours = () => [web.child.pid!, ...descendants(process.pid).filter((pid) => /chrom/.test(comm(pid)))];
    const cpuStart = cpuSeconds(ours());
    process.kill(web.child.pid!, 'SIGUSR2');
    await page.evaluate(() => (window as unknown as { __bench: { reset(): void } }).__bench.reset());
    const start = performance.now();
    await sleep(seconds * 1000);
    const probe = await probeOf(page);
    process.kill(web.child.pid!, 'SIGUSR2');
    const cpu = cpuSeconds(ours()) - cpuStart;
    const measured = (performance.now() - start) / 1000;
    const rss = rssBytes(web.child.pid!);
    await page.context().close();
    const connectedSeconds = (performance.now() - connected) / 1000;
    await sleep(1500);
    const stats = xvncStats(server);
    await sleep(200);
    let eventLoop: ResponsivenessFigures['eventLoopDelayMs'];
    try {
      eventLoop = JSON.parse(readFileSync(eventLoopFile, 'utf8'));
    } catch {
      eventLoop = undefined;
    }
    const updatesPerSecond = stats.updates / connectedSeconds;
    return {
      figures: {
        viewer: 'Porthole (browser mode, Chromium)',
        counted: "Xvnc's count of updates sent; frames painted from the page",
        seconds: measured,
        updatesPerSecond,
        framesPaintedPerSecond: probe.frames / measured,
        bytesPerSecond: stats.bytes / connectedSeconds,
        cpuSecondsPerUpdate: cpu / (updatesPerSecond * measured),
        cpuLoad: cpu / measured,
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
      },
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
    return { keys, echoed: echoes.length, p50Ms: percentile(echoes, 50), p99Ms: percentile(echoes, 99) };
  } finally {
    await browser.close();
    await stopProcess(web.child);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * What browser mode's draw stream costs on its own: binary WebSocket messages of 0.25, 1 and
 * 8 MiB (a 1920×1080 RGBA frame) from a Node `ws` server into a page of headless Chromium,
 * which answers each with its length; 12 of each, median and fastest.
 */
async function measureWebSocketIntoChromium(): Promise<WebSocketIntoChromium> {
  const http = createServer((_, response) => {
    response.setHeader('content-type', 'text/html');
    response.end('<!doctype html><title>bench</title>');
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
    return figures;
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
): Promise<EndToEndFigures> {
  buildRenderer();
  const server = await startXvnc({ security: 'none', geometry });
  const viewers: ViewerFigures[] = [];
  let responsiveness: ResponsivenessFigures | undefined;
  try {
    await CLASSES.video.start(server, geometry);
    log(`bench: end to end ${geometry.join('x')}: Porthole…`);
    try {
      const porthole = await measurePorthole(server, seconds);
      viewers.push(porthole.figures);
      responsiveness = porthole.responsiveness;
    } catch (error) {
      viewers.push(notMeasured('Porthole (browser mode, Chromium)', error));
    }
    log(' vncviewer…');
    viewers.push(
      await measureNative(
        'TigerVNC vncviewer',
        'vncviewer',
        (s) => ['-FullScreen=0', '-RemoteResize=0', `127.0.0.1::${s.port}`],
        server,
        geometry,
        seconds,
      ),
    );
    log(' gvncviewer…');
    viewers.push(
      await measureNative(
        'gvncviewer (gtk-vnc)',
        'gvncviewer',
        (s) => [`127.0.0.1:${s.port - 5900}`],
        server,
        geometry,
        seconds,
      ),
    );
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
  const webSocketIntoChromium = await measureWebSocketIntoChromium().catch(() => undefined);
  log(' done\n');
  return {
    webSocketIntoChromium,
    width: geometry[0],
    height: geometry[1],
    windowSeconds: seconds,
    viewers,
    responsiveness,
    latency,
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
      '| viewer | updates/s | frames painted/s | MiB/s | CPU (cores) | CPU ms per update | note |',
      '|---|--:|--:|--:|--:|--:|---|',
    );
    for (const v of e.viewers) {
      lines.push(
        `| ${v.viewer} | ${f(v.updatesPerSecond)} | ${f(v.framesPaintedPerSecond)} | ${f(v.bytesPerSecond / 2 ** 20, 2)} | ${f(v.cpuLoad, 2)} | ${f(v.cpuSecondsPerUpdate * 1000)} | ${v.error ?? v.counted} |`,
      );
    }
    const r = e.responsiveness;
    if (r) {
      lines.push(
        '',
        `Porthole's responsiveness in that window: frame time (rAF delta) p50 ${f(r.frameDeltaMs.p50)} ms, p99 ${f(r.frameDeltaMs.p99)} ms, max ${f(r.frameDeltaMs.max)} ms; long tasks ${r.longTasks.count} (longest ${f(r.longTasks.maxMs)} ms); session process event-loop delay ${r.eventLoopDelayMs ? `p50 ${f(r.eventLoopDelayMs.p50)} ms, p99 ${f(r.eventLoopDelayMs.p99)} ms, max ${f(r.eventLoopDelayMs.max)} ms` : '–'}; session process RSS ${f(r.sessionRssAboveIdleBytes / 2 ** 20, 0)} MiB above idle.`,
      );
    }
    if (e.latency) {
      lines.push(
        '',
        `Key echo latency (xterm on a quiet 1280×800 Xvnc, ${e.latency.keys} keys, ${e.latency.echoed} echoes seen): keydown in the page to the first draw on the canvas after it, p50 ${f(e.latency.p50Ms)} ms, p99 ${f(e.latency.p99Ms)} ms.`,
      );
    }
    if (e.webSocketIntoChromium) {
      lines.push(
        '',
        `Browser mode's draw stream alone: one binary WebSocket message from Node into Chromium's page and a short answer, ${e.webSocketIntoChromium.map((w) => `${w.mib} MiB ${f(w.medianMs)} ms (fastest ${f(w.minMs)})`).join(', ')}.`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
