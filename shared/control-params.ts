import * as v from 'valibot';
import type { CheckedParams, ControlName } from './ipc.ts';
import { MAX_THUMBNAIL_BYTES } from './ipc.ts';
import { describeIssue, nonEmptyText, strictInput, text } from './schema.ts';
import { BookmarkSchema, GlobalSettingsSchema, PasswordChangeSchema } from './settings.ts';

/*
 * The control requests' parameters as schemas, apart from shared/ipc.ts: Electron's sandboxed
 * preload bundles ipc.ts and may require nothing but electron, so valibot stays out of it.
 */

const MAX_TARGET = 2048;
const MAX_FILE_TEXT = 16 << 20;
/** A data URL of MAX_THUMBNAIL_BYTES in base64, with room for its header. */
const MAX_THUMBNAIL_DATA_URL = Math.ceil(MAX_THUMBNAIL_BYTES / 3) * 4 + 64;
const id = nonEmptyText(64);
const noParams = v.optional(v.object({}), {});
const bookmarkFields = v.omit(BookmarkSchema, ['id', 'hasPassword', 'createdAt', 'lastConnected']);
const scanPort = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1, 'must be a port number from 1 to 65535'),
  v.maxValue(65535, 'must be a port number from 1 to 65535'),
);

/**
 * Every control request's parameters. The main side checks what arrives against these
 * (`checkControlParams`): strictly, so an unknown field is an error.
 */
export const CONTROL_PARAMS = {
  'recent:list': noParams,
  'recent:add': v.object({ target: nonEmptyText(MAX_TARGET) }),
  'recent:remove': v.object({ target: nonEmptyText(MAX_TARGET) }),
  'settings:load': noParams,
  /** The document's revision, to poll cheaply for changes made elsewhere. */
  'settings:revision': noParams,
  /**
   * Merges the given global settings (checked as given: nested groups merge too). `base`: the
   * settings the change was made on (checked whole, defaults filled in), so that a change made
   * elsewhere meanwhile is merged, or the update refused.
   */
  'settings:update': v.object({
    settings: v.partial(GlobalSettingsSchema),
    base: v.optional(strictInput(GlobalSettingsSchema)),
  }),
  /**
   * Creates (no id) or replaces (id) a bookmark; the password travels one way only. `base`:
   * the fields the edit started from (see 'settings:update').
   */
  'bookmarks:save': v.object({
    id: v.optional(id),
    fields: bookmarkFields,
    password: PasswordChangeSchema,
    base: v.optional(bookmarkFields),
  }),
  'bookmarks:duplicate': v.object({ id }),
  /** Deletes a bookmark but keeps it (and its password) for `bookmarks:undo-delete`. */
  'bookmarks:delete': v.object({ id }),
  'bookmarks:undo-delete': v.object({ id }),
  /** Stamps `lastConnected` after a successful connection. */
  'bookmarks:connected': v.object({ id }),
  /** Imports a RealVNC or TigerVNC `.vnc` file as a new bookmark. */
  'bookmarks:import-vnc': v.object({ fileName: nonEmptyText(255), text: text(MAX_FILE_TEXT) }),
  /** A bookmark as a `.vnc` file; the password is never included. */
  'bookmarks:export-vnc': v.object({ id }),
  /** All bookmarks as one JSON file (no passwords). */
  'bookmarks:export-json': noParams,
  /** Adds the bookmarks of an exported JSON file; ids already present are given new ones. */
  'bookmarks:import-json': v.object({ text: text(MAX_FILE_TEXT) }),
  /**
   * Keeps a picture of a bookmark's screen (a JPEG or PNG data URL) as its thumbnail; false
   * when thumbnails are turned off or the bookmark is gone (nothing is kept then). The store
   * checks the image itself (type, size); this only bounds the text.
   */
  'thumbnails:save': v.object({ id, image: text(MAX_THUMBNAIL_DATA_URL) }),
  /** A bookmark's thumbnail as a data URL; null when it has none. */
  'thumbnails:get': v.object({ id }),
  'link:resolve': v.object({ url: nonEmptyText(MAX_TARGET) }),
  /** The connections to open at start (each handed out once), e.g. from `porthole connect`. */
  'launch:take': noParams,
  /** Probes a host's ports for VNC servers (default 5900–5999), as `porthole scan`. */
  'scan:host': v.object({
    host: v.pipe(
      v.string(),
      v.trim(),
      v.minLength(1),
      v.maxLength(255),
      v.regex(/^[^\s/]+$/, 'must be a host name or an IP address'),
    ),
    firstPort: v.optional(scanPort),
    lastPort: v.optional(scanPort),
  }),
  /** The pinned server keys (trust on first use), by `host:port`. */
  'pins:list': noParams,
  /** Forgets a server's pinned key: its next certificate is asked about again. */
  'pins:remove': v.object({ server: nonEmptyText(MAX_TARGET) }),
  /** Electron only; browser mode uses the page's own clipboard. */
  'clipboard:read': noParams,
  'clipboard:write': v.object({ text: text(MAX_FILE_TEXT) }),
  /** Electron asks where to save and returns the path (null if cancelled). */
  'screenshot:save': v.object({
    png: v.custom<Uint8Array>(
      (png) => png instanceof Uint8Array && png.byteLength <= 512 << 20,
      'must be PNG bytes (a Uint8Array) of at most 512 MiB',
    ),
    suggestedName: nonEmptyText(255),
  }),
  'window:fullscreen': v.object({ on: v.boolean() }),
};

const strictSchemas = new Map<ControlName, v.GenericSchema>();

/** The checked parameters of a control request, or an Error naming the field that is wrong. */
export function checkControlParams<N extends ControlName>(name: N, params: unknown): CheckedParams<N> {
  let schema = strictSchemas.get(name);
  if (!schema) {
    // settings:update is checked without filling in defaults, so its nested groups stay
    // partial and merge with the stored ones.
    schema = strictInput(CONTROL_PARAMS[name] as v.GenericSchema, { defaults: name !== 'settings:update' });
    strictSchemas.set(name, schema);
  }
  const result = v.safeParse(schema, params);
  if (!result.success) throw new Error(`invalid parameters: ${describeIssue(result.issues[0])}`);
  return result.output as CheckedParams<N>;
}
