import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Coverage } from '../../main/cli/coverage.ts';
import { runLive } from '../../main/cli/live.ts';
import { qualityEncodings } from '../../main/rfb/quality.ts';
import type { SessionStats } from '../../main/rfb/session.ts';
import type { DrawBatch } from '../../shared/draw-ops.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';
import type { PictureQuality } from '../../shared/picture-quality.ts';
import { type QemuServer, startQemu, startXvnc, type VncServer, type XServer } from '../support/servers.ts';
import { type Image, psnr, sameImage } from '../support/truth.ts';

/**
 * Tight JPEG against real servers, through the engine and the Node painter (jpeg-js): the
 * Medium and Low presets make the server send JPEG rectangles, and the picture stays close
 * to the server's own (PSNR over R, G, B against `xwd` / `screendump`); High stays exact.
 *
 * Thresholds, from values measured on this machine (Xvnc 1024×768 showing the test pattern,
 * whose one-pixel lines and checkerboards are hard on JPEG, plus an xterm), with about 2 dB
 * of margin for decoder differences (the browser's libjpeg-turbo upsamples chroma otherwise
 * than jpeg-js):
 *   Medium ≥ 29 dB (measured 31.06 dB), Low ≥ 22.5 dB (measured 24.70 dB).
 *   QEMU Medium: measured exact (see its test).
 * test/e2e/jpeg.test.ts uses the same Low threshold and PSNR for the browser's canvas.
 */
const PSNR_MEDIUM = 29;
const PSNR_LOW = 22.5;

interface Capture {
  framebuffer: Framebuffer;
  stats: SessionStats;
  /** The `jpeg` draw ops the engine emitted. */
  jpegOps: number;
}

/**
 * Connects with a preset's encodings and waits for one complete framebuffer (JPEG rects count).
 * It ends there, before Xvnc's later lossless refresh of JPEG areas, so the PSNR measured is
 * the JPEG picture's.
 */
async function capture(server: VncServer, quality: PictureQuality): Promise<Capture> {
  const fb = new Framebuffer();
  const coverage = new Coverage();
  let jpegOps = 0;
  let stats: SessionStats | undefined;
  await runLive(
    {
      target: server.target,
      password: server.password,
      encodings: qualityEncodings(quality),
      colourLevel: 'full',
      timeoutSeconds: 30,
    },
    (session) => ({
      onDraw: (batch: DrawBatch) => {
        fb.apply(batch);
        // A JPEG rectangle covers its area as pixels do.
        coverage.apply({
          ...batch,
          ops: batch.ops.map((op) => (op.kind === 'jpeg' ? { ...op, kind: 'pixels' as const } : op)),
        });
        jpegOps += batch.ops.filter((op) => op.kind === 'jpeg').length;
      },
      onUpdateEnd: () => {
        if (!coverage.complete) return;
        stats = session().stats;
        session().close();
      },
    }),
  );
  return { framebuffer: fb, stats: stats!, jpegOps };
}

describe('Tight JPEG from Xvnc (TigerVNC)', () => {
  let server: XServer;
  let truth: Image;

  beforeAll(async () => {
    server = await startXvnc({ security: 'none', geometry: [1024, 768] });
    truth = await server.truth();
  }, 120_000);

  afterAll(async () => {
    if (server) expect(sameImage(await server.truth(), truth), 'the picture held still').toBe(true);
    await server?.stop();
  });

  for (const [quality, threshold] of [
    ['medium', PSNR_MEDIUM],
    ['low', PSNR_LOW],
  ] as const) {
    it(`${quality}: Tight JPEG rectangles, PSNR ≥ ${threshold} dB against xwd`, async () => {
      const result = await capture(server, quality);
      const value = psnr(result.framebuffer.data, truth.data);
      console.log(
        `xvnc ${quality}: PSNR ${value.toFixed(2)} dB, ${result.jpegOps} JPEG ops, rects ${JSON.stringify(result.stats.rects)}`,
      );
      expect(result.stats.rects.tight, 'tight rectangles').toBeGreaterThan(0);
      expect(result.jpegOps, 'JPEG ops').toBeGreaterThan(0);
      expect(value).toBeGreaterThanOrEqual(threshold);
      expect(value, 'JPEG is lossy here').toBeLessThan(Infinity);
    }, 60_000);
  }

  it('high stays lossless: no JPEG, exactly the server picture', async () => {
    const result = await capture(server, 'high');
    expect(result.jpegOps).toBe(0);
    expect(psnr(result.framebuffer.data, truth.data)).toBe(Infinity);
  }, 60_000);
});

describe('Tight JPEG from QEMU (lossy=on)', () => {
  let server: QemuServer;
  let truth: Image;

  beforeAll(async () => {
    server = await startQemu({ security: 'none', lossy: true });
    truth = await server.truth();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  /**
   * QEMU uses JPEG only for rectangles with many colours in areas it sees updated often; the
   * paused SeaBIOS text screen (a few colours) arrives losslessly (measured: 17 Tight
   * rectangles, no JPEG, exact). So: PSNR above the Medium threshold always, and exactness
   * whenever no JPEG rectangle came.
   */
  it('medium: the picture against screendump (exact when sent without JPEG)', async () => {
    const result = await capture(server, 'medium');
    const value = psnr(result.framebuffer.data, truth.data);
    console.log(
      `qemu medium: PSNR ${value.toFixed(2)} dB, ${result.jpegOps} JPEG ops, rects ${JSON.stringify(result.stats.rects)}`,
    );
    expect(result.stats.rects.tight, 'tight rectangles').toBeGreaterThan(0);
    expect(value).toBeGreaterThanOrEqual(PSNR_MEDIUM);
    if (result.jpegOps === 0) expect(value, 'lossless Tight is exact').toBe(Infinity);
  }, 60_000);
});
