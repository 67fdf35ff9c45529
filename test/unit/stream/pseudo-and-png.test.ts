import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { Encoding, VIEWER_PSEUDO_ENCODINGS } from '../../../main/rfb/constants.ts';
import { decodeDrawBatch, encodeDrawBatch } from '../../../shared/draw-wire.ts';
import type { Bytes } from '../../support/decode-harness.ts';
import { rectHeader, ScriptedServer, updateHeader } from '../../support/scripted-server.ts';
import { everySplit, StreamHarness } from './harness.ts';

/** A compact length (rfbproto "Tight Encoding"). */
function compact(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x4000) return [(n & 0x7f) | 0x80, n >> 7];
  return [(n & 0x7f) | 0x80, ((n >> 7) & 0x7f) | 0x80, n >> 14];
}

function tightPngRect(x: number, y: number, w: number, h: number, png: Uint8Array): Bytes {
  return rectHeader(updateHeader(1), x, y, w, h, Encoding.TightPng)
    .u8(0xa0)
    .raw(compact(png.length))
    .raw(png);
}

function region(h: StreamHarness, x: number, y: number, w: number, hh: number): number[] {
  const out: number[] = [];
  for (let row = y; row < y + hh; row++) {
    const o = (row * h.fb.width + x) * 4;
    out.push(...h.fb.data.subarray(o, o + w * 4));
  }
  return out;
}

describe('TightPNG (-260)', () => {
  const w = 5;
  const hh = 3;
  const rgb = Uint8Array.from({ length: w * hh * 3 }, (_, i) => (i * 37) & 255);
  const expectedRgba = Array.from({ length: w * hh }, (_, i) => [
    rgb[i * 3],
    rgb[i * 3 + 1],
    rgb[i * 3 + 2],
    255,
  ]).flat();

  it('decodes an RGB PNG pixel-exact, split anywhere', () => {
    const png = encode({ width: w, height: hh, data: rgb, channels: 3, depth: 8 });
    everySplit(tightPngRect(2, 1, w, hh, png).build(), (feed) => {
      const h = new StreamHarness({ encodings: [Encoding.TightPng] }).connect(16, 8);
      feed(h);
      expect(h.error).toBeUndefined();
      expect(region(h, 2, 1, w, hh)).toEqual(expectedRgba);
    });
  });

  it('decodes palette PNGs of 1, 2, 4 and 8 bits per index, and 16-bit samples', () => {
    for (const depth of [1, 2, 4, 8] as const) {
      const colours = 1 << depth;
      const palette = Array.from({ length: Math.min(colours, 6) }, (_, i) => [i * 40, 255 - i * 40, i * 7]);
      const indices = Array.from({ length: w * hh }, (_, i) => i % palette.length);
      const rowBytes = Math.ceil((w * depth) / 8);
      const packed = new Uint8Array(rowBytes * hh);
      indices.forEach((v, i) => {
        const x = i % w;
        const y = Math.floor(i / w);
        packed[y * rowBytes + Math.floor((x * depth) / 8)] |= v << (8 - depth - ((x * depth) % 8));
      });
      const png = encode({ width: w, height: hh, data: packed, channels: 1, depth, palette });
      const h = new StreamHarness().connect(16, 8);
      h.send(tightPngRect(0, 0, w, hh, png));
      expect(h.error, `depth ${depth}`).toBeUndefined();
      expect(region(h, 0, 0, w, hh)).toEqual(indices.flatMap((v) => [...palette[v], 255]));
    }
    const wide = Uint16Array.from(rgb, (v) => v * 257);
    const h = new StreamHarness().connect(16, 8);
    h.send(tightPngRect(0, 0, w, hh, encode({ width: w, height: hh, data: wide, channels: 3, depth: 16 })));
    expect(region(h, 0, 0, w, hh)).toEqual(expectedRgba);
  });

  it('fill and JPEG sub-encodings work as in Tight', () => {
    const h = new StreamHarness().connect(16, 8);
    h.send(rectHeader(updateHeader(1), 0, 0, 4, 4, Encoding.TightPng).u8(0x80, 1, 2, 3));
    expect(region(h, 3, 3, 1, 1)).toEqual([1, 2, 3, 255]);
    const jpeg = [0xff, 0xd8, 0xff, 0xd9];
    h.send(rectHeader(updateHeader(1), 0, 0, 4, 4, Encoding.TightPng).u8(0x90, jpeg.length).raw(jpeg));
    expect(h.ops.at(-1)).toMatchObject({ kind: 'jpeg', width: 4, height: 4, length: 4 });
  });

  it('a PNG whose size differs from the rectangle, or that is not a PNG, is a clear error', () => {
    const png = encode({ width: w, height: hh, data: rgb, channels: 3, depth: 8 });
    const h = new StreamHarness().connect(16, 8);
    h.send(tightPngRect(0, 0, w + 1, hh, png));
    expect(h.error?.message).toMatch(/TightPNG rectangle 6x3 at 0,0: its PNG image is 5x3/);
    const g = new StreamHarness().connect(16, 8);
    g.send(tightPngRect(0, 0, 2, 2, new Uint8Array(40).fill(1)));
    expect(g.error?.message).toMatch(/does not start with a PNG header/);
    const broken = png.slice();
    broken.fill(0, 40);
    const b = new StreamHarness().connect(16, 8);
    b.send(tightPngRect(0, 0, w, hh, broken));
    expect(b.error?.kind).toBe('protocol');
    expect(b.error?.message).toMatch(/cannot be decoded|fewer pixels/);
  });

  it('PNG is not accepted inside plain Tight (method 0xA does not exist there)', () => {
    const png = encode({ width: w, height: hh, data: rgb, channels: 3, depth: 8 });
    const h = new StreamHarness().connect(16, 8);
    h.send(
      rectHeader(updateHeader(1), 0, 0, w, hh, Encoding.Tight).u8(0xa0).raw(compact(png.length)).raw(png),
    );
    expect(h.error?.message).toMatch(/invalid compression control byte 0xa0/);
  });
});

