import { describe, expect, it } from 'vitest';
import {
  EDGE_SCROLL_SIZE,
  EDGE_SCROLL_SPEED,
  edgeScrollStep,
  layoutScreen,
} from '../../../renderer/src/components/ScreenArea.tsx';
import { rfbButtons, toFramebuffer } from '../../../renderer/src/session/pointer-input.ts';
import { thumbnailSize } from '../../../renderer/src/session/thumbnail.ts';

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

describe('1:1 edge scrolling (as TigerVNC)', () => {
  const view = { left: 100, top: 50, width: 800, height: 600 };
  const middle = { left: 500, top: 200, maxLeft: 1120, maxTop: 480 };
  it('scrolls towards an edge the pointer is near, faster nearer the edge', () => {
    expect(edgeScrollStep({ x: 899, y: 300 }, view, middle)).toEqual({ dx: EDGE_SCROLL_SPEED, dy: 0 });
    expect(edgeScrollStep({ x: 100, y: 649 }, view, middle)).toEqual({
      dx: -EDGE_SCROLL_SPEED,
      dy: EDGE_SCROLL_SPEED,
    });
    const near = edgeScrollStep({ x: 899 - EDGE_SCROLL_SIZE / 2, y: 300 }, view, middle).dx;
    expect(near).toBeGreaterThan(0);
    expect(near).toBeLessThan(EDGE_SCROLL_SPEED);
    expect(edgeScrollStep({ x: 899 - EDGE_SCROLL_SIZE, y: 300 }, view, middle)).toEqual({ dx: 0, dy: 0 });
  });
  it('stops at the end of the screen and outside the view (on a scrollbar)', () => {
    expect(edgeScrollStep({ x: 899, y: 649 }, view, { ...middle, left: 1120, top: 480 })).toEqual({
      dx: 0,
      dy: 0,
    });
    expect(edgeScrollStep({ x: 100, y: 50 }, view, { ...middle, left: 0, top: 0 })).toEqual({ dx: 0, dy: 0 });
    expect(edgeScrollStep({ x: 905, y: 300 }, view, middle)).toEqual({ dx: 0, dy: 0 });
  });
});

describe('thumbnail size', () => {
  it('fits the box with the aspect ratio kept, never enlarging', () => {
    expect(thumbnailSize(1920, 1080)).toEqual({ width: 240, height: 135 });
    expect(thumbnailSize(1024, 768)).toEqual({ width: 200, height: 150 });
    expect(thumbnailSize(100, 50)).toEqual({ width: 100, height: 50 });
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
