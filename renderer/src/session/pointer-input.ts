import { type PointerMode, RELATIVE_POINTER_CENTRE } from '../../../shared/session-protocol.ts';

export type SendPointer = (x: number, y: number, buttons: number) => void;

/**
 * RFB button mask bits (RFC 6143 §7.5.5): buttons 1–3, wheel up/down (4/5), left/right (6/7);
 * with ExtendedMouseButtons (rfbproto) bit 7 is back and bit 8 forward.
 */
const LEFT = 1;
const MIDDLE = 2;
const RIGHT = 4;
const WHEEL_UP = 8;
const WHEEL_DOWN = 16;
const WHEEL_LEFT = 32;
const WHEEL_RIGHT = 64;
const BACK = 128;
const FORWARD = 256;

/** Pixels of wheel movement that make one wheel click. */
const WHEEL_STEP = 50;

/**
 * PointerEvent.buttons (1 primary, 2 secondary, 4 auxiliary, 8 back, 16 forward) → the RFB mask.
 * Back and forward count only once the server confirmed ExtendedMouseButtons (`extended`).
 */
export function rfbButtons(buttons: number, extended = false): number {
  const basic = (buttons & 1 ? LEFT : 0) | (buttons & 4 ? MIDDLE : 0) | (buttons & 2 ? RIGHT : 0);
  if (!extended) return basic;
  return basic | (buttons & 8 ? BACK : 0) | (buttons & 16 ? FORWARD : 0);
}

/**
 * A relative motion (framebuffer pixels) → the x, y of a PointerEvent for QEMU in relative mode:
 * the motion offset by 0x7FFF (QEMU ui/vnc.c pointer_event, with Pointer Motion Change on).
 */
export function relativeMotion(dx: number, dy: number): { x: number; y: number } {
  const axis = (d: number) => Math.max(0, Math.min(0xffff, RELATIVE_POINTER_CENTRE + Math.round(d)));
  return { x: axis(dx), y: axis(dy) };
}

/** A point on the element → framebuffer coordinates, whatever the CSS scaling. */
export function toFramebuffer(
  canvas: { width: number; height: number },
  rect: { left: number; top: number; width: number; height: number },
  clientX: number,
  clientY: number,
): { x: number; y: number } {
  const x = Math.floor(((clientX - rect.left) * canvas.width) / (rect.width || 1));
  const y = Math.floor(((clientY - rect.top) * canvas.height) / (rect.height || 1));
  return {
    x: Math.max(0, Math.min(canvas.width - 1, x)),
    y: Math.max(0, Math.min(canvas.height - 1, y)),
  };
}

/** Mouse, pen and wheel on the remote screen canvas → PointerEvents for the server. */
export class PointerInput {
  private readonly send: SendPointer;
  private mask = 0;
  private x = 0;
  private y = 0;
  private wheelX = 0;
  private wheelY = 0;
  private extendedButtons = false;
  private mode: PointerMode = 'absolute';
  private canvas: HTMLCanvasElement | undefined;
  /** Relative mode: motion not yet sent (less than a framebuffer pixel). */
  private restX = 0;
  private restY = 0;
  /** Told when Pointer Lock starts or ends on the canvas. */
  onLockChange: (locked: boolean) => void = () => undefined;

  constructor(send: SendPointer) {
    this.send = send;
  }

  /** The server confirmed ExtendedMouseButtons: back and forward are sent from now on. */
  setExtendedButtons(on: boolean): void {
    this.extendedButtons = on;
  }

  /** QEMU Pointer Motion Change: relative mode captures the pointer on click and sends motions. */
  setMode(mode: PointerMode): void {
    this.mode = mode;
    if (mode === 'absolute' && this.locked()) document.exitPointerLock();
  }

  private locked(): boolean {
    return this.canvas !== undefined && document.pointerLockElement === this.canvas;
  }

