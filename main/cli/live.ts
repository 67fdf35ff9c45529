import type { ColourLevel } from '../../shared/colour-level.ts';
import type { PictureQuality } from '../../shared/picture-quality.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import { parseTarget, type Target } from '../../shared/target.ts';
import { DEFAULT_LIBVIRT_URI, vmTargetName } from '../../shared/vm-hosts.ts';
import { defaultDataDir } from '../app/data-dir.ts';
import { CertificatePinStore } from '../app/pin-store.ts';
import { locateConsole } from '../libvirt/domains.ts';
import { localVirsh, sshVirsh, type Virsh } from '../libvirt/virsh.ts';
import { qualityEncodings } from '../rfb/quality.ts';
import type { SecurityOptions } from '../rfb/security/handler.ts';
import { pinnedIdentity } from '../rfb/security/identity.ts';
import type { RfbSession, SessionEvents, SessionOptions } from '../rfb/session.ts';
import { openTcpSession, runSessionOverSocket, type TcpSession } from '../rfb/transports/tcp.ts';
import { serverKey } from '../rfb/transports/tls.ts';
import { type SshTunnelOptions, sshTunnels } from '../ssh/tunnel.ts';

export interface LiveOptions {
  target: string;
  password: string | undefined;
  encodings: number[] | undefined;
  /** A picture-quality preset; its encodings apply unless `encodings` is given. */
  quality?: PictureQuality | undefined;
  colourLevel: ColourLevel;
  timeoutSeconds: number;
  username?: string | undefined;
  /** Security types, encryption, CA and client certificate (`--security`, `--ca`, …). */
  security?: Omit<SecurityOptions, 'server' | 'checkIdentity'>;
  /** Trust an unknown certificate on first use and pin it (`--accept-new`). */
  acceptNew?: boolean;
  /** Where pins live (`--data-dir`; the viewer's default data directory without it). */
  dataDir?: string | undefined;
  /** Reach the server through this SSH tunnel; the target is as the SSH host sees it. */
  tunnel?: SshTunnelOptions;
  /** For a `vm:NAME` target: the libvirt URI (`--uri`; default qemu:///system). */
  libvirtUri?: string | undefined;
}

/**
 * Connects to a live server and runs until `events` close the session, an error ends it,
 * or the time-out passes. Resolves when it ends cleanly, rejects with an RfbError otherwise.
 */
export async function runLive(
  options: LiveOptions,
  makeEvents: (session: () => RfbSession) => SessionEvents,
): Promise<void> {
  const address = resolveAddress(options);
  let session: RfbSession | undefined;
  const events = makeEvents(() => session!);
  const sessionOptions = ({ host, port }: Target): SessionOptions => ({
    credentials: { password: options.password, username: options.username },
    security: {
      ...options.security,
      server: { host, port },
      checkIdentity: pinnedIdentity(
        new CertificatePinStore(options.dataDir ?? defaultDataDir()),
        async () => options.acceptNew ?? false,
        `remove its pin with "porthole pins --remove ${serverKey(host, port)}" (or in the viewer's Settings) and connect again with --accept-new`,
      ),
    },
    encodings:
      options.encodings ?? (options.quality === undefined ? undefined : qualityEncodings(options.quality)),
    colourLevel: options.colourLevel,
  });
  let tcp: TcpSession;
  if (options.tunnel) {
    let target: Target | undefined;
    const { stream, connection } = await sshTunnels.forwardTo(
      { readyTimeoutMs: options.timeoutSeconds * 1000, ...options.tunnel },
      async (ssh) => {
        target = await address(sshVirsh(ssh));
        return target;
      },
    );
    // A tunnel that dies ends the session with the SSH reason.
    tcp = runSessionOverSocket(stream, true, sessionOptions(target!), events);
    const stopListening = connection.onLost((error) => tcp.session.abort(error));
    tcp.ended.finally(stopListening);
  } else {
    const target = await address(localVirsh());
    tcp = openTcpSession(target.host, target.port, sessionOptions(target), events);
  }
  session = tcp.session;
  const timer = setTimeout(
    () => session!.abort(timeoutError(session!, options.timeoutSeconds)),
    options.timeoutSeconds * 1000,
  );
  const error = await tcp.ended;
  clearTimeout(timer);
  if (error) throw error;
}

/**
 * The server's address as the tunnel's host (or this machine) sees it: the target as given,
 * or for `vm:NAME` the domain's console, asked of libvirt with virsh each time.
 */
function resolveAddress(options: LiveOptions): (virsh: Virsh) => Promise<Target> {
  let vm: string | undefined;
  try {
    vm = vmTargetName(options.target);
    if (vm === undefined) {
      if (options.libvirtUri !== undefined) throw new Error('--uri goes with a vm:NAME target');
      const target = parseTarget(options.target);
      return async () => target;
    }
  } catch (error) {
    throw new RfbError('usage', (error as Error).message);
  }
  const name = vm;
  return (virsh) => locateConsole(virsh, options.libvirtUri ?? DEFAULT_LIBVIRT_URI, name);
}

function timeoutError(session: RfbSession, seconds: number): RfbError {
  switch (session.state) {
    case 'protocol-version':
      return new RfbError(
        'timeout',
        `no VNC greeting within ${seconds} s`,
        'The service on this port may not be a VNC server, or the server is stuck',
      );
    case 'connected':
      return new RfbError(
        'timeout',
        `no complete picture arrived within ${seconds} s`,
        'Try a longer --timeout',
      );
    default:
      return new RfbError(
        'timeout',
        `the handshake did not finish within ${seconds} s (stuck at ${session.state})`,
      );
  }
}
