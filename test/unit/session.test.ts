import { describe, expect, it } from 'vitest';
import { Encoding, VIEWER_PSEUDO_ENCODINGS } from '../../main/rfb/constants.ts';
import { EXTENSION_PSEUDO_ENCODINGS } from '../../main/rfb/extensions/index.ts';
import { LEVEL_FORMATS } from '../../main/rfb/pixel-format.ts';
import { vncAuthKey, vncAuthResponse } from '../../main/rfb/security/vnc-auth.ts';
import { packRgba } from '../../shared/draw-ops.ts';
import { Bytes } from '../support/decode-harness.ts';
import {
  rectHeader,
  ScriptedServer,
  SERVER_FORMAT,
  serverInit,
  updateHeader,
} from '../support/scripted-server.ts';

const ascii = (bytes: number[]) => String.fromCharCode(...bytes);

describe('protocol version', () => {
  const cases: [string, string][] = [
    ['RFB 003.003\n', 'RFB 003.003\n'],
    ['RFB 003.005\n', 'RFB 003.003\n'],
    ['RFB 003.007\n', 'RFB 003.007\n'],
    ['RFB 003.008\n', 'RFB 003.008\n'],
    ['RFB 003.889\n', 'RFB 003.008\n'],
    ['RFB 004.001\n', 'RFB 003.008\n'],
    ['RFB 005.000\n', 'RFB 003.008\n'],
  ];
  for (const [server, reply] of cases) {
    it(`answers ${server.trim()} with ${reply.trim()}`, () => {
      const s = new ScriptedServer().send(server, true);
      expect(ascii(s.takeSent())).toBe(reply);
      expect(s.session.state).toBe('security-types');
    });
  }

  it('rejects a version older than 3.3', () => {
    const s = new ScriptedServer().send('RFB 002.000\n');
    expect(s.error?.kind).toBe('protocol');
    expect(s.error?.message).toMatch(/older than 3\.3/);
  });

  for (const banner of ['SSH-2.0-OpenSSH_9.2\r\n', 'HTTP/1.1 400 Bad Request\r\n', '220 smtp ready\r\n']) {
    it(`says "not a VNC server" for ${JSON.stringify(banner.slice(0, 8))} as soon as it can tell`, () => {
      const s = new ScriptedServer().send(banner.slice(0, 4));
      expect(s.error?.kind).toBe('protocol');
      expect(s.error?.message).toMatch(/not a VNC server/);
      expect(s.closed).toBe(true);
    });
  }
});

