import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The prefix of the temporary files `writeFileAtomic` makes beside `path`. */
export function temporaryPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/**
 * Writes `text` so that a crash at any moment leaves either the old file or the new one: a
 * temporary file beside it, flushed to disk, renamed over it, then the directory flushed so
 * the rename itself survives a power cut.
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array, mode = 0o600): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temporary = join(
    directory,
    `${temporaryPrefix(path)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const file = await open(temporary, 'wx', mode);
  try {
    await file.writeFile(text);
    await file.sync();
  } catch (error) {
    await file.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await file.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}

/** Writes `value` as JSON with `writeFileAtomic`. */
export async function writeJsonAtomic(path: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** Flushes a directory's entries (a rename) to disk; a no-op where directories cannot be opened (Windows). */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    /* Windows cannot open or fsync a directory; its rename is already durable enough. */
  } finally {
    await handle?.close();
  }
}

/** Removes temporary files a killed process left beside `path` (they never replaced it). */
export async function removeStrayTemporaries(path: string): Promise<void> {
  const prefix = temporaryPrefix(path);
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      await unlink(join(dirname(path), name)).catch(() => undefined);
    }
  }
}

/** Reads a file as text; undefined when it does not exist. Throws on any other failure. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads a JSON file; undefined when it does not exist. Throws on anything unreadable. */
export async function readJson(path: string): Promise<unknown> {
  const text = await readTextIfExists(path);
  return text === undefined ? undefined : JSON.parse(text);
}

/**
 * Reads a JSON file; undefined when it does not exist or cannot be read, in which case it is
 * moved aside (`<path>.corrupt-<time>`) rather than ever being overwritten.
 */
export async function readJsonOrSetAside(path: string): Promise<unknown> {
  try {
    return await readJson(path);
  } catch {
    await moveAside(path, 'corrupt').catch(() => undefined);
    return undefined;
  }
}

/** A time for file names on every platform (no colons): 2026-11-21T09-01-25-123Z. */
export function fileTimestamp(now = new Date()): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/**
 * Renames a file that cannot be read to `<path>.<label>-<time>`, so that nothing overwrites
 * it and the user can look at it; returns where it went.
 */
export async function moveAside(path: string, label: string, now = new Date()): Promise<string> {
  const aside = `${path}.${label}-${fileTimestamp(now)}`;
  await rename(path, aside);
  return aside;
}
