import { describe, expect, it } from 'vitest';
import { Coverage } from '../../main/cli/coverage.ts';
import type { DrawOp } from '../../shared/draw-ops.ts';

const batch = (...ops: DrawOp[]) => ({ ops, pixels: new Uint8Array(), updateEnd: true });

describe('Coverage: when a snapshot holds one complete framebuffer', () => {
  it('is complete only once every pixel was painted since the last resize', () => {
    const c = new Coverage();
    expect(c.complete).toBe(false);
    c.apply(batch({ kind: 'resize', width: 4, height: 2 }));
    c.apply(batch({ kind: 'fill', x: 0, y: 0, width: 4, height: 1, colour: 0 }));
    expect(c.complete).toBe(false);
    c.apply(batch({ kind: 'pixels', x: 0, y: 1, width: 3, height: 1, offset: 0 }));
    expect(c.complete).toBe(false);
    c.apply(batch({ kind: 'copy', srcX: 0, srcY: 0, x: 3, y: 1, width: 1, height: 1 }));
    expect(c.complete).toBe(true);
  });

  it('a resize starts over; overlapping paints count once', () => {
    const c = new Coverage();
    c.apply(batch({ kind: 'resize', width: 2, height: 2 }));
    c.apply(batch({ kind: 'fill', x: 0, y: 0, width: 2, height: 2, colour: 0 }));
    expect(c.complete).toBe(true);
    c.apply(batch({ kind: 'resize', width: 3, height: 1 }));
    expect(c.complete).toBe(false);
    c.apply(batch({ kind: 'fill', x: 0, y: 0, width: 2, height: 1, colour: 0 }));
    c.apply(batch({ kind: 'fill', x: 1, y: 0, width: 1, height: 1, colour: 0 }));
    expect(c.complete).toBe(false);
    c.apply(batch({ kind: 'fill', x: 2, y: 0, width: 1, height: 1, colour: 0 }));
    expect(c.complete).toBe(true);
  });
});
