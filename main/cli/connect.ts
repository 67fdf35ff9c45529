import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import * as v from 'valibot';
import { RfbError } from '../../shared/rfb-error.ts';
import { type BookmarkFields, BookmarkSchema } from '../../shared/settings.ts';
import { formatTarget } from '../../shared/target.ts';
import { importVncFile } from '../app/bookmark-files.ts';
import { LaunchRegistry } from '../app/launches.ts';
import { MAX_VNC_FILE_BYTES } from '../app/vnc-file.ts';
import { parseVncLink } from '../app/vnc-link.ts';
import { usageError } from './options.ts';
import { web } from './web.ts';

/**
 * `porthole connect <FILE.vnc | vnc://…>`: browser mode that opens one connection as the
 * page starts, with the file's (or link's) settings. A password in the file stays in this
 * process; the page and its URL never see it.
 */
export async function connect(source: string, port: number, dataDir: string | undefined): Promise<void> {
  const { fields, password, warnings } = /^[a-z][a-z0-9+.-]*:\/\//i.test(source)
    ? fromLink(source)
    : await fromFile(source);
  for (const warning of warnings) process.stderr.write(`porthole: ${warning}\n`);
  const launches = new LaunchRegistry();
  launches.add(fields, password);
  await web(port, dataDir, launches);
}

/** Reads and parses a .vnc file; a bad one is a usage error naming the file and line. */
export async function fromFile(
  path: string,
): Promise<{ fields: BookmarkFields; password?: string; warnings: string[] }> {
  let bytes: Buffer;
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      if (size > MAX_VNC_FILE_BYTES) {
        throw usageError(
          `${basename(path)}: the file is larger than 1 MiB; a .vnc file is a few lines of text`,
        );
      }
      bytes = await file.readFile();
    } finally {
      await file.close();
    }
  } catch (error) {
    if (error instanceof RfbError) throw error;
    throw usageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return importVncFile(basename(path), bytes.toString('utf8'));
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

function fromLink(url: string): { fields: BookmarkFields; password?: string; warnings: string[] } {
  let link: ReturnType<typeof parseVncLink>;
  try {
    link = parseVncLink(url);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const address = formatTarget(link);
  const {
    id: _id,
    hasPassword: _has,
    createdAt: _created,
    lastConnected: _last,
    ...fields
  } = v.parse(BookmarkSchema, {
    id: 'link',
    name: address,
    address,
    username: link.username,
    createdAt: new Date(0).toISOString(),
  });
  return { fields: { ...fields, ...link.options }, warnings: [] };
}
