import { useEffect } from 'react';
import { create } from 'zustand';
import { platform } from '../platform/index.ts';

/**
 * The viewer's copy of the bookmark thumbnails the main side keeps: a data URL per bookmark
 * id, null when it has none, missing until asked for. Each row asks for its own once.
 */
export const useThumbnails = create<{ images: Record<string, string | null> }>()(() => ({ images: {} }));

const loading = new Set<string>();

/** Records a bookmark's thumbnail (a new one was saved, or `null`: it has none). */
export function setThumbnail(id: string, image: string | null): void {
  useThumbnails.setState((s) => ({ images: { ...s.images, [id]: image } }));
}

/** Forgets every thumbnail (turned off), or one (deleted or restored), so it is asked for again. */
export function forgetThumbnails(id?: string): void {
  useThumbnails.setState((s) => {
    if (id === undefined) return { images: {} };
    const { [id]: _gone, ...images } = s.images;
    return { images };
  });
}

/** A bookmark's thumbnail as a data URL (undefined while loading or when it has none). */
export function useThumbnail(id: string): string | undefined {
  const image = useThumbnails((s) => s.images[id]);
  useEffect(() => {
    if (image !== undefined || loading.has(id)) return;
    loading.add(id);
    platform()
      .invoke('thumbnails:get', { id })
      // A thumbnail saved meanwhile is newer than this answer.
      .then((found) => useThumbnails.getState().images[id] === undefined && setThumbnail(id, found))
      .catch(() => useThumbnails.getState().images[id] === undefined && setThumbnail(id, null))
      .finally(() => loading.delete(id));
  }, [id, image]);
  return image ?? undefined;
}
