import { type BookmarkFields, newBookmarkFields } from '../../shared/settings.ts';
import { formatTarget } from '../../shared/target.ts';
import { LaunchRegistry, readVncFileAt } from '../app/launches.ts';
import type { VncFileContents } from '../app/vnc-file.ts';
import { parseVncLink } from '../app/vnc-link.ts';
import { usageError } from './options.ts';
import { web } from './web.ts';

/**
 * `porthole connect <FILE.vnc | vnc://…>`: browser mode that opens one connection as the
 * page starts, with the file's (or link's) settings. A password in the file stays in this
 * process; the page and its URL never see it.
 */
export async function connect(
  source: string,
  port: number,
  dataDir: string | undefined,
  ssh?: BookmarkFields['ssh'],
): Promise<void> {
  const { fields, password, warnings } = /^[a-z][a-z0-9+.-]*:\/\//i.test(source)
    ? fromLink(source)
    : await fromFile(source);
  if (ssh) fields.ssh = ssh;
  for (const warning of warnings) process.stderr.write(`porthole: ${warning}\n`);
  const launches = new LaunchRegistry();
  launches.add(fields, password);
  await web(port, dataDir, launches);
}

/** Reads and parses a .vnc file; a bad one is a usage error naming the file and line. */
async function fromFile(path: string): Promise<VncFileContents> {
  try {
    return await readVncFileAt(path);
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

function fromLink(url: string): VncFileContents {
  let link: ReturnType<typeof parseVncLink>;
  try {
    link = parseVncLink(url);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const address = formatTarget(link);
  return {
    fields: newBookmarkFields(address, address, { username: link.username, ...link.options }),
    warnings: [],
  };
}
