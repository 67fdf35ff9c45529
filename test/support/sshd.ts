import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { tempDir } from './cli.ts';
import { freePort, stopProcess, waitFor } from './servers.ts';

/** A test user sshd lets in with a password (created once, as root: tests run as root here and in CI). */
export const SSH_USER = 'porthole-ssh';
export const SSH_PASSWORD = 'tunnel-pass-1';

export interface SshKeyPair {
  /** The private key file. */
  file: string;
  /** `type base64 comment`, the .pub line. */
  publicLine: string;
  /** What `ssh-keygen -lf` prints as its fingerprint: `SHA256:…`. */
  fingerprint: string;
}

/** Makes a key pair with ssh-keygen (`passphrase` '' for none). */
export function makeSshKey(file: string, type: 'ed25519' | 'rsa' | 'ecdsa', passphrase = ''): SshKeyPair {
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(type === 'rsa' ? ['-b', '2048'] : []),
    '-N',
    passphrase,
    '-f',
    file,
  ]);
  const publicLine = readFileSync(`${file}.pub`, 'utf8').trim();
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
  return { file, publicLine, fingerprint };
}

export interface SshServer {
  port: number;
  /** Its host key (Ed25519, made for it). */
  hostKey: SshKeyPair;
  /**
   * Signals the processes serving its open connections (the listener stays): SIGKILL as a
   * crash would, SIGSTOP as a host that froze.
   */
  signalConnections(signal: 'SIGKILL' | 'SIGSTOP'): void;
  stop(): Promise<void>;
  log(): string;
}

export interface SshdOptions {
  /** Public keys allowed to log in as SSH_USER. */
  authorizedKeys?: string[];
  /** A host key to reuse (a restarted or impostor server); a new one otherwise. */
  hostKey?: SshKeyPair;
  allowTcpForwarding?: boolean;
  /** Environment of the sessions (sshd_config SetEnv, which wins over sshd's defaults): `PATH=/x`. */
  setEnv?: string[];
}

let userReady = false;
const running = new Set<ChildProcess>();

// A test run that ends early (a hook time-out) leaves no sshd behind.
process.on('exit', () => {
  for (const child of running) {
    signalConnections(child, 'SIGKILL');
    child.kill('SIGKILL');
  }
});

/** Creates SSH_USER with SSH_PASSWORD unless it exists. */
export function ensureTestUser(): void {
  if (userReady) return;
  try {
    execFileSync('id', [SSH_USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', SSH_USER]);
  }
  execFileSync('chpasswd', { input: `${SSH_USER}:${SSH_PASSWORD}\n` });
  userReady = true;
}

/** Starts a real OpenSSH sshd on 127.0.0.1 with its own config, host key and authorized keys. */
export async function startSshd(options: SshdOptions = {}): Promise<SshServer> {
  ensureTestUser();
  const dir = tempDir('porthole-sshd-');
  chmodSync(dir, 0o755);
  const hostKey = options.hostKey ?? makeSshKey(join(dir, 'host_ed25519_key'), 'ed25519');
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, `${(options.authorizedKeys ?? []).join('\n')}\n`, { mode: 0o644 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey.file}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `AllowUsers ${SSH_USER}`,
      `AllowTcpForwarding ${options.allowTcpForwarding === false ? 'no' : 'yes'}`,
      'MaxStartups 100',
      ...(options.setEnv ?? []).map((assignment) => `SetEnv ${assignment}`),
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  execFileSync('mkdir', ['-p', '/run/sshd']);
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let log = '';
  child.stderr?.on('data', (d) => {
    log = (log + d).slice(-64_000);
  });
  await waitFor(
    `sshd listening on ${port}`,
    10_000,
    () =>
      new Promise<true | undefined>((done) => {
        if (child.exitCode !== null) return done(undefined);
        const socket = net.connect(port, '127.0.0.1');
        socket.once('data', (d) => {
          socket.destroy();
          done(d.toString().startsWith('SSH-') ? true : undefined);
        });
        socket.once('error', () => done(undefined));
      }),
    () => log,
  );
  return {
    port,
    hostKey,
    signalConnections: (signal) => signalConnections(child, signal),
    stop: async () => {
      signalConnections(child, 'SIGKILL');
      await stopProcess(child);
    },
    log: () => log,
  };
}

function signalConnections(sshd: ChildProcess, signal: NodeJS.Signals): void {
  if (sshd.pid === undefined) return;
  for (const pid of descendants(sshd.pid)) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Every process below `pid` (sshd forks a monitor and a worker per connection, in new sessions). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const visit = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      visit(c);
    }
  };
  visit(pid);
  return found;
}
