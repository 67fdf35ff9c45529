import { checkControlParams } from '../../shared/control-params.ts';
import type { CheckedParams, ControlName, ControlResult, DiscoveredServer } from '../../shared/ipc.ts';
import type { VncProbe } from '../discovery/probe.ts';
import type { scanHost } from '../discovery/scan.ts';
import { DEFAULT_SCAN_PORTS, MAX_SCAN_PORTS } from '../discovery/scan-range.ts';
import {
  exportBookmarksJson,
  exportVncFile,
  importBookmarksJson,
  importVncFile,
  resolveLink,
} from './bookmark-files.ts';
import type { LaunchRegistry } from './launches.ts';
import {
  BROWSER_MODE_CIPHER_REASON,
  type PasswordCipher,
  PasswordVault,
  unavailableCipher,
} from './password-vault.ts';
import { CertificatePinStore } from './pin-store.ts';
import { RecentStore } from './recent-store.ts';
import { SettingsStore } from './settings-store.ts';
import { ThumbnailStore } from './thumbnail-store.ts';

/** The settings store over a data directory, its passwords encrypted with `cipher`. */
export function openSettingsStore(dataDir: string, cipher: PasswordCipher): SettingsStore {
  return new SettingsStore(dataDir, new PasswordVault(dataDir, cipher));
}

export interface ControlServiceOptions {
  /** The settings store; by default one over `dataDir` that cannot store passwords (browser mode). */
  settings?: SettingsStore;
  /** How ports are probed (tests). */
  scan?: (host: string, options: { from: number; to: number }) => Promise<VncProbe[]>;
  /** Connections to open at start (`porthole connect`, a .vnc file given to the app). */
  launches?: LaunchRegistry;
  /** The pinned server keys; by default the store over `dataDir`. */
  pins?: CertificatePinStore;
}

/** The requests answered here; the rest (clipboard, dialogs, full screen) belong to each front end. */
type ServiceName = Exclude<
  ControlName,
  'clipboard:read' | 'clipboard:write' | 'screenshot:save' | 'window:fullscreen'
>;
type ServiceHandlers = { [N in ServiceName]: (params: CheckedParams<N>) => Promise<ControlResult<N>> };

/**
 * The control requests both front ends (Electron IPC, browser mode) answer the same way.
 * Platform-specific ones (clipboard, save dialogs, full screen) live with each front end.
 * Every request's parameters are checked against its schema (`checkControlParams`) before its
 * handler runs: browser mode hands them over as they came off the WebSocket.
 */
