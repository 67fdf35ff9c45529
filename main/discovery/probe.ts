import net from 'node:net';
import type { Duplex } from 'node:stream';
import { SecurityType } from '../rfb/constants.ts';
import { runSessionOverSocket } from '../rfb/transports/tcp.ts';

/** What one port told us: its RFB banner, its security types and, with None, its ServerInit. */
export interface VncProbe {
  host: string;
  port: number;
  /** The version the server announced, as `major.minor` ("3.8", "3.889"). */
  version: string;
  /** Offered security types (RFB 3.3: the one the server chose); empty if it refused or stalled. */
  securityTypes: number[];
  /** The subtypes inside VeNCrypt (19), when it is offered without None. */
  vencryptSubtypes?: number[];
  /** Desktop name and size, known only where security None let the handshake finish. */
  name?: string;
  width?: number;
  height?: number;
}

export interface ProbeTimeouts {
  /** Limit for the TCP connection to be accepted. */
  connectMs: number;
  /** Limit for the whole exchange after connecting, banner through ServerInit. */
  handshakeMs: number;
}

export const DEFAULT_PROBE_TIMEOUTS: ProbeTimeouts = { connectMs: 1000, handshakeMs: 1500 };

/** Desktop names longer than this are not read (the probe ends without them). */
const MAX_NAME_LENGTH = 64 * 1024;

/**
 * Opens the byte stream to a port, or undefined when nothing accepts it within `timeoutMs`:
 * TCP by default, a forwarded channel through an SSH tunnel when scanning through one.
 */
export type PortOpener = (host: string, port: number, timeoutMs: number) => Promise<Duplex | undefined>;

export const openTcpPort: PortOpener = (host, port, timeoutMs) =>
  new Promise((done) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('error', () => {}); // 'close' follows
    socket.once('connect', () => {
      clearTimeout(timer);
      done(socket);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      done(undefined); // a no-op once connected
    });
  });

/**
 * Probes one port with the engine's own handshake (main/rfb/session.ts): reads the RFB banner
 * and the security types and, where None is offered, finishes the handshake as a shared
 * viewer to read the desktop name and size, then closes — before choosing a security type
 * when None is not offered (VeNCrypt: after reading its subtypes, choosing none), right after
 * ServerInit otherwise (nothing else is sent).
 * Undefined when the port is closed, silent, or not speaking RFB; never rejects.
 */
export async function probeVncPort(
  host: string,
  port: number,
  timeouts: ProbeTimeouts = DEFAULT_PROBE_TIMEOUTS,
  open: PortOpener = openTcpPort,
): Promise<VncProbe | undefined> {
  const socket = await open(host, port, timeouts.connectMs);
  if (socket === undefined) return undefined;
  const timer = setTimeout(() => socket.destroy(), timeouts.handshakeMs);
  let probe: VncProbe | undefined;
  const { session, ended } = runSessionOverSocket(
    socket,
    true,
    {
      shared: true,
      limits: { maxNameLength: MAX_NAME_LENGTH },
      // None where offered; else VeNCrypt, only to read its subtypes before closing.
      security: { preferences: [SecurityType.None, SecurityType.VeNCrypt] },
    },
    {
      onState: (state) => {
        if (state === 'security-types')
          probe = { host, port, version: session.serverVersion, securityTypes: [] };
      },
      onSecurityTypes: (offered) => {
        if (probe) probe.securityTypes = [...offered];
        // Without None the probe goes no further than VeNCrypt's subtype list: it never
        // chooses a type that would authenticate.
        if (!offered.includes(SecurityType.None) && !offered.includes(SecurityType.VeNCrypt)) session.close();
      },
      onVeNCryptSubtypes: (subtypes) => {
        if (probe) probe.vencryptSubtypes = [...subtypes];
        session.close();
      },
      onServerInit: (info) => {
        if (probe) Object.assign(probe, { name: info.name, width: info.width, height: info.height });
        session.close();
      },
    },
  );
  await ended;
  clearTimeout(timer);
  socket.destroy();
  return probe;
}
