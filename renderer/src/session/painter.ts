import type { DecodedBatch } from '../../../shared/draw-wire.ts';

/**
 * Paints decoded draw batches onto a canvas that holds the remote framebuffer at its native
 * size (scaling is CSS's job). Pixels with putImageData, fills with fillRect, CopyRect with
 * getImageData then putImageData (the spec copies the source first, so overlap is safe),
 * Tight JPEG rectangles with the browser's own decoder (`decodeJpeg`, then drawImage).
 */
export class Painter {
  readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  /** The remote cursor as a CSS `cursor` value. */
  cursor = DOT_CURSOR;
  onResize: ((width: number, height: number) => void) | undefined;
  onCursor: ((cursor: string) => void) | undefined;

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    // Read back on every CopyRect, written with putImageData: a canvas in memory suits both.
    const context = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
    if (!context) throw new Error('this browser cannot draw on a canvas');
    this.context = context;
    this.context.imageSmoothingEnabled = false;
  }

  /**
   * Applies a batch in order. A batch without `jpeg` ops is painted synchronously and returns
   * undefined. A JPEG has to be decoded by the browser (`decodeJpeg`), which is async: the
   * ops before the first JPEG are painted at once, every JPEG of the batch starts decoding
   * (the Blob copies its bytes), and the rest is painted in order as the decodes finish. The
   * returned promise resolves once the whole batch is on the canvas, and rejects with a clear
   * error when a JPEG does not decode or does not fit its rectangle; the caller must not
   * paint the next batch before it settles.
   */
  paint(batch: DecodedBatch): Promise<void> | undefined {
    const { ops, pixels } = batch;
    let i = 0;
    while (i < ops.length && ops[i].kind !== 'jpeg') this.apply(ops[i++], pixels);
    if (i === ops.length) return undefined;
    const decodes = new Map<number, Promise<DecodedJpeg>>();
    for (let k = i; k < ops.length; k++) {
      const op = ops[k];
      if (op.kind !== 'jpeg') continue;
      const decode = decodeJpeg(pixels.subarray(op.offset, op.offset + op.length) as Uint8Array<ArrayBuffer>);
      // Failures are reported in order below; this only keeps a later one from being unhandled.
      decode.catch(() => undefined);
      decodes.set(k, decode);
    }
    return this.paintRest(ops, pixels, i, decodes);
  }

  private async paintRest(
    ops: DecodedBatch['ops'],
    pixels: Uint8Array,
    from: number,
    decodes: Map<number, Promise<DecodedJpeg>>,
  ): Promise<void> {
    for (let k = from; k < ops.length; k++) {
      const op = ops[k];
      if (op.kind !== 'jpeg') {
        this.apply(op, pixels);
        continue;
      }
      const what = `JPEG rectangle ${op.width}x${op.height} at ${op.x},${op.y}`;
      let bitmap: DecodedJpeg | undefined;
      let problem: string | undefined;
      try {
        bitmap = await decodes.get(k)!;
        if (bitmap.width !== op.width || bitmap.height !== op.height) {
          problem = `${what} holds a ${bitmap.width}x${bitmap.height} JPEG image`;
        }
      } catch (error) {
        problem = `${what} does not decode: ${(error as Error)?.message ?? error}`;
      }
      if (problem || !bitmap) {
        bitmap?.close();
        for (const [j, later] of decodes)
          if (j > k)
            void later.then(
              (b) => b.close(),
              () => undefined,
            );
        throw new Error(problem);
      }
      this.context.drawImage(bitmap.image, op.x, op.y);
      bitmap.close();
    }
  }

  private apply(op: DecodedBatch['ops'][number], bytes: Uint8Array): void {
    const ctx = this.context;
    switch (op.kind) {
      case 'resize':
        if (this.canvas.width !== op.width || this.canvas.height !== op.height) {
          this.canvas.width = op.width;
          this.canvas.height = op.height;
          this.context.imageSmoothingEnabled = false;
          this.onResize?.(op.width, op.height);
        }
        break;
      case 'fill': {
        const c = op.colour;
        ctx.fillStyle = `rgb(${c & 0xff} ${(c >>> 8) & 0xff} ${(c >>> 16) & 0xff})`;
        ctx.fillRect(op.x, op.y, op.width, op.height);
        break;
      }
      case 'copy':
        // getImageData copies the source first, so overlap is safe. Not drawImage of the canvas
        // onto itself: Chromium snapshots the whole canvas for that, 28 ms a copy at 1920×1080
        // against 0.15 ms (README, "Benchmarks", painter decisions).
        if (op.width > 0 && op.height > 0)
          ctx.putImageData(ctx.getImageData(op.srcX, op.srcY, op.width, op.height), op.x, op.y);
        break;
      case 'pixels': {
        if (op.width === 0 || op.height === 0) break;
        const data = new Uint8ClampedArray(
          bytes.buffer as ArrayBuffer,
          bytes.byteOffset + op.offset,
          op.width * op.height * 4,
        );
        ctx.putImageData(new ImageData(data, op.width, op.height), op.x, op.y);
        break;
      }
      case 'cursor':
        this.cursor =
          op.width === 0 || op.height === 0
            ? DOT_CURSOR
            : cursorCss(bytes.subarray(op.offset, op.offset + op.width * op.height * 4), op);
        this.onCursor?.(this.cursor);
        break;
      case 'jpeg':
        // Painted by paintRest only.
        break;
    }
  }
}

