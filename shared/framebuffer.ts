import { decode as decodeJpeg } from 'jpeg-js';
import type { DrawBatch } from './draw-ops.ts';
// The Node-side painter only (the renderer has its own): a JPEG the server sent that does not
// decode is the server's protocol error, reported as the engine reports those.
import { protocolError } from './rfb-error.ts';

/** An RGBA framebuffer that applies draw batches; the reference painter for the CLI and tests. */
export class Framebuffer {
  width = 0;
  height = 0;
  data = new Uint8Array(0);
  private words = new Uint32Array(0);
  desktopName = '';
  cursor: { hotX: number; hotY: number; width: number; height: number; rgba: Uint8Array } | null = null;

  constructor(width = 0, height = 0) {
    this.resize(width, height);
  }

  /** A new, black picture of that size; the memory is kept when the size is the same. */
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    if (this.data.length === width * height * 4) {
      this.data.fill(0);
      return;
    }
    this.data = new Uint8Array(width * height * 4);
    this.words = new Uint32Array(this.data.buffer);
  }

  apply(batch: DrawBatch): void {
    const src = batch.pixels;
    for (const op of batch.ops) {
      switch (op.kind) {
        case 'resize':
          this.resize(op.width, op.height);
          break;
        case 'fill':
          for (let row = 0; row < op.height; row++) {
            const start = (op.y + row) * this.width + op.x;
            this.words.fill(op.colour, start, start + op.width);
          }
          break;
        case 'copy':
          this.copy(op.srcX, op.srcY, op.x, op.y, op.width, op.height);
          break;
        case 'pixels':
          this.blit(src, op.offset, op.x, op.y, op.width, op.height);
          break;
        case 'jpeg':
          this.paintJpeg(src.subarray(op.offset, op.offset + op.length), op.x, op.y, op.width, op.height);
          break;
        case 'cursor': {
          const bytes = op.width * op.height * 4;
          this.cursor = {
            hotX: op.hotX,
            hotY: op.hotY,
            width: op.width,
            height: op.height,
            rgba: src.slice(op.offset, op.offset + bytes),
          };
          break;
        }
        case 'desktop-name':
          this.desktopName = op.name;
          break;
        case 'bell':
        case 'clipboard':
          break;
      }
    }
  }

  /**
   * Decodes a JPEG file synchronously (jpeg-js, pure JS) and paints it at x, y. A file that
   * does not decode, or decodes to another size than the rectangle, is a protocol RfbError
   * saying so (inside a session: the session ends with it).
   */
  private paintJpeg(file: Uint8Array, x: number, y: number, width: number, height: number): void {
    const what = `JPEG rectangle ${width}x${height} at ${x},${y}`;
    let image: { width: number; height: number; data: Uint8Array };
    try {
      image = decodeJpeg(file, {
        useTArray: true,
        formatAsRGBA: true,
        // A rectangle is at most 65535×65535; the limits only keep a hostile header from
        // allocating more than the rectangle needs.
        maxResolutionInMP: Math.max(1, Math.ceil((width * height) / 1e6)),
        maxMemoryUsageInMB: Math.max(64, Math.ceil((width * height * 8) / (1 << 20))),
      });
    } catch (error) {
      throw protocolError(`${what} does not decode: ${(error as Error)?.message ?? error}`);
    }
    if (image.width !== width || image.height !== height) {
      throw protocolError(`${what} holds a ${image.width}x${image.height} JPEG image`);
    }
    this.blit(image.data, 0, x, y, width, height);
  }

  /** Copies a width×height RGBA block starting at `offset` in `src` to x, y. */
  private blit(src: Uint8Array, offset: number, x: number, y: number, width: number, height: number): void {
    const rowBytes = width * 4;
    if (width === this.width) {
      // Whole rows: one copy.
      this.data.set(src.subarray(offset, offset + rowBytes * height), y * rowBytes);
      return;
    }
    for (let row = 0; row < height; row++) {
      const from = offset + row * rowBytes;
      this.data.set(src.subarray(from, from + rowBytes), ((y + row) * this.width + x) * 4);
    }
  }

  /** CopyRect semantics (RFC 6143 §7.7.2): the source is read as it was before the copy. */
  private copy(srcX: number, srcY: number, x: number, y: number, width: number, height: number): void {
    const rowBytes = width * 4;
    const stride = this.width * 4;
    const down = y > srcY;
    for (let i = 0; i < height; i++) {
      const row = down ? height - 1 - i : i;
      const from = (srcY + row) * stride + srcX * 4;
      this.data.copyWithin((y + row) * stride + x * 4, from, from + rowBytes);
    }
  }

  /** RGB bytes (no alpha) of the whole framebuffer, the layout PNG writers take. */
  rgb(): Uint8Array {
    const out = new Uint8Array(this.width * this.height * 3);
    const d = this.data;
    for (let i = 0, j = 0; i < d.length; i += 4, j += 3) {
      out[j] = d[i];
      out[j + 1] = d[i + 1];
      out[j + 2] = d[i + 2];
    }
    return out;
  }
}
