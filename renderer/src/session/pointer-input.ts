export type SendPointer = (x: number, y: number, buttons: number) => void;

/** RFB button mask bits (RFC 6143 §7.5.5): buttons 1–3, wheel up/down (4/5), left/right (6/7). */
const LEFT = 1;
const MIDDLE = 2;
const RIGHT = 4;
const WHEEL_UP = 8;
const WHEEL_DOWN = 16;
const WHEEL_LEFT = 32;
const WHEEL_RIGHT = 64;

/** Pixels of wheel movement that make one wheel click. */
const WHEEL_STEP = 50;

/** PointerEvent.buttons (1 primary, 2 secondary, 4 auxiliary) → the RFB mask. */
export function rfbButtons(buttons: number): number {
  return (buttons & 1 ? LEFT : 0) | (buttons & 4 ? MIDDLE : 0) | (buttons & 2 ? RIGHT : 0);
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

  constructor(send: SendPointer) {
    this.send = send;
  }

  attach(canvas: HTMLCanvasElement): () => void {
    const position = (event: MouseEvent) => {
      const p = toFramebuffer(canvas, canvas.getBoundingClientRect(), event.clientX, event.clientY);
      this.x = p.x;
      this.y = p.y;
    };
    const pointer = (event: PointerEvent) => {
      position(event);
      this.mask = rfbButtons(event.buttons);
      if (event.type === 'pointerdown') {
        canvas.focus();
        canvas.setPointerCapture(event.pointerId);
      }
      event.preventDefault();
      this.send(this.x, this.y, this.mask);
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
    return () => {
      canvas.removeEventListener('pointerdown', pointer);
      canvas.removeEventListener('pointerup', pointer);
      canvas.removeEventListener('pointermove', pointer);
      canvas.removeEventListener('wheel', wheel);
      canvas.removeEventListener('contextmenu', noMenu);
    };
  }

  private click(bit: number): void {
    this.send(this.x, this.y, this.mask | bit);
    this.send(this.x, this.y, this.mask);
  }
}
