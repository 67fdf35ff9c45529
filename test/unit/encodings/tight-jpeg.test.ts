import { decode as decodeJpeg, encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { Encoding } from '../../../main/rfb/constants.ts';
import { MAX_TIGHT_LENGTH, TightDecoder } from '../../../main/rfb/encodings/tight.ts';
import { LEVEL_FORMATS } from '../../../main/rfb/pixel-format.ts';
import { UpdateBuilder } from '../../../main/rfb/update-builder.ts';
import type { DrawBatch } from '../../../shared/draw-ops.ts';
import { Framebuffer } from '../../../shared/framebuffer.ts';
import { RfbError } from '../../../shared/rfb-error.ts';
import { Bytes, DecoderHarness } from '../../support/decode-harness.ts';
import { rectHeader, ScriptedServer, updateHeader } from '../../support/scripted-server.ts';
import { psnr } from '../../support/truth.ts';

/**
 * Tight JpegCompression (rfbproto "Tight Encoding"): control byte 0x9X, a compact length,
 * then a JPEG file. The JPEGs here are real files made with jpeg-js's encoder.
 */

/** Writes a length the way the spec's compact representation does (7 bits, 7 bits, 8 bits). */
function compact(n: number): number[] {
  if (n < 128) return [n];
  if (n < 16384) return [0x80 | (n & 0x7f), n >> 7];
  return [0x80 | (n & 0x7f), 0x80 | ((n >> 7) & 0x7f), n >> 14];
}

/** An RGBA picture: smooth gradients, or noise (which JPEG cannot shrink much). */
function picture(width: number, height: number, noise = false): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data[o] = noise ? random() : (x * 255) / Math.max(1, width - 1);
      data[o + 1] = noise ? random() : (y * 255) / Math.max(1, height - 1);
      data[o + 2] = noise ? random() : 128;
      data[o + 3] = 255;
    }
  }
  return data;
}

function jpegFile(width: number, height: number, quality = 90, noise = false): Uint8Array {
  return new Uint8Array(encodeJpeg({ width, height, data: picture(width, height, noise) }, quality).data);
}

/** What jpeg-js decodes the file to (RGBA): the Node painter's expected output. */
function decoded(file: Uint8Array): Uint8Array {
  return decodeJpeg(file, { useTArray: true, formatAsRGBA: true }).data;
}

/** The Tight rectangle data of a JPEG: control byte 0x90 (+ reset bits), compact length, file. */
function tightJpeg(file: Uint8Array, control = 0x90): Uint8Array {
  return new Bytes().u8(control).raw(compact(file.length)).raw(file).build();
}

const rect = (x: number, y: number, width: number, height: number) => ({ x, y, width, height, encoding: 7 });

/** The RGBA bytes of a rectangle of a framebuffer. */
function region(fb: Framebuffer, x: number, y: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * fb.width + x) * 4;
    out.set(fb.data.subarray(from, from + width * 4), row * width * 4);
  }
  return out;
}

function decodeError(run: () => void): RfbError {
  try {
    run();
  } catch (error) {
    if (error instanceof RfbError) return error;
    throw error;
  }
  throw new Error('expected an RfbError');
}

