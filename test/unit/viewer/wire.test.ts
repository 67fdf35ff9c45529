import { describe, expect, it } from 'vitest';
import { parseToSession } from '../../../main/session/parse-message.ts';
import { CAPS_LOCK, lockKeysToSync, NUM_LOCK } from '../../../renderer/src/session/keyboard-input.ts';
import { relativeMotion, rfbButtons } from '../../../renderer/src/session/pointer-input.ts';
import {
  MAX_REMOTE_SIDE,
  MIN_REMOTE_SIDE,
  remoteSizeFor,
} from '../../../renderer/src/session/remote-size.ts';

const leds = (capsLock: boolean, numLock: boolean) => ({ scrollLock: false, capsLock, numLock });

describe('resize-remote and extended buttons in the viewer contract', () => {
  it('accepts a size and back/forward buttons, drops the rest', () => {
    expect(parseToSession({ type: 'resize-remote', width: 1920, height: 1080 })).toEqual({
      type: 'resize-remote',
      width: 1920,
      height: 1080,
    });
    expect(parseToSession({ type: 'pointer', x: 1, y: 2, buttons: 0x180 })).toEqual({
      type: 'pointer',
      x: 1,
      y: 2,
      buttons: 0x180,
    });
    for (const bad of [
      { type: 'resize-remote', width: 0, height: 768 },
      { type: 'resize-remote', width: 1024, height: 0x10000 },
      { type: 'resize-remote', width: 1024.5, height: 768 },
      { type: 'resize-remote', width: '1024', height: 768 },
      { type: 'resize-remote', width: 1024 },
      { type: 'pointer', x: 0, y: 0, buttons: 0x200 },
    ])
      expect(parseToSession(bad), JSON.stringify(bad)).toBeUndefined();
  });
});

describe('lock-key sync', () => {
  it('taps nothing before the server sent its lights, or when they match', () => {
    expect(lockKeysToSync({ capsLock: true, numLock: true }, undefined)).toEqual([]);
    expect(lockKeysToSync({ capsLock: true, numLock: false }, leds(true, false))).toEqual([]);
  });

  it('taps the lock keys that differ, with their XT scancodes', () => {
    expect(lockKeysToSync({ capsLock: true, numLock: false }, leds(false, false))).toEqual([CAPS_LOCK]);
    expect(lockKeysToSync({ capsLock: false, numLock: true }, leds(false, false))).toEqual([NUM_LOCK]);
    expect(lockKeysToSync({ capsLock: false, numLock: false }, leds(true, true))).toEqual([
      CAPS_LOCK,
      NUM_LOCK,
    ]);
    expect(CAPS_LOCK).toEqual({ keysym: 0xffe5, scancode: 0x3a });
    expect(NUM_LOCK).toEqual({ keysym: 0xff7f, scancode: 0x45 });
  });

  it('leaves a lock alone when the local state is unknown', () => {
    expect(lockKeysToSync({ numLock: true }, leds(true, false))).toEqual([NUM_LOCK]);
    expect(lockKeysToSync({}, leds(true, true))).toEqual([]);
  });
});

describe('relative pointer motion (QEMU Pointer Motion Change)', () => {
  it('offsets the motion by 0x7FFF, rounded and clamped to 16 bits', () => {
    expect(relativeMotion(0, 0)).toEqual({ x: 0x7fff, y: 0x7fff });
    expect(relativeMotion(5, -3)).toEqual({ x: 0x8004, y: 0x7ffc });
    expect(relativeMotion(1.4, -1.6)).toEqual({ x: 0x8000, y: 0x7ffd });
    expect(relativeMotion(100_000, -100_000)).toEqual({ x: 0xffff, y: 0 });
  });
});

describe('mouse buttons', () => {
  it('maps back and forward to bits 7 and 8 only with ExtendedMouseButtons', () => {
    // PointerEvent.buttons: 1 primary, 2 secondary, 4 middle, 8 back, 16 forward.
    expect(rfbButtons(1 | 8 | 16)).toBe(1);
    expect(rfbButtons(1 | 8 | 16, true)).toBe(1 | 0x80 | 0x100);
    expect(rfbButtons(2 | 4 | 16, true)).toBe(4 | 2 | 0x100);
  });
});

describe('remote size for the screen area', () => {
  it('is CSS pixels × devicePixelRatio, rounded and clamped', () => {
    expect(remoteSizeFor(1280, 720, 1)).toEqual({ width: 1280, height: 720 });
    expect(remoteSizeFor(1001, 600.4, 1.5)).toEqual({ width: 1502, height: 901 });
    expect(remoteSizeFor(10, 100_000, 2)).toEqual({ width: MIN_REMOTE_SIDE, height: MAX_REMOTE_SIDE });
    expect(remoteSizeFor(800, 600, Number.NaN)).toEqual({ width: 800, height: 600 });
  });
});
