import { lookup } from 'node:dns/promises';
import {
  DEFAULT_PROBE_TIMEOUTS,
  type PortOpener,
  type ProbeTimeouts,
  probeVncPort,
  type VncProbe,
} from './probe.ts';

export interface ScanOptions {
  /** First and last port, inclusive. */
  from: number;
  to: number;
  /** Probes in flight at once. */
  concurrency?: number;
  timeouts?: ProbeTimeouts;
  /** How ports are reached: TCP from here, or through an SSH tunnel (then `host` is as the SSH host sees it). */
  open?: PortOpener;
}

export const DEFAULT_CONCURRENCY = 32;

export { DEFAULT_SCAN_PORTS, MAX_SCAN_PORTS } from './scan-range.ts';

/**
 * Probes ports `from`–`to` of `host`, a bounded number at once, and returns the VNC servers
 * found, sorted by port. The host name is resolved once (a failure rejects with its error).
 */
export async function scanHost(host: string, options: ScanOptions): Promise<VncProbe[]> {
  // Through a tunnel the SSH host resolves the name.
  const address = options.open ? host : (await lookup(host)).address;
  const timeouts = options.timeouts ?? DEFAULT_PROBE_TIMEOUTS;
  const ports: number[] = [];
  for (let port = options.from; port <= options.to; port++) ports.push(port);
  const found: VncProbe[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ports.length) {
      const port = ports[next++];
      const probe = await probeVncPort(address, port, timeouts, options.open);
      if (probe) found.push({ ...probe, host });
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, ports.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return found.sort((a, b) => a.port - b.port);
}
