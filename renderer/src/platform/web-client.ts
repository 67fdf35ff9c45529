import { type Call, type CallReply, PendingReplies } from '../../../shared/pending-replies.ts';
import type { FromSession } from '../../../shared/session-protocol.ts';
import { type StreamFrame, StreamFrameReader } from '../../../shared/stream-frames.ts';
import type { PlatformClient, SessionPort } from './client.ts';
import { onPageWake } from './page-wake.ts';

/**
 * Browser mode: the page was served from http://127.0.0.1:PORT/TOKEN/, and the same prefix
 * reaches the WebSockets and the page's stream. Clipboard and full screen are the page's own.
 */
export function createWebClient(location: Location = window.location): PlatformClient {
  const pageBase = `${location.protocol}//${location.host}${location.pathname.replace(/[^/]*$/, '')}`;
  const base = `ws://${location.host}${location.pathname.replace(/[^/]*$/, '')}`;
  let control: Promise<WebSocket> | undefined;
  let stream: Promise<PageStream> | undefined;
  let streamOver = false;
  /** One stream for the page, opened again if it failed or ended (the server restarted). */
  const pageStream = () => {
    if (!stream || streamOver) {
      streamOver = false;
      const opened = PageStream.open(`${pageBase}stream`);
      const over = () => {
        if (stream === opened) streamOver = true;
      };
      opened.then((s) => s.onEnd(over), over);
      stream = opened;
    }
    return stream;
  };
  const pending = new PendingReplies<unknown>();

  const openControl = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${base}ws/control`);
      ws.addEventListener('open', () => resolve(ws));
      ws.addEventListener('error', () => reject(new Error('cannot reach the Porthole web server')));
      ws.addEventListener('close', () => {
        control = undefined;
        pending.rejectAll(new Error('the Porthole web server went away'));
      });
      ws.addEventListener('message', (event: MessageEvent) => {
        pending.settle(JSON.parse(String(event.data)) as CallReply);
      });
    });

  return {
    kind: 'web',
    async openSession() {
      return openStreamedSession(base, await pageStream());
    },
    async invoke(name, params) {
      control ??= openControl();
      const ws = await control;
      const { id, reply } = pending.start();
      ws.send(JSON.stringify({ id, name, params } satisfies Call));
      return reply as never;
    },
    readClipboard: () => navigator.clipboard.readText(),
    writeClipboard: (text) => navigator.clipboard.writeText(text),
    async saveScreenshot(png, suggestedName) {
      const url = URL.createObjectURL(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = suggestedName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return suggestedName;
    },
    async setFullScreen(on) {
      // In full screen, Keyboard Lock (Chromium) lets keys such as Esc, Alt+Tab or Ctrl+W
      // reach the remote desktop instead of the browser.
      const keyboard = (navigator as Navigator & { keyboard?: { lock?(): Promise<void>; unlock?(): void } })
        .keyboard;
      if (on && !document.fullscreenElement) {
        await document.documentElement.requestFullscreen();
        await keyboard?.lock?.().catch(() => undefined);
      }
      if (!on && document.fullscreenElement) {
        keyboard?.unlock?.();
        await document.exitFullscreen();
      }
    },
    onOpenTarget(listener) {
      // Browser mode opens a link given in the address's fragment, `…/TOKEN/#open=vnc://host:port`
      // (URL-encoded), once: the fragment is cleared so a reload does not open it again.
      const deliver = () => {
        const match = /^#open=(.+)$/.exec(location.hash);
        if (!match) return;
        history.replaceState(null, '', `${location.pathname}${location.search}`);
        let target: string;
        try {
          target = decodeURIComponent(match[1]);
        } catch {
          return;
        }
        listener(target);
      };
      deliver();
      window.addEventListener('hashchange', deliver);
      return () => window.removeEventListener('hashchange', deliver);
    },
    onResume: onPageWake,
  };
}

/** A stream frame is at most one rectangle of the largest screen the engine accepts, in RGBA. */
const MAX_STREAM_FRAME_BYTES = 1 << 28;

