import { describe, expect, it } from 'vitest';
import { setEncodings } from '../../../main/rfb/client-messages.ts';
import { DEFAULT_ENCODINGS, Encoding, VIEWER_PSEUDO_ENCODINGS } from '../../../main/rfb/constants.ts';
import { EXTENSION_PSEUDO_ENCODINGS } from '../../../main/rfb/extensions/index.ts';
import { LEVEL_FORMATS } from '../../../main/rfb/pixel-format.ts';
import { isQemuName } from '../../../main/rfb/update-flow.ts';
import { Bytes } from '../../support/decode-harness.ts';
import { rectHeader, SERVER_FORMAT, updateHeader } from '../../support/scripted-server.ts';
import { everySplit, formatBytes, REQUEST, StreamHarness, SYNC_NEXT, serverFence } from './harness.ts';

const END_OF_CU = Uint8Array.of(150);
const enableCu = (on: boolean, w: number, h: number) =>
  Array.from(
    new Bytes()
      .u8(150, on ? 1 : 0)
      .u16(0)
      .u16(0)
      .u16(w)
      .u16(h)
      .build(),
  );
const fbur = (incremental: boolean, w: number, h: number) =>
  Array.from(
    new Bytes()
      .u8(3, incremental ? 1 : 0)
      .u16(0)
      .u16(0)
      .u16(w)
      .u16(h)
      .build(),
  );

/** A 1×1 Raw rect at x, y holding `pixel` bytes (already in the session's format). */
function rawUpdate(x: number, y: number, pixel: number[]): Bytes {
  return rectHeader(updateHeader(1), x, y, 1, 1, Encoding.Raw).raw(pixel);
}

/** The RGBA bytes the framebuffer holds at x, y. */
function pixelAt(h: StreamHarness, x: number, y: number): number[] {
  const o = (y * h.fb.width + x) * 4;
  return Array.from(h.fb.data.subarray(o, o + 4));
}

describe('Fence (rfbproto "Fence")', () => {
  it('answers a fence request with the same payload and the flags it honours, split anywhere', () => {
    const request = serverFence(REQUEST | 0x100 | SYNC_NEXT | 2 | 1, [0xab]).build();
    everySplit(request, (feed) => {
      const h = new StreamHarness().connect();
      feed(h);
      expect(h.error).toBeUndefined();
      expect(h.takeMessages()[0]).toEqual(Array.from(serverFence(SYNC_NEXT | 2 | 1, [0xab]).build()));
      expect(h.session.streamMode.fence).toBe(true);
      expect(h.modes.at(-1)?.fence).toBe(true);
    });
  });

  it('a fence payload over 64 bytes (here 255, the most a length byte holds) is a clear protocol error', () => {
    const h = new StreamHarness().connect();
    h.send(serverFence(REQUEST, new Array(255).fill(7)));
    expect(h.error?.kind).toBe('protocol');
    expect(h.error?.message).toMatch(/Fence with a 255-byte payload.*at most 64/);
    expect(h.closed).toBe(true);
  });

  it('an answer to a fence the viewer never sent is a protocol error, not a crash', () => {
    const h = new StreamHarness().connect();
    h.send(serverFence(SYNC_NEXT, [1, 2, 3]));
    expect(h.error?.message).toMatch(/did not send/);
  });

  it('a colour-level change goes out at once behind a SyncNext fence; the decoder switches at its answer', () => {
    const h = new StreamHarness().connect(4, 4);
    h.send(serverFence(REQUEST, [0]));
    h.takeSent();
    expect(h.session.requestOutstanding).toBe(true);
    h.session.setColourLevel('rgb565');
    const sent = h.takeMessages();
    const pf = formatBytes(LEVEL_FORMATS.rgb565);
    expect(sent[0]).toEqual(Array.from(serverFence(REQUEST | SYNC_NEXT, pf).build()));
    expect(sent[1]).toEqual([0, 0, 0, 0, ...pf]);
    expect(sent[2][0]).toBe(2); // SetEncodings
    expect(sent.at(-1)).toEqual(fbur(false, 4, 4));
    // An update still in the old (full, R G B X) format, then the answer, then one in RGB565.
    h.send(rawUpdate(0, 0, [0x10, 0x20, 0x30, 0]));
    expect(pixelAt(h, 0, 0)).toEqual([0x10, 0x20, 0x30, 255]);
    h.send(serverFence(SYNC_NEXT, pf));
    expect(h.session.info?.format).toEqual(LEVEL_FORMATS.rgb565);
    // 0xf800 little-endian: pure red.
    h.send(rawUpdate(1, 0, [0x00, 0xf8]));
    expect(h.error).toBeUndefined();
    expect(pixelAt(h, 1, 0)).toEqual([255, 0, 0, 255]);
  });

  it('several changes in flight are applied in the order of their answers', () => {
    const h = new StreamHarness().connect(4, 4);
    h.send(serverFence(REQUEST, []));
    h.session.setColourLevel('rgb332');
    h.session.setColourLevel('full');
    h.send(serverFence(SYNC_NEXT, formatBytes(LEVEL_FORMATS.rgb332)));
    expect(h.session.info?.format).toEqual(LEVEL_FORMATS.rgb332);
    h.send(rawUpdate(0, 0, [0xe0]));
    expect(pixelAt(h, 0, 0)).toEqual([255, 0, 0, 255]);
    h.send(serverFence(SYNC_NEXT, formatBytes(LEVEL_FORMATS.full)));
    h.send(rawUpdate(0, 0, [1, 2, 3, 0]));
    expect(pixelAt(h, 0, 0)).toEqual([1, 2, 3, 255]);
    expect(h.error).toBeUndefined();
  });
});

