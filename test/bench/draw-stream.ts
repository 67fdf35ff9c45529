/**
 * What carrying decoded pictures to the viewer costs, per full 1920×1080 frame (8 MiB of RGBA):
 * encoding a batch into its exact-size buffer, posting it to another thread over a
 * MessageChannel (the structured clone Electron's MessagePorts also use) and decoding it there,
 * the trap of posting a small view of a large buffer, and browser mode's loopback WebSocket.
 * Run by `npm run bench` after the decoders (not with --quick); median of 20 frames.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { MessageChannel, Worker } from 'node:worker_threads';
import WebSocket, { WebSocketServer } from 'ws';
import type { DrawBatch } from '../../shared/draw-ops.ts';
import { decodeDrawBatch, encodeDrawBatch } from '../../shared/draw-wire.ts';

const WIDTH = 1920;
const HEIGHT = 1080;
const FRAMES = 20;
const ARENA = 64 << 20;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ms = (x: number) => x.toFixed(2);

function timeEach(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function timeEachAsync(run: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

export interface DrawStreamFigures {
  frameMiB: number;
  encodeMs: number;
  postExactMs: number;
  decodeMs: number;
  postViewMs: number;
  webSocketMs: number;
}

/** Each step's median time for one full frame. */
export async function measureDrawStream(): Promise<DrawStreamFigures> {
  const arena = new Uint8Array(ARENA);
  for (let i = 0; i < WIDTH * HEIGHT * 4; i++) arena[i] = i * 31;
  const frame: DrawBatch = {
    ops: [{ kind: 'pixels', x: 0, y: 0, width: WIDTH, height: HEIGHT, offset: 0 }],
    pixels: arena,
    updateEnd: true,
  };
  const encodeMs = timeEach(() => encodeDrawBatch(frame));
  const encoded = encodeDrawBatch(frame);
  const decodeMs = timeEach(() => decodeDrawBatch(encoded));

  // Another thread receives each buffer, decodes it and answers: one frame's hop, both ways.
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.once('message', (port) => port.on('message', (buffer) => port.postMessage(buffer.byteLength)));`,
    { eval: true },
  );
  const channel = new MessageChannel();
  worker.postMessage(channel.port2, [channel.port2]);
  const hop = async (message: unknown) => {
    channel.port1.postMessage(message);
    await once(channel.port1, 'message');
  };
  const postExactMs = await timeEachAsync(() => hop(encodeDrawBatch(frame)));
  const postViewMs = await timeEachAsync(() => hop(arena.subarray(0, 1024)));
  channel.port1.close();
  await worker.terminate();

  // Browser mode: the session side sends each buffer as one binary WebSocket frame over loopback;
  // the viewer's side answers once it has it (server-to-client frames are not masked).
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  client.on('message', (data: Buffer) => client.send(String(data.length)));
  const [sessionSide] = (await once(server, 'connection')) as [WebSocket];
  const webSocketMs = await timeEachAsync(async () => {
    sessionSide.send(encodeDrawBatch(frame));
    await once(sessionSide, 'message');
  });
  client.close();
  server.close();

  return {
    frameMiB: encoded.byteLength / 2 ** 20,
    encodeMs,
    postExactMs,
    decodeMs,
    postViewMs,
    webSocketMs,
  };
}

export function drawStreamTable(f: DrawStreamFigures): string {
  return [
    `Draw stream, one full ${WIDTH}×${HEIGHT} frame (${f.frameMiB.toFixed(1)} MiB), median of ${FRAMES}:`,
    '',
    '| step | ms |',
    '|---|--:|',
    `| encode into an exact-size buffer | ${ms(f.encodeMs)} |`,
    `| post to another thread and back (MessageChannel, structured clone) | ${ms(f.postExactMs)} |`,
    `| decode the batch header | ${ms(f.decodeMs)} |`,
    `| post a 1 KiB view of the 64 MiB arena instead (the trap) | ${ms(f.postViewMs)} |`,
    `| browser mode: one binary WebSocket frame over loopback and an answer | ${ms(f.webSocketMs)} |`,
    '',
  ].join('\n');
}
