/** The smallest and largest remote desktop the viewer asks for (each side, device pixels). */
export const MIN_REMOTE_SIDE = 200;
export const MAX_REMOTE_SIDE = 8192;

/** How long the window must stay one size before "Remote resizes with the window" asks for it. */
export const AUTO_RESIZE_DELAY_MS = 500;

/**
 * The remote desktop size that fills a screen area of `cssWidth`×`cssHeight` CSS pixels at
 * `devicePixelRatio`: device pixels, rounded, each side within MIN..MAX_REMOTE_SIDE.
 */
export function remoteSizeFor(
  cssWidth: number,
  cssHeight: number,
  devicePixelRatio: number,
): { width: number; height: number } {
  const ratio = Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
  const side = (css: number) => {
    const pixels = Math.round((Number.isFinite(css) ? css : 0) * ratio);
    return Math.max(MIN_REMOTE_SIDE, Math.min(MAX_REMOTE_SIDE, pixels));
  };
  return { width: side(cssWidth), height: side(cssHeight) };
}
