import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { LAUNCH_ID_PREFIX, type LaunchRequest } from '../../shared/ipc.ts';
import type { BookmarkFields } from '../../shared/settings.ts';
import { sameServer } from '../../shared/target.ts';
import { importVncFile } from './bookmark-files.ts';
import type { SettingsStore } from './settings-store.ts';
import { MAX_VNC_FILE_BYTES, type VncFileContents } from './vnc-file.ts';

/**
 * Connections the main side was asked to open (`porthole connect FILE.vnc`, a `.vnc` file
 * handed to the app). The viewer takes them with the `launch:take` control request and opens
 * each with its `launch:…` id in place of a bookmark id; a password the file carried stays
 * here and reaches only the session (its host's `lookupPassword`), never the viewer.
 */

/** Launches kept for password look-ups; the oldest go first. */
const MAX_LAUNCHES = 64;

interface Entry {
  launch: LaunchRequest;
  password?: string;
}

export class LaunchRegistry {
  private readonly entries = new Map<string, Entry>();
  private pending: LaunchRequest[] = [];

  /** Records a connection to open; returns what the viewer will be given (no password). */
  add(fields: BookmarkFields, password?: string): LaunchRequest {
    const launch: LaunchRequest = {
      bookmarkId: `${LAUNCH_ID_PREFIX}${randomBytes(12).toString('base64url')}`,
      name: fields.name,
      target: fields.address,
      options: {
        viewOnly: fields.viewOnly,
        quality: fields.quality,
        colourLevel: fields.colourLevel,
        shared: fields.shared,
        scaling: fields.scaling,
        encodings: fields.encodings,
        safeModeReconnect: fields.safeModeReconnect,
        ssh: fields.ssh,
        libvirtUri: fields.libvirtUri,
      },
    };
    this.entries.set(launch.bookmarkId, password ? { launch, password } : { launch });
    while (this.entries.size > MAX_LAUNCHES) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.pending.push(launch);
    return launch;
  }

  /** The launches not yet taken by a viewer; each is handed out once. */
  take(): LaunchRequest[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /**
   * The password of a launch, only for a session to the launch's own server: a viewer
   * cannot send it elsewhere by naming the id with another target.
   */
  passwordFor(bookmarkId: string, target: string): string | undefined {
    const entry = this.entries.get(bookmarkId);
    if (!entry?.password || !sameServer(entry.launch.target, target)) return undefined;
    return entry.password;
  }
}

/**
 * The stored password a session may use for `bookmarkId` on `target`: a launch's (kept by
 * `launches`) or a bookmark's (in the settings store). Both front ends give it to their sessions.
 */
export function storedPasswordLookup(
  settings: Pick<SettingsStore, 'passwordFor'>,
  launches: LaunchRegistry | undefined,
): (bookmarkId: string, target: string) => Promise<string | undefined> {
  return async (bookmarkId, target) =>
    bookmarkId.startsWith(LAUNCH_ID_PREFIX)
      ? launches?.passwordFor(bookmarkId, target)
      : settings.passwordFor(bookmarkId, target);
}

/**
 * Reads and parses a `.vnc` file from disk, refusing one over 1 MiB before reading it.
 * Throws an Error naming the file (and the line, for a bad setting).
 */
export async function readVncFileAt(path: string): Promise<VncFileContents> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      if ((await file.stat()).size > MAX_VNC_FILE_BYTES) {
        throw new Error(
          `${basename(path)}: the file is larger than 1 MiB; a .vnc file is a few lines of text`,
        );
      }
      text = (await file.readFile()).toString('utf8');
    } finally {
      await file.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  return importVncFile(basename(path), text);
}
