/**
 * The IPC contract between the main side and the renderer, in one typed place.
 *
 * Two kinds of traffic:
 * - Control requests (`ControlResults`; their parameters' schemas in `control-params.ts`):
 *   small request/response calls the renderer makes of the main side. Electron carries them
 *   with `ipcRenderer.invoke` on the channel `porthole:<name>`; browser mode as JSON over its
 *   control WebSocket.
 * - Sessions (`shared/session-protocol.ts`): one port per session, straight between the
 *   renderer and the process holding the connection.
 *
 * No runtime import here: Electron's sandboxed preload bundles this file and may require
 * nothing but electron.
 */

import type * as v from 'valibot';
import type { CONTROL_PARAMS } from './control-params.ts';
import type { CertificatePin } from './security-types.ts';
import type { Bookmark, BookmarkFields, GlobalSettings } from './settings.ts';

export interface RecentConnection {
  target: string;
  /** ISO 8601 time of the last successful connection. */
  lastConnected: string;
}

/** Whether bookmark passwords can be stored here, and if not, why (shown to the user). */
export interface PasswordStorage {
  available: boolean;
  reason?: string;
}

/** Everything the viewer needs at start: the settings, the bookmarks, and what to tell the user. */
export interface SettingsSnapshot {
  settings: GlobalSettings;
  bookmarks: Bookmark[];
  /** The document's revision (shared/settings.ts): another one means this copy is stale. */
  revision: number;
  /** Problems met while loading, e.g. a corrupt file moved aside (with where it is now). */
  notices: string[];
  passwordStorage: PasswordStorage;
}

/** A file handed to the viewer to save (the renderer offers it as a download). */
export interface ExportedFile {
  fileName: string;
  text: string;
}

/**
 * What a `vnc://` link resolves to. A link to a bookmarked server connects with that
 * bookmark (and its stored password); any other link must be confirmed by the user first
 * and never uses a stored password.
 */
export interface ResolvedLink {
  target: string;
  username: string;
  bookmarkId?: string;
  needsConfirmation: boolean;
  /** Settings the link's query asked for that the viewer honours (e.g. viewOnly, quality). */
  options: Partial<Pick<BookmarkFields, 'viewOnly' | 'quality' | 'colourLevel' | 'shared'>>;
}

/**
 * A connection the main side was asked to open (`porthole connect FILE.vnc`, a `.vnc` file
 * given to the app). A password the file carried stays on the main side: the session gets it
 * by `bookmarkId` (a `launch:…` id), the viewer never does.
 */
export interface LaunchRequest {
  bookmarkId: string;
  name: string;
  target: string;
  options: Pick<
    BookmarkFields,
    'viewOnly' | 'quality' | 'colourLevel' | 'shared' | 'scaling' | 'encodings' | 'safeModeReconnect' | 'ssh'
  >;
}

/** One VNC server found by a scan; name and size only where no password was needed. */
export interface DiscoveredServer {
  host: string;
  port: number;
  version: string;
  securityTypes: number[];
  /** The subtypes inside VeNCrypt (19), when it is offered without None. */
  vencryptSubtypes?: number[];
  name?: string;
  width?: number;
  height?: number;
  /** Why the server could not be read further (it refused, wanted a password...). */
  note?: string;
}

/** The bookmark id of a session opened from a launch (a `.vnc` file): it names no saved bookmark. */
export const LAUNCH_ID_PREFIX = 'launch:';

/** The largest thumbnail kept, in bytes of its image file (the viewer's are about 10 KiB). */
export const MAX_THUMBNAIL_BYTES = 64 * 1024;

/** Every control request's result. */
export interface ControlResults {
  'recent:list': RecentConnection[];
  'recent:add': RecentConnection[];
  'recent:remove': RecentConnection[];
  'settings:load': SettingsSnapshot;
  'settings:revision': number;
  'settings:update': GlobalSettings;
  'bookmarks:save': Bookmark;
  'bookmarks:duplicate': Bookmark;
  'bookmarks:delete': Bookmark[];
  'bookmarks:undo-delete': Bookmark[];
  'bookmarks:connected': Bookmark;
  'bookmarks:import-vnc': { bookmark: Bookmark; warnings: string[] };
  'bookmarks:export-vnc': ExportedFile;
  'bookmarks:export-json': ExportedFile;
  'bookmarks:import-json': { added: number; bookmarks: Bookmark[] };
  'thumbnails:save': boolean;
  'thumbnails:get': string | null;
  'link:resolve': ResolvedLink;
  'launch:take': LaunchRequest[];
  'scan:host': DiscoveredServer[];
  'pins:list': CertificatePin[];
  'pins:remove': CertificatePin[];
  'clipboard:read': string;
  'clipboard:write': null;
  'screenshot:save': string | null;
  'window:fullscreen': null;
}

export type ControlName = keyof ControlResults & keyof typeof CONTROL_PARAMS;
/** What the viewer sends (the parameter schemas are in `control-params.ts`). */
export type ControlParams<N extends ControlName> = v.InferInput<(typeof CONTROL_PARAMS)[N]>;
/** What the main side's handler gets: checked, defaults filled in (but see settings:update). */
export type CheckedParams<N extends ControlName> = v.InferOutput<(typeof CONTROL_PARAMS)[N]>;
export type ControlResult<N extends ControlName> = ControlResults[N];

export const CONTROL_NAMES = [
  'settings:load',
  'settings:revision',
  'settings:update',
  'bookmarks:save',
  'bookmarks:duplicate',
  'bookmarks:delete',
  'bookmarks:undo-delete',
  'bookmarks:connected',
  'bookmarks:import-vnc',
  'bookmarks:export-vnc',
  'bookmarks:export-json',
  'bookmarks:import-json',
  'thumbnails:save',
  'thumbnails:get',
  'link:resolve',
  'launch:take',
  'scan:host',
  'recent:list',
  'recent:add',
  'recent:remove',
  'pins:list',
  'pins:remove',
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
/** Main tells every window that the machine resumed from sleep (Electron powerMonitor 'resume'). */
export const RESUME_CHANNEL = 'porthole:resume';
/**
 * The target main sends on `OPEN_TARGET_CHANNEL` when it holds connections for the viewer to
 * take with `launch:take` (a `.vnc` file given to the app); not a server address.
 */
export const TAKE_LAUNCHES_TARGET = 'porthole:take-launches';

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
  /** Subscribes to the machine resuming from sleep; returns the unsubscribe function. */
  onResume(listener: () => void): () => void;
}
