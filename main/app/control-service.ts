import * as v from 'valibot';
import type { ControlName, ControlParams, ControlResult, DiscoveredServer } from '../../shared/ipc.ts';
import {
  BookmarkSchema,
  GlobalSettingsSchema,
  SshTunnelSchema,
  VmHostSchema,
} from '../../shared/settings.ts';
import type { VncProbe } from '../discovery/probe.ts';
import { DEFAULT_SCAN_PORTS, MAX_SCAN_PORTS, scanHost } from '../discovery/scan.ts';
import {
  exportBookmarksJson,
  exportVncFile,
  importBookmarksJson,
  importVncFile,
  resolveLink,
} from './bookmark-files.ts';
import { KnownHostsStore } from './known-hosts-store.ts';
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
import { MAX_THUMBNAIL_BYTES, ThumbnailStore } from './thumbnail-store.ts';
import { answerVmList } from './vm-hosts.ts';

const MAX_TARGET = 2048;
const MAX_FILE_TEXT = 16 << 20;
const MAX_PASSWORD = 1024;
/** A data URL of MAX_THUMBNAIL_BYTES in base64, with room for its header. */
const MAX_THUMBNAIL_DATA_URL = Math.ceil(MAX_THUMBNAIL_BYTES / 3) * 4 + 64;

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
type ServiceHandlers = { [N in ServiceName]: (params: ControlParams<N>) => Promise<ControlResult<N>> };

/**
 * The control requests both front ends (Electron IPC, browser mode) answer the same way.
 * Platform-specific ones (clipboard, save dialogs, full screen) live with each front end.
 * Every handler checks its parameters itself (`validateServiceParams`): browser mode hands
 * them over as they came off the WebSocket.
 */
export function createControlService(dataDir: string, options: ControlServiceOptions = {}) {
  const recent = new RecentStore(dataDir);
  const settings =
    options.settings ?? openSettingsStore(dataDir, unavailableCipher(BROWSER_MODE_CIPHER_REASON));
  const scan = options.scan ?? scanHost;
  const pins = options.pins ?? new CertificatePinStore(dataDir);
  const thumbnails = new ThumbnailStore(dataDir);
  const knownHosts = new KnownHostsStore(dataDir);
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
    'vmhosts:save': ({ id, fields }) => settings.saveVmHost(id, fields),
    'vmhosts:delete': ({ id }) => settings.deleteVmHost(id),
    'vmhosts:list-vms': (request) => answerVmList(request, knownHosts),
    'scan:host': async ({ host, firstPort, lastPort }) =>
      (
        await scan(host, {
          from: firstPort ?? DEFAULT_SCAN_PORTS.from,
          to: lastPort ?? DEFAULT_SCAN_PORTS.to,
        })
      ).map(discoveredServer),
  };
  const service = {} as { [N in ServiceName]: (params: unknown) => Promise<ControlResult<N>> };
  for (const name of Object.keys(handlers) as ServiceName[]) {
    const handler = handlers[name] as (params: unknown) => Promise<unknown>;
    const validate = validateServiceParams[name];
    (service as Record<string, (params: unknown) => Promise<unknown>>)[name] = async (params) =>
      handler(validate(params));
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

// ---------------------------------------------------------------------------------------------
// Parameter checks. Each throws an Error naming the request and the field that is wrong.

type Validators = { [N in ServiceName]: (params: unknown) => ControlParams<N> };

function fail(what: string): never {
  throw new Error(`invalid parameters: ${what}`);
}

/** The parameters as an object, or a clear error. */
export function paramsObject(p: unknown, what = 'params'): Record<string, unknown> {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) fail(`${what} must be an object`);
  return p as Record<string, unknown>;
}

/** Only these keys may appear. */
function onlyKeys(p: Record<string, unknown>, keys: readonly string[], what = 'params'): void {
  for (const key of Object.keys(p)) if (!keys.includes(key)) fail(`${what} has an unknown field "${key}"`);
}

