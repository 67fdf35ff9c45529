import { type BookmarkFields, newBookmarkFields } from '../../shared/settings.ts';
import { formatTarget } from '../../shared/target.ts';
import { vmTargetName } from '../../shared/vm-hosts.ts';
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
  libvirtUri?: string,
): Promise<void> {
  const { fields, password, warnings } = vmTarget(source)
    ? { fields: newBookmarkFields(source.trim(), source.trim()), warnings: [] }
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(source)
      ? fromLink(source)
      : await fromFile(source);
  if (libvirtUri !== undefined) {
    if (!vmTarget(source)) throw usageError('--uri goes with a vm:NAME target');
    fields.libvirtUri = libvirtUri;
  }
  if (ssh) fields.ssh = ssh;
  for (const warning of warnings) process.stderr.write(`porthole: ${warning}\n`);
  const launches = new LaunchRegistry();
  launches.add(fields, password);
  await web(port, dataDir, launches);
}

/** Whether `source` is `vm:NAME` (a libvirt domain); a malformed one is a usage error. */
function vmTarget(source: string): boolean {
  try {
    return vmTargetName(source) !== undefined;
  } catch (error) {
    throw usageError((error as Error).message);
  }
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
