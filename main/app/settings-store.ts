/*
 * Over 400 lines on purpose: the one writer of the settings document. Loading (with repair of
 * a corrupt file), each operation, undo, revisions with the merge of edits made elsewhere, and
 * the atomic write must share one lock and one in-memory copy, so they stay in one class.
 */
import { randomUUID } from 'node:crypto';
import { constants, copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import type { SettingsSnapshot } from '../../shared/ipc.ts';
import {
  type Bookmark,
  type BookmarkFields,
  defaultSettingsDocument,
  type GlobalSettings,
  GlobalSettingsSchema,
  type PasswordChange,
  parseSettingsDocument,
  SETTINGS_VERSION,
  type SettingsDocument,
  SettingsDocumentSchema,
} from '../../shared/settings.ts';
import { sameServer } from '../../shared/target.ts';
import {
  fileTimestamp,
  moveAside,
  readTextIfExists,
  removeStrayTemporaries,
  writeFileAtomic,
} from './json-file.ts';
import type { PasswordVault, SealedPassword } from './password-vault.ts';
import { mergeEdit } from './three-way-merge.ts';

/** Deleted bookmarks kept for undo; the oldest beyond this are deleted for good. */
export const MAX_UNDO = 100;
const MAX_BOOKMARKS = 5000;

interface DeletedBookmark {
  bookmark: Bookmark;
  index: number;
  sealed: SealedPassword | undefined;
}

/** What a save did with a password, for the user when it could not be stored. */
export interface SavedBookmark {
  bookmark: Bookmark;
  warnings: string[];
}

/**
 * Global settings and bookmarks in `settings.json` in the data directory, never losing data:
 * - every write is atomic (temporary file, fsync, rename, fsync of the directory), one at a
 *   time and in order, of a document checked against the schema first;
 * - the previous good file is kept as `settings.json.bak` before it is replaced;
 * - an older version is migrated, its file kept as `settings.json.v<N>.bak`;
 * - a file that cannot be read (bad JSON, bad shape, a newer version) is moved aside, never
 *   overwritten, and the store starts from the backup (or defaults) with a notice saying where
 *   the file went.
 * Passwords live in the vault; a bookmark only says whether it has one.
 *
 * Two windows, two browser-mode pages or a second process may edit at once. Every save raises
 * the document's `revision`; before each operation the store takes the file another process
 * saved since its own last write; an edit made on an older copy (`base`) is merged field by
 * field with what changed meanwhile, and refused, naming the fields, where both changed one.
 */
export class SettingsStore {
  readonly path: string;
  readonly backupPath: string;
  private readonly vault: PasswordVault;
  private readonly now: () => Date;
  private document: SettingsDocument = defaultSettingsDocument();
  private readonly notices: string[] = [];
  private readonly deleted = new Map<string, DeletedBookmark>();
  /** Every operation, one at a time, in order: reads never see half an update. */
  private queue: Promise<unknown> = Promise.resolve();
  private loaded = false;
  private closed = false;
  /** The file's text as this store last read or wrote it: any other text was saved by someone else. */
  private onDisk: string | undefined;

  constructor(dataDir: string, vault: PasswordVault, now: () => Date = () => new Date()) {
    this.path = join(dataDir, 'settings.json');
    this.backupPath = `${this.path}.bak`;
    this.vault = vault;
    this.now = now;
  }

  snapshot(): Promise<SettingsSnapshot> {
    return this.exclusive(async () => ({
      settings: structuredClone(this.document.settings),
      bookmarks: structuredClone(this.document.bookmarks),
      revision: this.document.revision,
      notices: [...this.notices, ...this.vault.notices],
      passwordStorage: await this.vault.status(),
    }));
  }

  /** The document's revision: a copy with another one is stale. */
  revision(): Promise<number> {
    return this.exclusive(async () => this.document.revision);
  }

  bookmarks(): Promise<Bookmark[]> {
    return this.exclusive(async () => structuredClone(this.document.bookmarks));
  }

  bookmark(id: string): Promise<Bookmark> {
    return this.exclusive(async () => structuredClone(this.find(id).bookmark));
  }

  /**
   * Merges a partial update (nested groups merge too) and returns the whole settings. With
   * `base`, the settings the patch was made on: a field changed meanwhile keeps its new value
   * unless the patch changes it too, which refuses the update.
   */
  updateSettings(patch: Partial<GlobalSettings>, base?: GlobalSettings): Promise<GlobalSettings> {
    return this.exclusive(async () => {
      const merged = base
        ? mergeOrRefuse(base, this.document.settings, deepMerge(base, patch), 'the settings')
        : deepMerge(this.document.settings, patch);
      const settings = v.parse(GlobalSettingsSchema, merged);
      await this.commit({ ...this.document, settings });
      return structuredClone(settings);
    });
  }

  /**
   * Creates (no id) or replaces (id) a bookmark, with what to do about its password. With
   * `base`, the fields the edit started from: what changed meanwhile elsewhere is kept, and a
   * field both changed refuses the save.
   */
  saveBookmark(
    id: string | undefined,
    fields: BookmarkFields,
    password: PasswordChange,
    base?: BookmarkFields,
  ): Promise<SavedBookmark> {
    return this.exclusive(async () => {
      const bookmarks = [...this.document.bookmarks];
      let bookmark: Bookmark;
      let index: number;
      if (id === undefined) {
        if (bookmarks.length >= MAX_BOOKMARKS)
          throw new Error(`at most ${MAX_BOOKMARKS} bookmarks can be kept`);
        bookmark = {
          ...fields,
          id: randomUUID(),
          hasPassword: false,
          createdAt: this.stamp(),
          lastConnected: null,
        };
        index = bookmarks.length;
      } else {
        const found = this.find(id);
        const { id: _id, hasPassword: _p, createdAt: _c, lastConnected: _l, ...current } = found.bookmark;
        const edited = base ? mergeOrRefuse(base, current, fields, `the bookmark "${current.name}"`) : fields;
        bookmark = { ...found.bookmark, ...edited, id };
        index = found.index;
      }
      bookmarks[index] = bookmark;
      const warnings = await this.applyPassword(bookmarks, index, password);
      return { bookmark: structuredClone(bookmarks[index]), warnings };
    });
  }

  /** Adds bookmarks (an import); each gets a new id. */
  addBookmarks(list: readonly BookmarkFields[]): Promise<{ added: number; bookmarks: Bookmark[] }> {
    return this.exclusive(async () => {
      if (this.document.bookmarks.length + list.length > MAX_BOOKMARKS) {
        throw new Error(`at most ${MAX_BOOKMARKS} bookmarks can be kept`);
      }
      const created = this.stamp();
      const added = list.map(
        (fields): Bookmark => ({
          ...fields,
          id: randomUUID(),
          hasPassword: false,
          createdAt: created,
          lastConnected: null,
        }),
      );
      await this.commit({ ...this.document, bookmarks: [...this.document.bookmarks, ...added] });
      return { added: added.length, bookmarks: structuredClone(this.document.bookmarks) };
    });
  }

  /** A copy named "Copy of …", with a copy of the stored password. */
  duplicateBookmark(id: string): Promise<Bookmark> {
    return this.exclusive(async () => {
      const { bookmark, index } = this.find(id);
      if (this.document.bookmarks.length >= MAX_BOOKMARKS) {
        throw new Error(`at most ${MAX_BOOKMARKS} bookmarks can be kept`);
      }
      const copy: Bookmark = {
        ...structuredClone(bookmark),
        id: randomUUID(),
        name: `Copy of ${bookmark.name}`.slice(0, 200),
        createdAt: this.stamp(),
        lastConnected: null,
      };
      const sealed = bookmark.hasPassword ? await this.vault.sealed(id) : undefined;
      copy.hasPassword = sealed !== undefined;
      // The password first: a crash in between leaves an unused entry, pruned at the next load.
      if (sealed !== undefined) await this.vault.put(copy.id, sealed);
      const bookmarks = [...this.document.bookmarks];
      bookmarks.splice(index + 1, 0, copy);
      await this.commit({ ...this.document, bookmarks });
      return structuredClone(copy);
    });
  }

  /**
   * Deletes a bookmark but keeps it, with its encrypted password, in memory for `undoDelete`
   * until the store closes. The password leaves passwords.json at once.
   */
  deleteBookmark(id: string): Promise<Bookmark[]> {
    return this.exclusive(async () => {
      const { bookmark, index } = this.find(id);
      const sealed = await this.vault.sealed(id);
      await this.commit({ ...this.document, bookmarks: this.document.bookmarks.filter((b) => b.id !== id) });
      this.deleted.set(id, { bookmark, index, sealed });
      while (this.deleted.size > MAX_UNDO) {
        const oldest = this.deleted.keys().next().value as string;
        this.deleted.delete(oldest);
      }
      // A crash before this leaves an entry no bookmark names, pruned at the next load.
      await this.vault.remove([id]);
      return structuredClone(this.document.bookmarks);
    });
  }

  undoDelete(id: string): Promise<Bookmark[]> {
    return this.exclusive(async () => {
      const entry = this.deleted.get(id);
      if (!entry) throw new Error('that bookmark was not deleted in this session, so it cannot be restored');
      if (this.document.bookmarks.some((b) => b.id === id)) throw new Error('that bookmark is already there');
      if (entry.sealed !== undefined) await this.vault.put(id, entry.sealed);
      const bookmarks = [...this.document.bookmarks];
      bookmarks.splice(Math.min(entry.index, bookmarks.length), 0, {
        ...entry.bookmark,
        hasPassword: entry.sealed !== undefined,
      });
      await this.commit({ ...this.document, bookmarks });
      this.deleted.delete(id);
      return structuredClone(this.document.bookmarks);
    });
  }

  /** Stamps `lastConnected` after a successful connection. */
  markConnected(id: string): Promise<Bookmark> {
    return this.exclusive(async () => {
      const { bookmark, index } = this.find(id);
      const updated = { ...bookmark, lastConnected: this.stamp() };
      const bookmarks = [...this.document.bookmarks];
      bookmarks[index] = updated;
      await this.commit({ ...this.document, bookmarks });
      return structuredClone(updated);
    });
  }

  /**
   * A bookmark's stored password, for the session connecting to it; only when `target` (the
   * address the session connects to) is the bookmark's own server.
   */
  passwordFor(id: string, target?: string): Promise<string | undefined> {
    return this.exclusive(async () => {
      const bookmark = this.document.bookmarks.find((b) => b.id === id);
      if (!bookmark?.hasPassword) return undefined;
      if (target !== undefined && !sameServer(bookmark.address, target)) return undefined;
      return this.vault.get(id);
    });
  }

  /** Waits for pending writes; bookmarks deleted in this session are then deleted for good. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      this.closed = true;
      this.deleted.clear();
    });
  }

  private find(id: string): { bookmark: Bookmark; index: number } {
    const index = this.document.bookmarks.findIndex((b) => b.id === id);
    if (index < 0) throw new Error(`no bookmark with id "${id}" (it may have been deleted)`);
    return { bookmark: this.document.bookmarks[index], index };
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /** Applies a password change to `bookmarks[index]` and commits the list. */
  private async applyPassword(
    bookmarks: Bookmark[],
    index: number,
    change: PasswordChange,
  ): Promise<string[]> {
    const bookmark = bookmarks[index];
    const warnings: string[] = [];
    if (change.action === 'set') {
      const status = await this.vault.status();
      if (status.available) {
        // The password first, then the bookmark saying it has one; the document is checked
        // before either is written, so an invalid bookmark leaves no password behind.
        bookmarks[index] = { ...bookmark, hasPassword: true };
        checkDocument({ ...this.document, bookmarks });
        await this.vault.set(bookmark.id, change.password);
      } else {
        warnings.push(`The password was not stored: ${status.reason ?? 'no keyring is available'}.`);
        await this.vault.remove([bookmark.id]);
        bookmarks[index] = { ...bookmark, hasPassword: false };
      }
      await this.commit({ ...this.document, bookmarks });
    } else if (change.action === 'clear') {
      // The bookmark first, then the password: a crash leaves an unused entry, never a lie.
      bookmarks[index] = { ...bookmark, hasPassword: false };
      await this.commit({ ...this.document, bookmarks });
      await this.vault.remove([bookmark.id]);
    } else {
      await this.commit({ ...this.document, bookmarks });
    }
    return warnings;
  }

  /** Checks, writes, then takes a new document, one revision on, as the current one. */
  private async commit(next: SettingsDocument): Promise<void> {
    const checked = checkDocument({ ...next, revision: this.document.revision + 1 });
    await this.write(checked);
    this.document = checked;
  }

  private async write(document: SettingsDocument): Promise<void> {
    const previous = await readTextIfExists(this.path);
    if (previous !== undefined && parseText(previous).ok) await writeFileAtomic(this.backupPath, previous);
    const text = `${JSON.stringify(document, null, 2)}\n`;
    await writeFileAtomic(this.path, text);
    this.onDisk = text;
  }

  /**
   * Another process saved the file since this store last read or wrote it: its document is the
   * newest, and becomes this store's (one revision past both, so every copy sees a change). A
   * file that cannot be read now is left to the next start, which moves it aside.
   */
  private async takeOtherSaves(): Promise<void> {
    const text = await readTextIfExists(this.path);
    if (text === undefined || text === this.onDisk) return;
    this.onDisk = text;
    const result = parseText(text);
    if (!result.ok) return;
    const revision = Math.max(result.document.revision, this.document.revision + 1);
    this.document = { ...result.document, revision };
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.closed) throw new Error('the settings store is closed');
      if (!this.loaded) {
        await this.load();
        this.loaded = true;
      } else {
        await this.takeOtherSaves();
      }
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    await removeStrayTemporaries(this.path);
    await removeStrayTemporaries(this.backupPath);
    const text = await readTextIfExists(this.path);
    this.onDisk = text;
    if (text !== undefined) {
      const result = parseText(text);
      if (result.ok) {
        this.document = result.document;
        if (result.migratedFrom !== undefined) {
          await this.keepOldVersion(result.migratedFrom);
          await this.write(this.document);
        }
      } else {
        await this.moveAside(result);
      }
    }
    await this.vault.load();
    await this.reconcilePasswords();
  }

  /** Keeps the file of an older version before the migrated document replaces it. */
  private async keepOldVersion(version: number): Promise<void> {
    const kept = `${this.path}.v${version}.bak`;
    try {
      await copyFile(this.path, kept, constants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await copyFile(
        this.path,
        `${this.path}.v${version}-${fileTimestamp(this.now())}.bak`,
        constants.COPYFILE_EXCL,
      );
    }
  }

  /** Moves an unreadable file aside, then starts from the backup if it is good, else defaults. */
  private async moveAside(failure: Exclude<ParsedText, { ok: true }>): Promise<void> {
    const label = failure.reason === 'newer' ? `newer-v${failure.version}` : 'corrupt';
    const aside = await moveAside(this.path, label, this.now());
    const why =
      failure.reason === 'newer'
        ? `it was written by a newer Porthole (settings version ${failure.version}; this one reads version ${SETTINGS_VERSION})`
        : failure.message;
    const backup = await readTextIfExists(this.backupPath);
    const restored = backup === undefined ? undefined : parseText(backup);
    let outcome: string;
    if (restored?.ok) {
      this.document = restored.document;
      const savedAt = (await stat(this.backupPath)).mtime.toISOString();
      outcome = `your settings were restored from the backup of ${savedAt} (${this.backupPath})`;
    } else {
      outcome = 'Porthole started with default settings';
    }
    this.notices.push(`Porthole could not read ${this.path} (${why}); it was moved to ${aside}; ${outcome}.`);
  }

  /** After a crash between the two files: no bookmark claims a password it lacks, no orphan stays. */
  private async reconcilePasswords(): Promise<void> {
    const stored = new Set(await this.vault.ids());
    const known = new Set(this.document.bookmarks.map((b) => b.id));
    const orphans = [...stored].filter((id) => !known.has(id));
    if (orphans.length > 0) await this.vault.remove(orphans);
    if (this.document.bookmarks.some((b) => b.hasPassword !== stored.has(b.id))) {
      const bookmarks = this.document.bookmarks.map((b) => ({ ...b, hasPassword: stored.has(b.id) }));
      await this.commit({ ...this.document, bookmarks });
    }
  }
}

type ParsedText = ReturnType<typeof parseSettingsDocument>;

/** The document as the schema has it; throws naming the first field that is wrong. */
function checkDocument(document: SettingsDocument): SettingsDocument {
  const checked = v.safeParse(SettingsDocumentSchema, document);
  if (!checked.success) {
    const issue = checked.issues[0];
    throw new Error(`not saved: ${v.getDotPath(issue) ?? '(top level)'}: ${issue.message}`);
  }
  return checked.output;
}

function parseText(text: string): ParsedText {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'invalid', message: `not valid JSON: ${(error as Error).message}` };
  }
  return parseSettingsDocument(data);
}

/** `mergeEdit`, or an error naming the fields both sides changed. */
function mergeOrRefuse<T>(base: T, current: T, edited: T, what: string): T {
  const { merged, conflicts } = mergeEdit(base, current, edited);
  if (conflicts.length > 0) {
    throw new Error(
      `${what}: changed elsewhere while you were editing (${conflicts.join(', ')}); saving would undo that, so reopen and edit the current version`,
    );
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `patch` over `base`, merging nested plain objects (so `{ reconnect: { enabled } }` keeps the rest). */
function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) merged[key] = deepMerge(base[key], value);
  return merged;
}