/** No parameters: nothing, or an empty object. */
export function emptyParams(p: unknown): Record<string, never> {
  if (p !== undefined) onlyKeys(paramsObject(p), []);
  return {};
}

/** A string field of at most `max` characters (not empty unless `allowEmpty`). */
export function textParam(p: Record<string, unknown>, key: string, max: number, allowEmpty = false): string {
  const value = p[key];
  if (typeof value !== 'string') fail(`"${key}" must be a string`);
  if (!allowEmpty && value === '') fail(`"${key}" must not be empty`);
  if (value.length > max) fail(`"${key}" is longer than ${max} characters`);
  return value;
}

function bookmarkId(p: unknown): { id: string } {
  const params = paramsObject(p);
  onlyKeys(params, ['id']);
  return { id: textParam(params, 'id', 64) };
}

function port(p: Record<string, unknown>, key: string): number | undefined {
  const value = p[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(`"${key}" must be a port number from 1 to 65535`);
  }
  return value;
}

/**
 * Rejects keys the schema does not know, at every level of nested objects (valibot's
 * `v.object` would drop them silently, and a typo would then be lost without a word).
 */
function rejectUnknownKeys(value: unknown, schema: v.GenericSchema, path: string): void {
  let inner = schema as v.GenericSchema & {
    wrapped?: v.GenericSchema;
    entries?: Record<string, v.GenericSchema>;
  };
  while (inner.wrapped) inner = inner.wrapped as typeof inner;
  if (!inner.entries || typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const entry = inner.entries[key];
    if (!entry) fail(`${path} has an unknown field "${key}"`);
    rejectUnknownKeys(child, entry, `${path}.${key}`);
  }
}

const VmHostFieldsSchema = v.omit(VmHostSchema, ['id']);
const VmListRequestSchema = v.object({
  host: v.object({ ssh: SshTunnelSchema, uri: VmHostSchema.entries.uri }),
  answers: v.optional(
    v.object({
      trustHostKey: v.optional(v.pipe(v.string(), v.maxLength(200))),
      password: v.optional(v.pipe(v.string(), v.maxLength(MAX_PASSWORD))),
      passphrase: v.optional(v.pipe(v.string(), v.maxLength(MAX_PASSWORD))),
    }),
  ),
});

const BookmarkFieldsSchema = v.omit(BookmarkSchema, ['id', 'hasPassword', 'createdAt', 'lastConnected']);
/** Any global setting may be left out of an update. */
const GlobalSettingsPatchSchema = v.partial(GlobalSettingsSchema);

function checked<T extends v.GenericSchema>(schema: T, value: unknown, what: string): v.InferOutput<T> {
  rejectUnknownKeys(value, schema, what);
  const result = v.safeParse(schema, value);
  if (!result.success) {
    const issue = result.issues[0];
    const path = v.getDotPath(issue);
    fail(`${path ? `${what}.${path}` : what}: ${issue.message}`);
  }
  return result.output;
}

function passwordChange(p: unknown): ControlParams<'bookmarks:save'>['password'] {
  const change = paramsObject(p, 'password');
  if (change.action === 'keep' || change.action === 'clear') {
    onlyKeys(change, ['action'], 'password');
    return { action: change.action };
  }
  if (change.action === 'set') {
    onlyKeys(change, ['action', 'password'], 'password');
    return { action: 'set', password: textParam(change, 'password', MAX_PASSWORD) };
  }
  return fail('password.action must be "keep", "clear" or "set"');
}

