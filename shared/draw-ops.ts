/**
 * The draw-operation stream: what the RFB engine emits and what a renderer paints.
 *
 * Canonical pixel layout: RGBA, 8 bits per channel, rows top to bottom with no padding
 * (the layout of ImageData). A colour held as a number is those four bytes read as a
 * little-endian u32, i.e. 0xAABBGGRR, so `Uint32Array.fill(colour)` paints it.
 */
export type DrawOp =
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'fill'; x: number; y: number; width: number; height: number; colour: number }
  | { kind: 'copy'; srcX: number; srcY: number; x: number; y: number; width: number; height: number }
  /** `offset` is a byte offset into the batch's `pixels`; `width * height * 4` bytes follow it. */
  | { kind: 'pixels'; x: number; y: number; width: number; height: number; offset: number }
  /** RGBA cursor image (alpha 0 where transparent) at `offset` in `pixels`; an empty image hides the cursor. */
  | { kind: 'cursor'; hotX: number; hotY: number; width: number; height: number; offset: number }
  /**
   * A JPEG file (Tight JpegCompression, rfbproto "Tight Encoding") to decode and paint at
   * x, y: `length` bytes at byte offset `offset` in `pixels` (not RGBA). The painter decodes
   * it; its decoded size must be `width` × `height`, or the painter reports an error.
   */
  | { kind: 'jpeg'; x: number; y: number; width: number; height: number; offset: number; length: number }
  | { kind: 'bell' }
  | { kind: 'clipboard'; text: string }
  | { kind: 'desktop-name'; name: string };

/**
 * One batch per FramebufferUpdate (a very large update may be split into several, in order).
 * `pixels` holds exactly the bytes the ops refer to (RGBA, and the JPEG files of `jpeg` ops). The engine may reuse the memory behind
 * `pixels` after the callback returns: a consumer that keeps it must copy it.
 */
export interface DrawBatch {
  ops: DrawOp[];
  pixels: Uint8Array;
  /** True on the last batch of a FramebufferUpdate. */
  updateEnd: boolean;
}

export function packRgba(r: number, g: number, b: number, a = 255): number {
  return (r | (g << 8) | (b << 16) | (a << 24)) >>> 0;
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
if (!littleEndianHost) {
  throw new Error('Porthole needs a little-endian host (its canonical pixel layout relies on it)');
}