describe('ContinuousUpdates (rfbproto "EnableContinuousUpdates", "EndOfContinuousUpdates")', () => {
  function withContinuous(autoRequest = true): StreamHarness {
    const h = new StreamHarness({ autoRequest }).connect(64, 48);
    h.send(serverFence(REQUEST, [0])).send(END_OF_CU);
    return h;
  }

  it('turns on for the whole screen once the server has both Fence and EndOfContinuousUpdates', () => {
    const h = new StreamHarness().connect(64, 48);
    h.send(END_OF_CU);
    expect(h.takeMessages()).toEqual([]);
    expect(h.session.streamMode).toEqual({ fence: false, continuousSupported: true, continuous: false });
    h.send(serverFence(REQUEST, [0]));
    expect(h.takeMessages()).toContainEqual(enableCu(true, 64, 48));
    expect(h.session.streamMode).toEqual({ fence: true, continuousSupported: true, continuous: true });
    expect(h.modes.at(-1)?.continuous).toBe(true);
  });

  it('asks for nothing more after each update: the server keeps sending', () => {
    const h = withContinuous();
    h.takeSent();
    for (let i = 0; i < 3; i++) h.send(rawUpdate(i, 0, [9, 9, 9, 0]));
    expect(h.updates).toBe(3);
    expect(h.takeMessages()).toEqual([]);
    expect(pixelAt(h, 2, 0)).toEqual([9, 9, 9, 255]);
  });

  it('flow control: with no credit asked for after an update it pauses, and resumes when asked', () => {
    const h = withContinuous(false);
    // The host asked for the first picture, so continuous updates start at once.
    expect(h.takeMessages()).toContainEqual(enableCu(true, 64, 48));
    h.send(rawUpdate(0, 0, [1, 1, 1, 0]));
    expect(h.takeMessages()).toEqual([enableCu(false, 64, 48)]);
    expect(h.session.streamMode.continuous).toBe(false);
    expect(h.session.requestOutstanding).toBe(false);
    // The server's EndOfContinuousUpdates for our pause does not end continuous mode.
    h.send(END_OF_CU);
    h.session.requestNextUpdate();
    expect(h.takeMessages()).toEqual([enableCu(true, 64, 48)]);
    expect(h.session.requestOutstanding).toBe(true);
    expect(h.session.streamMode.continuous).toBe(true);
  });

  it('a host that asks within onUpdateEnd keeps the flow running without any message', () => {
    const h = new StreamHarness({ autoRequest: false }, (x) => x.session.requestNextUpdate()).connect(64, 48);
    h.send(serverFence(REQUEST, [0])).send(END_OF_CU);
    h.takeSent();
    for (let i = 0; i < 4; i++) h.send(rawUpdate(i, 1, [5, 5, 5, 0]));
    expect(h.takeMessages()).toEqual([]);
  });

  it('an EndOfContinuousUpdates the viewer did not cause falls back to update requests', () => {
    const h = withContinuous();
    h.takeSent();
    h.send(END_OF_CU);
    expect(h.session.streamMode.continuous).toBe(false);
    expect(h.takeMessages()).toEqual([fbur(true, 64, 48)]);
    h.send(rawUpdate(0, 0, [1, 2, 3, 0]));
    expect(h.takeMessages()).toEqual([fbur(true, 64, 48)]);
  });

  it('a desktop resize moves the continuous area to the new size', () => {
    const h = withContinuous();
    h.takeSent();
    h.send(rectHeader(updateHeader(1), 0, 0, 100, 80, Encoding.DesktopSize));
    expect(h.takeMessages()).toContainEqual(enableCu(true, 100, 80));
  });

  it('a format change with continuous updates on goes through the fence, no 1×1 nudge', () => {
    const h = withContinuous();
    h.takeSent();
    h.session.setColourLevel('rgb222');
    const sent = h.takeMessages();
    expect(sent[0][0]).toBe(248);
    expect(sent.some((m) => m[0] === 3 && m[6] === 0 && m[7] === 1)).toBe(false);
    expect(sent.at(-1)).toEqual(fbur(false, 64, 48));
  });
});

