import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KnownHostsSource } from '../ssh/host-keys.ts';
import { type KnownHostEntry, knownHostLine, parseKnownHosts } from '../ssh/known-hosts.ts';
import { readTextIfExists, writeFileAtomic } from './json-file.ts';

/** The files OpenSSH itself reads (ssh_config UserKnownHostsFile and GlobalKnownHostsFile defaults). */
export function userKnownHostsFiles(home = homedir()): string[] {
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts'];
}

/**
 * SSH host keys: the user's own known_hosts files, read only, and Porthole's store,
 * `known_hosts` in the data directory, in OpenSSH's format (so `ssh-keygen -F`/`-R` work on
 * it), written atomically. Keys the user trusts in Porthole go to Porthole's store only.
 */
export class KnownHostsStore implements KnownHostsSource {
  readonly path: string;
  private readonly userFiles: readonly string[];
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, userFiles: readonly string[] = userKnownHostsFiles()) {
    this.path = join(dataDir, 'known_hosts');
    this.userFiles = userFiles;
  }

  async entries(): Promise<KnownHostEntry[]> {
    const files = [...this.userFiles, this.path];
    const texts = await Promise.all(files.map((file) => readTextIfExists(file).catch(() => undefined)));
    return texts.flatMap((text, i) => (text === undefined ? [] : parseKnownHosts(text, files[i])));
  }

  add(host: string, port: number, key: Buffer): Promise<void> {
    this.writing = this.writing.then(async () => {
      const old = (await readTextIfExists(this.path)) ?? '';
      const separator = old === '' || old.endsWith('\n') ? '' : '\n';
      await writeFileAtomic(this.path, `${old}${separator}${knownHostLine(host, port, key)}\n`);
    });
    return this.writing;
  }
}
