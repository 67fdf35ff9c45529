/*
 * Over 400 lines on purpose: one SSH connection's life with ssh2 — login with every kind of
 * credential and the user's answers, host-key checking, a jump host, keepalives, forwarding,
 * exec, and the sharing of one connection between sessions — whose error texts must agree.
 * What a host key means is host-keys.ts; the known_hosts format is known-hosts.ts.
 */
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import ssh2, {
  type AnyAuthMethod,
  type AuthenticationType,
  type AuthHandlerMiddleware,
  type Client,
  type ClientChannel,
  type ConnectConfig,
  type ParsedKey,
} from 'ssh2';
import { RfbError } from '../../shared/rfb-error.ts';
import { type HostKeyPolicy, verifyHostKey } from './host-keys.ts';
import { preferredHostKeyAlgorithms } from './known-hosts.ts';

/** An SSH server to log in to. */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
}

/** What a tunnel may ask the user while it connects (the viewer asks; the CLI cannot). */
export interface SshQuestion {
  kind: 'password' | 'passphrase';
  /** `alice@kvm1` for a password, the key file for a passphrase. */
  subject: string;
  /** The previous answer was wrong. */
  retry: boolean;
}

export interface SshCredentials {
  password?: string;
  /** A private key file (OpenSSH or PEM: RSA, ECDSA, Ed25519), with its passphrase if encrypted. */
  keyFile?: string;
  passphrase?: string;
  /** The agent's socket (SSH_AUTH_SOCK). */
  agent?: string;
  /** Asks the user; undefined when they cancel or nobody can be asked. */
  ask?(question: SshQuestion): Promise<string | undefined>;
}

export interface SshTunnelOptions {
  endpoint: SshEndpoint;
  /** One jump host (ProxyJump): the connection to `endpoint` runs through it. */
  jump?: SshEndpoint;
  credentials: SshCredentials;
  hostKeys: HostKeyPolicy;
  /** Keepalives: one every `keepaliveMs`; `keepaliveCount` unanswered end the connection. */
  keepaliveMs?: number;
  keepaliveCount?: number;
  /** How long the SSH handshake and login may take. */
  readyTimeoutMs?: number;
}

// ssh2 is CommonJS: its named exports are read from the default export.
const { Client: SshClient, utils } = ssh2;

const KEEPALIVE_MS = 5000;
const KEEPALIVE_COUNT = 3;

/** `alice@kvm1`, `alice@kvm1:2222`: how messages name an SSH host. */
export function endpointLabel(endpoint: SshEndpoint): string {
  return `${endpoint.user}@${endpoint.host}${endpoint.port === 22 ? '' : `:${endpoint.port}`}`;
}

/**
 * One logged-in SSH connection (through a jump host when asked) that forwards TCP connections
 * (`direct-tcpip`, RFC 4254 §7.2). `onLost` hears about a connection that died (keepalives
 * unanswered, the server gone) before its forwarded streams end, so a session can say why.
 */
export class SshConnection {
  readonly label: string;
  private readonly clients: Client[];
  private lostListeners = new Set<(error: RfbError) => void>();
  private closedByUs = false;

  private constructor(label: string, clients: Client[]) {
    this.label = label;
    this.clients = clients;
    let reported = false;
    const lost = (error: RfbError) => {
      if (reported || this.closedByUs) return;
      reported = true;
      for (const listener of this.lostListeners) listener(error);
    };
    for (const client of clients) {
      client.on('error', (error: Error & { level?: string }) =>
        lost(
          new RfbError(
            'network',
            error.message === 'Keepalive timeout'
              ? `the SSH connection to ${label} stopped answering`
              : `the SSH connection to ${label} failed: ${error.message}`,
            'The SSH host or the network to it may be down; the session reconnects when it is back',
          ),
        ),
      );
      client.on('close', () =>
        lost(
          new RfbError(
            'network',
            `the SSH connection to ${label} closed`,
            'The SSH server stopped or dropped the connection; try again once it is back',
          ),
        ),
      );
    }
  }

