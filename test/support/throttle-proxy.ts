import net from 'node:net';

/**
 * A loopback TCP proxy that limits what the server sends to the viewer to `kbps` kbit/s, so a
 * test can make a local server look like a slow link. The rate can be changed at any time
 * (Infinity: no limit). Viewer-to-server bytes pass unchanged.
 */
export interface ThrottleProxy {
  port: number;
  setRate(kbps: number): void;
  close(): Promise<void>;
}

const TICK_MS = 10;
const MAX_QUEUED = 256 * 1024;

export async function startThrottleProxy(targetPort: number, kbps: number): Promise<ThrottleProxy> {
  let rate = kbps;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((viewer) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(viewer).add(upstream);
    const queue: Buffer[] = [];
    let queued = 0;
    let budget = 0;
    const timer = setInterval(() => {
      budget = Number.isFinite(rate)
        ? Math.min(budget + (rate * 1000 * TICK_MS) / 8000, 64 * 1024)
        : Infinity;
      while (queue.length > 0 && budget > 0) {
        const head = queue[0];
        const n = Math.min(head.length, budget);
        viewer.write(head.subarray(0, n));
        budget -= n;
        queued -= n;
        if (n === head.length) queue.shift();
        else queue[0] = head.subarray(n);
      }
      if (queued < MAX_QUEUED && upstream.isPaused()) upstream.resume();
    }, TICK_MS);
    upstream.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      queued += chunk.length;
      if (queued >= MAX_QUEUED) upstream.pause();
    });
    viewer.on('data', (chunk: Buffer) => upstream.write(chunk));
    const end = () => {
      clearInterval(timer);
      viewer.destroy();
      upstream.destroy();
    };
    viewer.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    setRate: (kbps) => {
      rate = kbps;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
