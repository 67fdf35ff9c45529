import { deflateSync } from 'node:zlib';
import { Encoding } from '../../main/rfb/constants.ts';
import type { SessionOptions } from '../../main/rfb/session.ts';
import { Bytes } from '../support/decode-harness.ts';
import { rectHeader, SERVER_FORMAT, serverInit, updateHeader } from '../support/scripted-server.ts';
import { handshake } from './seeds.ts';

const MiB = 1 << 20;

/** What a hostile input must come to. */
export interface HostileExpectation {
  /** The session ends with a protocol error matching this; otherwise it must still be open. */
  error?: RegExp;
  /** Bounds on the receive queue and the pixel arena, in bytes. */
  maxQueueBytes: number;
  maxArenaBytes: number;
  /** Draw ops there must be exactly this many of. */
  ops?: Record<string, number>;
}

export interface HostileInput {
  name: string;
  expect: HostileExpectation;
  /** Built in the worker: some inputs are tens of MiB. */
  build(): { bytes: Uint8Array; options?: SessionOptions };
}

/** The viewer asks for 'full' (4 bytes a pixel) in all of these. */
const BPP = 4;
const SMALL_QUEUE = 256 * 1024;
const SMALL_ARENA = 1 * MiB;

/** A 3.8 handshake up to ServerInit announcing `width`x`height`. */
function connected(width: number, height: number, name = 'hostile'): Bytes {
  return handshake('3.8', 'none').raw(serverInit(width, height, SERVER_FORMAT, name).build());
}

/** Appends `n` bytes of `value` (large runs without a per-byte call). */
function fill(b: Bytes, n: number, value = 0): Bytes {
  return b.raw(new Uint8Array(n).fill(value));
}

function build(b: Bytes): { bytes: Uint8Array } {
  return { bytes: b.build() };
}

/** Concatenates a small prefix and a large body without going through Bytes' number array. */
function join(prefix: Bytes, body: Uint8Array, suffix = new Uint8Array(0)): { bytes: Uint8Array } {
  const head = prefix.build();
  const out = new Uint8Array(head.length + body.length + suffix.length);
  out.set(head);
  out.set(body, head.length);
  out.set(suffix, head.length + body.length);
  return { bytes: out };
}

/** ZRLE or Zlib rectangle data: u32 length then a zlib stream inflating to `inflated` zero bytes. */
function bomb(inflated: number): Bytes {
  const compressed = deflateSync(new Uint8Array(inflated), { level: 9 });
  return new Bytes().u32(compressed.length).raw(compressed);
}

/** A Tight compact length (rfbproto "Tight Encoding"): 7, 7 and 8 bits in 1–3 bytes. */
function compactLength(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x4000) return [0x80 | (n & 0x7f), n >> 7];
  return [0x80 | (n & 0x7f), 0x80 | ((n >> 7) & 0x7f), n >> 14];
}

/**
 * A Tight rectangle with the palette filter (basic compression, stream 0): control 0x40,
 * filter 1, the palette's size less one, its colours as 3-byte TPIXELs (the viewer's 'full'
 * format is 24-bit), then the compact length of the compressed data; the data is left to the caller.
 */
function tightPalette(b: Bytes, width: number, height: number, colours: number, dataLength: number): Bytes {
  rectHeader(b, 0, 0, width, height, Encoding.Tight).u8(0x40, 1, colours - 1);
  for (let i = 0; i < colours; i++) b.u8(i, 255 - i, i >> 1);
  return b.u8(...compactLength(dataLength));
}

