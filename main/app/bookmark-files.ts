import * as v from 'valibot';
import type { ExportedFile, ResolvedLink } from '../../shared/ipc.ts';
import {
  type Bookmark,
  type BookmarkFields,
  BookmarkSchema,
  SETTINGS_VERSION,
} from '../../shared/settings.ts';
import { checkAddress } from '../../shared/target.ts';
import { parseVncFile, writeVncFile } from './vnc-file.ts';
import { resolveLink as resolveVncLink } from './vnc-link.ts';

/**
 * Bookmarks in and out of files: `.vnc` files (RealVNC, TigerVNC), Porthole's own JSON
 * export, and `vnc://` links. No password ever leaves through an export.
 */

export const BOOKMARKS_FORMAT = 'porthole-bookmarks';
const MAX_JSON_BYTES = 16 << 20;
const MAX_JSON_BOOKMARKS = 10_000;

const BookmarkFieldsSchema = v.omit(BookmarkSchema, ['id', 'hasPassword', 'createdAt', 'lastConnected']);

/** A `.vnc` file as bookmark fields, its password (if it carries one) and what was skipped. */
export function importVncFile(
  fileName: string,
  text: string,
): { fields: BookmarkFields; password?: string; warnings: string[] } {
  return parseVncFile(fileName, text);
}

/** A bookmark as a `.vnc` file both TigerVNC and RealVNC Viewer open; never with its password. */
export function exportVncFile(bookmark: Bookmark): ExportedFile {
  return { fileName: `${safeFileName(bookmark.name)}.vnc`, text: writeVncFile(bookmark) };
}

/** All bookmarks as one JSON document: `{ format, version, bookmarks }`, without passwords. */
export function exportBookmarksJson(bookmarks: readonly Bookmark[]): ExportedFile {
  const document = {
    format: BOOKMARKS_FORMAT,
    version: SETTINGS_VERSION,
    bookmarks: bookmarks.map(bookmarkFields),
  };
  return { fileName: 'porthole-bookmarks.json', text: `${JSON.stringify(document, null, 2)}\n` };
}

/**
 * The bookmarks of an exported JSON document, each checked against the schema. Throws an
 * Error naming the entry and the field that is wrong.
 */
export function importBookmarksJson(text: string): BookmarkFields[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_JSON_BYTES) {
    throw new Error('the file is larger than 16 MiB; a Porthole bookmarks export is far smaller');
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`the file is not JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(
      'the file is not a Porthole bookmarks export (no {"format": "porthole-bookmarks", …} object)',
    );
  }
  const document = data as Record<string, unknown>;
  if (document.format !== BOOKMARKS_FORMAT) {
    throw new Error(`the file is not a Porthole bookmarks export ("format" is not "${BOOKMARKS_FORMAT}")`);
  }
  const version = document.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new Error('the bookmarks export has no valid "version" number');
  }
  if (version > SETTINGS_VERSION) {
    throw new Error(
      `the bookmarks export is version ${version}, from a newer Porthole; this one reads up to ${SETTINGS_VERSION}`,
    );
  }
  if (!Array.isArray(document.bookmarks)) throw new Error('the bookmarks export has no "bookmarks" list');
  if (document.bookmarks.length > MAX_JSON_BOOKMARKS) {
    throw new Error(
      `the bookmarks export holds ${document.bookmarks.length} bookmarks; at most ${MAX_JSON_BOOKMARKS} are read`,
    );
  }
  return document.bookmarks.map((entry: unknown, index: number) => {
    const label = entryLabel(entry, index);
    const result = v.safeParse(BookmarkFieldsSchema, entry);
    if (!result.success) {
      const issue = result.issues[0];
      throw new Error(`${label}: ${v.getDotPath(issue) ?? 'the entry'}: ${issue.message}`);
    }
    try {
      checkAddress(result.output.address);
    } catch (error) {
      throw new Error(`${label}: address: ${(error as Error).message}`);
    }
    return result.output;
  });
}

/** What a `vnc://` link opens (a bookmark only when it matches one; see vnc-link.ts). */
export function resolveLink(url: string, bookmarks: readonly Bookmark[]): ResolvedLink {
  return resolveVncLink(url, bookmarks);
}

function bookmarkFields(bookmark: Bookmark): BookmarkFields {
  const { id: _id, hasPassword: _has, createdAt: _created, lastConnected: _last, ...fields } = bookmark;
  return fields;
}

function entryLabel(entry: unknown, index: number): string {
  const name = (entry as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name !== ''
    ? `bookmark ${index + 1} ("${name.slice(0, 60)}")`
    : `bookmark ${index + 1}`;
}

/** A file name every platform accepts, from a bookmark's name. */
function safeFileName(name: string): string {
  const safe = name
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not allowed in file names
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  return safe || 'connection';
}