describe('Cursor With Alpha (-314)', () => {
  // 2×1: opaque red, half-transparent white (pre-multiplied: 128,128,128,128).
  const data = [255, 0, 0, 255, 128, 128, 128, 128];
  const update = () => rectHeader(updateHeader(1), 1, 0, 2, 1, Encoding.CursorWithAlpha).s32(0).raw(data);

  it('becomes a cursor op with straight alpha and the hotspot, split anywhere', () => {
    everySplit(update().build(), (feed) => {
      const h = new StreamHarness().connect();
      feed(h);
      expect(h.error).toBeUndefined();
      expect(h.fb.cursor).toMatchObject({ hotX: 1, hotY: 0, width: 2, height: 1 });
      expect(Array.from(h.fb.cursor!.rgba)).toEqual([255, 0, 0, 255, 255, 255, 255, 128]);
    });
  });

  it('its alpha survives the wire format the renderer receives', () => {
    const h = new StreamHarness().connect();
    h.send(update());
    const batch = h.batches.find((b) => b.ops.some((o) => o.kind === 'cursor'));
    expect(batch).toBeDefined();
    const decoded = decodeDrawBatch(encodeDrawBatch(batch!));
    const cursor = decoded.ops.find((o) => o.kind === 'cursor');
    if (cursor?.kind !== 'cursor') throw new Error('no cursor op after the wire');
    expect(Array.from(decoded.pixels.subarray(cursor.offset, cursor.offset + 8))).toEqual([
      255, 0, 0, 255, 255, 255, 255, 128,
    ]);
  });

  it('a cursor larger than the limit is a clear error before any byte of it is awaited', () => {
    const h = new StreamHarness().connect();
    h.send(rectHeader(updateHeader(1), 0, 0, 4096, 4096, Encoding.CursorWithAlpha));
    expect(h.error?.kind).toBe('protocol');
    expect(h.error?.message).toMatch(/4096x4096 cursor with alpha, larger than any cursor/);
  });

  it('an encoding other than Raw inside it is named', () => {
    const h = new StreamHarness().connect();
    h.send(rectHeader(updateHeader(1), 0, 0, 2, 2, Encoding.CursorWithAlpha).s32(16));
    expect(h.error?.message).toMatch(/cursor with alpha in encoding 16/);
  });

  it('an empty cursor hides it', () => {
    const h = new StreamHarness().connect();
    h.send(rectHeader(updateHeader(1), 0, 0, 0, 0, Encoding.CursorWithAlpha).s32(0));
    expect(h.ops.at(-1)).toMatchObject({ kind: 'cursor', width: 0, height: 0 });
  });
});