/** An ExtendedDesktopSize update, reason 0, one screen covering w×h. */
const eds = (w: number, h: number) =>
  rectHeader(updateHeader(1), 0, 0, w, h, Encoding.ExtendedDesktopSize)
    .u8(1, 0, 0, 0)
    .u32(0)
    .u16(0)
    .u16(0)
    .u16(w)
    .u16(h)
    .u32(0);
const led = () => rectHeader(updateHeader(1), 0, 0, 0, 0, Encoding.QemuLedState).u8(0);
/** A non-incremental request for the top-left pixel. */
const nudge = fbur(false, 1, 1);

describe('format changes without Fence, from a server that sent ExtendedDesktopSize before its first picture (not QEMU)', () => {
  /** Connected, with the first picture answered as QEMU does: ExtendedDesktopSize, then pixels. */
  function edsFirst(): StreamHarness {
    const h = new StreamHarness().connect(4, 4);
    h.send(eds(4, 4)).send(rawUpdate(0, 0, [1, 1, 1, 0]));
    h.takeSent();
    return h;
  }

  it('waits for the nudge’s ExtendedDesktopSize and then pixels; pseudo-only updates change nothing', () => {
    const h = edsFirst();
    h.session.setColourLevel('rgb332');
    expect(h.takeMessages()).toEqual([nudge]);
    // LED and cursor updates the server sends by itself: no request, no format change.
    h.send(led()).send(led());
    expect(h.takeMessages()).toEqual([]);
    expect(h.session.requestOutstanding).toBe(true);
    // An update with pixels still in the old format (it answers an older request).
    h.send(rawUpdate(1, 0, [2, 3, 4, 0]));
    expect(h.takeMessages()).toEqual([]);
    expect(pixelAt(h, 1, 0)).toEqual([2, 3, 4, 255]);
    // The nudge's answer: ExtendedDesktopSize (written while the server read the request), then pixels.
    h.send(eds(4, 4)).send(rawUpdate(0, 0, [5, 6, 7, 0]));
    const sent = h.takeMessages();
    expect(sent[0]).toEqual([0, 0, 0, 0, ...formatBytes(LEVEL_FORMATS.rgb332)]);
    expect(sent[1][0]).toBe(2);
    expect(sent[2]).toEqual(fbur(false, 4, 4));
    h.send(rawUpdate(2, 0, [0x1c]));
    expect(pixelAt(h, 2, 0)).toEqual([0, 255, 0, 255]);
    expect(h.error).toBeUndefined();
  });

  it('a server without ExtendedDesktopSize keeps the idle rule (sent at once when nothing is outstanding)', () => {
    const h = new StreamHarness({ autoRequest: false }).connect(4, 4);
    h.send(rawUpdate(0, 0, [1, 1, 1, 0]));
    h.takeSent();
    h.session.setColourLevel('rgb565');
    expect(h.takeMessages()[0]).toEqual([0, 0, 0, 0, ...formatBytes(LEVEL_FORMATS.rgb565)]);
  });
});

