import { RfbError } from '../../shared/rfb-error.ts';
import type { VmListing } from '../../shared/vm-hosts.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_SCAN_PORTS, type ScanOptions, scanHost } from '../discovery/scan.ts';
import { scanThroughSsh } from '../discovery/through-ssh.ts';
import { listDomains } from '../libvirt/domains.ts';
import { localVirsh, sshVirsh } from '../libvirt/virsh.ts';
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
