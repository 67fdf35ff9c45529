import type { ColourLevel } from '../../shared/colour-level.ts';
import type { PictureQuality } from '../../shared/picture-quality.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import { parseTarget } from '../../shared/target.ts';
import { defaultDataDir } from '../app/data-dir.ts';
import { CertificatePinStore } from '../app/pin-store.ts';
import { qualityEncodings } from '../rfb/quality.ts';
import type { SecurityOptions } from '../rfb/security/handler.ts';
import { pinnedIdentity } from '../rfb/security/identity.ts';
import type { RfbSession, SessionEvents } from '../rfb/session.ts';
import { openTcpSession } from '../rfb/transports/tcp.ts';
import { serverKey } from '../rfb/transports/tls.ts';

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
}

/**
 * Connects to a live server and runs until `events` close the session, an error ends it,
 * or the time-out passes. Resolves when it ends cleanly, rejects with an RfbError otherwise.
 */
export function runLive(
  options: LiveOptions,
  makeEvents: (session: () => RfbSession) => SessionEvents,
): Promise<void> {
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseTarget(options.target));
  } catch (error) {
    return Promise.reject(new RfbError('usage', (error as Error).message));
  }
  let session: RfbSession | undefined;
  const events = makeEvents(() => session!);
  const tcp = openTcpSession(
    host,
    port,
    {
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
    },
    events,
  );
  session = tcp.session;
  const timer = setTimeout(
    () => session!.abort(timeoutError(session!, options.timeoutSeconds)),
    options.timeoutSeconds * 1000,
  );
  return tcp.ended.then((error) => {
    clearTimeout(timer);
    if (error) throw error;
  });
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
