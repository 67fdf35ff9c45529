import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../main/rfb/byte-queue.ts';

describe('ByteQueue', () => {
  it('reads across chunks in order, in every split', () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    for (const size of [1, 3, 7, 64, 299, 300]) {
      const q = new ByteQueue(16);
      const out: number[] = [];
      for (let i = 0; i < data.length; i += size) {
        q.push(data.slice(i, i + size));
        while (q.has(5)) out.push(...q.bytes(5));
      }
      expect(out, `chunks of ${size}`).toEqual(Array.from(data));
    }
  });

  it('never writes into a chunk it reads in place', () => {
    const q = new ByteQueue(16);
    const first = Uint8Array.from([1, 2, 3, 4]);
    q.push(first);
    expect(q.u16()).toBe(0x0102);
    q.push(Uint8Array.from([5, 6]));
    expect(Array.from(first)).toEqual([1, 2, 3, 4]);
    expect(Array.from(q.bytes(4))).toEqual([3, 4, 5, 6]);
  });

  it('reads big-endian integers', () => {
    const q = new ByteQueue();
    q.push(Uint8Array.from([0xff, 0xff, 0xff, 0xfe, 0x80, 0, 0, 0, 0x12, 0x34]));
    expect(q.s32()).toBe(-2);
    expect(q.peekU32()).toBe(0x80000000);
    expect(q.u32()).toBe(0x80000000);
    expect(q.peekU16()).toBe(0x1234);
    expect(q.u16()).toBe(0x1234);
    expect(q.length).toBe(0);
  });

  it('refuses to hold more than its bound of unparsed bytes', () => {
    const q = new ByteQueue(16, 1 << 20);
    q.push(new Uint8Array(1));
    expect(() => q.push(new Uint8Array(1 << 20))).toThrow(/more than 1 MiB/);
  });
});
