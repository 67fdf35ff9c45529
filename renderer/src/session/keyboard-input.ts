import { XK_Alt_L, XK_Control_L, XK_Super_L } from '../../../shared/keyboard/keysyms.ts';
import { xtScancodeForCode } from '../../../shared/keyboard/scancodes.ts';
import { type TranslatedKey, translateKey } from '../../../shared/keyboard/translate.ts';
import { keysymForCharacter } from '../../../shared/keyboard/unicode-keysym.ts';

import type { RemoteLeds } from '../../../shared/session-protocol.ts';
import type { StickyModifier } from './view-state.ts';

export type SendKey = (keysym: number, down: boolean, scancode: number) => void;

/** A lock key to tap (press and release) on the remote keyboard. */
export interface LockKey {
  keysym: number;
  /** XT scancode, used once the server acknowledged QEMU Extended Key Event. */
  scancode: number;
}

export const CAPS_LOCK: LockKey = { keysym: 0xffe5, scancode: 0x3a };
export const NUM_LOCK: LockKey = { keysym: 0xff7f, scancode: 0x45 };

/**
 * Lock-key sync (as TigerVNC and noVNC do with QEMU LED State): the lock keys to tap before a
 * key so the remote Caps Lock and Num Lock match the local ones. `local` holds what
 * `KeyboardEvent.getModifierState` says (undefined: unknown, left alone); `remote` is the
 * server's last LED state (undefined: none received, nothing to compare).
 */
export function lockKeysToSync(
  local: { capsLock?: boolean; numLock?: boolean },
  remote: RemoteLeds | undefined,
): LockKey[] {
  if (!remote) return [];
  const keys: LockKey[] = [];
  if (local.capsLock !== undefined && local.capsLock !== remote.capsLock) keys.push(CAPS_LOCK);
  if (local.numLock !== undefined && local.numLock !== remote.numLock) keys.push(NUM_LOCK);
  return keys;
}

/** The left-hand key each sticky modifier holds down. */
const STICKY_KEYS: Record<StickyModifier, TranslatedKey> = {
  Ctrl: { keysym: XK_Control_L, scancode: xtScancodeForCode('ControlLeft') },
  Alt: { keysym: XK_Alt_L, scancode: xtScancodeForCode('AltLeft') },
  Super: { keysym: XK_Super_L, scancode: xtScancodeForCode('MetaLeft') },
};

/**
 * Keyboard events of the remote screen element → key presses for the server.
 * A key is released with the keysym it was pressed with (Shift+1 sends '!' down, and '!' up
 * even if Shift was let go first), and every held key is released when focus leaves.
 */
export class KeyboardInput {
  private readonly pressed = new Map<string, TranslatedKey>();
  private readonly send: SendKey;
  /** True when the event is the menu key; it opens the menu instead of reaching the server. */
  private readonly isMenuKey: (event: KeyboardEvent) => boolean;
  private readonly onMenuKey: () => void;

  /** Whether to release held keys when the window loses focus (a global setting, on by default). */
  private readonly releaseOnWindowBlur: () => boolean;
  /** The server's lock lights (QEMU LED State); undefined until it sends them. */
  private remoteLeds: RemoteLeds | undefined;
  /** Modifiers the user holds down from the menu (sticky keys); released when focus leaves. */
  private readonly sticky = new Set<StickyModifier>();
  /** Called whenever the set of held sticky modifiers changes. */
  onStickyChange: (held: ReadonlySet<StickyModifier>) => void = () => undefined;

  constructor(
    send: SendKey,
    isMenuKey: (event: KeyboardEvent) => boolean,
    onMenuKey: () => void,
    releaseOnWindowBlur: () => boolean = () => true,
  ) {
    this.send = send;
    this.isMenuKey = isMenuKey;
    this.onMenuKey = onMenuKey;
    this.releaseOnWindowBlur = releaseOnWindowBlur;
  }

