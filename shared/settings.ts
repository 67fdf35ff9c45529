import * as v from 'valibot';
import { COLOUR_LEVELS } from './colour-level.ts';
import { PICTURE_QUALITIES } from './picture-quality.ts';
import { int, nonEmptyText, port, text } from './schema.ts';
import { MAX_SECURITY_TYPE } from './security-types.ts';
import { DEFAULT_STALL_SECONDS, LISTEN_PORT } from './session-protocol.ts';

/**
 * The settings model: global settings and bookmarks, as one schema-checked document.
 *
 * The file on disk is `{ version, settings, bookmarks }`. `SETTINGS_VERSION` goes up by one
 * whenever the shape changes, with a migration from the previous version in
 * `SETTINGS_MIGRATIONS`. Passwords are never part of this document: they are kept encrypted
 * apart from it, and a bookmark says only whether it has one.
 */

export const SETTINGS_VERSION = 2;

export const SCALINGS = ['fit', '1:1', 'fill'] as const;
export type Scaling = (typeof SCALINGS)[number];

const isoTime = v.pipe(v.string(), v.isoTimestamp());

export const GlobalSettingsSchema = v.object({
  defaultQuality: v.optional(v.picklist(PICTURE_QUALITIES), 'auto'),
  defaultColourLevel: v.optional(v.picklist(COLOUR_LEVELS), 'full'),
  scaling: v.optional(v.picklist(SCALINGS), 'fit'),
  /** The key that opens the session menu (a KeyboardEvent.code), as F8 in TigerVNC. */
  menuKey: v.optional(text(32), 'F8'),
  keyboard: v.optional(
    v.object({
      /** Send XT scancodes to servers that take them (QEMU), so the guest's layout applies. */
      scancodes: v.optional(v.boolean(), true),
      /** Release every held key when the window loses focus. */
      releaseOnBlur: v.optional(v.boolean(), true),
    }),
    {},
  ),
  reconnect: v.optional(
    v.object({
      /** Reconnect by itself after a dropped connection. */
      enabled: v.optional(v.boolean(), true),
      /** Give up after this many attempts (0: never give up). */
      maxAttempts: v.optional(int(0, 1000), 0),
      /** Reconnect once in safe mode after a stream the viewer cannot parse. */
      safeMode: v.optional(v.boolean(), true),
      /** Probe a server silent this many seconds; no answer ends the connection (0: never). */
      stallSeconds: v.optional(int(0, 3600), DEFAULT_STALL_SECONDS),
    }),
    {},
  ),
  listen: v.optional(v.object({ port: v.optional(port, LISTEN_PORT) }), {}),
  /**
   * Keep a small picture of each bookmark's screen from its last session, shown in the
   * bookmark list; off: none is taken and those kept are deleted.
   */
  thumbnails: v.optional(v.boolean(), true),
});
export type GlobalSettings = v.InferOutput<typeof GlobalSettingsSchema>;

/** Which security types a connection accepts, in order, and whether it must be encrypted. */
export const SecurityPreferencesSchema = v.object({
  /** RFB security type numbers (VeNCrypt subtypes as 256…) in order of preference; empty: the viewer's default order. */
  types: v.optional(v.array(int(1, MAX_SECURITY_TYPE)), []),
  /** Refuse a connection whose security does not encrypt. */
  requireEncryption: v.optional(v.boolean(), false),
  /**
   * Allow Plain, Apple Remote Desktop and MSLogonII to send the username and password over a
   * connection that is not encrypted (the editor warns what that means).
   */
  allowPlainUnencrypted: v.optional(v.boolean(), false),
  /** PEM file (a path on the session's machine): certificate authorities trusted beside the system's; empty: none. */
  caFile: v.optional(text(4096), ''),
  /** PEM files: a client certificate and its key, for servers that verify their clients; empty: none. */
  clientCertFile: v.optional(text(4096), ''),
  clientKeyFile: v.optional(text(4096), ''),
});

/** A bookmark's SSH tunnel (main/ssh/): the session logs in to `host` and forwards to the VNC address. */
export const SshTunnelSchema = v.object({
  enabled: v.optional(v.boolean(), false),
  host: v.optional(text(255), ''),
  port: v.optional(port, 22),
  user: v.optional(text(255), ''),
  identityFile: v.optional(text(4096), ''),
});

