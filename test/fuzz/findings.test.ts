import { describe, expect, it } from 'vitest';
import { Bytes } from '../support/decode-harness.ts';
import { ScriptedServer } from '../support/scripted-server.ts';
import { hasControlCharacters } from './check.ts';

/*
 * Minimal reproductions of engine problems the fuzzer found. Each fails until the engine is
 * fixed; the fuzz jobs report the same problems on mutated streams.
 */

const text = (s: string) => new TextEncoder().encode(s);
/** Clears the screen and sets the terminal's title when printed (porthole writes errors to stderr). */
const ESCAPES = '\u001b[2J\u001b]0;owned\u0007';

describe('server text in error messages carries no terminal control sequences', () => {
  it('3.8 refusal reason (session.ts readSecurityTypes → refused)', () => {
    const reason = text(`busy${ESCAPES}`);
    const s = new ScriptedServer()
      .send('RFB 003.008\n')
      .send(new Bytes().u8(0).u32(reason.length).raw(reason));
    expect(s.error?.message).toMatch(/refused the connection: busy/);
    expect(hasControlCharacters(s.error!.message), JSON.stringify(s.error!.message)).toBe(false);
  });

  it('3.3 refusal reason (session.ts readSecurityType33 → refused)', () => {
    const reason = text(`busy${ESCAPES}`);
    const s = new ScriptedServer()
      .send('RFB 003.003\n')
      .send(new Bytes().u32(0).u32(reason.length).raw(reason));
    expect(s.error?.message).toMatch(/refused the connection: busy/);
    expect(hasControlCharacters(s.error!.message), JSON.stringify(s.error!.message)).toBe(false);
  });

  it('3.8 authentication failure reason (session.ts readSecurityResult)', () => {
    const reason = text(`denied${ESCAPES}`);
    const s = new ScriptedServer({ credentials: { password: 'x' } })
      .send('RFB 003.008\n')
      .send(new Bytes().u8(1, 2).raw(new Uint8Array(16)))
      .send(new Bytes().u32(1).u32(reason.length).raw(reason));
    expect(s.error?.kind).toBe('auth');
    expect(hasControlCharacters(s.error!.message), JSON.stringify(s.error!.message)).toBe(false);
  });
});

describe('cursor hotspot', () => {
  // session.ts readCursor clamps the hotspot with Math.min(rect.x, width): one past the image.
  it('a hotspot the server puts outside the image is clamped into it', () => {
    const s = new ScriptedServer().connect(16, 16);
    // A 2x2 cursor whose hotspot (5,5) lies outside it: 2x2 pixels of 4 bytes, then a 2-row mask.
    const b = new Bytes().u8(0, 0).u16(1).u16(5).u16(5).u16(2).u16(2).s32(-239);
    s.send(b.raw(new Uint8Array(16)).u8(0xc0, 0xc0));
    expect(s.error).toBeUndefined();
    expect(s.fb.cursor?.width).toBe(2);
    expect(s.fb.cursor!.hotX).toBeLessThan(2);
    expect(s.fb.cursor!.hotY).toBeLessThan(2);
  });
});
