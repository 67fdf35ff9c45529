import { describe, expect, it } from 'vitest';
import { packRgba } from '../../shared/draw-ops.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';

function numbered(width: number, height: number): Framebuffer {
  const fb = new Framebuffer(width, height);
  new Uint32Array(fb.data.buffer).forEach((_, i, a) => {
    a[i] = packRgba(i, 0, 0);
  });
  return fb;
}

const at = (fb: Framebuffer, x: number, y: number) => fb.data[(y * fb.width + x) * 4];

describe('Framebuffer copy (CopyRect reads the source as it was)', () => {
  for (const [name, sx, sy, dx, dy] of [
    ['down-right overlap', 0, 0, 1, 1],
    ['up-left overlap', 1, 1, 0, 0],
    ['down', 0, 0, 0, 1],
    ['up', 0, 1, 0, 0],
  ] as const) {
    it(name, () => {
      const fb = numbered(4, 4);
      const before = numbered(4, 4);
      fb.apply({
        ops: [{ kind: 'copy', srcX: sx, srcY: sy, x: dx, y: dy, width: 3, height: 3 }],
        pixels: new Uint8Array(),
        updateEnd: true,
      });
      for (let y = 0; y < 3; y++)
        for (let x = 0; x < 3; x++) expect(at(fb, dx + x, dy + y)).toBe(at(before, sx + x, sy + y));
    });
  }

  it('fill and pixels land where they say', () => {
    const fb = new Framebuffer(3, 2);
    const pixels = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    fb.apply({
      ops: [
        { kind: 'fill', x: 0, y: 0, width: 3, height: 2, colour: packRgba(9, 9, 9) },
        { kind: 'pixels', x: 1, y: 1, width: 2, height: 1, offset: 0 },
      ],
      pixels,
      updateEnd: true,
    });
    expect(Array.from(fb.rgb())).toEqual([9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1, 2, 3, 5, 6, 7]);
  });
});
