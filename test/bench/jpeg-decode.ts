/**
 * Where Tight JPEG is decoded fastest: jpeg-js (pure JS, what the CLI and Node use) against
 * Chromium's own decoder through `createImageBitmap` (what the viewer uses), on the same
 * 1920×1080 photo-like frames at JPEG qualities 30 and 80 (the Low and Medium presets' fine
 * qualities). The browser side counts decoding and drawing the bitmap onto a canvas, as the
 * viewer paints it. Run by `npm run bench` (not with --quick); median of 15 decodes.
 */
import { performance } from 'node:perf_hooks';
import jpeg from 'jpeg-js';
import { launchChromium } from '../support/browser.ts';

const WIDTH = 1920;
const HEIGHT = 1080;
const RUNS = 15;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Smooth gradients, soft circles and a little noise: what a photo or video frame compresses like. */
function photoLike(): Uint8Array {
  const data = new Uint8Array(WIDTH * HEIGHT * 4);
  let seed = 1;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) & 15;
      const ring = Math.sin(Math.hypot(x - 900, y - 500) / 40) * 60;
      const i = (y * WIDTH + x) * 4;
      data[i] = (x / 8 + ring + noise) & 255;
      data[i + 1] = (y / 5 + ring / 2 + noise) & 255;
      data[i + 2] = ((x + y) / 12 + noise) & 255;
      data[i + 3] = 255;
    }
  }
  return data;
}

export interface JpegFigures {
  quality: number;
  fileKiB: number;
  jpegJsMs: number;
  browserMs: number;
}

/** jpeg-js and Chromium on the same frames, at two qualities. */
export async function measureJpegDecode(): Promise<JpegFigures[]> {
  const rgba = photoLike();
  const rows: JpegFigures[] = [];
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    for (const quality of [30, 80]) {
      const file = jpeg.encode({ data: rgba, width: WIDTH, height: HEIGHT }, quality).data;
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const start = performance.now();
        jpeg.decode(file, { useTArray: true, formatAsRGBA: true });
        times.push(performance.now() - start);
      }
      const node = median(times);
      const browserMs = await page.evaluate(
        async ({ base64, runs, width, height }) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const canvas = new OffscreenCanvas(width, height);
          const context = canvas.getContext('2d')!;
          const times: number[] = [];
          for (let i = 0; i < runs; i++) {
            const start = performance.now();
            const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
            context.drawImage(bitmap, 0, 0);
            bitmap.close();
            context.getImageData(0, 0, 1, 1); // wait for the draw to finish
            times.push(performance.now() - start);
          }
          return times.sort((a, b) => a - b)[times.length >> 1];
        },
        { base64: Buffer.from(file).toString('base64'), runs: RUNS, width: WIDTH, height: HEIGHT },
      );
      rows.push({ quality, fileKiB: file.length / 1024, jpegJsMs: node, browserMs });
    }
  } finally {
    await browser.close();
  }
  return rows;
}

export function jpegTable(rows: JpegFigures[]): string {
  const mpx = (ms: number) => ((WIDTH * HEIGHT) / 1e3 / ms).toFixed(0);
  return [
    `Tight JPEG decode, one ${WIDTH}×${HEIGHT} frame (Mpixel/s in brackets), median of ${RUNS}:`,
    '',
    '| JPEG | jpeg-js in Node | Chromium createImageBitmap + draw | browser / jpeg-js speed |',
    '|---|--:|--:|--:|',
    ...rows.map(
      (r) =>
        `| q${r.quality} (${r.fileKiB.toFixed(0)} KiB) | ${r.jpegJsMs.toFixed(1)} ms (${mpx(r.jpegJsMs)}) | ${r.browserMs.toFixed(1)} ms (${mpx(r.browserMs)}) | ${(r.jpegJsMs / r.browserMs).toFixed(1)} |`,
    ),
    '',
  ].join('\n');
}
