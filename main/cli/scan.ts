import { RfbError, serverText } from '../../shared/rfb-error.ts';
import { describeSecurityTypes } from '../../shared/security-types.ts';
import { DEFAULT_PROBE_TIMEOUTS, type ProbeTimeouts, type VncProbe } from '../discovery/probe.ts';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_SCAN_PORTS,
  MAX_SCAN_PORTS,
  type ScanOptions,
  scanHost,
} from '../discovery/scan.ts';
import { scanThroughSsh } from '../discovery/through-ssh.ts';
import { endpointLabel, SshConnection, type SshTunnelOptions } from '../ssh/tunnel.ts';
import { parseSeconds, usageError } from './options.ts';
import { formatTable } from './table.ts';

export interface PortRange {
  from: number;
  to: number;
}

/** `--ports 5900-5999` (or one port, `5901`) → an inclusive range of at most 1024 ports. */
export function parsePortRange(value: string): PortRange {
  const match = /^\s*(\d{1,5})\s*(?:[-–]\s*(\d{1,5})\s*)?$/.exec(value);
  const from = Number(match?.[1]);
  const to = Number(match?.[2] ?? match?.[1]);
  if (!match || from < 1 || to < 1 || from > 65535 || to > 65535)
    throw usageError(`--ports needs a range A-B of ports 1–65535, not "${value}"`);
  if (from > to) throw usageError(`--ports ${value}: the first port is greater than the last`);
  if (to - from + 1 > MAX_SCAN_PORTS)
    throw usageError(
      `--ports ${value}: ${to - from + 1} ports, more than the ${MAX_SCAN_PORTS} a scan may cover`,
    );
  return { from, to };
}

/** `--timeout S` sets both the connect and the handshake limit of each port. */
export function scanTimeouts(timeout: string | undefined): ProbeTimeouts {
  if (timeout === undefined) return DEFAULT_PROBE_TIMEOUTS;
  const ms = parseSeconds(timeout, '--timeout') * 1000;
  return { connectMs: ms, handshakeMs: ms };
}

/** `[::1]` → `::1`; other host names as given. */
export function parseScanHost(value: string): string {
  const host = /^\[(.+)\]$/.exec(value)?.[1] ?? value;
  if (!host || /[\s/]/.test(host)) throw usageError(`"${value}" is not a host name or address`);
  return host;
}

/** The human table: one row per server, sorted by port; server-chosen text made safe to print. */
export function formatScanTable(probes: readonly VncProbe[]): string {
  const header = ['PORT', 'VERSION', 'SECURITY', 'NAME', 'SIZE'];
  const rows = [...probes]
    .sort((a, b) => a.port - b.port)
    .map((p) => [
      String(p.port),
      p.version,
      describeSecurityTypes(p.securityTypes, p.vencryptSubtypes) || '-',
      p.name === undefined ? '-' : serverText(p.name, 60) || '""',
      p.width === undefined || p.height === undefined ? '-' : `${p.width}x${p.height}`,
    ]);
  return formatTable([header, ...rows]);
}

/** `porthole scan <host> [--ports A-B] [--json] [--timeout S] [--via …]`. */
export async function scanCommand(
  args: string[],
  values: { ports?: string; json?: boolean; timeout?: string },
  tunnel?: SshTunnelOptions,
): Promise<void> {
  if (args.length !== 1) throw usageError('"scan" takes <host> (options: --ports A-B, --json, --timeout S)');
  const host = parseScanHost(args[0]);
  const range = values.ports === undefined ? DEFAULT_SCAN_PORTS : parsePortRange(values.ports);
  const options: ScanOptions = {
    ...range,
    concurrency: DEFAULT_CONCURRENCY,
    timeouts: scanTimeouts(values.timeout),
  };
  const probes = tunnel ? await scanThroughTunnel(tunnel, host, options) : await scanLocally(host, options);
  const where = tunnel ? `${host} (as ${endpointLabel(tunnel.endpoint)} sees it)` : host;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(probes)}\n`);
  } else if (probes.length === 0) {
    process.stderr.write(`porthole: no VNC servers found on ${where} ports ${range.from}–${range.to}\n`);
  } else {
    process.stdout.write(`${formatScanTable(probes)}\n`);
  }
}

async function scanLocally(host: string, options: ScanOptions): Promise<VncProbe[]> {
  try {
    return await scanHost(host, options);
  } catch (error) {
    throw new RfbError(
      'network',
      `the host name "${host}" could not be resolved (${(error as Error).message})`,
      'Check the spelling of the address',
    );
  }
}

/** Scans `host` as the SSH host sees it, over one SSH connection. */
async function scanThroughTunnel(
  tunnel: SshTunnelOptions,
  host: string,
  options: ScanOptions,
): Promise<VncProbe[]> {
  const connection = await SshConnection.open(tunnel);
  try {
    return await scanThroughSsh(connection, host, options);
  } finally {
    connection.close();
  }
}
