import { describe, expect, it } from 'vitest';
import { ZlibStream } from '../../main/rfb/zlib-stream.ts';
import { ServerDeflater } from '../support/decode-harness.ts';

describe('ZlibStream', () => {
  it('keeps its state across chunks of one stream', () => {
    const server = new ServerDeflater();
    const compress = (data: Uint8Array) => server.compress(data);
    const stream = new ZlibStream('test');
    const a = Uint8Array.from({ length: 1000 }, (_, i) => i % 7);
    const b = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251);
    expect(stream.inflate(compress(a), a.length)).toEqual(a);
    expect(stream.inflate(compress(b), b.length)).toEqual(b);
  });

  it('sees surplus output even when the output exactly fills the buffer at the bound', () => {
    const server = new ServerDeflater();
    const compress = (data: Uint8Array) => server.compress(data);
    const stream = new ZlibStream('test');
    const data = new Uint8Array((1 << 16) + 1);
    expect(() => stream.inflate(compress(data), 1 << 16)).toThrow(/more than the 65536 bytes/);
  });

  it('stops at a small bound after its buffer grew for a larger one', () => {
    const server = new ServerDeflater();
    const compress = (data: Uint8Array) => server.compress(data);
    const stream = new ZlibStream('test');
    stream.inflate(compress(new Uint8Array(500_000)), 500_000);
    expect(() => stream.inflate(compress(new Uint8Array(2000)), 1000)).toThrow(/more than the 1000 bytes/);
  });

  it('keeps one stream whichever inflater each chunk goes to (small inputs to pako, large to Node)', () => {
    const server = new ServerDeflater();
    const stream = new ZlibStream('test');
    // Text that repeats, so each chunk refers back into the output of the chunks before it.
    const text = new TextEncoder().encode(
      'drwxr-xr-x 2 root root 4096 Dec  5 22:18 share/doc/\n'.repeat(2000),
    );
    const noise = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 2654435761) >>> 24);
    const sizes = [40, 3000, 120_000, 10, 500, 60_000, 64, 64, 90_000, 7];
    let at = 0;
    for (const [k, size] of sizes.entries()) {
      // Every third chunk is mostly noise: large input; the others compress to a few bytes.
      const chunk = k % 3 === 2 ? noise.subarray(0, size) : text.subarray(at, at + size);
      at = (at + size) % (text.length - 120_000);
      const compressed = server.compress(chunk);
      expect(stream.inflate(compressed, chunk.length), `chunk ${k} (${compressed.length} bytes in)`).toEqual(
        chunk,
      );
    }
  });

  it('names corrupt data', () => {
    const stream = new ZlibStream('zrle');
    expect(() => stream.inflate(Uint8Array.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff]), 100)).toThrow(
      /zrle data is corrupt/,
    );
  });
});
