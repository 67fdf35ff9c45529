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

import type { CertificatePin } from './security-types.ts';
import type { SshPrompt } from './session-protocol.ts';
import type {
  Bookmark,
  BookmarkFields,
  GlobalSettings,
  PasswordChange,
  VmHost,
  VmHostFields,
} from './settings.ts';
import type { VmListing } from './vm-hosts.ts';

/**
 * Listing a VM host's VMs: the SSH login may need the user (an unknown host key, a password,
 * a key's passphrase). Such a request answers with the question; the viewer asks the user and
 * sends the request again with the answers.
 */
export interface VmListRequest {
  /** The SSH destination (`enabled` false: this machine) and the libvirt URI. */
  host: Pick<VmHost, 'ssh' | 'uri'>;
  answers?: {
    /** The SHA-256 fingerprint of the host key the user chose to trust. */
    trustHostKey?: string;
    password?: string;
    passphrase?: string;
  };
}

export type VmListResult =
  | { kind: 'listing'; listing: VmListing }
  | { kind: 'question'; prompt: SshPrompt }
  /** The SSH login failed (wrong password, changed host key, host unreachable). */
  | { kind: 'error'; message: string };

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
  vmHosts: VmHost[];
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
    | 'viewOnly'
    | 'quality'
    | 'colourLevel'
    | 'shared'
    | 'scaling'
    | 'encodings'
    | 'safeModeReconnect'
    | 'ssh'
    | 'libvirtUri'
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

/** Every control request: its parameters and its result. */
export interface ControlRequests {
  'recent:list': { params: Record<string, never>; result: RecentConnection[] };
  'recent:add': { params: { target: string }; result: RecentConnection[] };
  'recent:remove': { params: { target: string }; result: RecentConnection[] };
  'settings:load': { params: Record<string, never>; result: SettingsSnapshot };
  /** The document's revision, to poll cheaply for changes made elsewhere. */
  'settings:revision': { params: Record<string, never>; result: number };
  /**
   * Merges the given global settings; returns them all. `base`: the settings the change was
   * made on, so that a change made elsewhere meanwhile is merged, or the update refused.
   */
  'settings:update': {
    params: { settings: Partial<GlobalSettings>; base?: GlobalSettings };
    result: GlobalSettings;
  };
  /**
   * Creates (no id) or replaces (id) a bookmark; the password travels one way only. `base`:
   * the fields the edit started from (see 'settings:update').
   */
  'bookmarks:save': {
    params: { id?: string; fields: BookmarkFields; password: PasswordChange; base?: BookmarkFields };
    result: Bookmark;
  };
  'bookmarks:duplicate': { params: { id: string }; result: Bookmark };
  /** Deletes a bookmark but keeps it (and its password) for `bookmarks:undo-delete`. */
  'bookmarks:delete': { params: { id: string }; result: Bookmark[] };
  'bookmarks:undo-delete': { params: { id: string }; result: Bookmark[] };
  /** Stamps `lastConnected` after a successful connection. */
  'bookmarks:connected': { params: { id: string }; result: Bookmark };
  /** Imports a RealVNC or TigerVNC `.vnc` file as a new bookmark. */
  'bookmarks:import-vnc': {
    params: { fileName: string; text: string };
    result: { bookmark: Bookmark; warnings: string[] };
  };
  /** A bookmark as a `.vnc` file; the password is never included. */
  'bookmarks:export-vnc': { params: { id: string }; result: ExportedFile };
  /** All bookmarks as one JSON file (no passwords). */
  'bookmarks:export-json': { params: Record<string, never>; result: ExportedFile };
  /** Adds the bookmarks of an exported JSON file; ids already present are given new ones. */
  'bookmarks:import-json': { params: { text: string }; result: { added: number; bookmarks: Bookmark[] } };
  /**
   * Keeps a picture of a bookmark's screen (a JPEG or PNG data URL) as its thumbnail; false
   * when thumbnails are turned off or the bookmark is gone (nothing is kept then).
   */
  'thumbnails:save': { params: { id: string; image: string }; result: boolean };
  /** A bookmark's thumbnail as a data URL; null when it has none. */
  'thumbnails:get': { params: { id: string }; result: string | null };
  'link:resolve': { params: { url: string }; result: ResolvedLink };
  /** The connections to open at start (each handed out once), e.g. from `porthole connect`. */
  'launch:take': { params: Record<string, never>; result: LaunchRequest[] };
  /** Probes a host's ports for VNC servers (default 5900–5999), as `porthole scan`. */
  'scan:host': {
    params: { host: string; firstPort?: number; lastPort?: number };
    result: DiscoveredServer[];
  };
  /** Creates (no id) or replaces (id) a saved VM host; returns them all. */
  'vmhosts:save': { params: { id?: string; fields: VmHostFields }; result: VmHost[] };
  'vmhosts:delete': { params: { id: string }; result: VmHost[] };
  /** Lists a VM host's VMs with virsh (over SSH), as `porthole vms`. */
  'vmhosts:list-vms': { params: VmListRequest; result: VmListResult };
  /** The pinned server keys (trust on first use), by `host:port`. */
  'pins:list': { params: Record<string, never>; result: CertificatePin[] };
  /** Forgets a server's pinned key: its next certificate is asked about again. */
  'pins:remove': { params: { server: string }; result: CertificatePin[] };
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
  'vmhosts:save',
  'vmhosts:delete',
  'vmhosts:list-vms',
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
