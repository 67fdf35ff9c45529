import net from 'node:net';
import type { Duplex } from 'node:stream';
import { RfbError } from '../../../shared/rfb-error.ts';
import { RfbSession, type SessionEvents, type SessionOptions, type Transport } from '../session.ts';
import { startTlsOnSocket, tlsErrorText } from './tls.ts';

export interface TcpSession {
  session: RfbSession;
  /** Resolves when the session ends: undefined after a local close, else the error. */
  ended: Promise<RfbError | undefined>;
}

/** Opens a TCP connection to a VNC server and runs a session over it. */
export function openTcpSession(
  host: string,
  port: number,
  options: SessionOptions,
  events: SessionEvents,
): TcpSession {
  const socket = net.connect({ host, port });
  return runSessionOverSocket(socket, false, options, events, (error) => connectError(host, port, error));
}

/**
 * Runs a session over a socket: one being opened (`connected` false) or one a server opened
 * to us (a reverse connection, `connected` true). Any connected stream will do (an SSH tunnel's).
 */
export function runSessionOverSocket(
  socket: net.Socket | Duplex,
  connected: boolean,
  options: SessionOptions,
  events: SessionEvents,
  describeConnectError: (error: NodeJS.ErrnoException) => RfbError = (error) =>
    new RfbError('network', error.message),
): TcpSession {
  if (socket instanceof net.Socket) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000); // the OS notices a peer gone for good, even on a silent connection
  }
  // The stream the session reads and writes: the socket, or TLS over it once a handler starts it.
  let stream: Duplex = socket;
  const transport: Transport = {
    write: (bytes) => {
      if (!stream.destroyed) stream.write(bytes);
    },
    close: () => stream.destroy(),
    startTls: async (start) => {
      socket.removeListener('data', receive);
      const { socket: secure, upgrade } = await startTlsOnSocket(socket, start);
      stream = secure;
      secure.on('data', receive);
      secure.on('error', (error) => session.transportClosed(new Error(tlsErrorText(error))));
      secure.on('close', () => session.transportClosed());
      return upgrade;
    },
  };
  let resolveEnded!: (error: RfbError | undefined) => void;
  const ended = new Promise<RfbError | undefined>((resolve) => {
    resolveEnded = resolve;
  });
  const session = new RfbSession(transport, options, {
    ...events,
    onClose: (error) => {
      events.onClose?.(error);
      resolveEnded(error);
    },
  });
  socket.on('connect', () => {
    connected = true;
  });
  const receive = (chunk: Buffer) => session.receive(chunk);
  socket.on('data', receive);
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (connected) session.transportClosed(error);
    else session.abort(describeConnectError(error));
  });
  socket.on('close', () => session.transportClosed());
  return { session, ended };
}

/** Errors before the connection exists get their own, clearer message. */
function connectError(host: string, port: number, error: NodeJS.ErrnoException): RfbError {
  const where = `${host} port ${port}`;
  const messages: Record<string, [string, string]> = {
    ECONNREFUSED: [
      `nothing is listening on ${where} (connection refused)`,
      'Check the display number (display N is port 5900+N) and that the VNC server is running',
    ],
    ENOTFOUND: [`the host name "${host}" could not be resolved`, 'Check the spelling of the address'],
    EHOSTUNREACH: [`${host} cannot be reached`, 'Check the network connection and the address'],
    ETIMEDOUT: [
      `connecting to ${where} timed out`,
      'Check that the host is up and no firewall blocks the port',
    ],
  };
  const [message, hint] = messages[error.code ?? ''] ?? [`cannot connect to ${where}: ${error.message}`, ''];
  return new RfbError('network', message, hint || undefined);
}
