import { RfbError, serverText } from '../../shared/rfb-error.ts';
import { DEFAULT_LIBVIRT_URI, describeDisplay, type VmListing } from '../../shared/vm-hosts.ts';
import { listVmHost } from '../app/vm-hosts.ts';
import type { SshTunnelOptions } from '../ssh/tunnel.ts';
import { usageError } from './options.ts';
import { formatTable } from './table.ts';

/** The VMs as a table: name, state, console. */
export function formatVmTable(listing: VmListing): string {
  const rows = (listing.vms ?? []).map((vm) => [
    serverText(vm.name, 80),
    vm.state,
    describeDisplay(vm.display),
  ]);
  return formatTable([['NAME', 'STATE', 'CONSOLE'], ...rows]);
}

/**
 * `porthole vms [--via …] [--uri URI] [--json]`: the VMs of a libvirt host, with their state
 * and console. Where virsh cannot say, the reason goes to stderr, a scan of 5900–5999 (as
 * the host sees them) is printed instead, and the exit code is the reason's.
 */
export async function vmsCommand(
  args: string[],
  values: { uri?: string; json?: boolean },
  tunnel: SshTunnelOptions | undefined,
): Promise<void> {
  if (args.length !== 0) throw usageError('"vms" takes no arguments (options: --via, --uri URI, --json)');
  const uri = values.uri ?? DEFAULT_LIBVIRT_URI;
  if (!uri.trim() || /[\s\n]/.test(uri)) throw usageError(`--uri takes a libvirt URI, not "${uri}"`);
  const listing = await listVmHost(tunnel, uri);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(listing)}\n`);
  } else if (listing.vms) {
    if (listing.vms.length === 0) process.stderr.write(`porthole: no VMs at ${uri} on ${listing.host}\n`);
    else process.stdout.write(`${formatVmTable(listing)}\n`);
  } else {
    const found = listing.scanned ?? [];
    const rows = found.map((s) => [
      String(s.port),
      s.name === undefined ? '-' : serverText(s.name, 60),
      s.width === undefined ? '-' : `${s.width}x${s.height}`,
    ]);
    process.stderr.write(
      `porthole: virsh could not list the VMs, so ports 5900–5999 were scanned as ${listing.host} sees them: ${found.length} VNC server${found.length === 1 ? '' : 's'}\n`,
    );
    if (rows.length) process.stdout.write(`${formatTable([['PORT', 'NAME', 'SIZE'], ...rows])}\n`);
  }
  const problem = listing.problem;
  if (problem) throw new RfbError(problem.kind, problem.message, problem.hint);
}
