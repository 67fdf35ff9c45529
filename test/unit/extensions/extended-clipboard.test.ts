import { deflate, inflate } from 'pako';
import { describe, expect, it } from 'vitest';
import {
  buildCaps,
  buildNotify,
  buildPeek,
  buildProvideText,
  buildRequest,
  ClipboardAction,
  ClipboardFormat,
  EXTENDED_CLIPBOARD_ENCODING,
  parseClipboardPayload,
  textToWire,
  wireToText,
} from '../../../main/rfb/extensions/extended-clipboard.ts';
import { Bytes } from '../../support/decode-harness.ts';
import { ExtensionsHarness, serverExtended, serverProvideText } from './harness.ts';

const TEXT = 'Grüße — 日本語 ✓\nsecond line\n';
const CAPS = ClipboardAction.Caps;
const ALL_ACTIONS =
  ClipboardAction.Request | ClipboardAction.Peek | ClipboardAction.Notify | ClipboardAction.Provide;

/** The payload of a ClientCutText we built: checks the negative length, returns what follows it. */
function clientPayload(message: Uint8Array): Uint8Array {
  expect(message[0]).toBe(6);
  const length = new DataView(message.buffer, message.byteOffset).getInt32(4);
  expect(length).toBe(-(message.length - 8));
  return message.subarray(8);
}

describe('Extended Clipboard message formats', () => {
  it('is pseudo-encoding 0xC0A1E5CE', () => {
    expect(EXTENDED_CLIPBOARD_ENCODING >>> 0).toBe(0xc0a1e5ce);
  });

  it('text goes on the wire as UTF-8 with CRLF and a NUL, and comes back the same', () => {
    const wire = textToWire('a\nb\r\nc');
    expect(Array.from(wire)).toEqual([0x61, 13, 10, 0x62, 13, 10, 0x63, 0]);
    expect(wireToText(textToWire(TEXT))).toBe(TEXT);
    expect(wireToText(new TextEncoder().encode('no nul'))).toBe('no nul');
  });

  it('builds Caps, Request, Peek and Notify that parse back', () => {
    const caps = parseClipboardPayload(
      clientPayload(buildCaps(ClipboardFormat.Text | ClipboardFormat.Html, ALL_ACTIONS, [1000, 2000])),
      1 << 20,
    );
    expect(caps).toEqual({
      action: 'caps',
      formats: ClipboardFormat.Text | ClipboardFormat.Html,
      actions: ALL_ACTIONS,
      maxSizes: [1000, 2000],
    });
    expect(parseClipboardPayload(clientPayload(buildRequest(ClipboardFormat.Text)), 100)).toEqual({
      action: 'request',
      formats: 1,
    });
    expect(parseClipboardPayload(clientPayload(buildPeek()), 100)).toEqual({ action: 'peek' });
    expect(parseClipboardPayload(clientPayload(buildNotify(0)), 100)).toEqual({
      action: 'notify',
      formats: 0,
    });
  });

  it('Provide is a fresh zlib stream of size + NUL-terminated UTF-8 CRLF text', () => {
    const payload = clientPayload(buildProvideText(TEXT));
    const flags = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
    expect(flags >>> 0).toBe((ClipboardAction.Provide | ClipboardFormat.Text) >>> 0);
    // A complete zlib stream on its own: pako's one-shot inflate reads it.
    const plain = inflate(payload.subarray(4));
    const size = new DataView(plain.buffer).getUint32(0);
    expect(size).toBe(plain.length - 4);
    expect(plain[plain.length - 1]).toBe(0);
    expect(new TextDecoder().decode(plain.subarray(4, plain.length - 1))).toBe(TEXT.replace(/\n/g, '\r\n'));
    expect(parseClipboardPayload(payload, 1 << 20)).toEqual({ action: 'provide', formats: 1, text: TEXT });
  });

  it('Provide with several formats keeps the text and skips the others', () => {
    const html = new TextEncoder().encode('<b>x</b>\0');
    const text = textToWire('plain');
    const plain = new Bytes().u32(text.length).raw(text).u32(0).u32(html.length).raw(html).build();
    const formats = ClipboardFormat.Text | ClipboardFormat.Rtf | ClipboardFormat.Html;
    const payload = new Bytes()
      .u32((ClipboardAction.Provide | formats) >>> 0)
      .raw(deflate(plain))
      .build();
    expect(parseClipboardPayload(payload, 1000)).toEqual({ action: 'provide', formats, text: 'plain' });
  });

  it('rejects a zlib bomb without inflating past the limit', () => {
    // 64 MiB of zeros compress to about 64 KiB; the limit is 1 MiB.
    const bomb = new Bytes()
      .u32((ClipboardAction.Provide | ClipboardFormat.Text) >>> 0)
      .raw(deflate(new Uint8Array(64 << 20)))
      .build();
    expect(bomb.length).toBeLessThan(1 << 17);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => parseClipboardPayload(bomb, 1 << 20)).toThrow(/inflates to more than 1048640 bytes/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 << 20);
  });

  it('rejects truncated, corrupt and action-less payloads with clear errors', () => {
    expect(() => parseClipboardPayload(Uint8Array.of(0, 0), 100)).toThrow(/has no flags/);
    expect(() =>
      parseClipboardPayload(
        new Bytes()
          .u32((CAPS | 3) >>> 0)
          .u32(5)
          .build(),
        100,
      ),
    ).toThrow(/lists 2 formats but carries 1 sizes/);
    expect(() => parseClipboardPayload(new Bytes().u32(1).build(), 100)).toThrow(/name no action/);
    const corrupt = new Bytes()
      .u32((ClipboardAction.Provide | 1) >>> 0)
      .raw([1, 2, 3, 4, 5])
      .build();
    expect(() => parseClipboardPayload(corrupt, 100)).toThrow(/corrupt/);
    const short = new Bytes()
      .u32((ClipboardAction.Provide | 1) >>> 0)
      .raw(deflate(new Bytes().u32(50).raw([65, 0]).build()))
      .build();
    expect(() => parseClipboardPayload(short, 100)).toThrow(/ends inside a 50-byte format/);
  });
});

