import { type TranslatedKey, translateKey } from '../../../shared/keyboard/translate.ts';
import { keysymForCharacter } from '../../../shared/keyboard/unicode-keysym.ts';

export type SendKey = (keysym: number, down: boolean, scancode: number) => void;

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

  attach(element: HTMLElement): () => void {
    const down = (event: KeyboardEvent) => this.keyDown(event);
    const up = (event: KeyboardEvent) => this.keyUp(event);
    // The element also loses focus when the whole window does (document.hasFocus() is then
    // false): that case follows the setting; focus moving elsewhere in the page always releases.
    const blur = () => {
      if (document.hasFocus() || this.releaseOnWindowBlur()) this.releaseAll();
    };
    const windowBlur = () => {
      if (this.releaseOnWindowBlur()) this.releaseAll();
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
      this.releaseAll();
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
    const held = this.pressed.get(id);
    if (held && held.keysym !== key.keysym) this.send(held.keysym, false, held.scancode);
    this.pressed.set(id, key);
    this.send(key.keysym, true, key.scancode);
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
