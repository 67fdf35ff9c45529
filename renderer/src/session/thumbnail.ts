import { LAUNCH_ID_PREFIX } from '../../../shared/ipc.ts';
import { setThumbnail } from '../bookmarks/thumbnails.ts';
import { platform } from '../platform/index.ts';
import { useSettings } from '../state/settings.ts';
import { useApp } from '../state/store.ts';
import { sessionController } from './controller.ts';

/** The box a thumbnail fits in, in pixels (the bookmark list shows it at half that size, sharp on HiDPI). */
export const THUMBNAIL_WIDTH = 240;
export const THUMBNAIL_HEIGHT = 150;
/** JPEG quality of a thumbnail: about 10 KiB for a busy desktop. */
const THUMBNAIL_QUALITY = 0.8;
/** The first picture is taken this long after connecting (the first full update is in), then every minute. */
const FIRST_CAPTURE_MS = 5_000;
const CAPTURE_EVERY_MS = 60_000;

/** The size of a thumbnail of a `width`×`height` screen: the box it fits in, aspect kept, never enlarged. */
export function thumbnailSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, THUMBNAIL_WIDTH / width, THUMBNAIL_HEIGHT / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A small JPEG of the remote screen as a data URL; undefined while nothing was painted. */
export function captureThumbnail(screen: HTMLCanvasElement): string | undefined {
  if (screen.width === 0 || screen.height === 0) return undefined;
  const size = thumbnailSize(screen.width, screen.height);
  const small = document.createElement('canvas');
  small.width = size.width;
  small.height = size.height;
  const context = small.getContext('2d');
  if (!context) return undefined;
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(screen, 0, 0, size.width, size.height);
  return small.toDataURL('image/jpeg', THUMBNAIL_QUALITY);
}

function save(bookmarkId: string, screen: HTMLCanvasElement): void {
  if (!useSettings.getState().settings.thumbnails) return;
  const image = captureThumbnail(screen);
  if (!image) return;
  platform()
    .invoke('thumbnails:save', { id: bookmarkId, image })
    .then((kept) => kept && setThumbnail(bookmarkId, image))
    .catch(() => undefined);
}

interface Watched {
  bookmarkId: string;
  screen: HTMLCanvasElement;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Keeps a thumbnail of each bookmark's screen (RealVNC's address book shows them): a picture
 * is taken a few seconds after a session opened from a bookmark connects, every minute while
 * it stays connected, and when it stops being connected (disconnected, dropped, or its tab
 * closed: the canvas still holds the last picture). Not while thumbnails are turned off.
 * Returns the unsubscribe function.
 */
export function watchThumbnails(): () => void {
  const watched = new Map<string, Watched>();
  const stop = (tabId: string) => {
    const entry = watched.get(tabId);
    if (!entry) return;
    clearTimeout(entry.timer);
    watched.delete(tabId);
    save(entry.bookmarkId, entry.screen);
  };
  const unsubscribe = useApp.subscribe((state) => {
    for (const tab of state.tabs) {
      const connected = tab.status?.phase === 'connected';
      const entry = watched.get(tab.id);
      if (entry && (!connected || entry.bookmarkId !== tab.bookmarkId)) stop(tab.id);
      if (!connected || watched.has(tab.id) || !tab.bookmarkId) continue;
      if (tab.bookmarkId.startsWith(LAUNCH_ID_PREFIX)) continue;
      const screen = sessionController(tab.id)?.canvas;
      if (!screen) continue;
      const bookmarkId = tab.bookmarkId;
      const next: Watched = { bookmarkId, screen, timer: setTimeout(() => capture(), FIRST_CAPTURE_MS) };
      const capture = () => {
        save(bookmarkId, screen);
        next.timer = setTimeout(capture, CAPTURE_EVERY_MS);
      };
      watched.set(tab.id, next);
    }
    for (const tabId of watched.keys()) if (!state.tabs.some((t) => t.id === tabId)) stop(tabId);
  });
  return () => {
    unsubscribe();
    for (const entry of watched.values()) clearTimeout(entry.timer);
    watched.clear();
  };
}