describe('security', () => {
  it('3.8 with None: sends the type, reads SecurityResult, then ClientInit shared', () => {
    const s = new ScriptedServer().send('RFB 003.008\n');
    s.takeSent();
    s.send(new Bytes().u8(2, 2, 1));
    expect(s.takeSent()).toEqual([1]);
    s.send(new Bytes().u32(0));
    expect(s.takeSent()).toEqual([1]);
    expect(s.session.state).toBe('server-init');
  });

  it('3.7 with None: no SecurityResult, straight to ClientInit', () => {
    const s = new ScriptedServer().send('RFB 003.007\n');
    s.takeSent();
    s.send(new Bytes().u8(1, 1));
    expect(s.takeSent()).toEqual([1, 1]);
    expect(s.session.state).toBe('server-init');
  });

  it('ClientInit carries shared=0 when asked not to share', () => {
    const s = new ScriptedServer({ shared: false }).send('RFB 003.007\n');
    s.takeSent();
    s.send(new Bytes().u8(1, 1));
    expect(s.takeSent()).toEqual([1, 0]);
  });

  it('3.3 with server-chosen VNC auth answers the challenge with DES of the bit-reversed key', () => {
    const challenge = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const s = new ScriptedServer({ credentials: { password: 'secret' } }).send('RFB 003.003\n');
    s.takeSent();
    s.send(new Bytes().u32(2)).send(challenge);
    const response = s.takeSent();
    expect(response).toEqual(Array.from(vncAuthResponse('secret', challenge)));
    s.send(new Bytes().u32(0));
    expect(s.takeSent()).toEqual([1]);
  });

  it('bit-reverses each key byte and cuts the password at 8 characters', () => {
    // 'p' = 0x70 = 0111 0000 → 0000 1110 = 0x0e; 'a' = 0x61 → 0x86
    expect(Array.from(vncAuthKey('pa'))).toEqual([0x0e, 0x86, 0, 0, 0, 0, 0, 0]);
    expect(vncAuthKey('12345678-ignored')).toEqual(vncAuthKey('12345678'));
  });

  it('known DES answer: key of all-zero password encrypts zero block to 8CA64DE9C1B123A7', () => {
    // The classic DES test vector (key 0, plaintext 0); an empty password is the zero key.
    const out = vncAuthResponse('', new Uint8Array(16));
    expect(Buffer.from(out.subarray(0, 8)).toString('hex')).toBe('8ca64de9c1b123a7');
  });

  it('wrong password (3.8) reports the server reason as an authentication error', () => {
    const s = new ScriptedServer({ credentials: { password: 'nope' } }).send('RFB 003.008\n');
    s.send(new Bytes().u8(1, 2)).send(new Uint8Array(16));
    const reason = 'Authentication failure';
    s.send(new Bytes().u32(1).u32(reason.length).raw(new TextEncoder().encode(reason)));
    expect(s.error?.kind).toBe('auth');
    expect(s.error?.message).toMatch(/^authentication failed: Authentication failure/);
  });

  it('wrong password (3.3) without reason text', () => {
    const s = new ScriptedServer({ credentials: { password: 'nope' } }).send('RFB 003.003\n');
    s.send(new Bytes().u32(2)).send(new Uint8Array(16)).send(new Bytes().u32(1));
    expect(s.error?.kind).toBe('auth');
    expect(s.error?.message).toMatch(/password was not accepted/);
  });

  it('asks for a password when the server wants one and none was given', () => {
    const s = new ScriptedServer().send('RFB 003.008\n').send(new Bytes().u8(1, 2)).send(new Uint8Array(16));
    expect(s.error?.kind).toBe('auth');
    expect(s.error?.message).toMatch(/VNC_PASSWORD|--password-file/);
  });

  it('prefers None when the server offers both', () => {
    const s = new ScriptedServer({ credentials: { password: 'x' } }).send('RFB 003.008\n');
    s.takeSent();
    s.send(new Bytes().u8(2, 2, 1));
    expect(s.takeSent()).toEqual([1]);
  });

  it('a refused connection (zero types) shows the server reason', () => {
    const reason = 'Too many security failures';
    const s = new ScriptedServer().send('RFB 003.008\n');
    s.send(new Bytes().u8(0).u32(reason.length).raw(new TextEncoder().encode(reason)), true);
    expect(s.error?.message).toMatch(/refused the connection: Too many security failures/);
  });

  it('the lockout after wrong passwords says to wait; a rejected password says passwords are cut at 8', () => {
    const reason = 'Too many security failures';
    const locked = new ScriptedServer().send('RFB 003.008\n');
    locked.send(new Bytes().u8(0).u32(reason.length).raw(new TextEncoder().encode(reason)));
    expect(locked.error?.hint).toMatch(/blocks this address for a while: wait, then try again/);
    const wrong = new ScriptedServer({ credentials: { password: 'nope' } }).send('RFB 003.008\n');
    wrong.send(new Bytes().u8(1, 2)).send(new Uint8Array(16));
    wrong.send(new Bytes().u32(1).u32(14).raw(new TextEncoder().encode('Authentication')));
    expect(wrong.error?.hint).toBe('Check the password; VNC passwords are cut at 8 characters');
  });

  it('3.3 refusal (type 0) shows the reason', () => {
    const s = new ScriptedServer().send('RFB 003.003\n');
    s.send(new Bytes().u32(0).u32(4).raw(new TextEncoder().encode('busy')));
    expect(s.error?.message).toMatch(/refused the connection: busy/);
  });

  it('names the offered types when none is supported', () => {
    const s = new ScriptedServer().send('RFB 003.008\n').send(new Bytes().u8(2, 17, 21));
    expect(s.error?.kind).toBe('protocol');
    expect(s.error?.message).toMatch(/offers only Ultra \(17\), MD5 hash \(21\); Porthole speaks None \(1\)/);
  });

  it('names the colour level asked for when the server closes right after it (neatvnc and pal8)', () => {
    const s = new ScriptedServer({ colourLevel: 'pal8' }).connect();
    s.session.transportClosed();
    expect(s.error?.detail).toBe(
      'the server closed the connection right after the viewer asked for 256-colour palette mode; it may not support it',
    );
    expect(s.session.unansweredColourLevel).toBe('pal8');
    // At full colour the close is still blamed on a console held by another viewer.
    const full = new ScriptedServer().connect();
    full.session.transportClosed();
    expect(full.error?.message).toMatch(/before sending any picture/);
  });

  it('explains a close right after ClientInit as a console held by another viewer', () => {
    const s = new ScriptedServer().send('RFB 003.008\n').send(new Bytes().u8(1, 1)).send(new Bytes().u32(0));
    s.session.transportClosed();
    expect(s.error?.kind).toBe('network');
    expect(s.error?.message).toMatch(/another viewer/);
    expect(s.error?.message).toMatch(/share=force-shared/);
  });
});