describe('QEMU LED State, Pointer Motion Change and ExtendedMouseButtons', () => {
  it('LED state (-261) arrives as an event, split anywhere', () => {
    const bytes = rectHeader(updateHeader(1), 0, 0, 0, 0, Encoding.QemuLedState).u8(0b101).build();
    everySplit(bytes, (feed) => {
      const h = new StreamHarness().connect();
      feed(h);
      expect(h.leds).toEqual([{ scrollLock: true, numLock: false, capsLock: true }]);
    });
  });

  it('every pseudo-rect payload is consumed even when nobody listens for its event', () => {
    const s = new ScriptedServer().connect(8, 8);
    const b = updateHeader(4);
    rectHeader(b, 0, 0, 0, 0, Encoding.QemuLedState).u8(4);
    rectHeader(b, 1, 0, 8, 8, Encoding.QemuPointerMotionChange);
    rectHeader(b, 0, 0, 0, 0, Encoding.ExtendedMouseButtons);
    rectHeader(b, 0, 0, 1, 1, Encoding.Raw).u8(7, 8, 9, 0);
    s.send(b);
    expect(s.error).toBeUndefined();
    expect(s.updates).toBe(1);
    expect(Array.from(s.fb.data.subarray(0, 4))).toEqual([7, 8, 9, 255]);
  });

  it('pointer motion change (-257): x = 0 relative, 1 absolute', () => {
    const h = new StreamHarness().connect();
    h.send(rectHeader(updateHeader(1), 0, 0, 64, 48, Encoding.QemuPointerMotionChange));
    h.send(rectHeader(updateHeader(1), 1, 0, 64, 48, Encoding.QemuPointerMotionChange));
    expect(h.pointerModes).toEqual(['relative', 'absolute']);
  });

  it('pointer events take the 7-byte extended form only once the server confirmed -316', () => {
    const h = new StreamHarness().connect();
    h.session.sendPointer(10, 20, 0x181);
    expect(h.takeSent()).toEqual([5, 0x81, 0, 10, 0, 20]);
    h.send(rectHeader(updateHeader(1), 0, 0, 0, 0, Encoding.ExtendedMouseButtons));
    expect(h.extendedMouse).toBe(1);
    h.takeSent();
    // Left + back (bit 7) + forward (bit 8): 0x81 | marker, then buttons 8 and 9 in the extra byte.
    h.session.sendPointer(10, 20, 0x181);
    expect(h.takeSent()).toEqual([5, 0x81, 0, 10, 0, 20, 0x03]);
    h.session.sendPointer(1, 2, 0x04);
    expect(h.takeSent()).toEqual([5, 0x84, 0, 1, 0, 2, 0]);
  });

  it('the viewer asks for every pseudo-encoding it handles', () => {
    for (const e of [
      Encoding.Fence,
      Encoding.ContinuousUpdates,
      Encoding.CursorWithAlpha,
      Encoding.ExtendedMouseButtons,
      Encoding.QemuLedState,
      Encoding.QemuPointerMotionChange,
      Encoding.VmwareDisplayModeChange,
    ])
      expect(VIEWER_PSEUDO_ENCODINGS).toContain(e);
    expect(VIEWER_PSEUDO_ENCODINGS.indexOf(Encoding.CursorWithAlpha)).toBeLessThan(
      VIEWER_PSEUDO_ENCODINGS.indexOf(Encoding.Cursor),
    );
  });
});