export const BookmarkSchema = v.object({
  id: nonEmptyText(64),
  name: nonEmptyText(200),
  /** Any target `parseTarget` accepts: host, host:N, host::port, [v6]:N, vnc://… */
  address: nonEmptyText(1024),
  username: v.optional(text(255), ''),
  /** Whether an encrypted password is stored for it (the password itself never is here). */
  hasPassword: v.optional(v.boolean(), false),
  shared: v.optional(v.boolean(), true),
  viewOnly: v.optional(v.boolean(), false),
  quality: v.optional(v.picklist(PICTURE_QUALITIES), 'auto'),
  colourLevel: v.optional(v.picklist(COLOUR_LEVELS), 'full'),
  scaling: v.optional(v.picklist(SCALINGS), 'fit'),
  /** Comma-separated encoding names overriding the quality's order; empty: none. */
  encodings: v.optional(text(512), ''),
  security: v.optional(SecurityPreferencesSchema, {}),
  ssh: v.optional(SshTunnelSchema, {}),
  notes: v.optional(text(10000), ''),
  group: v.optional(text(200), ''),
  tags: v.optional(v.array(text(100)), []),
  favourite: v.optional(v.boolean(), false),
  /** Reconnect once in safe mode by itself after a stream the viewer cannot parse. */
  safeModeReconnect: v.optional(v.boolean(), true),
  createdAt: isoTime,
  lastConnected: v.optional(v.nullable(isoTime), null),
});
export type Bookmark = v.InferOutput<typeof BookmarkSchema>;

export const SettingsDocumentSchema = v.object({
  version: v.literal(SETTINGS_VERSION),
  /**
   * Goes up by one with every save, so that a copy can tell it is stale: an edit made on an
   * older copy is merged or refused, never written over a newer one.
   */
  revision: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  settings: v.optional(GlobalSettingsSchema, {}),
  bookmarks: v.optional(v.array(BookmarkSchema), []),
});
export type SettingsDocument = v.InferOutput<typeof SettingsDocumentSchema>;

/** What the renderer may send when creating or editing a bookmark: no id, no bookkeeping. */
export type BookmarkFields = Omit<Bookmark, 'id' | 'hasPassword' | 'createdAt' | 'lastConnected'>;

/** The fields of a new bookmark: every setting at its default but those given. */
export function newBookmarkFields(
  name: string,
  address: string,
  overrides: Partial<BookmarkFields> = {},
): BookmarkFields {
  const { id, hasPassword, createdAt, lastConnected, ...fields } = v.parse(BookmarkSchema, {
    id: 'new',
    name,
    address,
    createdAt: new Date(0).toISOString(),
  });
  return { ...fields, ...overrides };
}

/**
 * A password change travelling with a bookmark save: `keep` the stored one, `clear` it, or
 * `set` a new one. The main side encrypts it; it never comes back.
 */
export const PasswordChangeSchema = v.variant('action', [
  v.object({ action: v.literal('keep') }),
  v.object({ action: v.literal('clear') }),
  v.object({ action: v.literal('set'), password: text(1024) }),
]);
export type PasswordChange = v.InferOutput<typeof PasswordChangeSchema>;

export function defaultSettingsDocument(): SettingsDocument {
  return v.parse(SettingsDocumentSchema, { version: SETTINGS_VERSION });
}

/**
 * Ordered migrations: `SETTINGS_MIGRATIONS[n]` turns a version-n document into version n+1.
 * Version 1 (Porthole 0.1) kept `{ version: 1, defaults: { quality, colourLevel }, bookmarks:
 * [{ name, target, password?: never, … }] }`; version 2 renamed `target` to `address`, moved
 * `defaults` into `settings` and gave every bookmark an id and a creation time.
 */
export const SETTINGS_MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> =
  {
    1: (doc) => {
      const defaults = (doc.defaults ?? {}) as Record<string, unknown>;
      const bookmarks = Array.isArray(doc.bookmarks) ? doc.bookmarks : [];
      const now = new Date().toISOString();
      return {
        version: 2,
        settings: { defaultQuality: defaults.quality, defaultColourLevel: defaults.colourLevel },
        bookmarks: bookmarks.map((raw: Record<string, unknown>, index: number) => {
          const { target, ...rest } = raw;
          return { id: `migrated-${index + 1}`, createdAt: now, ...rest, address: rest.address ?? target };
        }),
      };
    },
  };

export type SettingsParseResult =
  | { ok: true; document: SettingsDocument; migratedFrom?: number }
  | { ok: false; reason: 'newer'; version: number }
  | { ok: false; reason: 'invalid'; message: string };

/** Checks and migrates a parsed JSON document; never throws. */
export function parseSettingsDocument(data: unknown): SettingsParseResult {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'invalid', message: 'the file does not hold a settings object' };
  }
  let doc = data as Record<string, unknown>;
  const start = doc.version;
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 1) {
    return { ok: false, reason: 'invalid', message: 'the file has no valid "version" number' };
  }
  if (start > SETTINGS_VERSION) return { ok: false, reason: 'newer', version: start };
  for (let version = start; version < SETTINGS_VERSION; version++) {
    const migrate = SETTINGS_MIGRATIONS[version];
    if (!migrate) return { ok: false, reason: 'invalid', message: `no migration from version ${version}` };
    doc = migrate(doc);
  }
  const result = v.safeParse(SettingsDocumentSchema, doc);
  if (!result.success) {
    const issue = result.issues[0];
    const path = v.getDotPath(issue) ?? '(top level)';
    return { ok: false, reason: 'invalid', message: `${path}: ${issue.message}` };
  }
  return start === SETTINGS_VERSION
    ? { ok: true, document: result.output }
    : { ok: true, document: result.output, migratedFrom: start };
}
