import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_THUMBNAIL_BYTES } from '../../shared/ipc.ts';
import { writeFileAtomic } from './json-file.ts';

/** Thumbnails of deleted bookmarks kept in memory for undo; the oldest beyond this are dropped. */
export const MAX_THUMBNAIL_UNDO = 100;

const TYPES = [
  { mime: 'image/jpeg', extension: '.jpg', magic: [0xff, 0xd8, 0xff] },
  { mime: 'image/png', extension: '.png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
] as const;
type ImageType = (typeof TYPES)[number];

interface Thumbnail {
  type: ImageType;
  bytes: Buffer;
}

/**
 * A small picture of each bookmark's remote screen from its last session, one file per
 * bookmark in `thumbnails/` in the data directory: `<id as hex>.jpg` (or `.png`). The name is
 * the id's UTF-8 bytes in hex, so any id makes a safe file name and a listing maps back to
 * the ids (to prune thumbnails no bookmark owns). Only JPEG and PNG files of at most
 * MAX_THUMBNAIL_BYTES are kept; anything else is refused with the reason.
 */
export class ThumbnailStore {
  readonly directory: string;
  /** Thumbnails of bookmarks deleted in this session, for undo. */
  private readonly deleted = new Map<string, Thumbnail>();
  /** Every change, one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.directory = join(dataDir, 'thumbnails');
  }

  /**
   * Stores a `data:image/jpeg;base64,…` or `data:image/png;base64,…` URL as the bookmark's
   * thumbnail if `allowed()` says so when its turn comes (after any `clear` queued before it,
   * so a thumbnail never outlives the setting turned off); returns whether it was stored.
   */
  put(id: string, dataUrl: string, allowed: () => Promise<boolean> = async () => true): Promise<boolean> {
    return this.exclusive(async () => {
      const thumbnail = parseDataUrl(dataUrl);
      if (!(await allowed())) return false;
      await this.write(id, thumbnail);
      return true;
    });
  }

  /** The bookmark's thumbnail as a data URL, or null when it has none. */
  get(id: string): Promise<string | null> {
    return this.exclusive(async () => {
      const thumbnail = await this.read(id);
      return thumbnail ? `data:${thumbnail.type.mime};base64,${thumbnail.bytes.toString('base64')}` : null;
    });
  }

  /** Deletes the bookmark's thumbnail, keeping it in memory for `restore` (undo of a delete). */
  remove(id: string): Promise<void> {
    return this.exclusive(async () => {
      const thumbnail = await this.read(id);
      await this.unlinkAll(id);
      if (!thumbnail) return;
      this.deleted.set(id, thumbnail);
      while (this.deleted.size > MAX_THUMBNAIL_UNDO) this.deleted.delete(this.deleted.keys().next().value!);
    });
  }

  /** Puts back the thumbnail of a bookmark whose deletion was undone, if one was kept. */
  restore(id: string): Promise<void> {
    return this.exclusive(async () => {
      const thumbnail = this.deleted.get(id);
      this.deleted.delete(id);
      if (thumbnail) await this.write(id, thumbnail);
    });
  }

  /** Deletes every thumbnail, also those kept for undo (thumbnails turned off). */
  clear(): Promise<void> {
    return this.exclusive(async () => {
      this.deleted.clear();
      for (const name of await this.names()) await unlinkIfExists(join(this.directory, name));
    });
  }

  /**
   * Deletes the thumbnails of ids not in `keep`, and every other file there (the temporary
   * file of a write a crash interrupted: no write runs meanwhile).
   */
  prune(keep: Iterable<string>): Promise<void> {
    const known = new Set(keep);
    return this.exclusive(async () => {
      for (const name of await this.names()) {
        const id = idOfFile(name);
        if (id === undefined || !known.has(id)) await unlinkIfExists(join(this.directory, name));
      }
    });
  }

  private async write(id: string, thumbnail: Thumbnail): Promise<void> {
    const path = this.path(id, thumbnail.type);
    await writeFileAtomic(path, thumbnail.bytes);
    for (const other of TYPES) if (other !== thumbnail.type) await unlinkIfExists(this.path(id, other));
  }

  private async read(id: string): Promise<Thumbnail | undefined> {
    for (const type of TYPES) {
      let bytes: Buffer;
      try {
        bytes = await readFile(this.path(id, type));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      // A file changed behind our back that is no longer a thumbnail is not served.
      if (bytes.length <= MAX_THUMBNAIL_BYTES && hasMagic(bytes, type)) return { type, bytes };
    }
    return undefined;
  }

  private async unlinkAll(id: string): Promise<void> {
    for (const type of TYPES) await unlinkIfExists(this.path(id, type));
  }

  /** Every file in the directory (none when it does not exist). */
  private async names(): Promise<string[]> {
    try {
      return await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private path(id: string, type: ImageType): string {
    return join(this.directory, `${Buffer.from(id, 'utf8').toString('hex')}${type.extension}`);
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Checks a data URL carries a JPEG or PNG image of at most MAX_THUMBNAIL_BYTES; throws saying why not. */
export function parseDataUrl(dataUrl: string): Thumbnail {
  const match = /^data:(image\/(?:jpeg|png));base64,([A-Za-z0-9+/]*={0,2})$/.exec(dataUrl);
  if (!match) throw new Error('a thumbnail must be a base64 data URL of a JPEG or PNG image');
  const type = TYPES.find((t) => t.mime === match[1])!;
  // Base64 carries 3 bytes in 4 characters: refuse an oversized one before decoding it.
  if ((match[2].length / 4) * 3 > MAX_THUMBNAIL_BYTES + 2)
    throw new Error(`a thumbnail must be at most ${MAX_THUMBNAIL_BYTES / 1024} KiB`);
  const bytes = Buffer.from(match[2], 'base64');
  if (bytes.length > MAX_THUMBNAIL_BYTES)
    throw new Error(`a thumbnail must be at most ${MAX_THUMBNAIL_BYTES / 1024} KiB`);
  if (!hasMagic(bytes, type)) throw new Error(`the thumbnail is not a ${type.mime} image`);
  return { type, bytes };
}

function hasMagic(bytes: Buffer, type: ImageType): boolean {
  return bytes.length > type.magic.length && type.magic.every((byte, i) => bytes[i] === byte);
}

/** The bookmark id a thumbnail file belongs to; undefined for any other file. */
function idOfFile(name: string): string | undefined {
  const match = /^((?:[0-9a-f]{2})+)\.(?:jpg|png)$/.exec(name);
  return match ? Buffer.from(match[1], 'hex').toString('utf8') : undefined;
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
