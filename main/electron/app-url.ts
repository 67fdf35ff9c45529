/** The app's own origin: the renderer is served from `app://porthole/` (see protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'porthole';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** The dev server URL electron-vite sets in development, if any. */
export function devRendererUrl(): string | undefined {
  return process.env.ELECTRON_RENDERER_URL || undefined;
}

/**
 * True if `url` belongs to the app: under `app://porthole/`, or (in development) the same
 * origin as the dev server. Origins are compared exactly, never as string prefixes, so
 * `http://localhost:51730` does not pass for `http://localhost:5173`.
 */
export function isAppUrl(url: string | undefined, devUrl: string | undefined): boolean {
  if (!url) return false;
  if (url.startsWith(`${APP_ORIGIN}/`)) return true;
  if (!devUrl) return false;
  const origin = originOf(url);
  return origin !== null && origin === originOf(devUrl);
}

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}