describe('Tight JPEG compression', () => {
  it('becomes a jpeg op with the file, painted where the rectangle says (read byte by byte)', () => {
    const file = jpegFile(24, 16);
    expect(file.length).toBeGreaterThan(127); // a 2-byte compact length
    const h = new DecoderHarness(LEVEL_FORMATS.full, 40, 30);
    h.decode(new TightDecoder(), rect(3, 2, 24, 16), tightJpeg(file), 1);
    expect(h.ops).toEqual([
      { kind: 'jpeg', x: 3, y: 2, width: 24, height: 16, offset: 0, length: file.length },
    ]);
    expect(region(h.fb, 3, 2, 24, 16)).toEqual(decoded(file));
    // A lossy copy of the picture, but a close one.
    expect(psnr(region(h.fb, 3, 2, 24, 16), picture(24, 16))).toBeGreaterThan(30);
    // Nothing outside the rectangle was touched.
    expect(h.pixel(2, 2)).toBe(0);
    expect(h.pixel(27, 2)).toBe(0);
    expect(h.pixel(3, 18)).toBe(0);
  });

  it('reads 1-, 2- and 3-byte compact lengths', () => {
    const big = jpegFile(160, 128, 100, true);
    expect(big.length).toBeGreaterThanOrEqual(16384);
    const h = new DecoderHarness(LEVEL_FORMATS.full, 160, 128);
    h.decode(new TightDecoder(), rect(0, 0, 160, 128), tightJpeg(big), 4096);
    expect(h.fb.data).toEqual(decoded(big));
    // A 1-byte length: a JPEG file under 128 bytes does not exist in practice, so the decoder
    // only has to read it; the painter then says the file is no JPEG.
    const s = new ScriptedServer().connect(8, 8);
    const b = updateHeader(1);
    rectHeader(b, 0, 0, 8, 8, Encoding.Tight).u8(0x90, 5, 1, 2, 3, 4, 5);
    s.send(b);
    expect(s.ops.filter((o) => o.kind === 'jpeg')).toEqual([
      { kind: 'jpeg', x: 0, y: 0, width: 8, height: 8, offset: 0, length: 5 },
    ]);
    expect(s.error?.message).toMatch(/JPEG rectangle 8x8 at 0,0 does not decode/);
  });

  it('honours the stream reset bits of the control byte', () => {
    const file = jpegFile(8, 8);
    const h = new DecoderHarness(LEVEL_FORMATS.full, 8, 8);
    h.decode(new TightDecoder(), rect(0, 0, 8, 8), tightJpeg(file, 0x9f));
    expect(h.fb.data).toEqual(decoded(file));
  });

  it('in a 16 bpp session paints the JPEG in full colour', () => {
    const file = jpegFile(16, 8);
    const h = new DecoderHarness(LEVEL_FORMATS.rgb565, 16, 8);
    h.decode(new TightDecoder(), rect(0, 0, 16, 8), tightJpeg(file));
    expect(h.fb.data).toEqual(decoded(file));
  });

  it('keeps the order of a multi-rectangle update: JPEG, then Raw over it, then a copy of it', () => {
    const file = jpegFile(16, 16);
    const jpeg = decoded(file);
    const s = new ScriptedServer().connect(40, 20);
    const b = updateHeader(4);
    // A Tight fill of the whole screen (full format TPIXEL: R, G, B).
    rectHeader(b, 0, 0, 40, 20, Encoding.Tight).u8(0x80, 10, 20, 30);
    rectHeader(b, 0, 0, 16, 16, Encoding.Tight).raw(tightJpeg(file));
    // Raw 2×1 red pixels over the JPEG (full format: R, G, B, X).
    rectHeader(b, 4, 4, 2, 1, Encoding.Raw).raw([255, 0, 0, 0, 255, 0, 0, 0]);
    // CopyRect of the JPEG's top-left 8×8 (with the red pixels) to 20,2.
    rectHeader(b, 20, 2, 8, 8, Encoding.CopyRect).u16(0).u16(0);
    s.send(b, true);
    expect(s.error).toBeUndefined();
    expect(s.updates).toBe(1);
    expect(s.ops.map((o) => o.kind).filter((k) => k !== 'resize' && k !== 'desktop-name')).toEqual([
      'fill',
      'jpeg',
      'pixels',
      'copy',
    ]);
    const expected = new Framebuffer(40, 20);
    expected.data.set(Uint8Array.from({ length: 40 * 20 * 4 }, (_, i) => [10, 20, 30, 255][i % 4]));
    for (let row = 0; row < 16; row++)
      expected.data.set(jpeg.subarray(row * 64, row * 64 + 64), row * 40 * 4);
    expected.data.set([255, 0, 0, 255, 255, 0, 0, 255], (4 * 40 + 4) * 4);
    for (let row = 0; row < 8; row++)
      expected.data.set(expected.data.slice(row * 160, row * 160 + 32), ((2 + row) * 40 + 20) * 4);
    expect(s.fb.data).toEqual(expected.data);
  });

  it('waits for a JPEG that has not fully arrived, then paints it', () => {
    const file = jpegFile(16, 8);
    const s = new ScriptedServer().connect(16, 8);
    const b = updateHeader(1);
    rectHeader(b, 0, 0, 16, 8, Encoding.Tight).raw(tightJpeg(file));
    const bytes = b.build();
    s.send(bytes.subarray(0, bytes.length - 1));
    expect(s.error).toBeUndefined();
    expect(s.updates).toBe(0);
    expect(s.ops.some((o) => o.kind === 'jpeg')).toBe(false);
    s.send(bytes.subarray(bytes.length - 1));
    expect(s.updates).toBe(1);
    expect(s.fb.data).toEqual(decoded(file));
  });

  it('waits, without allocating, on the largest length a compact length can say', () => {
    expect(compact(MAX_TIGHT_LENGTH)).toEqual([0xff, 0xff, 0xff]);
    const s = new ScriptedServer().connect(16, 8);
    const b = updateHeader(1);
    rectHeader(b, 0, 0, 16, 8, Encoding.Tight).u8(0x90, 0xff, 0xff, 0xff, 0xff, 0xd8);
    s.send(b);
    expect(s.error).toBeUndefined();
    expect(s.updates).toBe(0);
  });

  describe('malformed data', () => {
    it('refuses a JPEG of zero bytes', () => {
      const h = new DecoderHarness(LEVEL_FORMATS.full, 8, 8);
      const err = decodeError(() =>
        h.decode(new TightDecoder(), rect(0, 0, 8, 8), Uint8Array.from([0x90, 0])),
      );
      expect(err.kind).toBe('protocol');
      expect(err.message).toMatch(/Tight rectangle 8x8 at 0,0 has a JPEG image of 0 bytes/);
    });

    it('refuses JPEG in 8 bpp formats (the server must not send it there)', () => {
      for (const format of [LEVEL_FORMATS.pal8, LEVEL_FORMATS.rgb332]) {
        const h = new DecoderHarness(format, 8, 8);
        const err = decodeError(() =>
          h.decode(new TightDecoder(), rect(0, 0, 8, 8), tightJpeg(jpegFile(8, 8))),
        );
        expect(err.message).toMatch(/JPEG compression, which needs a 16 or 32 bpp true-colour format/);
      }
    });

    it('a corrupt JPEG is a clear protocol error that ends the session, not a crash', () => {
      const file = jpegFile(16, 8);
      const corrupt = file.slice();
      corrupt.fill(0x55, 2, 40); // the markers after SOI are garbage
      const s = new ScriptedServer().connect(16, 8);
      const b = updateHeader(1);
      rectHeader(b, 0, 0, 16, 8, Encoding.Tight).raw(tightJpeg(corrupt));
      s.send(b);
      expect(s.error?.kind).toBe('protocol');
      expect(s.error?.message).toMatch(/JPEG rectangle 16x8 at 0,0 does not decode/);
      expect(s.closed).toBe(true);
    });

    it('a JPEG cut short inside its declared length is a clear error', () => {
      const file = jpegFile(16, 8);
      const fb = new Framebuffer(16, 8);
      const cut = file.subarray(0, 200);
      expect(() =>
        fb.apply({
          ops: [{ kind: 'jpeg', x: 0, y: 0, width: 16, height: 8, offset: 0, length: cut.length }],
          pixels: cut,
          updateEnd: true,
        }),
      ).toThrow(/JPEG rectangle 16x8 at 0,0 (does not decode|holds)/);
    });

    it('a JPEG of another size than its rectangle is a clear error', () => {
      const file = jpegFile(16, 8);
      const s = new ScriptedServer().connect(32, 32);
      const b = updateHeader(1);
      rectHeader(b, 0, 0, 16, 16, Encoding.Tight).raw(tightJpeg(file));
      s.send(b);
      expect(s.error?.kind).toBe('protocol');
      expect(s.error?.message).toMatch(/JPEG rectangle 16x16 at 0,0 holds a 16x8 JPEG image/);
    });
  });
});

