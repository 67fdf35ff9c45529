import net from 'node:net';
import { Prng } from '../fuzz/prng.ts';

/**
 * A loopback TCP proxy between a viewer and a real server that injects the faults of a bad
 * network or a hung server: bytes delivered one at a time or in random pieces, latency and
 * jitter, a bandwidth limit, a stall (the sockets stay open and nothing passes), a reset, a
 * half-close, and a cut after a number of bytes (to drop a connection in the middle of an
 * update). Listens on 127.0.0.1 only; every setting can change at any time.
 */

/** Server-to-viewer, viewer-to-server. */
export type Direction = 'to-viewer' | 'to-server';

export interface Delivery {
  /** How bytes are cut into writes: as they arrived, one byte per write, or random pieces of 1 B–4 KiB. */
  pieces: 'as-is' | 'bytes' | 'random';
  /** Added to every byte's trip; jitter adds 0..jitterMs more (order is kept). */
  latencyMs: number;
  jitterMs: number;
  /** Bandwidth in kbit/s; Infinity: none. */
  kbps: number;
}

export interface FaultProxy {
  port: number;
  /** The proxy as a target for the viewer (`127.0.0.1::port`). */
  target: string;
  /** Changes how bytes are delivered in one direction or both, for current and later connections. */
  set(delivery: Partial<Delivery>, direction?: Direction | 'both'): void;
  /** Lets nothing through in that direction (sockets open) until `resume`. */
  stall(direction?: Direction | 'both'): void;
  resume(): void;
  /** Resets the current connections: the viewer gets a TCP RST. */
  reset(): void;
  /** Half-closes the current connections: a FIN towards the viewer, or towards the server. */
  halfClose(direction: Direction): void;
  /** After `bytes` more bytes reach the viewer, closes (FIN) or resets (RST) the current connections. */
  cutAfter(bytes: number, how: 'close' | 'reset'): void;
  /** Connections accepted so far, and the writes made to viewers (one per piece delivered). */
  readonly stats: { connections: number; writesToViewer: number; bytesToViewer: number };
  close(): Promise<void>;
}

const UNLIMITED: Delivery = { pieces: 'as-is', latencyMs: 0, jitterMs: 0, kbps: Number.POSITIVE_INFINITY };
/** Past this many queued bytes the sending side is paused. */
const MAX_QUEUED = 256 * 1024;
/** How much a limited link may send at once after being idle. */
const MAX_BURST = 64 * 1024;
const TICK_MS = 10;
const MAX_PIECE = 4096;

/** One direction of one connection: a queue of bytes, each due at a time, released by `pump`. */
class Pipe {
  private readonly queue: { data: Buffer; due: number }[] = [];
  private queued = 0;
  private lastDue = 0;
  private budget = 0;
  private refilledAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  stalled = false;
  delivered = 0;
  /** Called once `delivered` reaches this. */
  cut: { at: number; done: () => void } | undefined;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    public delivery: Delivery,
    private readonly prng: Prng,
    private readonly onWrite: (bytes: number) => void,
  ) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    const { latencyMs, jitterMs } = this.delivery;
    const due = Math.max(this.lastDue, performance.now() + latencyMs + this.prng.int(jitterMs + 1));
    this.lastDue = due;
    this.queue.push({ data: chunk, due });
    this.queued += chunk.length;
    if (this.queued >= MAX_QUEUED) this.from.pause();
    this.pump();
  }

  /** Flushes what remains, then calls `then` (for a half-close after the bytes in flight). */
  drain(then: () => void): void {
    this.cut = { at: this.delivered + this.queued, done: then };
    if (this.queued === 0) then();
  }

  pump(): void {
    if (this.timer || this.immediate) return;
    for (;;) {
      if (this.stalled || this.to.destroyed) return;
      const head = this.queue[0];
      if (!head) {
        if (this.from.isPaused()) this.from.resume();
        return;
      }
      const now = performance.now();
      if (head.due > now) {
        this.later(head.due - now);
        return;
      }
      const { kbps, pieces } = this.delivery;
      if (Number.isFinite(kbps)) {
        this.budget = Math.min(this.budget + ((now - this.refilledAt) * kbps) / 8, MAX_BURST);
        this.refilledAt = now;
        if (this.budget < 1) {
          this.later(TICK_MS);
          return;
        }
      } else {
        this.budget = Number.POSITIVE_INFINITY;
      }
      let n = Math.min(head.data.length, Math.floor(this.budget));
      if (pieces === 'bytes') n = 1;
      else if (pieces === 'random')
        n = Math.min(n, 1 + this.prng.int(this.prng.chance(0.5) ? 16 : MAX_PIECE));
      if (this.cut) n = Math.min(n, this.cut.at - this.delivered);
      if (n > 0) {
        this.to.write(head.data.subarray(0, n));
        this.onWrite(n);
        this.delivered += n;
        this.budget -= n;
        this.queued -= n;
        if (n === head.data.length) this.queue.shift();
        else head.data = head.data.subarray(n);
        if (this.queued < MAX_QUEUED && this.from.isPaused()) this.from.resume();
      }
      if (this.cut && this.delivered >= this.cut.at) {
        const { done } = this.cut;
        this.cut = undefined;
        done();
        return;
      }
      // One piece per turn of the event loop, so that the viewer reads them one by one.
      if (pieces !== 'as-is') {
        this.immediate = setImmediate(() => {
          this.immediate = undefined;
          this.pump();
        });
        return;
      }
    }
  }

  private later(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, ms);
  }

  stop(): void {
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}

