import { readFileSync } from 'node:fs';
import type { ColourLevel } from '../../shared/colour-level.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import { SecurityType, securityTypeName } from '../rfb/constants.ts';
import { FbsRecorder, readFbs } from '../rfb/recording/fbs.ts';
import { RfbSession, type SessionStats } from '../rfb/session.ts';
import { Coverage } from './coverage.ts';
import { type LiveOptions, runLive } from './live.ts';
import { writeFramebufferPng } from './png.ts';

export type { ColourLevel, LiveOptions };

export interface SnapshotResult {
  framebuffer: Framebuffer;
  stats: SessionStats;
}

/** Connects, waits for one complete framebuffer, writes it as PNG. */
export async function snapshot(options: LiveOptions, outPath: string): Promise<SnapshotResult> {
  const fb = new Framebuffer();
  const coverage = new Coverage();
  let stats: SessionStats | undefined;
  await runLive(options, (session) => ({
    onDraw: (batch) => {
      fb.apply(batch);
      coverage.apply(batch);
    },
    onUpdateEnd: () => {
      if (!coverage.complete) return;
      writeFramebufferPng(outPath, fb);
      stats = session().stats;
      session().close();
    },
  }));
  return { framebuffer: fb, stats: stats! };
}

/** Connects and records the server's stream for `seconds` as FBS 001.000. */
export async function record(options: LiveOptions, outPath: string, seconds: number): Promise<void> {
  const recorder = new FbsRecorder(outPath);
  let timer: NodeJS.Timeout | undefined;
  try {
    await runLive(
      { ...options, timeoutSeconds: Math.max(options.timeoutSeconds, seconds + 5) },
      (session) => ({
        onInbound: (chunk) => recorder.inbound(chunk),
        onServerInit: (info) => {
          recorder.serverInit(info);
          timer = setTimeout(() => session().close(), seconds * 1000);
        },
      }),
    );
  } finally {
    clearTimeout(timer);
    recorder.close();
  }
}

export interface ReplayResult {
  bytes: number;
  updates: number;
  rects: Record<string, number>;
  pixels: number;
  seconds: number;
  mpixelPerSec: number;
  width: number;
  height: number;
  /** The final picture. */
  framebuffer: Framebuffer;
}

/** Plays a recording through the engine as fast as possible. */
export function replay(path: string, pngPath?: string): ReplayResult {
  let file: Uint8Array;
  try {
    file = readFileSync(path);
  } catch (error) {
    throw new RfbError('usage', `cannot read the recording ${path}: ${(error as Error).message}`);
  }
  const blocks = readFbs(file);
  const fb = new Framebuffer();
  let failure: RfbError | undefined;
  const session: RfbSession = new RfbSession(
    { write: () => {}, close: () => {} },
    { colourLevel: 'native', autoRequest: false },
    {
      onDraw: (batch) => fb.apply(batch),
      onClose: (error) => {
        failure = error;
      },
      onState: (state) => {
        if (state === 'security' && session.chosenSecurityType !== SecurityType.None) {
          session.abort(
            new RfbError(
              'usage',
              `this recording's handshake uses ${securityTypeName(session.chosenSecurityType)}; replay needs a recording made with security None (Porthole's own recordings always are)`,
            ),
          );
        }
      },
    },
  );
  const start = performance.now();
  for (const block of blocks) {
    session.receive(block.data);
    if (failure) break;
  }
  const seconds = (performance.now() - start) / 1000;
  if (failure) throw failure;
  if (!session.info) throw new RfbError('protocol', 'the recording ends before the server initialisation');
  if (pngPath) writeFramebufferPng(pngPath, fb);
  const { bytes, updates, rects, pixels } = session.stats;
  return {
    bytes,
    updates,
    rects,
    pixels,
    seconds,
    mpixelPerSec: seconds > 0 ? pixels / seconds / 1e6 : 0,
    width: fb.width,
    height: fb.height,
    framebuffer: fb,
  };
}
