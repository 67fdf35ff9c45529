import { RfbError } from '../../shared/rfb-error.ts';
import { blobKeyType, checkHostKey, type KnownHostEntry, sshFingerprint } from './known-hosts.ts';

/** Where known host keys come from and where newly trusted ones go (main/app's store). */
export interface KnownHostsSource {
  /** Every entry: the user's own known_hosts files and Porthole's store. */
  entries(): Promise<KnownHostEntry[]>;
  /** Trusts `key` for `host` on `port` from now on. */
  add(host: string, port: number, key: Buffer): Promise<void>;
}

/** An SSH host key a user is asked about. */
export interface HostKeyQuestion {
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** How one connection decides about keys: the known ones, and who answers for an unknown one. */
export interface HostKeyPolicy {
  known: KnownHostsSource;
  /** An unknown key: true trusts it (and it is stored). The CLI answers `--accept-new`; the viewer asks. */
  askUnknown(question: HostKeyQuestion): Promise<boolean>;
}

export function hostKeyQuestion(host: string, port: number, key: Buffer): HostKeyQuestion {
  return { host, port, keyType: blobKeyType(key), fingerprint: sshFingerprint(key) };
}

const where = (host: string, port: number) => (port === 22 ? host : `${host} port ${port}`);

/**
 * Verifies a host key as OpenSSH does. Resolves when it is trusted (an unknown key the policy
 * accepts is stored first); rejects with an `identity` RfbError otherwise.
 */
export async function verifyHostKey(
  entries: readonly KnownHostEntry[],
  policy: HostKeyPolicy,
  host: string,
  port: number,
  key: Buffer,
): Promise<void> {
  const check = checkHostKey(entries, host, port, key);
  const question = hostKeyQuestion(host, port, key);
  const presented = `${question.keyType} ${question.fingerprint}`;
  switch (check.status) {
    case 'trusted':
      return;
    case 'revoked':
      throw new RfbError(
        'identity',
        `the SSH host key of ${where(host, port)} (${presented}) is marked revoked in ${check.entry.source}`,
        'Do not connect; ask the host’s administrator for its new key',
      );
    case 'changed': {
      const known = check.known.map((e) => `${e.keyType} ${sshFingerprint(e.key)} (${e.source})`).join(', ');
      throw new RfbError(
        'identity',
        `WARNING: the SSH host key of ${where(host, port)} has changed: it presented ${presented}, but the known key is ${known}. Someone may be intercepting the connection`,
        'If the host was reinstalled or its key replaced on purpose, remove the old line from that file and connect again',
      );
    }
    case 'unknown':
      if (!(await policy.askUnknown(question))) {
        throw new RfbError(
          'identity',
          `the SSH host key of ${where(host, port)} is not known: ${presented}`,
          'Compare it with what `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` prints on the host, then trust it (the CLI: --accept-new)',
        );
      }
      await policy.known.add(host, port, key);
  }
}
