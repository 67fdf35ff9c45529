import WebSocket from 'ws';
import type { FromSession } from '../../shared/session-protocol.ts';
import { StreamFrameReader } from '../../shared/stream-frames.ts';

/**
 * A browser-mode page as renderer/src/platform/web-client.ts opens one: the page's stream (one
 * fetch of `stream`, whose first frame names it), then sessions, each a WebSocket to
 * `ws/session?stream=ID` with the page's origin, whose messages come down the stream.
 */
export async function openWebPage(pageUrl: string, port: number) {
  const response = await fetch(`${pageUrl}stream`);
  if (!response.ok || !response.body) throw new Error(`the page stream answered ${response.status}`);
  const bySession = new Map<number, FromSession[]>();
  let streamId = '';
  let streamEnded = false;
  let wake = () => {};
  let named = () => {};
  const isNamed = new Promise<void>((resolve) => {
    named = resolve;
  });
  const body = response.body.getReader();
  void (async () => {
    const frames = new StreamFrameReader(1 << 28);
    for (;;) {
      const { value, done } = await body.read();
      if (done) break;
      for (const { kind, session, payload } of frames.push(value)) {
        if (session === 0) {
          streamId = JSON.parse(Buffer.from(payload).toString()).stream;
          named();
          continue;
        }
        const list = bySession.get(session) ?? [];
        bySession.set(session, list);
        if (kind === 'draw') list.push({ type: 'draw', batch: payload });
        else if (kind === 'audio') list.push({ type: 'audio', chunk: payload });
        else list.push(JSON.parse(Buffer.from(payload).toString()) as FromSession);
      }
      wake();
    }
  })()
    .catch(() => undefined)
    .finally(() => {
      streamEnded = true;
      wake();
    });
  await isNamed;

  const until = async (what: string, test: () => boolean) => {
    const end = Date.now() + 20_000;
    while (!test()) {
      if (Date.now() > end) throw new Error(`no ${what} in the page stream within 20 s`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };

  /** A session of this page: its WebSocket, and what came for it down the stream. */
  const openSession = async () => {
    const ws = new WebSocket(`${pageUrl.replace('http', 'ws')}ws/session?stream=${streamId}`, {
      origin: `http://127.0.0.1:${port}`,
    });
    const session = await new Promise<number>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data)).session));
      ws.once('error', reject);
    });
    const received = () => bySession.get(session) ?? [];
    return {
      ws,
      session,
      received,
      until,
      phase: (p: string) => () => received().some((m) => m.type === 'status' && m.status.phase === p),
      send: (message: unknown) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    };
  };
  return {
    streamId: () => streamId,
    ended: () => streamEnded,
    until,
    openSession,
    stop: () => body.cancel(),
  };
}
