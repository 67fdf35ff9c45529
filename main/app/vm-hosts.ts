import { userInfo } from 'node:os';
import type { CheckedParams, VmListResult } from '../../shared/ipc.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import type { SshPrompt } from '../../shared/session-protocol.ts';
import type { VmListing } from '../../shared/vm-hosts.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_SCAN_PORTS, type ScanOptions, scanHost } from '../discovery/scan.ts';
import { scanThroughSsh } from '../discovery/through-ssh.ts';
import { listDomains } from '../libvirt/domains.ts';
import { localVirsh, sshVirsh } from '../libvirt/virsh.ts';
import type { KnownHostsSource } from '../ssh/host-keys.ts';
import { SshConnection, type SshTunnelOptions } from '../ssh/tunnel.ts';

const FALLBACK_SCAN: ScanOptions = { ...DEFAULT_SCAN_PORTS, concurrency: DEFAULT_CONCURRENCY };

/**
 * The VMs of a VM host: `virsh` run over the SSH connection (or on this machine without a
 * tunnel). Where virsh cannot answer (missing, no permission, libvirt unreachable) the
 * listing says why and holds what a scan of ports 5900–5999 found instead, as the host sees
 * them. SSH failures (login, host key, network) reject with their RfbError.
 */
export async function listVmHost(tunnel: SshTunnelOptions | undefined, uri: string): Promise<VmListing> {
  const connection = tunnel ? await SshConnection.open(tunnel) : undefined;
  try {
    const virsh = connection ? sshVirsh(connection) : localVirsh();
    try {
      return { host: virsh.where, uri, vms: await listDomains(virsh, uri) };
    } catch (error) {
      if (!(error instanceof RfbError)) throw error;
      const probes = connection
        ? await scanThroughSsh(connection, '127.0.0.1', FALLBACK_SCAN)
        : await scanHost('127.0.0.1', FALLBACK_SCAN);
      return {
        host: virsh.where,
        uri,
        problem: { kind: error.kind, message: error.detail, ...(error.hint && { hint: error.hint }) },
        scanned: probes.map(({ port, name, width, height }) => ({ port, name, width, height })),
      };
    }
  } finally {
    connection?.close();
  }
}

/**
 * Answers the viewer's request to list a VM host's VMs. The SSH login cannot wait for the
 * user inside one request, so what it would ask (an unknown host key, a password, a key's
 * passphrase) ends the attempt and goes back as the question; the viewer asks the user and
 * sends the request again with the answers. A host key the user trusted is stored in the data
 * directory's known_hosts, as a session's is.
 */
export async function answerVmList(
  request: CheckedParams<'vmhosts:list-vms'>,
  knownHosts: KnownHostsSource,
): Promise<VmListResult> {
  const { ssh, uri } = request.host;
  const answers = request.answers ?? {};
  let question: SshPrompt | undefined;
  const tunnel: SshTunnelOptions | undefined = ssh.enabled
    ? {
        // As ssh does: the local user name unless another is given.
        endpoint: { host: ssh.host, port: ssh.port, user: ssh.user || userInfo().username },
        credentials: {
          keyFile: ssh.identityFile || undefined,
          agent: process.env.SSH_AUTH_SOCK || undefined,
          password: answers.password,
          passphrase: answers.passphrase,
          ask: async (q) => {
            question = { kind: q.kind, subject: q.subject, retry: q.retry };
            return undefined;
          },
        },
        hostKeys: {
          known: knownHosts,
          askUnknown: async (q) => {
            if (answers.trustHostKey === q.fingerprint) return true;
            question = { kind: 'host-key', ...q };
            return false;
          },
        },
      }
    : undefined;
  try {
    return { kind: 'listing', listing: await listVmHost(tunnel, uri) };
  } catch (error) {
    if (question) return { kind: 'question', prompt: question };
    if (error instanceof RfbError) return { kind: 'error', message: error.message };
    throw error;
  }
}
