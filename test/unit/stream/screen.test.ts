import { describe, expect, it } from 'vitest';
import { Encoding } from '../../../main/rfb/constants.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../../main/rfb/pixel-format.ts';
import { Bytes } from '../../support/decode-harness.ts';
import { rectHeader, SERVER_FORMAT, updateHeader } from '../../support/scripted-server.ts';
import { everySplit, formatBytes, StreamHarness } from './harness.ts';

const WMVI = Encoding.VmwareDisplayModeChange;

/** An ExtendedDesktopSize rect: reason x, status y, then the screens. */
function desktopSizeUpdate(reason: number, status: number, w: number, h: number, screens: number[][]): Bytes {
  const b = rectHeader(updateHeader(1), reason, status, w, h, Encoding.ExtendedDesktopSize).u8(
    screens.length,
    0,
    0,
    0,
  );
  for (const [id, x, y, sw, sh, flags] of screens) b.u32(id).u16(x).u16(y).u16(sw).u16(sh).u32(flags);
  return b;
}

describe('SetDesktopSize and ExtendedDesktopSize (rfbproto)', () => {
  it('keeps the layout the server sent, split anywhere', () => {
    const bytes = desktopSizeUpdate(0, 0, 800, 600, [
      [7, 0, 0, 400, 600, 3],
      [9, 400, 0, 400, 600, 0],
    ]).build();
    everySplit(bytes, (feed) => {
      const h = new StreamHarness().connect();
      feed(h);
      expect(h.error).toBeUndefined();
      expect(h.session.info?.width).toBe(800);
      expect(h.session.screenLayout).toEqual([
        { id: 7, x: 0, y: 0, width: 400, height: 600, flags: 3 },
        { id: 9, x: 400, y: 0, width: 400, height: 600, flags: 0 },
      ]);
      expect(h.layouts).toHaveLength(1);
    });
  });

  it('is not offered before the server sent an ExtendedDesktopSize rect', () => {
    const h = new StreamHarness().connect();
    expect(h.session.requestDesktopSize(1024, 768)).toBe(false);
    expect(h.takeMessages()).toEqual([]);
  });

  it('sends the request with the first screen’s id and flags, covering the new size', () => {
    const h = new StreamHarness().connect();
    h.send(desktopSizeUpdate(0, 0, 64, 48, [[0x01020304, 0, 0, 64, 48, 0x80000001]]));
    h.takeSent();
    expect(h.session.requestDesktopSize(1024, 768)).toBe(true);
    const expected = new Bytes().u8(251, 0).u16(1024).u16(768).u8(1, 0);
    expected.u32(0x01020304).u16(0).u16(0).u16(1024).u16(768).u32(0x80000001);
    expect(h.takeMessages()).toEqual([Array.from(expected.build())]);
  });

  it('refuses sizes outside 1..limits without sending anything', () => {
    const h = new StreamHarness({ limits: { maxWidth: 2000 } }).connect();
    h.send(desktopSizeUpdate(0, 0, 64, 48, []));
    h.takeSent();
    for (const [w, hh] of [
      [0, 10],
      [10, 0],
      [2001, 10],
      [1.5, 10],
    ])
      expect(h.session.requestDesktopSize(w, hh)).toBe(false);
    expect(h.takeMessages()).toEqual([]);
  });

  const statuses: [number, RegExp, boolean][] = [
    [0, /now 1024×768/, true],
    [1, /administratively prohibited/, false],
    [2, /not enough resources/, false],
    [3, /screen layout .* invalid/, false],
    [4, /forwarded to the guest/, false],
    [9, /status 9, unknown failure/, false],
  ];
  for (const [status, message, resized] of statuses) {
    it(`reports status ${status} of our own request with a sentence`, () => {
      const h = new StreamHarness().connect();
      h.send(desktopSizeUpdate(0, 0, 64, 48, [[1, 0, 0, 64, 48, 0]]));
      h.session.requestDesktopSize(1024, 768);
      // QEMU answers status 4 with its current size; a refusal's fields are undefined.
      const [w, hh] = status === 0 ? [1024, 768] : [64, 48];
      h.send(desktopSizeUpdate(1, status, w, hh, [[1, 0, 0, w, hh, 0]]));
      expect(h.error).toBeUndefined();
      expect(h.sizeResults).toHaveLength(1);
      expect(h.sizeResults[0]).toMatchObject({ status, ok: status === 0, width: 1024, height: 768 });
      expect(h.sizeResults[0].message).toMatch(message);
      expect(h.session.info?.width).toBe(resized ? 1024 : 64);
    });
  }

  it('a change by another viewer (reason 2) resizes without a result event', () => {
    const h = new StreamHarness().connect();
    h.send(desktopSizeUpdate(2, 0, 640, 480, [[1, 0, 0, 640, 480, 0]]));
    expect(h.session.info?.width).toBe(640);
    expect(h.sizeResults).toEqual([]);
  });
});

/** A WMVi update: the new size and the pixel format, then `after` bytes of further rects. */
function wmviUpdate(w: number, h: number, pf: PixelFormat, rects = 1): Bytes {
  return rectHeader(updateHeader(rects), 0, 0, w, h, WMVI).raw(formatBytes(pf));
}

