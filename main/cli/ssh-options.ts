import { userInfo } from 'node:os';
import type { BookmarkFields } from '../../shared/settings.ts';
import { parseSshDestination } from '../../shared/ssh-destination.ts';
import { defaultDataDir } from '../app/data-dir.ts';
import { KnownHostsStore } from '../app/known-hosts-store.ts';
import type { SshEndpoint, SshTunnelOptions } from '../ssh/tunnel.ts';
import { readPassword, usageError } from './options.ts';

/** The SSH options the CLI's live commands take. */
export interface SshOptionValues {
  via?: string;
  'ssh-jump'?: string;
  'ssh-key'?: string;
  'ssh-password-file'?: string;
  'ssh-passphrase-file'?: string;
  'accept-new'?: boolean;
  'data-dir'?: string;
}

export const SSH_OPTIONS = {
  via: { type: 'string' },
  'ssh-jump': { type: 'string' },
  'ssh-key': { type: 'string' },
  'ssh-password-file': { type: 'string' },
  'ssh-passphrase-file': { type: 'string' },
} as const;

export const SSH_USAGE = `SSH tunnel (snapshot, record, scan; connect takes --via and --ssh-key, its page asks the rest):
  --via [user@]host[:port]   reach the VNC server through this SSH host; the target is as
                             that host sees it (127.0.0.1:1 is its own display 1)
  --ssh-jump [user@]host[:port]  log in to the SSH host through this jump host first
  --ssh-key FILE             a private key (else ssh-agent via SSH_AUTH_SOCK, then a password)
  --ssh-passphrase-file F    the key's passphrase, first line of F
  --ssh-password-file F      the SSH password, first line of F
  --accept-new               trust an unknown SSH host key (and store it); a changed one is
                             always refused. An unknown or changed SSH host key exits with 6,
                             SSH authentication failures with 3, an unreachable SSH host with 2`;

/** `[user@]host[:port]`, `[user@][v6addr][:port]` → an SSH endpoint (user defaults to ours, port to 22). */
export function parseSshEndpoint(
  value: string,
  option: string,
  defaultUser = userInfo().username,
): SshEndpoint {
  const destination = parseSshDestination(value);
  if (!destination) throw usageError(`${option} takes [user@]host[:port], not "${value}"`);
  return { user: destination.user ?? defaultUser, host: destination.host, port: destination.port };
}

/** The tunnel the options ask for, or undefined without `--via`. */
export function sshTunnelOptions(
  values: SshOptionValues,
  env: NodeJS.ProcessEnv,
): SshTunnelOptions | undefined {
  if (values.via === undefined) {
    for (const option of ['ssh-jump', 'ssh-key', 'ssh-password-file', 'ssh-passphrase-file'] as const) {
      if (values[option] !== undefined) throw usageError(`--${option} needs --via`);
    }
    return undefined;
  }
  const acceptNew = values['accept-new'] ?? false;
  return {
    endpoint: parseSshEndpoint(values.via, '--via'),
    ...(values['ssh-jump'] !== undefined && { jump: parseSshEndpoint(values['ssh-jump'], '--ssh-jump') }),
    credentials: {
      password:
        values['ssh-password-file'] === undefined ? undefined : readPassword(values['ssh-password-file'], {}),
      keyFile: values['ssh-key'],
      passphrase:
        values['ssh-passphrase-file'] === undefined
          ? undefined
          : readPassword(values['ssh-passphrase-file'], {}),
      agent: env.SSH_AUTH_SOCK || undefined,
    },
    hostKeys: {
      known: new KnownHostsStore(values['data-dir'] ?? defaultDataDir(env)),
      askUnknown: async (key) => {
        if (acceptNew) {
          process.stderr.write(
            `porthole: trusting the new SSH host key of ${key.host} port ${key.port}: ${key.keyType} ${key.fingerprint}\n`,
          );
        }
        return acceptNew;
      },
    },
  };
}

/**
 * `connect --via`: the tunnel as a bookmark keeps it. The page asks for the SSH password, a
 * key's passphrase and whether to trust an unknown host key; the agent is this process's.
 */
export function bookmarkTunnel(values: SshOptionValues): BookmarkFields['ssh'] | undefined {
  if (values.via === undefined) return undefined;
  for (const option of ['ssh-jump', 'ssh-password-file', 'ssh-passphrase-file', 'accept-new'] as const) {
    if (values[option] !== undefined)
      throw usageError(`connect takes --via and --ssh-key; the page asks the rest (not --${option})`);
  }
  const { host, port, user } = parseSshEndpoint(values.via, '--via');
  return { enabled: true, host, port, user, identityFile: values['ssh-key'] ?? '' };
}
