import { describe, expect, it } from 'vitest';
import { layoutScreen } from '../../../renderer/src/components/ScreenArea.tsx';
import { rfbButtons, toFramebuffer } from '../../../renderer/src/session/pointer-input.ts';

describe('screen layout', () => {
  const fb = { width: 1024, height: 768 };
  it('1:1 shows one remote pixel per device pixel, also on HiDPI screens', () => {
    expect(layoutScreen('1:1', fb, { width: 500, height: 500 }, 1)).toEqual({
      width: 1024,
      height: 768,
      crisp: true,
    });
    expect(layoutScreen('1:1', fb, { width: 500, height: 500 }, 2)).toEqual({
      width: 512,
      height: 384,
      crisp: true,
    });
  });
  it('fit keeps the aspect ratio; integer scales stay crisp, others are smooth', () => {
    expect(layoutScreen('fit', fb, { width: 2200, height: 1700 }, 1).crisp).toBe(false);
    expect(layoutScreen('fit', fb, { width: 2060, height: 1545 }, 1)).toEqual({
      width: 2048,
      height: 1536,
      crisp: true,
    });
    const smooth = layoutScreen('fit', fb, { width: 800, height: 800 }, 1);
    expect(smooth.crisp).toBe(false);
    expect(smooth.width).toBeCloseTo(800);
    expect(smooth.height).toBeCloseTo(600);
    // On a 2× screen a window of exactly the remote size in CSS pixels is 2 device pixels per pixel.
    expect(layoutScreen('fit', fb, { width: 1024, height: 768 }, 2)).toEqual({
      width: 1024,
      height: 768,
      crisp: true,
    });
  });
  it('fill stretches to the area', () => {
    expect(layoutScreen('fill', fb, { width: 300, height: 900 }, 1)).toEqual({
      width: 300,
      height: 900,
      crisp: false,
    });
  });
  it('an empty framebuffer takes no room', () => {
    expect(layoutScreen('fit', { width: 0, height: 0 }, { width: 300, height: 900 }, 1).width).toBe(0);
  });
});

describe('pointer mapping', () => {
  it('maps element coordinates through the scale and clamps to the framebuffer', () => {
    const canvas = { width: 1024, height: 768 };
    const rect = { left: 100, top: 50, width: 512, height: 384 };
    expect(toFramebuffer(canvas, rect, 100, 50)).toEqual({ x: 0, y: 0 });
    expect(toFramebuffer(canvas, rect, 356, 242)).toEqual({ x: 512, y: 384 });
    expect(toFramebuffer(canvas, rect, 99999, -5)).toEqual({ x: 1023, y: 0 });
  });
  it('maps browser buttons to RFB buttons (middle is 2, right is 3)', () => {
    expect(rfbButtons(1)).toBe(1);
    expect(rfbButtons(2)).toBe(4);
    expect(rfbButtons(4)).toBe(2);
    expect(rfbButtons(7)).toBe(7);
    expect(rfbButtons(8)).toBe(0);
  });
});
