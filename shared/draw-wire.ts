import type { DrawBatch, DrawOp } from './draw-ops.ts';

/**
 * The draw-operation wire format: one FramebufferUpdate batch as one exact-size ArrayBuffer,
 * so posting it copies only what it holds (a view into a larger buffer would copy all of it).
 *
 *   u32 magic 'PHD1' · u32 flags (bit 0: last batch of the update) · u32 op count · u32 pixel bytes
 *   op count × 8 i32: kind, then the op's fields (see `encodeDrawBatch`)
 *   pixel bytes: canonical RGBA, each op's pixels at its `offset` (4-byte aligned); a `jpeg`
 *   op's file at its `offset`, padded with zeros to a multiple of 4 so later ops stay aligned
 *
 * Kind codes: 0 resize, 1 fill, 2 copy, 3 pixels, 4 cursor, 5 jpeg (x, y, width, height,
 * offset, length).
 *
 * Only the drawing ops travel here; bell, clipboard and desktop name are messages of their own.
 */
export type PaintOp = Extract<DrawOp, { kind: 'resize' | 'fill' | 'copy' | 'pixels' | 'cursor' | 'jpeg' }>;

export interface DecodedBatch {
  ops: PaintOp[];
  /** RGBA bytes the `pixels` and `cursor` ops point into, and the `jpeg` ops' files. */
  pixels: Uint8Array;
  updateEnd: boolean;
}

const MAGIC = 0x31444850; // 'PHD1' little-endian
const HEADER_WORDS = 4;
const OP_WORDS = 8;
const KINDS = ['resize', 'fill', 'copy', 'pixels', 'cursor', 'jpeg'] as const;
const KIND_CODE: Record<PaintOp['kind'], number> = {
  resize: 0,
  fill: 1,
  copy: 2,
  pixels: 3,
  cursor: 4,
  jpeg: 5,
};

/** Bytes an op takes in the pixel section (a JPEG file padded to whole words). */
function payloadBytes(op: PaintOp): number {
  if (op.kind === 'pixels' || op.kind === 'cursor') return op.width * op.height * 4;
  if (op.kind === 'jpeg') return (op.length + 3) & ~3;
  return 0;
}

export function isPaintOp(op: DrawOp): op is PaintOp {
  return op.kind in KIND_CODE;
}

/** Encodes the paint ops of `batch` (others are skipped) with exactly the pixels they use. */
export function encodeDrawBatch(batch: DrawBatch): ArrayBuffer {
  const ops = batch.ops.filter(isPaintOp);
  let pixelBytes = 0;
  for (const op of ops) pixelBytes += payloadBytes(op);
  const headerBytes = (HEADER_WORDS + ops.length * OP_WORDS) * 4;
  const buffer = new ArrayBuffer(headerBytes + pixelBytes);
  const words = new Int32Array(buffer, 0, headerBytes / 4);
  const bytes = new Uint8Array(buffer);
  words[0] = MAGIC;
  words[1] = batch.updateEnd ? 1 : 0;
  words[2] = ops.length;
  words[3] = pixelBytes;
  /** The op's six fields after its kind, written without allocating. */
  const put = (w: number, a: number, b: number, c: number, d: number, e: number, f: number) => {
    words[w + 1] = a;
    words[w + 2] = b;
    words[w + 3] = c;
    words[w + 4] = d;
    words[w + 5] = e;
    words[w + 6] = f;
  };
  let at = 0;
  let w = HEADER_WORDS;
  for (const op of ops) {
    words[w] = KIND_CODE[op.kind];
    switch (op.kind) {
      case 'resize':
        put(w, 0, 0, op.width, op.height, 0, 0);
        break;
      case 'fill':
        put(w, op.x, op.y, op.width, op.height, op.colour | 0, 0);
        break;
      case 'copy':
        put(w, op.x, op.y, op.width, op.height, op.srcX, op.srcY);
        break;
      case 'pixels':
      case 'cursor':
        if (op.kind === 'pixels') put(w, op.x, op.y, op.width, op.height, at, 0);
        else put(w, op.hotX, op.hotY, op.width, op.height, at, 0);
        bytes.set(batch.pixels.subarray(op.offset, op.offset + op.width * op.height * 4), headerBytes + at);
        break;
      case 'jpeg':
        put(w, op.x, op.y, op.width, op.height, at, op.length);
        bytes.set(batch.pixels.subarray(op.offset, op.offset + op.length), headerBytes + at);
        break;
    }
    at += payloadBytes(op);
    w += OP_WORDS;
  }
  return buffer;
}

/** Decodes a buffer made by `encodeDrawBatch`; throws on anything else. */
export function decodeDrawBatch(buffer: ArrayBuffer): DecodedBatch {
  if (buffer.byteLength < HEADER_WORDS * 4) throw new Error('draw batch: too short');
  const head = new Int32Array(buffer, 0, HEADER_WORDS);
  const count = head[2];
  const pixelBytes = head[3];
  const headerBytes = (HEADER_WORDS + count * OP_WORDS) * 4;
  if (head[0] !== MAGIC || count < 0 || pixelBytes < 0 || headerBytes + pixelBytes !== buffer.byteLength) {
    throw new Error('draw batch: not a draw batch or damaged');
  }
  const words = new Int32Array(buffer, 0, headerBytes / 4);
  const pixels = new Uint8Array(buffer, headerBytes, pixelBytes);
  const ops: PaintOp[] = [];
  for (let w = HEADER_WORDS; w < words.length; w += OP_WORDS) {
    const [x, y, width, height, a, b] = words.subarray(w + 1, w + 7);
    const kind = KINDS[words[w]];
    if (width < 0 || height < 0) throw new Error('draw batch: negative size');
    if ((kind === 'pixels' || kind === 'cursor') && (a < 0 || a + width * height * 4 > pixelBytes)) {
      throw new Error('draw batch: pixels out of range');
    }
    if (kind === 'jpeg' && (a < 0 || (a & 3) !== 0 || b <= 0 || a + b > pixelBytes)) {
      throw new Error('draw batch: JPEG bytes out of range');
    }
    switch (kind) {
      case 'resize':
        ops.push({ kind, width, height });
        break;
      case 'fill':
        ops.push({ kind, x, y, width, height, colour: a >>> 0 });
        break;
      case 'copy':
        ops.push({ kind, x, y, width, height, srcX: a, srcY: b });
        break;
      case 'pixels':
        ops.push({ kind, x, y, width, height, offset: a });
        break;
      case 'cursor':
        ops.push({ kind, hotX: x, hotY: y, width, height, offset: a });
        break;
      case 'jpeg':
        ops.push({ kind, x, y, width, height, offset: a, length: b });
        break;
      default:
        throw new Error(`draw batch: unknown op ${words[w]}`);
    }
  }
  return { ops, pixels, updateEnd: (head[1] & 1) === 1 };
}
