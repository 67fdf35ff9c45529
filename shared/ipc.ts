/**
 * The IPC contract between the main side and the renderer, in one typed place.
 * The preload exposes exactly this object as `window.porthole`.
 */
export interface PortholeApi {
  versions: { electron: string; chrome: string; node: string };
}