describe('initialisation', () => {
  it('after ServerInit sends SetPixelFormat (full level), SetEncodings with pseudo-encodings, a full request', () => {
    const s = new ScriptedServer({ encodings: [Encoding.ZRLE, Encoding.Raw] });
    s.send('RFB 003.008\n').send(new Bytes().u8(1, 1)).send(new Bytes().u32(0));
    s.takeSent();
    s.send(serverInit(300, 200, SERVER_FORMAT, 'my desktop'));
    const sent = s.takeSent();
    const pf = new Uint8Array(16);
    const expected = new Bytes().u8(0, 0, 0, 0);
    // full level: 32 bpp, depth 24, little-endian, true colour, 255/255/255, shifts 0/8/16
    pf.set([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]);
    expected.raw(pf);
    const encodings = [16, 0, ...VIEWER_PSEUDO_ENCODINGS, ...EXTENSION_PSEUDO_ENCODINGS];
    expected.u8(2, 0).u16(encodings.length);
    for (const e of encodings) expected.s32(e);
    expected.u8(3, 0).u16(0).u16(0).u16(300).u16(200);
    expect(sent).toEqual(Array.from(expected.build()));
    expect(s.session.info?.name).toBe('my desktop');
    expect(s.ops[0]).toEqual({ kind: 'resize', width: 300, height: 200 });
  });

  it('keeps the server format with colourLevel native (no SetPixelFormat)', () => {
    const s = new ScriptedServer({ colourLevel: 'native' }).connect();
    expect(s.sent.some((b) => b[0] === 0 && b.length === 20)).toBe(false);
    expect(s.session.info?.format).toEqual(SERVER_FORMAT);
  });

  it('rejects a framebuffer larger than the limits', () => {
    const s = new ScriptedServer().send('RFB 003.008\n').send(new Bytes().u8(1, 1)).send(new Bytes().u32(0));
    s.send(serverInit(60000, 60000, SERVER_FORMAT, 'huge'));
    expect(s.error?.kind).toBe('protocol');
    expect(s.error?.message).toMatch(/60000x60000/);
  });

  it('rejects a native 24 bpp server format with advice', () => {
    const s = new ScriptedServer({ colourLevel: 'native' });
    s.send('RFB 003.008\n').send(new Bytes().u8(1, 1)).send(new Bytes().u32(0));
    s.send(serverInit(10, 10, { ...SERVER_FORMAT, bitsPerPixel: 24 }, 'x'));
    expect(s.error?.message).toMatch(/24 bits per pixel/);
    expect(s.error?.message).toMatch(/--color-level/);
  });
});