interface DecodedJpeg {
  image: CanvasImageSource;
  width: number;
  height: number;
  close(): void;
}

/**
 * Decodes a JPEG file off the main thread, copying its bytes (the batch's buffer is then free
 * to go): with WebCodecs' ImageDecoder where the browser has it (no Blob, so no trip through
 * the browser process: 1.2–1.8× faster in Chromium, README "Benchmarks"), else with
 * createImageBitmap of a Blob.
 */
function decodeJpeg(file: Uint8Array<ArrayBuffer>): Promise<DecodedJpeg> {
  if (typeof ImageDecoder === 'function') {
    const decoder = new ImageDecoder({ data: file, type: 'image/jpeg', colorSpaceConversion: 'none' });
    return decoder.decode().then(
      ({ image }) => {
        decoder.close();
        return { image, width: image.displayWidth, height: image.displayHeight, close: () => image.close() };
      },
      (error) => {
        decoder.close();
        throw error;
      },
    );
  }
  return createImageBitmap(new Blob([file], { type: 'image/jpeg' }), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  }).then((bitmap) => ({
    image: bitmap,
    width: bitmap.width,
    height: bitmap.height,
    close: () => bitmap.close(),
  }));
}

function cursorCss(
  rgba: Uint8Array,
  op: { width: number; height: number; hotX: number; hotY: number },
): string {
  // Browsers ignore cursor images over 128×128; such a cursor falls back to the dot.
  if (op.width > 128 || op.height > 128) return DOT_CURSOR;
  const visible = rgba.some((v, i) => i % 4 === 3 && v !== 0);
  if (!visible) return DOT_CURSOR;
  const canvas = document.createElement('canvas');
  canvas.width = op.width;
  canvas.height = op.height;
  const data = new Uint8ClampedArray(rgba);
  canvas.getContext('2d')!.putImageData(new ImageData(data, op.width, op.height), 0, 0);
  return `url(${canvas.toDataURL('image/png')}) ${op.hotX} ${op.hotY}, default`;
}

/** TigerVNC's "dot when no cursor": a small black dot ringed in white, shown when the server sends no cursor. */
export const DOT_CURSOR = (() => {
  const svg =
    "<svg xmlns='http://www.w3.org/2000/svg' width='7' height='7'><circle cx='3.5' cy='3.5' r='2.5' fill='black' stroke='white'/></svg>";
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}") 3 3, default`;
})();