export function createControlService(dataDir: string, options: ControlServiceOptions = {}) {
  const recent = new RecentStore(dataDir);
  const settings =
    options.settings ?? openSettingsStore(dataDir, unavailableCipher(BROWSER_MODE_CIPHER_REASON));
  // Loaded on first use, so Electron's main process holds the RFB engine only once it scans.
  const scan: typeof scanHost =
    options.scan ??
    (async (host, scanOptions) => (await import('../discovery/scan.ts')).scanHost(host, scanOptions));
  const pins = options.pins ?? new CertificatePinStore(dataDir);
  const thumbnails = new ThumbnailStore(dataDir);
  const handlers: ServiceHandlers = {
    'pins:list': () => pins.list(),
    'pins:remove': async ({ server }) => {
      await pins.remove(server);
      return pins.list();
    },
    'recent:list': () => recent.list(),
    'recent:add': ({ target }) => recent.add(target),
    'recent:remove': ({ target }) => recent.remove(target),
    'settings:load': async () => {
      const snapshot = await settings.snapshot();
      // Thumbnails no bookmark owns (a crash between deleting a bookmark and its picture) go.
      await thumbnails.prune(snapshot.settings.thumbnails ? snapshot.bookmarks.map((b) => b.id) : []);
      return snapshot;
    },
    'settings:revision': () => settings.revision(),
    'settings:update': async ({ settings: patch, base }) => {
      const updated = await settings.updateSettings(patch, base);
      if (!updated.thumbnails) await thumbnails.clear();
      return updated;
    },
    'bookmarks:save': async ({ id, fields, password, base }) =>
      (await settings.saveBookmark(id, fields, password, base)).bookmark,
    'bookmarks:duplicate': ({ id }) => settings.duplicateBookmark(id),
    'bookmarks:delete': async ({ id }) => {
      const bookmarks = await settings.deleteBookmark(id);
      await thumbnails.remove(id);
      return bookmarks;
    },
    'bookmarks:undo-delete': async ({ id }) => {
      const bookmarks = await settings.undoDelete(id);
      await thumbnails.restore(id);
      return bookmarks;
    },
    'bookmarks:connected': ({ id }) => settings.markConnected(id),
    'launch:take': async () => options.launches?.take() ?? [],
    'bookmarks:import-vnc': async ({ fileName, text }) => {
      const imported = importVncFile(fileName, text);
      const saved = await settings.saveBookmark(
        undefined,
        imported.fields,
        imported.password === undefined ? { action: 'keep' } : { action: 'set', password: imported.password },
      );
      return { bookmark: saved.bookmark, warnings: [...imported.warnings, ...saved.warnings] };
    },
    'bookmarks:export-vnc': async ({ id }) => exportVncFile(await settings.bookmark(id)),
    'bookmarks:export-json': async () => exportBookmarksJson(await settings.bookmarks()),
    'bookmarks:import-json': async ({ text }) => settings.addBookmarks(importBookmarksJson(text)),
    'thumbnails:save': ({ id, image }) =>
      thumbnails.put(id, image, async () => {
        const { settings: current, bookmarks } = await settings.snapshot();
        return current.thumbnails && bookmarks.some((b) => b.id === id);
      }),
    'thumbnails:get': ({ id }) => thumbnails.get(id),
    'link:resolve': async ({ url }) => resolveLink(url, await settings.bookmarks()),
    'scan:host': async ({ host, firstPort, lastPort }) =>
      (await scan(host, scanRange(firstPort, lastPort))).map(discoveredServer),
  };
  const service = {} as { [N in ServiceName]: (params: unknown) => Promise<ControlResult<N>> };
  for (const name of Object.keys(handlers) as ServiceName[]) {
    const handler = handlers[name] as (params: unknown) => Promise<unknown>;
    (service as Record<string, (params: unknown) => Promise<unknown>>)[name] = async (params) =>
      handler(checkControlParams(name, params));
  }
  return service;
}

export type ControlService = ReturnType<typeof createControlService>;

/** A probe as the viewer shows it, with a note where the server could not be read further. */
export function discoveredServer(probe: VncProbe): DiscoveredServer {
  const server: DiscoveredServer = {
    host: probe.host,
    port: probe.port,
    version: probe.version,
    securityTypes: [...probe.securityTypes],
    ...(probe.vencryptSubtypes && { vencryptSubtypes: [...probe.vencryptSubtypes] }),
  };
  if (probe.name !== undefined) server.name = probe.name;
  if (probe.width !== undefined) server.width = probe.width;
  if (probe.height !== undefined) server.height = probe.height;
  if (probe.securityTypes.length === 0) server.note = 'the server refused the connection or did not answer';
  else if (probe.name === undefined)
    server.note = 'the server wants a password (or another kind of security)';
  return server;
}

/** The ports a scan covers: the default range, or the hundred from a first port; at most MAX_SCAN_PORTS. */
function scanRange(
  firstPort: number | undefined,
  lastPort: number | undefined,
): { from: number; to: number } {
  const from = firstPort ?? DEFAULT_SCAN_PORTS.from;
  const to = lastPort ?? (firstPort === undefined ? DEFAULT_SCAN_PORTS.to : Math.min(firstPort + 99, 65535));
  if (to < from) throw new Error(`invalid parameters: "lastPort" (${to}) is below "firstPort" (${from})`);
  const count = to - from + 1;
  if (count > MAX_SCAN_PORTS)
    throw new Error(
      `invalid parameters: a scan covers at most ${MAX_SCAN_PORTS} ports; ${from}–${to} is ${count}`,
    );
  return { from, to };
}