describe('server messages', () => {
  const red = packRgba(255, 0, 0);

  it('decodes a Raw rect in the full format, byte by byte', () => {
    const s = new ScriptedServer().connect(4, 2);
    const b = updateHeader(1);
    rectHeader(b, 1, 0, 2, 1, Encoding.Raw).raw([255, 0, 0, 0, 0, 0, 255, 0]);
    s.send(b, true);
    expect(s.updates).toBe(1);
    expect(Array.from(s.fb.data.subarray(4, 12))).toEqual([255, 0, 0, 255, 0, 0, 255, 255]);
  });

  it('reports the progress of an update: rectangles and pixels done, and the bytes of a Raw rectangle', () => {
    const s = new ScriptedServer().connect(4, 2);
    expect(s.session.updateProgress).toBeUndefined();
    const first = updateHeader(2);
    rectHeader(first, 0, 0, 4, 1, Encoding.Raw).raw(new Array(16).fill(7));
    rectHeader(first, 0, 1, 4, 1, Encoding.Raw).raw(new Array(4).fill(7));
    s.send(first);
    // The second rectangle has 4 of its 16 bytes (one pixel of a row, so no row decoded yet).
    expect(s.session.updateProgress).toEqual({
      rects: 2,
      rectsDone: 1,
      pixelsDone: 4,
      pixels: 8,
      rectBytes: { pixels: 4, received: 4, needed: 16 },
    });
    s.send(new Uint8Array(12));
    expect(s.session.updateProgress).toBeUndefined();
    expect(s.updates).toBe(1);
    // LastRect: the count announced (0xFFFF) says nothing.
    s.send(updateHeader(0xffff));
    expect(s.session.updateProgress).toEqual({ rects: undefined, rectsDone: 0, pixelsDone: 0, pixels: 8 });
  });

  it('requests the next incremental update after each update', () => {
    const s = new ScriptedServer().connect(4, 2);
    s.takeSent();
    s.send(updateHeader(0));
    expect(s.takeSent()).toEqual([3, 1, 0, 0, 0, 0, 0, 4, 0, 2]);
  });

  it('changes the pixel format only when no request is outstanding', () => {
    const s = new ScriptedServer().connect(4, 2);
    s.takeSent();
    s.session.setColourLevel('rgb565');
    // The initial full request is still outstanding: only a 1×1 full request goes out, so a
    // still screen answers now.
    expect(s.takeSent()).toEqual([3, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    s.session.setColourLevel('rgb565');
    expect(s.takeSent()).toEqual([]); // one nudge is enough
    s.send(updateHeader(0));
    const sent = s.takeSent();
    expect(sent[0]).toBe(0); // SetPixelFormat first
    expect(sent.slice(4, 8)).toEqual([16, 16, 0, 1]);
    expect(sent[20]).toBe(2); // then SetEncodings
    expect(sent.slice(-10)).toEqual([3, 0, 0, 0, 0, 0, 0, 4, 0, 2]); // then a full, non-incremental request
    // the next Raw rect is read as 16 bpp
    const b = updateHeader(1);
    rectHeader(b, 0, 0, 1, 1, Encoding.Raw).raw([0x00, 0xf8]); // rgb565 little-endian red
    s.send(b);
    expect(s.fb.data.subarray(0, 4)).toEqual(Uint8Array.from([255, 0, 0, 255]));
    expect(s.session.info?.format).toEqual(LEVEL_FORMATS.rgb565);
  });

  it('handles DesktopSize, ExtendedDesktopSize, DesktopName, LastRect and the cursor', () => {
    const s = new ScriptedServer().connect(4, 2);
    const b = new Bytes().u8(0, 0).u16(0xffff);
    rectHeader(b, 0, 0, 8, 6, Encoding.DesktopSize);
    rectHeader(b, 0, 0, 10, 7, Encoding.ExtendedDesktopSize)
      .u8(1, 0, 0, 0)
      .u32(0)
      .u16(0)
      .u16(0)
      .u16(10)
      .u16(7)
      .u32(0);
    rectHeader(b, 0, 0, 0, 0, Encoding.DesktopName).u32(5).raw(new TextEncoder().encode('hello'));
    // 2x2 cursor, hotspot 1,1: red, green / blue, white; mask rows 10, 01
    rectHeader(b, 1, 1, 2, 2, Encoding.Cursor)
      .raw([255, 0, 0, 0, 0, 255, 0, 0, 0, 0, 255, 0, 255, 255, 255, 0])
      .u8(0b1000_0000, 0b0100_0000);
    rectHeader(b, 0, 0, 0, 0, -257); // QEMU pointer motion change, unasked
    rectHeader(b, 0, 0, 0, 0, Encoding.LastRect);
    s.send(b, true);
    expect(s.error).toBeUndefined();
    expect(s.updates).toBe(1);
    expect(s.fb.width).toBe(10);
    expect(s.fb.height).toBe(7);
    expect(s.fb.desktopName).toBe('hello');
    expect(s.fb.cursor?.hotX).toBe(1);
    expect(Array.from(s.fb.cursor!.rgba)).toEqual([
      255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255,
    ]);
  });

  it('a refused SetDesktopSize answer (reason 1, status 3) does not resize', () => {
    const s = new ScriptedServer().connect(4, 2);
    const b = updateHeader(1);
    rectHeader(b, 1, 3, 100, 100, Encoding.ExtendedDesktopSize).u8(0, 0, 0, 0);
    s.send(b);
    expect(s.fb.width).toBe(4);
  });

  it('Bell, ServerCutText (Latin-1) and SetColourMapEntries', () => {
    const s = new ScriptedServer({ colourLevel: 'pal8' }).connect(2, 1);
    s.send(new Bytes().u8(2));
    s.send(new Bytes().u8(3, 0, 0, 0).u32(4).raw([0x63, 0x61, 0x66, 0xe9]));
    s.send(new Bytes().u8(1, 0).u16(5).u16(1).u16(0xffff).u16(0x8080).u16(0));
    const b = updateHeader(1);
    rectHeader(b, 0, 0, 2, 1, Encoding.Raw).u8(5, 0);
    s.send(b);
    expect(s.ops).toContainEqual({ kind: 'bell' });
    expect(s.ops).toContainEqual({ kind: 'clipboard', text: 'café' });
    expect(Array.from(s.fb.data)).toEqual([255, 128, 0, 255, 0, 0, 0, 255]);
  });

  it('skips oversized ServerCutText without buffering it and stays in sync', () => {
    const s = new ScriptedServer({ limits: { maxCutText: 10 } }).connect(1, 1);
    s.send(new Bytes().u8(3, 0, 0, 0).u32(1000));
    s.send(new Uint8Array(1000));
    s.send(new Bytes().u8(2));
    expect(s.error).toBeUndefined();
    expect(s.ops.filter((o) => o.kind === 'clipboard')).toEqual([]);
    expect(s.ops).toContainEqual({ kind: 'bell' });
  });

  it('an unknown message type ends the session naming the byte and what to try', () => {
    const s = new ScriptedServer().connect(4, 2);
    s.send(new Bytes().u8(0xc8));
    expect(s.error?.kind).toBe('protocol');
    expect(s.error?.message).toMatch(/message type 200 \(0xc8\)/);
    expect(s.error?.message).toMatch(/lower picture quality/);
    expect(s.closed).toBe(true);
  });

  it('an unrequested encoding ends the session with a clear error', () => {
    const s = new ScriptedServer().connect(4, 2);
    const b = updateHeader(1);
    rectHeader(b, 0, 0, 1, 1, 99);
    s.send(b);
    expect(s.error?.message).toMatch(/rectangle 1 of update 1 uses encoding 99/);
  });

  it('a rectangle outside the framebuffer is a protocol error', () => {
    const s = new ScriptedServer().connect(4, 2);
    const b = updateHeader(1);
    rectHeader(b, 3, 0, 2, 1, Encoding.Raw);
    s.send(b);
    expect(s.error?.message).toMatch(/outside the 4x2 framebuffer/);
  });

  it('CopyRect copies and hextile solid rects travel as fills', () => {
    const s = new ScriptedServer().connect(4, 2);
    const b = updateHeader(2);
    rectHeader(b, 0, 0, 2, 1, Encoding.Raw).raw([255, 0, 0, 0, 255, 0, 0, 0]);
    rectHeader(b, 2, 1, 2, 1, Encoding.CopyRect).u16(0).u16(0);
    s.send(b);
    expect(s.ops).toContainEqual({ kind: 'copy', srcX: 0, srcY: 0, x: 2, y: 1, width: 2, height: 1 });
    const words = new Uint32Array(s.fb.data.buffer);
    expect(words[6]).toBe(red);
    const h = updateHeader(1);
    rectHeader(h, 0, 0, 4, 2, Encoding.Hextile).u8(2).raw([255, 0, 0, 0]);
    s.send(h);
    expect(s.ops.at(-1)).toEqual({ kind: 'fill', x: 0, y: 0, width: 4, height: 2, colour: red });
  });
});

describe('stored VNC passwords (vncpasswd files, .vnc Password=)', () => {
  it('obfuscates like TigerVNC vncpasswd and reverses', async () => {
    const { obfuscateVncPassword, deobfuscateVncPassword } = await import(
      '../../main/rfb/security/vnc-auth.ts'
    );
    // `echo secret | vncpasswd -f | xxd -p` on this machine
    expect(Buffer.from(obfuscateVncPassword('secret')).toString('hex')).toBe('2e2dbf576eb06c9e');
    expect(deobfuscateVncPassword(obfuscateVncPassword('secret'))).toBe('secret');
    expect(deobfuscateVncPassword(obfuscateVncPassword('12345678'))).toBe('12345678');
  });
});

describe('Latin-1 clipboard text', () => {
  it('maps every byte 0x00–0xff to the same code point (not windows-1252)', async () => {
    const { latin1Text, latin1Bytes } = await import('../../main/rfb/client-messages.ts');
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = latin1Text(all);
    expect([...text].map((c) => c.charCodeAt(0))).toEqual(Array.from(all));
    expect(latin1Bytes(text)).toEqual(all);
    expect(Array.from(latin1Bytes('a€b'))).toEqual([0x61, 0x3f, 0x62]);
  });
});

describe('changes while idle', () => {
  it('a colour level change with no request outstanding is sent at once, with a full request', () => {
    const s = new ScriptedServer({ autoRequest: false }).connect(4, 2);
    s.send(updateHeader(0)); // answers the initial request; nothing is outstanding now
    s.takeSent();
    s.session.setColourLevel('rgb222');
    const sent = s.takeSent();
    expect(sent[0]).toBe(0);
    expect(sent.slice(4, 8)).toEqual([8, 6, 0, 1]);
    expect(sent.slice(-10)).toEqual([3, 0, 0, 0, 0, 0, 0, 4, 0, 2]);
  });
});

describe('viewer features', () => {
  it('waits for a password asked for mid-handshake, then answers the challenge', () => {
    let asked = 0;
    const s = new ScriptedServer({ credentials: { askPassword: () => asked++ } }).send('RFB 003.008\n');
    s.takeSent();
    const challenge = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    s.send(new Bytes().u8(1, 2)).send(challenge);
    expect(asked).toBe(1);
    expect(s.takeSent()).toEqual([2]);
    expect(s.session.state).toBe('security');
    s.session.providePassword('secret');
    expect(s.takeSent()).toEqual(Array.from(vncAuthResponse('secret', challenge)));
    expect(s.session.state).toBe('security-result');
    expect(asked).toBe(1);
  });

  it('sends keys as QEMU Extended Key Events only once the server acknowledged them', () => {
    const s = new ScriptedServer().connect();
    s.takeSent();
    s.session.sendKey(0x61, true, 0x1e);
    expect(s.takeSent()).toEqual([4, 1, 0, 0, 0, 0, 0, 0x61]);
    // The server's acknowledgement: an empty rectangle of encoding -258.
    s.send(updateHeader(1)).send(rectHeader(new Bytes(), 0, 0, 0, 0, Encoding.QemuExtendedKeyEvent));
    s.takeSent();
    s.session.sendKey(0xff53, false, 0xcd);
    expect(s.takeSent()).toEqual([255, 0, 0, 0, 0, 0, 0xff, 0x53, 0, 0, 0, 0xcd]);
    // Without a scancode the plain KeyEvent still goes out.
    s.session.sendKey(0x41, true, 0);
    expect(s.takeSent()).toEqual([4, 1, 0, 0, 0, 0, 0, 0x41]);
  });

  it('without automatic requests, asks for the next update only when told (flow control)', () => {
    const s = new ScriptedServer({ autoRequest: false }).connect(4, 4);
    s.takeSent();
    expect(s.session.requestOutstanding).toBe(true);
    s.send(updateHeader(0));
    expect(s.session.requestOutstanding).toBe(false);
    expect(s.takeSent()).toEqual([]);
    s.session.requestNextUpdate();
    expect(s.takeSent()).toEqual([3, 1, 0, 0, 0, 0, 0, 4, 0, 4]);
  });
});
