import type { ColourLevel } from '../../../shared/colour-level.ts';
import { splitEncodingList } from '../../../shared/encodings.ts';
import { LAUNCH_ID_PREFIX } from '../../../shared/ipc.ts';
import type { PictureQuality } from '../../../shared/picture-quality.ts';
import type { OpenSessionRequest, SshTunnelRequest, TlsFiles } from '../../../shared/session-protocol.ts';
import type { Bookmark } from '../../../shared/settings.ts';
import { platform } from '../platform/index.ts';
import { startSession } from '../session/controller.ts';
import { useSettings } from '../state/settings.ts';
import { type Scaling, type Tab, useApp } from '../state/store.ts';

/** What a connection is opened with, beyond its address. */
export interface ConnectChoices {
  quality: PictureQuality;
  colourLevel: ColourLevel;
  viewOnly: boolean;
  shared?: boolean;
  scaling?: Scaling;
  encodings?: string;
  safeModeReconnect?: boolean;
  bookmarkId?: string;
  listenPort?: number;
  /** A bookmark's username and security preferences. */
  username?: string;
  securityTypes?: number[];
  requireEncryption?: boolean;
  allowPlainUnencrypted?: boolean;
  tlsFiles?: TlsFiles;
  ssh?: SshTunnelRequest;
}

/**
 * Turns a tab into a session for `target`. The global settings supply what the choices leave
 * open (reconnect policy, scaling, safe mode). A bookmark's id travels instead of its
 * password: the session fetches the stored password itself.
 */
export function openSession(tabId: string, target: string, choices: ConnectChoices): void {
  const { settings } = useSettings.getState();
  const request: OpenSessionRequest = {
    target,
    quality: choices.quality,
    colourLevel: choices.colourLevel,
    viewOnly: choices.viewOnly,
    reconnect: settings.reconnect.enabled,
    maxReconnectAttempts: settings.reconnect.maxAttempts,
    stallSeconds: settings.reconnect.stallSeconds,
    safeModeReconnect: choices.safeModeReconnect ?? settings.reconnect.safeMode,
  };
  if (choices.shared !== undefined) request.shared = choices.shared;
  if (choices.encodings) request.encodings = splitEncodingList(choices.encodings);
  if (choices.bookmarkId) request.bookmarkId = choices.bookmarkId;
  if (choices.listenPort !== undefined) request.listenPort = choices.listenPort;
  if (choices.username) request.username = choices.username;
  if (choices.securityTypes?.length) request.securityTypes = choices.securityTypes;
  if (choices.requireEncryption) request.requireEncryption = true;
  if (choices.allowPlainUnencrypted) request.allowPlainUnencrypted = true;
  if (choices.tlsFiles) request.tlsFiles = choices.tlsFiles;
  if (choices.ssh) request.ssh = choices.ssh;
  const patch: Partial<Tab> = {
    kind: 'session',
    target,
    quality: choices.quality,
    colourLevel: choices.colourLevel,
    viewOnly: choices.viewOnly,
    scaling: choices.scaling ?? settings.scaling,
    bookmarkId: choices.bookmarkId,
    status: undefined,
  };
  useApp.getState().updateTab(tabId, patch);
  startSession(tabId, request, platform());
}

/** Opens a bookmark's connection with its own settings (and its stored password, main side). */
export function openBookmark(tabId: string, bookmark: Bookmark): void {
  openSession(tabId, bookmark.address, {
    quality: bookmark.quality,
    colourLevel: bookmark.colourLevel,
    viewOnly: bookmark.viewOnly,
    shared: bookmark.shared,
    scaling: bookmark.scaling,
    encodings: bookmark.encodings,
    safeModeReconnect: bookmark.safeModeReconnect,
    bookmarkId: bookmark.id,
    username: bookmark.username,
    securityTypes: bookmark.security.types,
    requireEncryption: bookmark.security.requireEncryption,
    allowPlainUnencrypted: bookmark.security.allowPlainUnencrypted,
    tlsFiles: tlsFilesOf(bookmark.security),
    ...(bookmark.ssh.enabled && { ssh: sshTunnelOf(bookmark.ssh) }),
  });
}

/** A bookmark's CA file and client certificate as the session takes them (paths it reads); none: undefined. */
function tlsFilesOf(security: Bookmark['security']): TlsFiles | undefined {
  if (!security.caFile && !security.clientCertFile && !security.clientKeyFile) return undefined;
  return {
    ...(security.caFile && { ca: security.caFile }),
    ...(security.clientCertFile && { clientCert: security.clientCertFile }),
    ...(security.clientKeyFile && { clientKey: security.clientKeyFile }),
  };
}

/** A bookmark's tunnel settings as the session takes them (the user defaults to the bookmark's). */
export function sshTunnelOf(ssh: Bookmark['ssh']): SshTunnelRequest {
  return {
    host: ssh.host,
    port: ssh.port,
    user: ssh.user,
    ...(ssh.identityFile && { identityFile: ssh.identityFile }),
  };
}

/** Opens a new tab for a connection; returns its id. */
export function openInNewTab(target: string, choices: ConnectChoices): string {
  const id = useApp.getState().addConnectTab(target);
  openSession(id, target, choices);
  return id;
}

/** The global defaults for a connection that is not a bookmark. */
export function defaultChoices(): ConnectChoices {
  const { settings } = useSettings.getState();
  return { quality: settings.defaultQuality, colourLevel: settings.defaultColourLevel, viewOnly: false };
}

/**
 * Stamps a bookmark's `lastConnected` each time a session opened from it reaches
 * "connected". Returns the unsubscribe function.
 */
export function watchBookmarkConnections(): () => void {
  const phases = new Map<string, string | undefined>();
  return useApp.subscribe((state) => {
    for (const tab of state.tabs) {
      const phase = tab.status?.phase;
      const before = phases.get(tab.id);
      phases.set(tab.id, phase);
      if (phase !== 'connected' || before === 'connected' || !tab.bookmarkId) continue;
      if (tab.bookmarkId.startsWith(LAUNCH_ID_PREFIX)) continue;
      platform()
        .invoke('bookmarks:connected', { id: tab.bookmarkId })
        .then((bookmark) => useSettings.getState().putBookmark(bookmark))
        .catch(() => undefined);
    }
    for (const id of phases.keys()) if (!state.tabs.some((t) => t.id === id)) phases.delete(id);
  });
}