  /** The server's lock lights changed: later keys are preceded by lock taps that keep them in sync. */
  setRemoteLeds(leds: RemoteLeds | undefined): void {
    this.remoteLeds = leds && { ...leds };
  }

  attach(element: HTMLElement): () => void {
    const down = (event: KeyboardEvent) => this.keyDown(event);
    const up = (event: KeyboardEvent) => this.keyUp(event);
    // The element also loses focus when the whole window does (document.hasFocus() is then
    // false): that case follows the setting; focus moving elsewhere in the page always releases.
    const blur = () => {
      if (document.hasFocus() || this.releaseOnWindowBlur()) this.releaseEverything();
    };
    const windowBlur = () => {
      if (this.releaseOnWindowBlur()) this.releaseEverything();
    };
    const composed = (event: CompositionEvent) => this.typeText(event.data);
    element.addEventListener('keydown', down);
    element.addEventListener('keyup', up);
    element.addEventListener('blur', blur);
    element.addEventListener('compositionend', composed);
    window.addEventListener('blur', windowBlur);
    return () => {
      element.removeEventListener('keydown', down);
      element.removeEventListener('keyup', up);
      element.removeEventListener('blur', blur);
      element.removeEventListener('compositionend', composed);
      window.removeEventListener('blur', windowBlur);
      this.releaseEverything();
    };
  }

  keyDown(event: KeyboardEvent): void {
    if (event.isComposing) return;
    if (this.isMenuKey(event)) {
      event.preventDefault();
      this.onMenuKey();
      return;
    }
    const key = translateKey(event);
    event.preventDefault();
    if (!key) return;
    const id = event.code || event.key;
    if (event.code !== 'CapsLock' && event.code !== 'NumLock') this.syncLocks(event);
    const held = this.pressed.get(id);
    if (held && held.keysym !== key.keysym) this.send(held.keysym, false, held.scancode);
    this.pressed.set(id, key);
    this.send(key.keysym, true, key.scancode);
  }

  /** Taps the remote lock keys whose light differs from the local lock state. */
  private syncLocks(event: KeyboardEvent): void {
    const remote = this.remoteLeds;
    if (!remote || typeof event.getModifierState !== 'function') return;
    const local = {
      capsLock: event.getModifierState('CapsLock'),
      numLock: event.getModifierState('NumLock'),
    };
    for (const lock of lockKeysToSync(local, remote)) {
      this.send(lock.keysym, true, lock.scancode);
      this.send(lock.keysym, false, lock.scancode);
    }
    // Assume the taps worked until the server's next LED State says otherwise (no double taps meanwhile).
    this.remoteLeds = { ...remote, capsLock: local.capsLock, numLock: local.numLock };
  }

  keyUp(event: KeyboardEvent): void {
    const id = event.code || event.key;
    const key = this.pressed.get(id);
    if (!key) return;
    event.preventDefault();
    this.pressed.delete(id);
    this.send(key.keysym, false, key.scancode);
  }

  /** Releases every key the server believes is held. */
  releaseAll(): void {
    for (const key of this.pressed.values()) this.send(key.keysym, false, key.scancode);
    this.pressed.clear();
  }

  /** Holds a modifier down on the remote keyboard, or lets it go (a sticky key). */
  setSticky(modifier: StickyModifier, on: boolean): void {
    if (on === this.sticky.has(modifier)) return;
    const key = STICKY_KEYS[modifier];
    if (on) this.sticky.add(modifier);
    else this.sticky.delete(modifier);
    this.send(key.keysym, on, key.scancode);
    this.onStickyChange(this.sticky);
  }

  /** Releases held keys and sticky modifiers (focus left, the session ended). */
  releaseEverything(): void {
    this.releaseAll();
    for (const modifier of [...this.sticky]) this.setSticky(modifier, false);
  }

  /** Text composed by an input method, typed as key presses. */
  typeText(text: string): void {
    for (const ch of text) {
      const keysym = keysymForCharacter(ch);
      if (!keysym) continue;
      this.send(keysym, true, 0);
      this.send(keysym, false, 0);
    }
  }
}
