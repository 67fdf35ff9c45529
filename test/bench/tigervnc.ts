/**
 * Measures TigerVNC's C++ decoders on a recording: a loopback server plays the recording to a
 * real `vncviewer` 1.12 (pinned to one core, full screen in its own Xvfb) as fast as it reads,
 * ignoring the viewer's requests. CPU time comes from /proc (schedstat), per thread, from the
 * first message byte sent to the viewer's answer to a Fence sent after the last message: the viewer
 * answers it only once it has processed every earlier message, and it waits for its decode
 * threads at the end of each update. Two figures bracket the decoders' cost:
 * - whole process: every thread, idle rate taken off; includes socket reads, message parsing
 *   and handing the picture to X (Xvfb's own copying is not counted) — a lower bound of speed;
 * - decode threads: only DecodeManager's worker threads (every thread but the main one), which
 *   run each decoder's decodeRect into the framebuffer; the main thread's readRect (for Hextile
 *   it walks the tile headers to find the rect's length) is left out — an upper bound.
 * The recording is 32 bpp RGBX; the viewer asks for its X visual's format (32 bpp, red shift
 * 16) and, the server ignoring that, takes the same bytes as BGRX: identical decoding work,
 * red and blue swapped on its screen, which the picture check accounts for.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { readFbs } from '../../main/rfb/recording/fbs.ts';
import { type Image, parseXwd } from '../support/truth.ts';

const FENCE_REQUEST = 0x80000000;
const FENCE_DATA = Buffer.from('PORTHOLE');
/** Server-to-client Fence (rfbproto "Fence"): type 248, 3 padding, u32 flags, u8 length, payload. */
const FENCE = Buffer.alloc(9 + FENCE_DATA.length);
FENCE[0] = 248;
FENCE.writeUInt32BE(FENCE_REQUEST, 4);
FENCE[8] = FENCE_DATA.length;
FENCE_DATA.copy(FENCE, 9);
const FENCE_ENCODING = -312;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Time each thread of a process has spent on a CPU (schedstat, nanosecond resolution), in seconds. */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    out.set(tid, ns / 1e9);
  }
  return out;
}

/** CPU time of every thread of a process, in seconds. */
const cpuSeconds = (pid: number) => [...threadSeconds(pid).values()].reduce((a, b) => a + b, 0);

/** CPU time of each thread but the main one (vncviewer's decode threads), in seconds. */
function workerThreadSeconds(pid: number): Map<string, number> {
  const out = threadSeconds(pid);
  out.delete(String(pid));
  return out;
}

/** Peak resident set of a process (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

export function startXvfb(width: number, height: number): Promise<{ child: ChildProcess; display: number }> {
  const child = spawn(
    'Xvfb',
    ['-displayfd', '3', '-noreset', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'],
    { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  return new Promise((done, fail) => {
    let text = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      text += d;
      if (text.includes('\n')) done({ child, display: Number(text.trim()) });
    });
    child.once('exit', (code) => fail(new Error(`Xvfb exited with ${code}`)));
  });
}

/** Splits a Porthole recording's stream (RFB 3.8, security None) into handshake steps and messages. */
function splitStream(stream: Uint8Array) {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const initEnd = 18 + 24 + view.getUint32(18 + 20);
  return {
    version: stream.subarray(0, 12),
    securityTypes: stream.subarray(12, 14),
    securityResult: stream.subarray(14, 18),
    serverInit: stream.subarray(18, initEnd),
    messages: stream.subarray(initEnd),
    width: view.getUint16(18),
    height: view.getUint16(20),
  };
}

export interface TigerVncResult {
  /** The viewer's CPU time over the stream, all threads, its idle rate taken off. */
  cpuSeconds: number;
  /** The CPU time of its decode threads over the stream. */
  decodeThreadSeconds: number;
  wallSeconds: number;
  idleCpuPerSecond: number;
  peakRssBytes: number;
  /** The pixel format the viewer said it uses (its log). */
  pixelFormat: string | undefined;
  /** The viewer's screen after the stream, read with xwd. */
  screen: Image;
}