describe('UpdateBuilder.beginBytes', () => {
  it('reserves whole words, so later pixels stay aligned, and flushes early past the limit', () => {
    const batches: DrawBatch[] = [];
    const out = new UpdateBuilder((batch) => batches.push({ ...batch, pixels: batch.pixels.slice() }), 64);
    const a = out.beginBytes(0, 0, 4, 4, 5);
    out.bytes.set([1, 2, 3, 4, 5], a);
    const p = out.beginPixels(0, 0, 1, 1);
    out.words[p] = 0xffffffff;
    expect(a).toBe(0);
    expect(p).toBe(2); // word 2: the 5 JPEG bytes took two words
    // 8 + 4 bytes used; 60 more pass the 64-byte limit: the batch so far goes out first.
    const c = out.beginBytes(1, 1, 2, 2, 60);
    expect(batches).toHaveLength(1);
    expect(batches[0].updateEnd).toBe(false);
    expect(batches[0].ops).toEqual([
      { kind: 'jpeg', x: 0, y: 0, width: 4, height: 4, offset: 0, length: 5 },
      { kind: 'pixels', x: 0, y: 0, width: 1, height: 1, offset: 8 },
    ]);
    expect([...batches[0].pixels]).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 255, 255, 255, 255]);
    expect(c).toBe(0);
    out.flush(true);
    expect(batches[1].ops).toEqual([
      { kind: 'jpeg', x: 1, y: 1, width: 2, height: 2, offset: 0, length: 60 },
    ]);
  });
});