  /** Logs in (to the jump host first, when there is one). Rejects with an RfbError. */
  static async open(options: SshTunnelOptions): Promise<SshConnection> {
    const privateKey = await loadPrivateKey(options.credentials);
    const clients: Client[] = [];
    try {
      let sock: Duplex | undefined;
      if (options.jump) {
        const jump = await login(options.jump, undefined, privateKey, options);
        clients.push(jump);
        sock = await forwardOver(
          jump,
          endpointLabel(options.jump),
          options.endpoint.host,
          options.endpoint.port,
        );
      }
      clients.push(await login(options.endpoint, sock, privateKey, options));
    } catch (error) {
      for (const client of clients) client.end();
      throw error;
    }
    const label = endpointLabel(options.endpoint);
    return new SshConnection(options.jump ? `${label} (via ${endpointLabel(options.jump)})` : label, clients);
  }

  /** A stream to `host`:`port` as the SSH host sees it. Rejects with an RfbError. */
  forward(host: string, port: number): Promise<ClientChannel> {
    return forwardOver(this.clients[this.clients.length - 1], this.label, host, port);
  }

  /** Runs `command` on the SSH host (an `exec` channel, RFC 4254 §6.5). Rejects with an RfbError. */
  exec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.clients[this.clients.length - 1].exec(command, (error, channel) => {
        if (!error) return resolve(channel);
        reject(
          new RfbError(
            'network',
            `the SSH server ${this.label} refused to run a command: ${error.message}`,
            'Its sshd_config may forbid commands for this user (ForceCommand, a restricted shell)',
          ),
        );
      });
    });
  }

  /** Hears once about the connection dying; returns a function that stops listening. */
  onLost(listener: (error: RfbError) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  close(): void {
    this.closedByUs = true;
    for (const client of [...this.clients].reverse()) client.end();
  }
}

/** The private key, decrypted; a missing or wrong passphrase is asked for again or refused. */
async function loadPrivateKey(credentials: SshCredentials): Promise<ParsedKey | undefined> {
  const file = credentials.keyFile;
  if (file === undefined) return undefined;
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (error) {
    throw new RfbError('usage', `cannot read the SSH key ${file}: ${(error as Error).message}`);
  }
  let passphrase = credentials.passphrase;
  for (let retry = false; ; retry = true) {
    const parsed = utils.parseKey(text, passphrase);
    if (!(parsed instanceof Error)) return Array.isArray(parsed) ? parsed[0] : parsed;
    const encrypted = /passphrase/i.test(parsed.message);
    if (!encrypted) {
      throw new RfbError(
        'usage',
        `the SSH key ${file} cannot be read: ${parsed.message}`,
        'Give a private key file',
      );
    }
    const answer = await credentials.ask?.({ kind: 'passphrase', subject: file, retry });
    if (answer === undefined) {
      throw new RfbError(
        'auth',
        passphrase === undefined
          ? `the SSH key ${file} is encrypted and no passphrase was given`
          : `the passphrase for the SSH key ${file} is wrong`,
        'Give its passphrase (--ssh-passphrase-file FILE), or load the key into ssh-agent with ssh-add',
      );
    }
    passphrase = answer;
  }
}