  attach(canvas: HTMLCanvasElement): () => void {
    this.canvas = canvas;
    /** Where the pointer last was over the canvas (client coordinates); undefined once it left. */
    let over: { clientX: number; clientY: number } | undefined;
    const position = (event: { clientX: number; clientY: number }) => {
      const p = toFramebuffer(canvas, canvas.getBoundingClientRect(), event.clientX, event.clientY);
      this.x = p.x;
      this.y = p.y;
      over = { clientX: event.clientX, clientY: event.clientY };
    };
    const left = () => {
      over = undefined;
    };
    // The screen scrolled under a pointer that did not move (1:1 edge scrolling, a scrollbar,
    // the wheel of the page): the remote pointer goes to the pixel now under it, as TigerVNC's does.
    const scrolled = () => {
      if (this.mode !== 'absolute' || !over) return;
      const x = this.x;
      const y = this.y;
      position(over);
      if (this.x !== x || this.y !== y) this.send(this.x, this.y, this.mask);
    };
    const pointer = (event: PointerEvent) => {
      event.preventDefault();
      if (this.mode === 'relative') {
        this.relative(canvas, event);
        return;
      }
      position(event);
      this.mask = rfbButtons(event.buttons, this.extendedButtons);
      if (event.type === 'pointerdown') {
        canvas.focus();
        canvas.setPointerCapture(event.pointerId);
      }
      this.send(this.x, this.y, this.mask);
    };
    const lockChange = () => this.onLockChange(this.locked());
    // Ctrl+Alt gives the captured pointer back (Escape does too, by the browser).
    const releaseKeys = (event: KeyboardEvent) => {
      if (this.locked() && event.ctrlKey && event.altKey) document.exitPointerLock();
    };
    const wheel = (event: WheelEvent) => {
      event.preventDefault();
      position(event);
      const scale = event.deltaMode === 1 ? WHEEL_STEP : event.deltaMode === 2 ? WHEEL_STEP * 10 : 1;
      this.wheelX += event.deltaX * scale;
      this.wheelY += event.deltaY * scale;
      while (Math.abs(this.wheelY) >= WHEEL_STEP) {
        this.click(this.wheelY < 0 ? WHEEL_UP : WHEEL_DOWN);
        this.wheelY -= Math.sign(this.wheelY) * WHEEL_STEP;
      }
      while (Math.abs(this.wheelX) >= WHEEL_STEP) {
        this.click(this.wheelX < 0 ? WHEEL_LEFT : WHEEL_RIGHT);
        this.wheelX -= Math.sign(this.wheelX) * WHEEL_STEP;
      }
    };
    const noMenu = (event: Event) => event.preventDefault();
    canvas.addEventListener('pointerdown', pointer);
    canvas.addEventListener('pointerup', pointer);
    canvas.addEventListener('pointermove', pointer);
    canvas.addEventListener('wheel', wheel, { passive: false });
    canvas.addEventListener('contextmenu', noMenu);
    canvas.addEventListener('keydown', releaseKeys);
    canvas.addEventListener('pointerleave', left);
    document.addEventListener('pointerlockchange', lockChange);
    // Scroll events do not bubble: caught on their way down, from whichever element scrolled.
    document.addEventListener('scroll', scrolled, { capture: true, passive: true });
    return () => {
      canvas.removeEventListener('pointerleave', left);
      document.removeEventListener('scroll', scrolled, { capture: true });
      canvas.removeEventListener('keydown', releaseKeys);
      document.removeEventListener('pointerlockchange', lockChange);
      if (this.locked()) document.exitPointerLock();
      this.canvas = undefined;
      canvas.removeEventListener('pointerdown', pointer);
      canvas.removeEventListener('pointerup', pointer);
      canvas.removeEventListener('pointermove', pointer);
      canvas.removeEventListener('wheel', wheel);
      canvas.removeEventListener('contextmenu', noMenu);
    };
  }

  /**
   * Relative mode: a click outside Pointer Lock captures the pointer (and reaches nobody); while
   * captured, the motion (CSS pixels scaled to framebuffer pixels) and buttons go to the server.
   */
  private relative(canvas: HTMLCanvasElement, event: PointerEvent): void {
    if (!this.locked()) {
      if (event.type === 'pointerdown') {
        canvas.focus();
        void Promise.resolve(canvas.requestPointerLock()).catch(() => undefined);
      }
      return;
    }
    const rect = canvas.getBoundingClientRect();
    this.restX += (event.movementX * canvas.width) / (rect.width || 1);
    this.restY += (event.movementY * canvas.height) / (rect.height || 1);
    const dx = Math.round(this.restX);
    const dy = Math.round(this.restY);
    this.restX -= dx;
    this.restY -= dy;
    this.mask = rfbButtons(event.buttons, this.extendedButtons);
    const motion = relativeMotion(dx, dy);
    this.send(motion.x, motion.y, this.mask);
  }

  private click(bit: number): void {
    // Relative mode: a wheel click must not move the pointer.
    const at = this.mode === 'relative' ? relativeMotion(0, 0) : { x: this.x, y: this.y };
    if (this.mode === 'relative' && !this.locked()) return;
    this.send(at.x, at.y, this.mask | bit);
    this.send(at.x, at.y, this.mask);
  }
}
