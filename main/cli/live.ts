import type { ColourLevel } from '../../shared/colour-level.ts';
import type { PictureQuality } from '../../shared/picture-quality.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import { parseTarget } from '../../shared/target.ts';
import { qualityEncodings } from '../rfb/quality.ts';
import type { RfbSession, SessionEvents, SessionOptions } from '../rfb/session.ts';
import { openTcpSession, runSessionOverSocket, type TcpSession } from '../rfb/transports/tcp.ts';
import { type SshTunnelOptions, sshTunnels } from '../ssh/tunnel.ts';

export interface LiveOptions {
  target: string;
  password: string | undefined;
  encodings: number[] | undefined;
  /** A picture-quality preset; its encodings apply unless `encodings` is given. */
  quality?: PictureQuality | undefined;
  colourLevel: ColourLevel;
  timeoutSeconds: number;
  /** Reach the server through this SSH tunnel; the target is as the SSH host sees it. */
  tunnel?: SshTunnelOptions;
}

/**
 * Connects to a live server and runs until `events` close the session, an error ends it,
 * or the time-out passes. Resolves when it ends cleanly, rejects with an RfbError otherwise.
 */
export async function runLive(
  options: LiveOptions,
  makeEvents: (session: () => RfbSession) => SessionEvents,
): Promise<void> {
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseTarget(options.target));
  } catch (error) {
    throw new RfbError('usage', (error as Error).message);
  }
  let session: RfbSession | undefined;
  const events = makeEvents(() => session!);
  const sessionOptions: SessionOptions = {
    credentials: { password: options.password },
    encodings:
      options.encodings ?? (options.quality === undefined ? undefined : qualityEncodings(options.quality)),
    colourLevel: options.colourLevel,
  };
  const tcp = options.tunnel
    ? await overTunnel(options.tunnel, options.timeoutSeconds, host, port, sessionOptions, events)
    : openTcpSession(host, port, sessionOptions, events);
  session = tcp.session;
  const timer = setTimeout(
    () => session!.abort(timeoutError(session!, options.timeoutSeconds)),
    options.timeoutSeconds * 1000,
  );
  const error = await tcp.ended;
  clearTimeout(timer);
  if (error) throw error;
}

/** The session over a forwarded SSH channel; a tunnel that dies ends it with the SSH reason. */
async function overTunnel(
  tunnel: SshTunnelOptions,
  timeoutSeconds: number,
  host: string,
  port: number,
  options: SessionOptions,
  events: SessionEvents,
): Promise<TcpSession> {
  const { stream, connection } = await sshTunnels.forward(
    { readyTimeoutMs: timeoutSeconds * 1000, ...tunnel },
    host,
    port,
  );
  const tcp = runSessionOverSocket(stream, true, options, events);
  const stopListening = connection.onLost((error) => tcp.session.abort(error));
  tcp.ended.finally(stopListening);
  return tcp;
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