export const HOSTILE_INPUTS: HostileInput[] = [
  {
    name: 'ServerInit claiming 16384x16384',
    expect: {
      error: /16384x16384 framebuffer, larger than/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () => build(connected(16384, 16384)),
  },
  {
    name: 'ServerInit claiming 65535x65535',
    expect: { error: /65535x65535 framebuffer/, maxQueueBytes: SMALL_QUEUE, maxArenaBytes: SMALL_ARENA },
    build: () => build(connected(65535, 65535)),
  },
  {
    name: 'ServerInit with a desktop name of 0xffffffff bytes',
    expect: {
      error: /desktop name is 4294967295 bytes/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(
        handshake('3.8', 'none')
          .raw(serverInit(64, 64, SERVER_FORMAT, '').build().slice(0, 20))
          .u32(0xffffffff),
      ),
  },
  {
    name: 'refusal reason of 0xffffffff bytes',
    expect: {
      error: /reason text of 4294967295 bytes/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () => build(new Bytes().raw(new TextEncoder().encode('RFB 003.008\n')).u8(0).u32(0xffffffff)),
  },
  {
    // The largest framebuffer the limits allow, then a Raw rectangle covering it of which only
    // 1 MiB arrives: the arena holds the rectangle (128 MiB) and the queue stays small.
    name: 'largest framebuffer (16384x2048) and a Raw rectangle covering it, cut short',
    expect: { maxQueueBytes: 2 * MiB, maxArenaBytes: 16384 * 2048 * BPP },
    build: () =>
      join(
        rectHeader(connected(16384, 2048).raw(updateHeader(1).build()), 0, 0, 16384, 2048, 0),
        new Uint8Array(MiB),
      ),
  },
  {
    name: 'largest framebuffer and a TRLE rectangle covering it, cut short',
    expect: { maxQueueBytes: 2 * MiB, maxArenaBytes: 16384 * 2048 * BPP },
    build: () => {
      const b = rectHeader(
        connected(16384, 2048).raw(updateHeader(1).build()),
        0,
        0,
        16384,
        2048,
        Encoding.TRLE,
      );
      for (let i = 0; i < 1000; i++) b.u8(1, i & 0xff, 0, 0);
      return build(b);
    },
  },
  {
    name: 'Raw rectangle of 65535x65535 in a 320x240 framebuffer',
    expect: {
      error: /65535x65535 at 0,0\) lies outside the 320x240 framebuffer/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () => build(rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 65535, 65535, 0)),
  },
  {
    name: 'ZRLE rectangle claiming 0xffffffff bytes',
    expect: {
      error: /ZRLE rectangle at 0,0 claims 4294967295 bytes/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(
        rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 320, 240, Encoding.ZRLE).u32(
          0xffffffff,
        ),
      ),
  },
  {
    name: 'Zlib rectangle claiming 0xffffffff bytes',
    expect: {
      error: /Zlib rectangle at 0,0 claims 4294967295 bytes/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(
        rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 320, 240, Encoding.Zlib).u32(
          0xffffffff,
        ),
      ),
  },
  {
    // 64 MiB is the most a ZRLE rectangle may claim; the data is buffered as it arrives.
    name: 'ZRLE rectangle claiming 64 MiB, 4 MiB of which arrive',
    expect: { maxQueueBytes: 8 * MiB, maxArenaBytes: SMALL_ARENA },
    build: () =>
      join(
        rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 320, 240, Encoding.ZRLE).u32(
          64 * MiB,
        ),
        new Uint8Array(4 * MiB),
      ),
  },
  {
    name: 'ZRLE zip bomb: 64x64 rectangle inflating to 64 MiB',
    expect: {
      error: /zrle data inflates to more than the \d+ bytes/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(
        rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 64, 64, Encoding.ZRLE).raw(
          bomb(64 * MiB).build(),
        ),
      ),
  },
  {
    name: 'Zlib zip bomb: 64x64 rectangle inflating to 64 MiB',
    expect: {
      error: /zlib data inflates to more than the 16384 bytes/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(
        rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 64, 64, Encoding.Zlib).raw(
          bomb(64 * MiB).build(),
        ),
      ),
  },
  {
    name: 'Tight palette zip bomb: 64x64 rectangle of 2 colours inflating to 64 MiB',
    expect: {
      error: /inflates to more than the 512 bytes/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () => {
      const compressed = deflateSync(new Uint8Array(64 * MiB), { level: 9 });
      const b = tightPalette(connected(320, 240).raw(updateHeader(1).build()), 64, 64, 2, compressed.length);
      return build(b.raw(compressed));
    },
  },
  {
    name: 'Tight palette rectangle of 65535x65535 in a 320x240 framebuffer',
    expect: {
      error: /65535x65535 at 0,0\) lies outside the 320x240 framebuffer/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(tightPalette(connected(320, 240).raw(updateHeader(1).build()), 65535, 65535, 256, 0x3fffff)),
  },
  {
    // 256 colours over the largest framebuffer: 32 MiB of palette indices, compressed into the
    // most a compact length can claim (just under 4 MiB), of which 1 MiB arrives.
    name: 'Tight palette rectangle covering the largest framebuffer, claiming 4 MiB of data, cut short',
    expect: { maxQueueBytes: 8 * MiB, maxArenaBytes: 16384 * 2048 * BPP },
    build: () =>
      join(
        tightPalette(connected(16384, 2048).raw(updateHeader(1).build()), 16384, 2048, 256, 0x3fffff),
        new Uint8Array(MiB),
      ),
  },
  {
    // Over the cut-text limit: skipped as it streams by, never buffered.
    // Lengths of 0x80000000 and more are negative as S32: Extended Clipboard messages.
    name: 'ServerCutText of 0x7fffffff bytes, 16 MiB of which arrive',
    expect: { maxQueueBytes: SMALL_QUEUE, maxArenaBytes: SMALL_ARENA, ops: { clipboard: 0 } },
    build: () => join(connected(64, 64).u8(3, 0, 0, 0).u32(0x7fffffff), new Uint8Array(16 * MiB).fill(0x41)),
  },
  {
    name: 'Extended Clipboard message of 2 GiB (length 0x80000000), 16 MiB of which arrive',
    expect: { maxQueueBytes: SMALL_QUEUE, maxArenaBytes: SMALL_ARENA, ops: { clipboard: 0 } },
    build: () => join(connected(64, 64).u8(3, 0, 0, 0).u32(0x80000000), new Uint8Array(16 * MiB).fill(0x41)),
  },
  {
    name: 'ServerCutText of 16 MiB (the limit), then a Bell',
    expect: { maxQueueBytes: 32 * MiB, maxArenaBytes: SMALL_ARENA, ops: { clipboard: 1, bell: 1 } },
    build: () =>
      join(
        connected(64, 64)
          .u8(3, 0, 0, 0)
          .u32(16 * MiB),
        new Uint8Array(16 * MiB).fill(0x41),
        Uint8Array.of(2),
      ),
  },
  {
    name: 'cursor of 65535x65535',
    expect: {
      error: /65535x65535 cursor, larger than any cursor/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(
        rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 65535, 65535, Encoding.Cursor),
      ),
  },
  {
    name: 'cursor of 512x512 (the limit)',
    expect: { maxQueueBytes: 2 * MiB, maxArenaBytes: 2 * MiB, ops: { cursor: 1 } },
    build: () => {
      const b = rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 512, 512, Encoding.Cursor);
      return build(fill(fill(b, 512 * 512 * BPP, 0x80), 64 * 512, 0xff));
    },
  },
  {
    name: 'SetColourMapEntries of 65535 colours',
    expect: { maxQueueBytes: MiB, maxArenaBytes: SMALL_ARENA, ops: { bell: 1 } },
    build: () => ({
      ...build(fill(connected(64, 64).u8(1, 0).u16(0).u16(65535), 65535 * 6, 0x7f).u8(2)),
      options: { colourLevel: 'pal8' },
    }),
  },
  {
    name: 'SetColourMapEntries of 65535 colours from colour 65535',
    expect: {
      error: /colours 65535\.\.131069 is past the end of a colour map/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () => ({
      ...build(connected(64, 64).u8(1, 0).u16(65535).u16(65535)),
      options: { colourLevel: 'pal8' },
    }),
  },
  {
    name: 'an update of 65535 one-pixel Raw rectangles',
    expect: { maxQueueBytes: 4 * MiB, maxArenaBytes: SMALL_ARENA, ops: { pixels: 65535 } },
    build: () => {
      const b = connected(256, 256).raw(updateHeader(65535).build());
      for (let i = 0; i < 65535; i++) rectHeader(b, i & 255, i >> 8, 1, 1, 0).u8(i, i, i, 0);
      return build(b.u8(2));
    },
  },
  {
    // Each rectangle is an RRE background with one subrectangle over all of it in another
    // colour, so each needs 32 MiB of pixels: the arena must be flushed, not grown.
    name: 'an update claiming 65535 rectangles of 4096x2048, 6 of which arrive',
    expect: { maxQueueBytes: SMALL_QUEUE, maxArenaBytes: 64 * MiB },
    build: () => {
      const b = connected(4096, 2048).raw(updateHeader(65535).build());
      for (let i = 0; i < 6; i++) {
        rectHeader(b, 0, 0, 4096, 2048, Encoding.RRE)
          .u32(1)
          .u8(0, 0, 0, 0)
          .u8(i + 1, 0, 0, 0);
        b.u16(0).u16(0).u16(4096).u16(2048);
      }
      return build(b);
    },
  },
  {
    name: 'RRE rectangle with 0xffffffff subrectangles, 1 MiB of which arrive',
    expect: { maxQueueBytes: SMALL_QUEUE, maxArenaBytes: 2 * MiB },
    build: () => {
      const b = rectHeader(connected(320, 240).raw(updateHeader(1).build()), 0, 0, 320, 240, Encoding.RRE)
        .u32(0xffffffff)
        .u8(0, 0, 0, 0);
      const subrect = new Bytes().u8(9, 9, 9, 0).u16(1).u16(1).u16(10).u16(10).build();
      const body = new Uint8Array(subrect.length * 87381);
      for (let at = 0; at < body.length; at += subrect.length) body.set(subrect, at);
      return join(b, body);
    },
  },
  {
    name: 'DesktopName of 0xffffffff bytes',
    expect: {
      error: /desktop name of 4294967295 bytes/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(
        rectHeader(connected(64, 64).raw(updateHeader(1).build()), 0, 0, 0, 0, Encoding.DesktopName).u32(
          0xffffffff,
        ),
      ),
  },
  {
    name: 'DesktopSize to 65535x65535',
    expect: {
      error: /65535x65535 framebuffer, larger than/,
      maxQueueBytes: SMALL_QUEUE,
      maxArenaBytes: SMALL_ARENA,
    },
    build: () =>
      build(
        rectHeader(connected(64, 64).raw(updateHeader(1).build()), 0, 0, 65535, 65535, Encoding.DesktopSize),
      ),
  },
  {
    name: 'ExtendedDesktopSize with 255 screens',
    expect: { maxQueueBytes: SMALL_QUEUE, maxArenaBytes: SMALL_ARENA, ops: { resize: 2 } },
    build: () =>
      build(
        fill(
          rectHeader(
            connected(64, 64).raw(updateHeader(1).build()),
            0,
            0,
            100,
            100,
            Encoding.ExtendedDesktopSize,
          ).u8(255, 0, 0, 0),
          255 * 16,
        ),
      ),
  },
];