/** Connects and logs in to one SSH server, over `sock` when given (a jump host's stream). */
function login(
  endpoint: SshEndpoint,
  sock: Duplex | undefined,
  privateKey: ParsedKey | undefined,
  options: SshTunnelOptions,
): Promise<Client> {
  const label = endpointLabel(endpoint);
  return options.hostKeys.known.entries().then(
    (entries) =>
      new Promise<Client>((resolve, reject) => {
        const client = new SshClient();
        let failure: RfbError | undefined;
        const tried: string[] = [];
        const fail = (error: RfbError) => {
          failure ??= error;
          client.end();
        };
        const config: ConnectConfig = {
          host: endpoint.host,
          port: endpoint.port,
          username: endpoint.user,
          sock: sock as ConnectConfig['sock'],
          readyTimeout: options.readyTimeoutMs ?? 20000,
          keepaliveInterval: options.keepaliveMs ?? KEEPALIVE_MS,
          keepaliveCountMax: options.keepaliveCount ?? KEEPALIVE_COUNT,
          algorithms: {
            serverHostKey: preferredHostKeyAlgorithms(entries, endpoint.host, endpoint.port) as never,
          },
          hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
            verifyHostKey(entries, options.hostKeys, endpoint.host, endpoint.port, key).then(
              () => verify(true),
              (error: RfbError) => {
                failure ??= error;
                verify(false);
              },
            );
          },
          // ssh2 ends the login when the handler answers false (lib/client.js); its types omit that.
          authHandler: authMethods(
            endpoint,
            privateKey,
            options.credentials,
            tried,
            fail,
          ) as AuthHandlerMiddleware,
        };
        client.on('ready', () => {
          client.removeAllListeners('error');
          client.removeAllListeners('close');
          // Until SshConnection listens: an error now surfaces as the next step's failure.
          client.on('error', () => undefined);
          resolve(client);
        });
        client.on('error', (error: Error & { level?: string; code?: string }) => {
          failure ??= connectError(endpoint, label, error, tried);
        });
        client.on('close', () =>
          reject(
            failure ?? new RfbError('network', `the SSH server ${label} closed the connection during login`),
          ),
        );
        client.connect(config);
      }),
  );
}

/**
 * The login methods in OpenSSH's order: the agent, the key file, then the password (asked for
 * when none was given and someone can be asked), by `password` or `keyboard-interactive`.
 */
function authMethods(
  endpoint: SshEndpoint,
  privateKey: ParsedKey | undefined,
  credentials: SshCredentials,
  tried: string[],
  fail: (error: RfbError) => void,
) {
  const username = endpoint.user;
  let stage = 0;
  let password = credentials.password;
  let passwordRejected = false;
  const passwordNow = async (): Promise<string | undefined> => {
    if (password !== undefined && !passwordRejected) return password;
    password = await credentials.ask?.({
      kind: 'password',
      subject: endpointLabel(endpoint),
      retry: passwordRejected,
    });
    passwordRejected = false;
    return password;
  };
  return (
    methodsLeft: AuthenticationType[] | null,
    _partial: boolean | null,
    next: (method: AnyAuthMethod | false) => void,
  ) => {
    const offered = (name: AuthenticationType) => methodsLeft === null || methodsLeft.includes(name);
    const step = async (): Promise<AnyAuthMethod | false> => {
      for (;;) {
        const current = stage++;
        if (current === 0) return { type: 'none', username };
        if (current === 1 && credentials.agent && offered('publickey')) {
          tried.push('the agent');
          return { type: 'agent', username, agent: credentials.agent };
        }
        if (current === 2 && privateKey && offered('publickey')) {
          tried.push(`the key ${credentials.keyFile}`);
          return { type: 'publickey', username, key: privateKey };
        }
        if (current === 3 && offered('password')) {
          const answer = await passwordNow();
          if (answer === undefined) continue;
          tried.push('a password');
          return { type: 'password', username, password: answer };
        }
        if (current === 4 && offered('keyboard-interactive')) {
          return {
            type: 'keyboard-interactive',
            username,
            prompt: (_name, _instructions, _lang, prompts, finish) => {
              // PAM's usual single "Password:" prompt is answered with the password.
              if (prompts.length === 0) return finish([]);
              passwordNow().then((answer) => {
                if (answer === undefined) return finish([]);
                if (!tried.includes('a password')) tried.push('a password');
                finish(prompts.map(() => answer));
              });
            },
          };
        }
        // A password the server refused: ask again once more when the user can be asked.
        if (current === 5 && password !== undefined && credentials.ask && offered('password')) {
          passwordRejected = true;
          stage = 3;
          continue;
        }
        if (current > 5) return false;
      }
    };
    step().then(next, (error: RfbError) => fail(error));
  };
}

