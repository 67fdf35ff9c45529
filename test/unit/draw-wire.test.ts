import { describe, expect, it } from 'vitest';
import type { DrawBatch } from '../../shared/draw-ops.ts';
import { decodeDrawBatch, encodeDrawBatch } from '../../shared/draw-wire.ts';

function batch(): DrawBatch {
  // A large arena of which only two small ranges are used: the wire must carry only those.
  const arena = new Uint8Array(1 << 20);
  arena.set([1, 2, 3, 255, 4, 5, 6, 255], 1000);
  arena.set([9, 9, 9, 0], 5000);
  return {
    ops: [
      { kind: 'resize', width: 640, height: 480 },
      { kind: 'fill', x: 1, y: 2, width: 3, height: 4, colour: 0xff112233 },
      { kind: 'copy', srcX: 5, srcY: 6, x: 7, y: 8, width: 9, height: 10 },
      { kind: 'pixels', x: 10, y: 20, width: 2, height: 1, offset: 1000 },
      { kind: 'bell' },
      { kind: 'cursor', hotX: 0, hotY: 0, width: 1, height: 1, offset: 5000 },
      { kind: 'clipboard', text: 'skipped' },
    ],
    pixels: arena,
    updateEnd: true,
  };
}

describe('draw wire format', () => {
  it('round-trips the paint ops with exactly the pixels they use', () => {
    const buffer = encodeDrawBatch(batch());
    expect(buffer.byteLength).toBe(16 + 5 * 32 + 12);
    const decoded = decodeDrawBatch(buffer);
    expect(decoded.updateEnd).toBe(true);
    expect(decoded.ops).toEqual([
      { kind: 'resize', width: 640, height: 480 },
      { kind: 'fill', x: 1, y: 2, width: 3, height: 4, colour: 0xff112233 },
      { kind: 'copy', srcX: 5, srcY: 6, x: 7, y: 8, width: 9, height: 10 },
      { kind: 'pixels', x: 10, y: 20, width: 2, height: 1, offset: 0 },
      { kind: 'cursor', hotX: 0, hotY: 0, width: 1, height: 1, offset: 8 },
    ]);
    expect([...decoded.pixels]).toEqual([1, 2, 3, 255, 4, 5, 6, 255, 9, 9, 9, 0]);
  });

  it('encodes an empty update end', () => {
    const decoded = decodeDrawBatch(encodeDrawBatch({ ops: [], pixels: new Uint8Array(0), updateEnd: true }));
    expect(decoded).toEqual({ ops: [], pixels: new Uint8Array(0), updateEnd: true });
  });

  it('refuses damaged buffers', () => {
    const good = encodeDrawBatch(batch());
    expect(() => decodeDrawBatch(new ArrayBuffer(8))).toThrow(/too short/);
    expect(() => decodeDrawBatch(good.slice(0, good.byteLength - 4))).toThrow(/damaged/);
    const badMagic = good.slice(0);
    new Int32Array(badMagic)[0] = 0;
    expect(() => decodeDrawBatch(badMagic)).toThrow(/damaged/);
    const badKind = good.slice(0);
    new Int32Array(badKind)[4] = 99;
    expect(() => decodeDrawBatch(badKind)).toThrow(/unknown op/);
    const outOfRange = good.slice(0);
    new Int32Array(outOfRange)[4 + 3 * 8 + 5] = 1 << 20;
    expect(() => decodeDrawBatch(outOfRange)).toThrow(/out of range/);
  });

  it('carries a jpeg op (kind 5) with its bytes padded to whole words, later ops aligned', () => {
    const arena = new Uint8Array(256);
    arena.set([0xff, 0xd8, 0xff, 0xe0, 0x01, 0xff, 0xd9], 100);
    arena.set([7, 8, 9, 255], 200);
    const buffer = encodeDrawBatch({
      ops: [
        { kind: 'jpeg', x: 3, y: 4, width: 16, height: 8, offset: 100, length: 7 },
        { kind: 'pixels', x: 0, y: 0, width: 1, height: 1, offset: 200 },
      ],
      pixels: arena,
      updateEnd: false,
    });
    expect(buffer.byteLength).toBe(16 + 2 * 32 + 8 + 4);
    expect(new Int32Array(buffer)[4]).toBe(5);
    const decoded = decodeDrawBatch(buffer);
    expect(decoded.updateEnd).toBe(false);
    expect(decoded.ops).toEqual([
      { kind: 'jpeg', x: 3, y: 4, width: 16, height: 8, offset: 0, length: 7 },
      { kind: 'pixels', x: 0, y: 0, width: 1, height: 1, offset: 8 },
    ]);
    expect([...decoded.pixels]).toEqual([0xff, 0xd8, 0xff, 0xe0, 0x01, 0xff, 0xd9, 0, 7, 8, 9, 255]);
  });

  it('refuses jpeg ops whose bytes are out of range', () => {
    const arena = new Uint8Array(16).fill(1);
    const good = encodeDrawBatch({
      ops: [{ kind: 'jpeg', x: 0, y: 0, width: 2, height: 2, offset: 0, length: 6 }],
      pixels: arena,
      updateEnd: true,
    });
    expect(decodeDrawBatch(good).ops).toHaveLength(1);
    const damage = (word: number, value: number) => {
      const copy = good.slice(0);
      new Int32Array(copy)[4 + word] = value;
      return copy;
    };
    expect(() => decodeDrawBatch(damage(6, 9))).toThrow(/JPEG bytes out of range/); // longer than the section
    expect(() => decodeDrawBatch(damage(6, 0))).toThrow(/JPEG bytes out of range/); // empty
    expect(() => decodeDrawBatch(damage(5, 4))).toThrow(/JPEG bytes out of range/); // 4 + 6 > 8
    expect(() => decodeDrawBatch(damage(5, -4))).toThrow(/JPEG bytes out of range/);
    expect(() => decodeDrawBatch(damage(5, 2))).toThrow(/JPEG bytes out of range/); // unaligned
  });
});