describe('Extended Clipboard in a session', () => {
  const serverCaps = serverExtended((CAPS | ALL_ACTIONS | ClipboardFormat.Text) >>> 0, [0, 0, 0x10, 0]);

  it('answers the server Caps with its own, at every split', () => {
    for (let at = 1; at < serverCaps.length; at++) {
      const s = new ExtensionsHarness();
      s.receiveSplit(serverCaps, at);
      const [caps] = s.takeSent();
      const parsed = parseClipboardPayload(clientPayload(caps), 1 << 30);
      expect(parsed).toEqual({ action: 'caps', formats: 1, actions: ALL_ACTIONS, maxSizes: [16 << 20] });
      expect(s.events).toEqual([{ kind: 'extended-clipboard' }]);
    }
  });

  it('lists 0xC0A1E5CE, XVP and QEMU Audio in SetEncodings', () => {
    const setEncodings = new ExtensionsHarness().handshake.find((m) => m[0] === 2)!;
    const view = new DataView(setEncodings.buffer);
    const list = Array.from({ length: view.getUint16(2) }, (_, i) => view.getInt32(4 + i * 4));
    expect(list).toEqual(expect.arrayContaining([0xc0a1e5ce | 0, -309, -259]));
  });

  it('Notify from the server is answered with Request; its Provide becomes the clipboard, at every split', () => {
    const provide = serverProvideText(textToWire(TEXT));
    for (let at = 1; at < provide.length; at++) {
      const h = new ExtensionsHarness().receive(serverCaps);
      h.takeSent();
      h.receive(serverExtended((ClipboardAction.Notify | 1) >>> 0));
      const [request] = h.takeSent();
      expect(parseClipboardPayload(clientPayload(request), 100)).toEqual({ action: 'request', formats: 1 });
      h.receiveSplit(provide, at);
      expect(h.clipboards()).toEqual([TEXT]);
    }
  });

  it('sends local text as Notify, then Provide on Request; Peek is answered with Notify', () => {
    const h = new ExtensionsHarness().receive(serverCaps);
    h.takeSent();
    h.session.sendClipboard(TEXT);
    const [notify] = h.takeSent();
    expect(parseClipboardPayload(clientPayload(notify), 100)).toEqual({ action: 'notify', formats: 1 });
    h.receive(serverExtended((ClipboardAction.Request | 1) >>> 0));
    const [provide] = h.takeSent();
    expect(parseClipboardPayload(clientPayload(provide), 1000)).toEqual({
      action: 'provide',
      formats: 1,
      text: TEXT,
    });
    h.receive(serverExtended(ClipboardAction.Peek >>> 0));
    const [peekAnswer] = h.takeSent();
    expect(parseClipboardPayload(clientPayload(peekAnswer), 100)).toEqual({ action: 'notify', formats: 1 });
  });

  it('without Notify in the server Caps, provides at once, within the server size limit', () => {
    const caps = serverExtended((CAPS | ClipboardAction.Provide | 1) >>> 0, new Bytes().u32(20).build());
    const h = new ExtensionsHarness().receive(caps);
    h.takeSent();
    h.session.sendClipboard('short ✓');
    const [provide] = h.takeSent();
    expect(parseClipboardPayload(clientPayload(provide), 100)).toEqual({
      action: 'provide',
      formats: 1,
      text: 'short ✓',
    });
    h.session.sendClipboard('x'.repeat(25));
    expect(h.takeSent()).toEqual([]);
    expect(h.events.at(-1)).toEqual({
      kind: 'clipboard-notice',
      message: 'The clipboard (26 bytes) was not sent: the server accepts at most 20 bytes',
    });
  });

  it('a zlib bomb from the server is reported, the session goes on', () => {
    const bomb = serverExtended((ClipboardAction.Provide | 1) >>> 0, deflate(new Uint8Array(64 << 20)));
    const h = new ExtensionsHarness({ limits: { maxCutText: 1 << 20 } }).receive(serverCaps);
    h.receive(bomb);
    expect(h.error).toBeUndefined();
    expect(h.closed).toBe(false);
    expect(h.clipboards()).toEqual([]);
    expect(h.events.at(-1)).toMatchObject({
      kind: 'clipboard-notice',
      message: expect.stringMatching(/inflates to more than/),
    });
    // The stream stays in sync: a Bell after it still arrives.
    h.receive(Uint8Array.of(2));
    expect(h.ops.some((op) => op.kind === 'bell')).toBe(true);
  });

  it('a compressed payload over the limit is skipped without being buffered', () => {
    const h = new ExtensionsHarness({ limits: { maxCutText: 100 } }).receive(serverCaps);
    const big = serverExtended((ClipboardAction.Provide | 1) >>> 0, new Uint8Array(1000));
    h.receive(big, true);
    h.receive(Uint8Array.of(2));
    expect(h.error).toBeUndefined();
    expect(h.ops.some((op) => op.kind === 'bell')).toBe(true);
    expect(h.events.at(-1)).toMatchObject({
      kind: 'clipboard-notice',
      message: expect.stringMatching(/1004 bytes compressed/),
    });
  });

  it('falls back to Latin-1 ClientCutText without server Caps, with a notice for what is lost', () => {
    const h = new ExtensionsHarness();
    h.session.sendClipboard('Grüße ✓\r\nok');
    const [legacy] = h.takeSent();
    expect(Array.from(legacy.subarray(0, 8))).toEqual([6, 0, 0, 0, 0, 0, 0, 10]);
    expect(Buffer.from(legacy.subarray(8)).toString('latin1')).toBe('Grüße ?\nok');
    expect(h.events).toEqual([
      {
        kind: 'clipboard-notice',
        message: '1 character of the clipboard became "?": this server takes only Latin-1 text',
      },
    ]);
    h.session.sendClipboard('x'.repeat((1 << 20) + 1));
    expect(h.takeSent()).toEqual([]);
    expect(h.events.at(-1)).toMatchObject({ message: expect.stringMatching(/not sent: .*QEMU disconnects/) });
  });

  it('legacy ServerCutText (positive length) still arrives as Latin-1', () => {
    const h = new ExtensionsHarness();
    h.receive(new Bytes().u8(3, 0, 0, 0).u32(3).raw([0x47, 0xfc, 0x21]).build(), true);
    expect(h.clipboards()).toEqual(['Gü!']);
  });
});
