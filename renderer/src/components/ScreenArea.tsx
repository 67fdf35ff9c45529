import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { SessionController } from '../session/controller.ts';
import type { Scaling } from '../state/store.ts';

/** CSS size of the canvas for a scaling mode, and whether the scale keeps pixels square and sharp. */
export function layoutScreen(
  scaling: Scaling,
  framebuffer: { width: number; height: number },
  area: { width: number; height: number },
  devicePixelRatio: number,
): { width: number; height: number; crisp: boolean } {
  const { width, height } = framebuffer;
  if (width === 0 || height === 0) return { width: 0, height: 0, crisp: true };
  if (scaling === '1:1')
    return { width: width / devicePixelRatio, height: height / devicePixelRatio, crisp: true };
  if (scaling === 'fill') return { width: area.width, height: area.height, crisp: false };
  const scale = Math.min(area.width / width, area.height / height);
  // An integer number of device pixels per remote pixel stays sharp; other scales are smoothed.
  const devicePixels = scale * devicePixelRatio;
  const snapped = devicePixels >= 1 ? Math.floor(devicePixels) : devicePixels;
  const crisp = Number.isInteger(snapped) && Math.abs(devicePixels - snapped) < 0.02;
  const used = crisp ? snapped / devicePixelRatio : scale;
  return { width: width * used, height: height * used, crisp };
}

/** Edge scrolling as TigerVNC's viewer does it: within this many CSS pixels of an edge of the view… */
export const EDGE_SCROLL_SIZE = 32;
/** …the view scrolls by up to this many CSS pixels a frame, faster nearer the edge. */
export const EDGE_SCROLL_SPEED = 20;

/**
 * How far to scroll the view in one frame for a pointer at `pointer` (client coordinates):
 * towards an edge the pointer is within EDGE_SCROLL_SIZE of, if the view can still scroll
 * that way. `view` is the visible area (without scrollbars: a pointer on them scrolls nothing).
 */
export function edgeScrollStep(
  pointer: { x: number; y: number },
  view: { left: number; top: number; width: number; height: number },
  scroll: { left: number; top: number; maxLeft: number; maxTop: number },
): { dx: number; dy: number } {
  const inside =
    pointer.x >= view.left &&
    pointer.x < view.left + view.width &&
    pointer.y >= view.top &&
    pointer.y < view.top + view.height;
  if (!inside) return { dx: 0, dy: 0 };
  const speed = (distance: number) =>
    distance < EDGE_SCROLL_SIZE
      ? Math.ceil((EDGE_SCROLL_SPEED * (EDGE_SCROLL_SIZE - distance)) / EDGE_SCROLL_SIZE)
      : 0;
  const axis = (from: number, to: number, position: number, max: number) => {
    const back = position > 0 ? speed(from) : 0;
    const forward = position < max ? speed(to) : 0;
    return forward - back;
  };
  return {
    dx: axis(pointer.x - view.left, view.left + view.width - 1 - pointer.x, scroll.left, scroll.maxLeft),
    dy: axis(pointer.y - view.top, view.top + view.height - 1 - pointer.y, scroll.top, scroll.maxTop),
  };
}

/**
 * At 1:1 with a remote screen larger than the view, moving the pointer near an edge scrolls
 * the view (and keeps scrolling while it stays there). The pointer's remote position follows
 * the scroll (PointerInput listens for it), so a click still lands on the pixel under it.
 */
function useEdgeScrolling(box: React.RefObject<HTMLDivElement | null>, on: boolean): void {
  useEffect(() => {
    const element = box.current;
    if (!on || !element) return;
    let pointer: { x: number; y: number } | undefined;
    let frame: number | undefined;
    const step = () => {
      const rect = element.getBoundingClientRect();
      const move = pointer
        ? edgeScrollStep(
            pointer,
            {
              left: rect.left + element.clientLeft,
              top: rect.top + element.clientTop,
              width: element.clientWidth,
              height: element.clientHeight,
            },
            {
              left: element.scrollLeft,
              top: element.scrollTop,
              maxLeft: element.scrollWidth - element.clientWidth,
              maxTop: element.scrollHeight - element.clientHeight,
            },
          )
        : { dx: 0, dy: 0 };
      if (move.dx === 0 && move.dy === 0) {
        frame = undefined;
        return;
      }
      element.scrollBy(move.dx, move.dy);
      frame = requestAnimationFrame(step);
    };
    const moved = (event: PointerEvent) => {
      // A captured pointer (relative mode) does not move on the page.
      pointer = document.pointerLockElement ? undefined : { x: event.clientX, y: event.clientY };
      if (frame === undefined) step();
    };
    const left = () => {
      pointer = undefined;
    };
    element.addEventListener('pointermove', moved);
    element.addEventListener('pointerleave', left);
    return () => {
      element.removeEventListener('pointermove', moved);
      element.removeEventListener('pointerleave', left);
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [box, on]);
}

/** Hosts a session's canvas and sizes it for the scaling mode. */
export function ScreenArea(props: {
  controller: SessionController;
  scaling: Scaling;
  width: number;
  height: number;
  bells: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [area, setArea] = useState({ width: 0, height: 0 });
  const [ringing, setRinging] = useState(false);
  const canvas = props.controller.canvas;
  useEdgeScrolling(box, props.scaling === '1:1');

  useLayoutEffect(() => {
    const element = box.current!;
    element.appendChild(canvas);
    const observer = new ResizeObserver(() =>
      setArea({ width: element.clientWidth, height: element.clientHeight }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      canvas.remove();
    };
  }, [canvas]);

  useEffect(() => {
    if (props.bells === 0) return;
    setRinging(true);
    const timer = setTimeout(() => setRinging(false), 250);
    return () => clearTimeout(timer);
  }, [props.bells]);

  const layout = layoutScreen(props.scaling, props, area, window.devicePixelRatio || 1);
  canvas.style.width = `${layout.width}px`;
  canvas.style.height = `${layout.height}px`;
  canvas.style.imageRendering = layout.crisp ? 'pixelated' : 'auto';
  return (
    <div
      ref={box}
      className={`screen ${props.scaling === '1:1' ? 'scroll' : 'centre'}${ringing ? ' bell' : ''}`}
    />
  );
}
