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
