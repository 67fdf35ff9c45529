import { isAudioChunk } from '../../../shared/audio-wire.ts';
import { type Call, type CallReply, PendingReplies } from '../../../shared/pending-replies.ts';
import type { FromSession } from '../../../shared/session-protocol.ts';
import type { PlatformClient, SessionPort } from './client.ts';
import { onPageWake } from './page-wake.ts';

/**
 * Browser mode: the page was served from http://127.0.0.1:PORT/TOKEN/, and the same prefix
 * reaches the WebSockets. Clipboard and full screen are the page's own.
 */
export function createWebClient(location: Location = window.location): PlatformClient {
  const base = `ws://${location.host}${location.pathname.replace(/[^/]*$/, '')}`;
  let control: Promise<WebSocket> | undefined;
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
    openSession: () =>
      new Promise<SessionPort>((resolve, reject) => {
        const ws = new WebSocket(`${base}ws/session`);
        ws.binaryType = 'arraybuffer';
        ws.addEventListener('open', () => resolve(webSocketSession(ws)));
        ws.addEventListener('error', () => reject(new Error('cannot reach the Porthole web server')));
      }),
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

function webSocketSession(ws: WebSocket): SessionPort {
  return {
    post(message) {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    },
    onMessage(listener) {
      ws.addEventListener('message', (event: MessageEvent) => {
        // Binary frames are draw batches ('PHD1') or audio blocks ('PHA1', shared/audio-wire.ts).
        if (event.data instanceof ArrayBuffer) {
          listener(
            isAudioChunk(event.data)
              ? { type: 'audio', chunk: event.data }
              : { type: 'draw', batch: event.data },
          );
        } else listener(JSON.parse(String(event.data)) as FromSession);
      });
    },
    onClose: (listener) => ws.addEventListener('close', () => listener()),
    close: () => ws.close(),
  };
}
