import type { DrawBatch } from '../../shared/draw-ops.ts';

/** Which framebuffer pixels have been painted since the last resize: "one complete framebuffer". */
export class Coverage {
  private mask = new Uint8Array(0);
  private width = 0;
  private painted = 0;

  get complete(): boolean {
    return this.mask.length > 0 && this.painted === this.mask.length;
  }

  apply(batch: DrawBatch): void {
    for (const op of batch.ops) {
      if (op.kind === 'resize') {
        this.mask = new Uint8Array(op.width * op.height);
        this.width = op.width;
        this.painted = 0;
      } else if (op.kind === 'pixels' || op.kind === 'jpeg' || op.kind === 'fill' || op.kind === 'copy') {
        this.mark(op.x, op.y, op.width, op.height);
      }
    }
  }

  private mark(x: number, y: number, width: number, height: number): void {
    for (let row = y; row < y + height; row++) {
      const start = row * this.width + x;
      for (let i = start; i < start + width; i++) {
        if (this.mask[i] === 0) {
          this.mask[i] = 1;
          this.painted++;
        }
      }
    }
  }
}
