import type { SshConnection } from '../ssh/tunnel.ts';
import type { PortOpener, VncProbe } from './probe.ts';
import { type ScanOptions, scanHost } from './scan.ts';

/** Scans `host` as the SSH host sees it: each port through a forwarded channel of one SSH connection. */
export function scanThroughSsh(
  connection: SshConnection,
  host: string,
  options: ScanOptions,
): Promise<VncProbe[]> {
  const open: PortOpener = (target, port, timeoutMs) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((done) => {
      timer = setTimeout(done, timeoutMs, undefined);
    });
    const forwarded = connection.forward(target, port);
    // A channel that opens after the time-out is closed at once.
    forwarded.then(
      (stream) => timer === undefined && stream.destroy(),
      () => undefined,
    );
    return Promise.race([forwarded.catch(() => undefined), late]).finally(() => {
      clearTimeout(timer);
      timer = undefined;
    });
  };
  return scanHost(host, { ...options, open });
}