describe('QEMU without Fence (ui/vnc.c, ui/vnc-jobs.c): one request at a time, a change only when none is open', () => {
  /** Connected to a server named as QEMU names itself; its first full request is open. */
  const qemu = (options = {}) => new StreamHarness(options).connect(4, 4, SERVER_FORMAT, 'QEMU (vm)');
  const setEncodingsOf = (encodings: readonly number[]) =>
    Array.from(setEncodings([...encodings, ...VIEWER_PSEUDO_ENCODINGS, ...EXTENSION_PSEUDO_ENCODINGS]));

  it('knows QEMU by the name it gives every desktop', () => {
    expect(['QEMU', 'QEMU (vm)', 'QEMU (win 11)'].map(isQemuName)).toEqual([true, true, true]);
    expect(['QEMU-like', 'qemu', 'x11 QEMU', 'stream test', ''].map(isQemuName)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('only an update with pixels answers the request; the next one is a non-incremental 1×1', () => {
    const h = qemu();
    // Written by QEMU at once: the full request's ExtendedDesktopSize, LED state. Not answers.
    h.send(eds(4, 4)).send(led());
    expect(h.takeMessages()).toEqual([]);
    expect(h.session.requestOutstanding).toBe(true);
    h.send(rawUpdate(0, 0, [1, 1, 1, 0]));
    expect(h.takeMessages()).toEqual([nudge]);
    expect(h.session.requestOutstanding).toBe(true);
  });

  it('a change waits for the open request’s pixels, even behind the ExtendedDesktopSize; the new format applies after them', () => {
    const h = qemu();
    h.send(eds(4, 4)).send(rawUpdate(0, 0, [1, 1, 1, 0]));
    h.takeSent();
    h.session.setColourLevel('rgb332');
    h.session.setEncodings([Encoding.Hextile]);
    expect(h.takeMessages()).toEqual([]);
    // The 1×1 request's ExtendedDesktopSize, then its pixels, encoded by QEMU's worker thread
    // in the format in effect when the job started: the old one (the failure under load).
    h.send(eds(4, 4));
    expect(h.takeMessages()).toEqual([]);
    h.send(rawUpdate(1, 0, [2, 3, 4, 0]));
    expect(pixelAt(h, 1, 0)).toEqual([2, 3, 4, 255]);
    expect(h.takeMessages()).toEqual([
      [0, 0, 0, 0, ...formatBytes(LEVEL_FORMATS.rgb332)],
      setEncodingsOf([Encoding.Hextile]),
      fbur(false, 4, 4),
    ]);
    // Nothing was open when QEMU read them: every pixel from now on is in the new format.
    h.send(eds(4, 4)).send(rawUpdate(2, 0, [0x1c]));
    expect(pixelAt(h, 2, 0)).toEqual([0, 255, 0, 255]);
    expect(h.takeMessages()).toEqual([nudge]);
    expect(h.error).toBeUndefined();
  });

  it('with no request open a change goes out at once', () => {
    const h = qemu({ autoRequest: false });
    h.send(rawUpdate(0, 0, [1, 1, 1, 0]));
    expect(h.session.requestOutstanding).toBe(false);
    h.session.setColourLevel('rgb565');
    const sent = h.takeMessages();
    expect(sent[0]).toEqual([0, 0, 0, 0, ...formatBytes(LEVEL_FORMATS.rgb565)]);
    expect(sent.at(-1)).toEqual(fbur(false, 4, 4));
  });

  it('a full refresh asked while a request is open goes out as the next request', () => {
    const h = qemu();
    h.session.requestUpdate(false);
    expect(h.takeMessages()).toEqual([]);
    h.send(rawUpdate(0, 0, [1, 1, 1, 0]));
    expect(h.takeMessages()).toEqual([fbur(false, 4, 4)]);
    h.send(rawUpdate(0, 0, [1, 1, 1, 0]));
    expect(h.takeMessages()).toEqual([nudge]);
  });

  it('the probe repeats SetEncodings in effect while a request is open, else asks for 1×1', () => {
    const h = qemu({ autoRequest: false });
    h.session.setEncodings([Encoding.Hextile]);
    h.session.probe();
    expect(h.takeMessages()).toEqual([setEncodingsOf(DEFAULT_ENCODINGS)]);
    h.send(rawUpdate(0, 0, [1, 1, 1, 0]));
    // The waiting change went out with the answer; then nothing is open.
    expect(h.takeMessages()).toContainEqual(setEncodingsOf([Encoding.Hextile]));
    h.send(rawUpdate(0, 0, [1, 1, 1, 0]));
    h.takeSent();
    h.session.probe();
    expect(h.takeMessages()).toEqual([nudge]);
  });

  it('after an unasked WMVi the viewer’s format goes out once the open request’s pixels came', () => {
    const h = qemu();
    h.send(
      rectHeader(updateHeader(1), 0, 0, 4, 4, Encoding.VmwareDisplayModeChange).raw(
        formatBytes(SERVER_FORMAT),
      ),
    );
    expect(h.takeMessages()).toEqual([]);
    // The answer, made after the display switch: in QEMU's own format (B G R X).
    h.send(rectHeader(updateHeader(1), 0, 0, 1, 1, Encoding.Raw).u8(0x30, 0x20, 0x10, 0));
    expect(pixelAt(h, 0, 0)).toEqual([0x10, 0x20, 0x30, 255]);
    const sent = h.takeMessages();
    expect(sent[0]).toEqual([0, 0, 0, 0, ...formatBytes(LEVEL_FORMATS.full)]);
    expect(sent.at(-1)).toEqual(fbur(false, 4, 4));
  });
});