interface Connection {
  viewer: net.Socket;
  upstream: net.Socket;
  pipes: Record<Direction, Pipe>;
}

const directions = (d: Direction | 'both'): Direction[] => (d === 'both' ? ['to-viewer', 'to-server'] : [d]);

export async function startFaultProxy(
  targetPort: number,
  initial: Partial<Delivery> = {},
  seed = 1,
): Promise<FaultProxy> {
  const delivery: Record<Direction, Delivery> = {
    'to-viewer': { ...UNLIMITED, ...initial },
    'to-server': { ...UNLIMITED, ...initial },
  };
  const stalled = new Set<Direction>();
  const connections = new Set<Connection>();
  const stats = { connections: 0, writesToViewer: 0, bytesToViewer: 0 };
  const prng = new Prng(seed);

  const server = net.createServer((viewer) => {
    stats.connections++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    viewer.setNoDelay(true);
    upstream.setNoDelay(true);
    const pipes: Record<Direction, Pipe> = {
      'to-viewer': new Pipe(upstream, viewer, delivery['to-viewer'], prng, (n) => {
        stats.writesToViewer++;
        stats.bytesToViewer += n;
      }),
      'to-server': new Pipe(viewer, upstream, delivery['to-server'], prng, () => {}),
    };
    for (const d of stalled) pipes[d].stalled = true;
    const connection = { viewer, upstream, pipes };
    connections.add(connection);
    const end = () => {
      connections.delete(connection);
      pipes['to-viewer'].stop();
      pipes['to-server'].stop();
      viewer.destroy();
      upstream.destroy();
    };
    viewer.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
    // A FIN from one side is passed on once the bytes before it are delivered.
    viewer.on('end', () => pipes['to-server'].drain(() => upstream.end()));
    upstream.on('end', () => pipes['to-viewer'].drain(() => viewer.end()));
  });
  server.on('connection', (socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  const reset = (c: Connection) => {
    c.viewer.resetAndDestroy();
    c.upstream.destroy();
  };
  return {
    port,
    target: `127.0.0.1::${port}`,
    stats,
    set(patch, direction = 'both') {
      for (const d of directions(direction)) {
        delivery[d] = { ...delivery[d], ...patch };
        for (const c of connections) {
          c.pipes[d].delivery = delivery[d];
          c.pipes[d].pump();
        }
      }
    },
    stall(direction = 'both') {
      for (const d of directions(direction)) {
        stalled.add(d);
        for (const c of connections) c.pipes[d].stalled = true;
      }
    },
    resume() {
      stalled.clear();
      for (const c of connections) {
        for (const pipe of Object.values(c.pipes)) {
          pipe.stalled = false;
          pipe.pump();
        }
      }
    },
    reset() {
      for (const c of [...connections]) reset(c);
    },
    halfClose(direction) {
      for (const c of connections) (direction === 'to-viewer' ? c.viewer : c.upstream).end();
    },
    cutAfter(bytes, how) {
      for (const c of connections) {
        const pipe = c.pipes['to-viewer'];
        pipe.cut = {
          at: pipe.delivered + bytes,
          done: () => (how === 'reset' ? reset(c) : c.viewer.end(() => c.upstream.destroy())),
        };
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const c of [...connections]) {
          c.viewer.destroy();
          c.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
