/**
 * The IPC contract between the main side and the renderer, in one typed place.
 *
 * Two kinds of traffic:
 * - Control requests (`ControlRequests`): small request/response calls the renderer makes of
 *   the main side. Electron carries them with `ipcRenderer.invoke` on the channel
 *   `porthole:<name>`; browser mode as JSON over its control WebSocket.
 * - Sessions (`shared/session-protocol.ts`): one port per session, straight between the
 *   renderer and the process holding the connection.
 */

export interface RecentConnection {
  target: string;
  /** ISO 8601 time of the last successful connection. */
  lastConnected: string;
}

/** Every control request: its parameters and its result. */
export interface ControlRequests {
  'recent:list': { params: Record<string, never>; result: RecentConnection[] };
  'recent:add': { params: { target: string }; result: RecentConnection[] };
  'recent:remove': { params: { target: string }; result: RecentConnection[] };
  /** Electron only; browser mode uses the page's own clipboard. */
  'clipboard:read': { params: Record<string, never>; result: string };
  'clipboard:write': { params: { text: string }; result: null };
  /** Electron asks where to save and returns the path (null if cancelled). */
  'screenshot:save': { params: { png: Uint8Array; suggestedName: string }; result: string | null };
  'window:fullscreen': { params: { on: boolean }; result: null };
}

export type ControlName = keyof ControlRequests;
export type ControlParams<N extends ControlName> = ControlRequests[N]['params'];
export type ControlResult<N extends ControlName> = ControlRequests[N]['result'];

export const CONTROL_NAMES = [
  'recent:list',
  'recent:add',
  'recent:remove',
  'clipboard:read',
  'clipboard:write',
  'screenshot:save',
  'window:fullscreen',
] as const satisfies readonly ControlName[];

/** The Electron IPC channel of a control request. */
export function controlChannel(name: ControlName): string {
  return `porthole:${name}`;
}

/** Electron: the channel on which main asks for a new session's port to be delivered. */
export const SESSION_OPEN_CHANNEL = 'porthole:session:open';
/** Electron: the channel on which main delivers a session's MessagePort to the preload. */
export const SESSION_PORT_CHANNEL = 'porthole:session:port';
/**
 * Electron: the preload hands a session's MessagePort to the page with
 * `window.postMessage({ [SESSION_PORT_MESSAGE]: id }, origin, [port])`.
 */
export const SESSION_PORT_MESSAGE = 'portholeSessionPort';
/** Electron: main tells the renderer to open a connection (a `vnc://` link, a menu item). */
export const OPEN_TARGET_CHANNEL = 'porthole:open-target';

/**
 * What the preload exposes to the page as `window.portholeBridge` (Electron only).
 * It carries no session data: session ports go straight to the page.
 */
export interface PreloadBridge {
  versions: { electron: string; chrome: string; node: string };
  invoke<N extends ControlName>(name: N, params: ControlParams<N>): Promise<ControlResult<N>>;
  /** Asks main for a new session process; its port arrives as a window message with this id. */
  openSession(): Promise<string>;
  /** Subscribes to targets main wants opened; returns the unsubscribe function. */
  onOpenTarget(listener: (target: string) => void): () => void;
}
