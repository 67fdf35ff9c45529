import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type RawData, WebSocket } from 'ws';
import type { FromSession } from '../../shared/session-protocol.ts';
import { type StreamFrameKind, streamFrameHeader } from '../../shared/stream-frames.ts';
import type { SessionChannel } from '../session/session-host.ts';

/**
 * One page's stream (shared/stream-frames.ts): a streamed HTTP response carrying what every
 * session of that page sends, each frame marked with its session's number. When the page stops
 * reading (closed, reloaded), its sessions end as if their sockets had closed.
 */
export class PageStream {
  readonly id = randomBytes(18).toString('base64url');
  private readonly sessions = new Set<StreamedSessionChannel>();
  private nextSession = 1;
  private ended = false;

  constructor(
    private readonly response: ServerResponse,
    forget: (stream: PageStream) => void,
  ) {
    response.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    this.write(0, 'json', Buffer.from(JSON.stringify({ stream: this.id })));
    response.on('close', () => {
      this.ended = true;
      forget(this);
      for (const session of this.sessions) session.close();
    });
  }

  /** A session whose messages go down this stream, and whose page messages come over `ws`. */
  addSession(ws: WebSocket): StreamedSessionChannel {
    const channel = new StreamedSessionChannel(ws, this, this.nextSession++);
    this.sessions.add(channel);
    ws.on('close', () => this.sessions.delete(channel));
    return channel;
  }

  write(session: number, kind: StreamFrameKind, payload: Uint8Array): void {
    if (this.ended) return;
    // One write to the socket for both (cork), not two.
    this.response.cork();
    this.response.write(streamFrameHeader(kind, session, payload.length));
    this.response.write(payload);
    this.response.uncork();
  }

  close(): void {
    this.response.end();
  }
}

/**
 * One browser-mode session's channel: the page's messages arrive over the session's WebSocket,
 * whose first message tells the page the session's number in its stream; what the session
 * sends goes down the page's stream under that number.
 */
export class StreamedSessionChannel implements SessionChannel {
  constructor(
    private readonly ws: WebSocket,
    private readonly stream: PageStream,
    private readonly session: number,
  ) {
    ws.send(JSON.stringify({ session }));
  }

  send(message: FromSession): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (message.type === 'draw') this.stream.write(this.session, 'draw', new Uint8Array(message.batch));
    else if (message.type === 'audio')
      this.stream.write(this.session, 'audio', new Uint8Array(message.chunk));
    else this.stream.write(this.session, 'json', Buffer.from(JSON.stringify(message)));
  }

  onMessage(listener: (message: unknown) => void): void {
    this.ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      try {
        listener(JSON.parse(data.toString()));
      } catch {
        /* not JSON: dropped */
      }
    });
  }

  onClose(listener: () => void): void {
    this.ws.on('close', listener);
  }

  close(): void {
    this.ws.close();
  }
}