/** Checks the shape of each request's parameters; throws a clear Error on anything else. */
const validateServiceParams: Validators = {
  'recent:list': emptyParams,
  'recent:add': (p) => ({ target: textParam(paramsObject(p), 'target', MAX_TARGET) }),
  'recent:remove': (p) => ({ target: textParam(paramsObject(p), 'target', MAX_TARGET) }),
  'settings:load': emptyParams,
  'settings:revision': emptyParams,
  'launch:take': emptyParams,
  'pins:list': emptyParams,
  'pins:remove': (p) => ({ server: textParam(paramsObject(p), 'server', MAX_TARGET) }),
  'settings:update': (p) => {
    const params = paramsObject(p);
    onlyKeys(params, ['settings', 'base']);
    // The patch is checked as given (no defaults filled in, so nested groups merge).
    checked(GlobalSettingsPatchSchema, paramsObject(params.settings, 'settings'), 'settings');
    const settings = params.settings as ControlParams<'settings:update'>['settings'];
    if (params.base === undefined) return { settings };
    return { settings, base: checked(GlobalSettingsSchema, paramsObject(params.base, 'base'), 'base') };
  },
  'bookmarks:save': (p) => {
    const params = paramsObject(p);
    onlyKeys(params, ['id', 'fields', 'password', 'base']);
    const fields = checked(BookmarkFieldsSchema, paramsObject(params.fields, 'fields'), 'fields');
    const password = passwordChange(params.password);
    if (params.id === undefined) return { fields, password };
    const id = textParam(params, 'id', 64);
    if (params.base === undefined) return { id, fields, password };
    return {
      id,
      fields,
      password,
      base: checked(BookmarkFieldsSchema, paramsObject(params.base, 'base'), 'base'),
    };
  },
  'vmhosts:save': (p) => {
    const params = paramsObject(p);
    onlyKeys(params, ['id', 'fields']);
    const fields = checked(VmHostFieldsSchema, paramsObject(params.fields, 'fields'), 'fields');
    return params.id === undefined ? { fields } : { id: textParam(params, 'id', 64), fields };
  },
  'vmhosts:delete': bookmarkId,
  'vmhosts:list-vms': (p) => checked(VmListRequestSchema, paramsObject(p), 'params'),
  'bookmarks:duplicate': bookmarkId,
  'bookmarks:delete': bookmarkId,
  'bookmarks:undo-delete': bookmarkId,
  'bookmarks:connected': bookmarkId,
  'bookmarks:import-vnc': (p) => {
    const params = paramsObject(p);
    onlyKeys(params, ['fileName', 'text']);
    return {
      fileName: textParam(params, 'fileName', 255),
      text: textParam(params, 'text', MAX_FILE_TEXT, true),
    };
  },
  'bookmarks:export-vnc': bookmarkId,
  'bookmarks:export-json': emptyParams,
  'bookmarks:import-json': (p) => {
    const params = paramsObject(p);
    onlyKeys(params, ['text']);
    return { text: textParam(params, 'text', MAX_FILE_TEXT, true) };
  },
  'thumbnails:save': (p) => {
    const params = paramsObject(p);
    onlyKeys(params, ['id', 'image']);
    // The store checks the image itself (type, size); this only bounds the text.
    return { id: textParam(params, 'id', 64), image: textParam(params, 'image', MAX_THUMBNAIL_DATA_URL) };
  },
  'thumbnails:get': bookmarkId,
  'link:resolve': (p) => {
    const params = paramsObject(p);
    onlyKeys(params, ['url']);
    return { url: textParam(params, 'url', MAX_TARGET) };
  },
  'scan:host': (p) => {
    const params = paramsObject(p);
    onlyKeys(params, ['host', 'firstPort', 'lastPort']);
    const host = textParam(params, 'host', 255).trim();
    if (host === '' || /[\s/]/.test(host)) fail('"host" must be a host name or an IP address');
    const first = port(params, 'firstPort');
    const firstPort = first ?? DEFAULT_SCAN_PORTS.from;
    // Only a first port: the hundred from it, as the default range.
    const lastPort =
      port(params, 'lastPort') ?? (first === undefined ? DEFAULT_SCAN_PORTS.to : Math.min(first + 99, 65535));
    if (lastPort < firstPort) fail(`"lastPort" (${lastPort}) is below "firstPort" (${firstPort})`);
    const count = lastPort - firstPort + 1;
    if (count > MAX_SCAN_PORTS)
      fail(`a scan covers at most ${MAX_SCAN_PORTS} ports; ${firstPort}–${lastPort} is ${count}`);
    return { host, firstPort, lastPort };
  },
};