describe('VMware display-mode change (WMVi)', () => {
  const rgb565: PixelFormat = LEVEL_FORMATS.rgb565;

  it('resizes and decodes the rects after it in the new format, split anywhere', () => {
    // WMVi to 16×8 in RGB565, then a 1×1 raw rect: 0x07e0 little-endian is pure green.
    const bytes = rectHeader(wmviUpdate(16, 8, rgb565, 2), 3, 2, 1, 1, Encoding.Raw)
      .u8(0xe0, 0x07)
      .build();
    everySplit(bytes, (feed) => {
      const h = new StreamHarness({ colourLevel: 'native' }).connect(64, 48);
      feed(h);
      expect(h.error).toBeUndefined();
      expect(h.session.info?.width).toBe(16);
      expect(h.session.info?.format).toEqual(rgb565);
      const o = (2 * 16 + 3) * 4;
      expect(Array.from(h.fb.data.subarray(o, o + 4))).toEqual([0, 255, 0, 255]);
    });
  });

  it('sends the viewer’s own format again afterwards, behind a nudge (the WMVi update was unasked)', () => {
    const h = new StreamHarness({ colourLevel: 'full' }).connect(64, 48);
    h.takeSent();
    h.send(wmviUpdate(64, 48, SERVER_FORMAT));
    expect(h.session.info?.format).toEqual(SERVER_FORMAT);
    // Our first full request is still unanswered: a 1×1 non-incremental request gets an answer first.
    expect(h.takeMessages()).toEqual([Array.from(new Bytes().u8(3, 0).u16(0).u16(0).u16(1).u16(1).build())]);
    // The answer, in the server's format (B G R X): then the viewer's format goes out.
    h.send(rectHeader(updateHeader(1), 0, 0, 1, 1, Encoding.Raw).u8(0x30, 0x20, 0x10, 0));
    expect(Array.from(h.fb.data.subarray(0, 4))).toEqual([0x10, 0x20, 0x30, 255]);
    const sent = h.takeMessages();
    expect(sent[0]).toEqual([0, 0, 0, 0, ...formatBytes(LEVEL_FORMATS.full)]);
    expect(h.session.info?.format).toEqual(LEVEL_FORMATS.full);
  });

  it('with the native level keeps the server’s new format', () => {
    const h = new StreamHarness({ colourLevel: 'native' }).connect(64, 48);
    h.takeSent();
    h.send(wmviUpdate(64, 48, rgb565));
    expect(h.takeMessages().some((m) => m[0] === 0)).toBe(false);
  });

  it('a WMVi to a huge size (100000 does not fit a U16: 34464×65535) is a clear error', () => {
    const h = new StreamHarness().connect();
    h.send(wmviUpdate(100000 & 0xffff, 65535, rgb565));
    expect(h.error?.kind).toBe('protocol');
    expect(h.error?.message).toMatch(/larger than the 16384x16384/);
  });

  it('a WMVi to a pixel format the viewer cannot decode names it', () => {
    const h = new StreamHarness().connect();
    h.send(wmviUpdate(64, 48, { ...SERVER_FORMAT, bitsPerPixel: 24 }));
    expect(h.error?.kind).toBe('protocol');
    expect(h.error?.message).toMatch(/switched to pixel format/);
  });
});

describe('Raw (RFC 6143 §7.7.1) split anywhere', () => {
  // 40×4 pixels (runs long enough for the copy-then-opaque path), split at every byte: the
  // pixel split between two chunks waits in the decoder.
  const pixels = Array.from({ length: 160 }, (_, i) => [(i * 16) & 0xff, 255 - (i & 0x7f), (i * 3) & 0xff]);

  it('paints RGBX (the canonical layout, copied in rows) and 16-bit pixels the same whichever way the bytes arrive', () => {
    const cases: {
      level: 'full' | 'rgb565';
      bytes: (rgb: number[]) => number[];
      expect: (rgb: number[]) => number[];
    }[] = [
      { level: 'full', bytes: ([r, g, b]) => [r, g, b, 0x5a], expect: ([r, g, b]) => [r, g, b, 255] },
      {
        level: 'rgb565',
        bytes: ([r, g, b]) => {
          const v = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
          return [v & 0xff, v >> 8];
        },
        expect: ([r, g, b]) => [
          Math.round(((r >> 3) * 255) / 31),
          Math.round(((g >> 2) * 255) / 63),
          Math.round(((b >> 3) * 255) / 31),
          255,
        ],
      },
    ];
    for (const c of cases) {
      const format = LEVEL_FORMATS[c.level];
      const bytes = rectHeader(updateHeader(1), 2, 1, 40, 4, Encoding.Raw)
        .raw(pixels.flatMap(c.bytes))
        .build();
      everySplit(bytes, (feed) => {
        const h = new StreamHarness({ colourLevel: c.level }).connect(48, 6, format);
        feed(h);
        expect(h.error).toBeUndefined();
        for (let i = 0; i < pixels.length; i++) {
          const o = ((1 + Math.floor(i / 40)) * 48 + 2 + (i % 40)) * 4;
          expect(Array.from(h.fb.data.subarray(o, o + 4)), `${c.level} pixel ${i}`).toEqual(
            c.expect(pixels[i]),
          );
        }
      });
    }
  });
});