function connectError(
  endpoint: SshEndpoint,
  label: string,
  error: Error & { level?: string; code?: string },
  tried: string[],
): RfbError {
  const where = `${endpoint.host} port ${endpoint.port}`;
  if (error.level === 'client-authentication') {
    return new RfbError(
      'auth',
      `SSH authentication to ${label} failed (tried ${tried.length ? tried.join(', ') : 'no method the server accepts'})`,
      'Check the SSH user, password or key (--ssh-key FILE, --ssh-password-file FILE, or a key in ssh-agent)',
    );
  }
  switch (error.code) {
    case 'ECONNREFUSED':
      return new RfbError(
        'network',
        `nothing is listening for SSH on ${where} (connection refused)`,
        'Check the SSH host and port, and that sshd runs there',
      );
    case 'ENOTFOUND':
      return new RfbError(
        'network',
        `the SSH host name "${endpoint.host}" could not be resolved`,
        'Check the spelling',
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new RfbError(
        'network',
        `the SSH host ${where} cannot be reached`,
        'Check the network and the address',
      );
  }
  if (error.level === 'client-timeout') {
    return new RfbError(
      'network',
      `the SSH server ${where} did not finish its handshake in time`,
      'The host may be overloaded, or the port may not be an SSH server',
    );
  }
  return new RfbError('network', `the SSH connection to ${label} failed: ${error.message}`);
}

/** RFC 4254 §5.1 channel-open failure reason codes. */
const ADMINISTRATIVELY_PROHIBITED = 1;
const CONNECT_FAILED = 2;

/** Opens a `direct-tcpip` channel to `host`:`port` over a logged-in client. */
function forwardOver(client: Client, label: string, host: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (error, stream) => {
      if (!error) return resolve(stream);
      const reason = (error as Error & { reason?: number }).reason;
      if (reason === ADMINISTRATIVELY_PROHIBITED) {
        return reject(
          new RfbError(
            'network',
            `the SSH server ${label} refused to forward to ${host} port ${port} (forwarding prohibited)`,
            'Its sshd_config may say AllowTcpForwarding no or PermitOpen; ask its administrator',
          ),
        );
      }
      if (reason === CONNECT_FAILED) {
        return reject(
          new RfbError(
            'network',
            `nothing is listening on ${host} port ${port} as seen from the SSH host ${label}`,
            'Check the display number and that the VNC server runs on that host',
          ),
        );
      }
      reject(
        new RfbError(
          'network',
          `the SSH server ${label} could not forward to ${host} port ${port}: ${error.message}`,
        ),
      );
    });
  });
}

interface SharedConnection {
  opening: Promise<SshConnection>;
  streams: number;
}

/**
 * SSH connections shared between sessions: every session to the same SSH host (and jump host)
 * forwards over one connection, which closes with its last stream.
 */
export class SshTunnels {
  private readonly connections = new Map<string, SharedConnection>();

  /** A stream to `host`:`port` as the SSH host sees it, and the connection it runs over. */
  forward(
    options: SshTunnelOptions,
    host: string,
    port: number,
  ): Promise<{ stream: ClientChannel; connection: SshConnection }> {
    return this.forwardTo(options, async () => ({ host, port }));
  }

  /**
   * The same to an address `locate` finds once logged in (a VM's console, asked of libvirt on
   * the SSH host over the same connection).
   */
  async forwardTo(
    options: SshTunnelOptions,
    locate: (connection: SshConnection) => Promise<{ host: string; port: number }>,
  ): Promise<{ stream: ClientChannel; connection: SshConnection }> {
    const key = JSON.stringify([options.endpoint, options.jump ?? null]);
    let shared = this.connections.get(key);
    if (!shared) {
      const opening = SshConnection.open(options);
      const entry: SharedConnection = { opening, streams: 0 };
      shared = entry;
      this.connections.set(key, entry);
      const forget = () => {
        if (this.connections.get(key) === entry) this.connections.delete(key);
      };
      opening.then((connection) => connection.onLost(forget), forget);
    }
    const entry = shared;
    entry.streams++;
    const release = () => {
      if (--entry.streams > 0) return;
      if (this.connections.get(key) === entry) this.connections.delete(key);
      entry.opening.then(
        (connection) => connection.close(),
        () => undefined,
      );
    };
    try {
      const connection = await entry.opening;
      const { host, port } = await locate(connection);
      const stream = await connection.forward(host, port);
      stream.once('close', release);
      return { stream, connection };
    } catch (error) {
      release();
      throw error;
    }
  }
}

/** The tunnels of this process. */
export const sshTunnels = new SshTunnels();
