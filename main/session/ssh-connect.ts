import { userInfo } from 'node:os';
import type { Duplex } from 'node:stream';
import { RfbError } from '../../shared/rfb-error.ts';
import type { SshPrompt, SshTunnelRequest } from '../../shared/session-protocol.ts';
import type { KnownHostsSource } from '../ssh/host-keys.ts';
import { endpointLabel, type SshEndpoint, sshTunnels } from '../ssh/tunnel.ts';

/**
 * How long an SSH login may take, the user's answers (host key, password) included: ssh2's
 * one limit covers both, so it is generous.
 */
const SSH_LOGIN_TIMEOUT_MS = 180_000;

/** A forwarded channel to the VNC server, and a way to hear that the SSH connection under it died. */
export interface OpenedTunnel {
  stream: Duplex;
  onLost(listener: (error: RfbError) => void): () => void;
}

/** Where a tunnel goes: the SSH host, and the VNC address as that host sees it. */
export interface TunnelRoute {
  endpoint: SshEndpoint;
  forwardHost: string;
  forwardPort: number;
  /** For the status line: "ssh alice@kvm1 → 127.0.0.1:5901". */
  via: string;
}

/** The SSH host, and the VNC address as it sees it (itself when the address names the SSH host). */
export function tunnelRoute(ssh: SshTunnelRequest, target: { host: string; port: number }): TunnelRoute {
  if (!ssh.host)
    throw new RfbError('usage', 'the SSH tunnel has no host', 'Edit the bookmark: Tunnel, SSH host');
  // As ssh does: the local user name unless another is given.
  const endpoint = { host: ssh.host, port: ssh.port, user: ssh.user || userInfo().username };
  const forwardHost = target.host.toLowerCase() === ssh.host.toLowerCase() ? '127.0.0.1' : target.host;
  return {
    endpoint,
    forwardHost,
    forwardPort: target.port,
    via: `ssh ${endpointLabel(endpoint)} → ${forwardHost}:${target.port}`,
  };
}

/**
 * Opens a session's SSH tunnels, one at a time: logs in (one connection shared by the sessions
 * to that host), asking the user through `ask` for an unknown host key, a password or a
 * passphrase, and keeps what they typed in memory for reconnects (never stored). A newer
 * attempt, or `cancel`, makes an older one come to nothing.
 */
export class TunnelOpener {
  private readonly knownHosts: KnownHostsSource | undefined;
  private attempt: object | undefined;
  private readonly secrets: { password?: string; passphrase?: string } = {};

  constructor(knownHosts: KnownHostsSource | undefined) {
    this.knownHosts = knownHosts;
  }

  /** The tunnel, or undefined when a newer attempt or `cancel` replaced this one. */
  async open(
    ssh: SshTunnelRequest,
    route: TunnelRoute,
    ask: (prompt: SshPrompt) => Promise<boolean | string | null>,
  ): Promise<OpenedTunnel | undefined> {
    const knownHosts = this.knownHosts;
    if (!knownHosts) throw new RfbError('usage', 'SSH tunnels are not available here (no known-hosts store)');
    const attempt = {};
    this.attempt = attempt;
    const remember = (kind: 'password' | 'passphrase', answer: boolean | string | null) => {
      if (typeof answer !== 'string') return undefined;
      this.secrets[kind] = answer;
      return answer;
    };
    try {
      const { stream, connection } = await sshTunnels.forward(
        {
          endpoint: route.endpoint,
          credentials: {
            keyFile: ssh.identityFile || undefined,
            agent: process.env.SSH_AUTH_SOCK || undefined,
            ...this.secrets,
            ask: (q) =>
              ask({ kind: q.kind, subject: q.subject, retry: q.retry }).then((answer) =>
                remember(q.kind, answer),
              ),
          },
          hostKeys: {
            known: knownHosts,
            askUnknown: (q) => ask({ kind: 'host-key', ...q }).then((answer) => answer === true),
          },
          readyTimeoutMs: SSH_LOGIN_TIMEOUT_MS,
        },
        route.forwardHost,
        route.forwardPort,
      );
      if (this.attempt !== attempt) {
        stream.destroy();
        return undefined;
      }
      this.attempt = undefined;
      return { stream, onLost: (listener) => connection.onLost(listener) };
    } catch (error) {
      if (this.attempt !== attempt) return undefined;
      this.attempt = undefined;
      throw error;
    }
  }

  /** Abandons the tunnel being opened. */
  cancel(): void {
    this.attempt = undefined;
  }
}