type StreamListener = (frame: StreamFrame) => void;

/**
 * The page's stream (shared/stream-frames.ts), opened with the first session: it hands each
 * session's frames to that session, holding those that arrive before their session listens.
 */
class PageStream {
  private readonly listeners = new Map<number, StreamListener>();
  private readonly early = new Map<number, StreamFrame[]>();
  private readonly endListeners = new Set<() => void>();
  ended = false;

  private constructor(
    readonly id: string,
    private readonly body: ReadableStreamDefaultReader<Uint8Array>,
    private readonly frames: StreamFrameReader,
    first: StreamFrame[],
  ) {
    for (const frame of first) this.deliver(frame);
    void this.pump();
  }

  static async open(url: string): Promise<PageStream> {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok || !response.body) throw new Error('cannot reach the Porthole web server');
    const body = response.body.getReader();
    const frames = new StreamFrameReader(MAX_STREAM_FRAME_BYTES);
    // The first frame names the stream.
    for (;;) {
      const { value, done } = await body.read();
      if (done) throw new Error('the Porthole web server ended the page stream');
      const got = frames.push(value);
      if (got.length === 0) continue;
      const id = JSON.parse(new TextDecoder().decode(got[0].payload)).stream as string;
      return new PageStream(id, body, frames, got.slice(1));
    }
  }

  /** `session`'s frames, from now on and those that came before; returns the way to stop. */
  listen(session: number, listener: StreamListener): () => void {
    this.listeners.set(session, listener);
    for (const frame of this.early.get(session) ?? []) listener(frame);
    this.early.delete(session);
    return () => {
      this.listeners.delete(session);
      this.early.delete(session);
    };
  }

  onEnd(listener: () => void): () => void {
    if (this.ended) listener();
    else this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private deliver(frame: StreamFrame): void {
    const listener = this.listeners.get(frame.session);
    if (listener) {
      try {
        listener(frame);
      } catch (error) {
        reportError(error); // the viewer's fault, not the stream's: the session goes on
      }
    } else if (frame.session !== 0) {
      this.early.set(frame.session, [...(this.early.get(frame.session) ?? []), frame]);
    }
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.body.read();
        if (done) break;
        for (const frame of this.frames.push(value)) this.deliver(frame);
      }
    } catch {
      /* the stream broke: every session of the page is over */
    }
    this.ended = true;
    for (const listener of this.endListeners) listener();
  }
}

/**
 * A browser-mode session: the page's messages go over the session's WebSocket, whose first
 * message gives the session's number in the page's stream; the session's own come down that.
 */
async function openStreamedSession(wsBase: string, stream: PageStream): Promise<SessionPort> {
  const unreachable = () => new Error('cannot reach the Porthole web server');
  const ws = new WebSocket(`${wsBase}ws/session?stream=${encodeURIComponent(stream.id)}`);
  const session = await new Promise<number>((resolve, reject) => {
    ws.addEventListener('message', (event: MessageEvent) => resolve(JSON.parse(String(event.data)).session), {
      once: true,
    });
    ws.addEventListener('error', () => reject(unreachable()));
    ws.addEventListener('close', () => reject(unreachable()));
  });
  const closeListeners: (() => void)[] = [];
  let closed = false;
  let stopListening = () => {};
  const ended = () => {
    if (closed) return;
    closed = true;
    stopListening();
    stopWatching();
    ws.close();
    for (const listener of closeListeners) listener();
  };
  ws.addEventListener('close', ended);
  const stopWatching = stream.onEnd(ended);
  const decoder = new TextDecoder();

  return {
    post(message) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    },
    onMessage(listener) {
      stopListening = stream.listen(session, ({ kind, payload }) => {
        if (kind === 'draw') listener({ type: 'draw', batch: payload });
        else if (kind === 'audio') listener({ type: 'audio', chunk: payload });
        else listener(JSON.parse(decoder.decode(payload)) as FromSession);
      });
    },
    onClose: (listener) => closeListeners.push(listener),
    close: ended,
  };
}