/** Waits until `read()` has stopped changing for `quietMs` (or `maxMs` passed). */
async function untilQuiet(read: () => number, quietMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < end && Date.now() - since < quietMs) {
    await sleep(50);
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/** The bytes the viewer sent, read as the handshake needs them. */
class ClientBytes {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.waiter?.();
  }

  /** Consumes `n` bytes once they are there. */
  async take(n: number): Promise<Buffer> {
    while (this.buffer.length < n) await new Promise<void>((r) => (this.waiter = r));
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** Resolves once `needle` has arrived (anything before it is dropped). */
  async find(needle: Buffer): Promise<void> {
    for (;;) {
      const at = this.buffer.indexOf(needle);
      if (at >= 0) {
        this.buffer = this.buffer.subarray(at + needle.length);
        return;
      }
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  includesEncoding(encoding: number): boolean {
    const bytes = Buffer.alloc(4);
    bytes.writeInt32BE(encoding);
    return this.buffer.includes(bytes);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** vncviewer and Xvfb processes running now, each the leader of its own process group. */
const running = new Set<ChildProcess>();

/** Kills every vncviewer and Xvfb this module started and that still runs (for an interrupted bench). */
export function stopAllViewers(): void {
  for (const child of running) stopGroup(child);
}

export function stopGroup(child: ChildProcess | undefined): void {
  if (child) running.delete(child);
  try {
    if (child?.pid && child.exitCode === null && child.signalCode === null)
      process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Plays the recording at `path` to vncviewer; `encoding` is its -PreferredEncoding name. */
export async function replayWithTigerVnc(path: string, encoding: string): Promise<TigerVncResult> {
  const parts = splitStream(Buffer.concat(readFbs(readFileSync(path)).map((b) => b.data)));
  const xvfb = await startXvfb(parts.width, parts.height);
  let viewer: ChildProcess | undefined;
  let log = '';
  const server = net.createServer();
  try {
    const connection = new Promise<net.Socket>((done) => server.once('connection', done));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    viewer = spawn(
      'taskset',
      [
        '-c',
        '0',
        'vncviewer',
        '-AutoSelect=0',
        `-PreferredEncoding=${encoding}`,
        '-FullColor=1',
        '-Shared=1',
        '-RemoteResize=0',
        '-ReconnectOnError=0',
        '-AlertOnFatalError=0',
        '-FullScreen',
        '-Log',
        '*:stderr:30',
        `127.0.0.1::${port}`,
      ],
      {
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, DISPLAY: `:${xvfb.display}` },
      },
    );
    running.add(viewer);
    viewer.stderr!.on('data', (d) => {
      log += d;
    });
    const exited = new Promise<void>((r) => viewer!.once('exit', () => r()));
    const socket = await withTimeout(connection, 20_000, 'vncviewer to connect');
    socket.setNoDelay(true);
    const fromClient = new ClientBytes();
    socket.on('data', (chunk) => fromClient.push(chunk));
    socket.on('error', () => {});
    const pid = viewer.pid!; // taskset execs vncviewer: same process

    // The handshake, paced like a server: version, security type, ClientInit.
    socket.write(parts.version);
    await fromClient.take(12);
    socket.write(parts.securityTypes);
    await fromClient.take(1);
    socket.write(parts.securityResult);
    await fromClient.take(1);
    socket.write(parts.serverInit);
    // Let the viewer open its window and send its set-up messages, then take its idle rate.
    await untilQuiet(() => cpuSeconds(pid), 300, 5000);
    if (!fromClient.includesEncoding(FENCE_ENCODING))
      throw new Error('vncviewer did not announce Fence support');
    const idleStart = cpuSeconds(pid);
    const idleFrom = performance.now();
    await sleep(500);
    const idleCpuPerSecond = (cpuSeconds(pid) - idleStart) / ((performance.now() - idleFrom) / 1000);

    const threadsStart = workerThreadSeconds(pid);
    const cpuStart = cpuSeconds(pid);
    const start = performance.now();
    socket.write(parts.messages);
    socket.write(FENCE);
    await withTimeout(fromClient.find(FENCE_DATA), 120_000, "vncviewer's answer to the Fence");
    const wallSeconds = (performance.now() - start) / 1000;
    const cpu = cpuSeconds(pid) - cpuStart - idleCpuPerSecond * wallSeconds;
    let decodeThreadSeconds = 0;
    for (const [tid, seconds] of workerThreadSeconds(pid))
      decodeThreadSeconds += seconds - (threadsStart.get(tid) ?? 0);
    const peakRssBytes = peakRss(pid);

    // The picture reaches the window on the viewer's next redraw.
    await sleep(300);
    const screen = parseXwd(
      execFileSync('xwd', ['-root', '-silent', '-display', `:${xvfb.display}`], { maxBuffer: 1 << 30 }),
    );
    process.kill(pid, 'SIGTERM');
    await withTimeout(exited, 5000, 'vncviewer to exit').catch(() => {});
    return {
      cpuSeconds: cpu,
      decodeThreadSeconds,
      wallSeconds,
      idleCpuPerSecond,
      peakRssBytes,
      pixelFormat: /Using pixel format (.*)/.exec(log)?.[1]?.trim(),
      screen,
    };
  } catch (error) {
    throw new Error(`${(error as Error).message}\nvncviewer log:\n${log.trim()}`);
  } finally {
    server.close();
    stopGroup(viewer);
    stopGroup(xvfb.child);
  }
}
