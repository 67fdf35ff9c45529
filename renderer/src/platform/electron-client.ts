import { type PreloadBridge, SESSION_PORT_MESSAGE } from '../../../shared/ipc.ts';
import type { FromSession } from '../../../shared/session-protocol.ts';
import type { PlatformClient, SessionPort } from './client.ts';
import { onPageWake } from './page-wake.ts';

/** Electron: control requests through the preload bridge, session ports straight from main. */
export function createElectronClient(bridge: PreloadBridge): PlatformClient {
  const waiting = new Map<string, (port: MessagePort) => void>();
  const early = new Map<string, MessagePort>();
  window.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== window || typeof event.data !== 'object' || event.data === null) return;
    const id = (event.data as Record<string, unknown>)[SESSION_PORT_MESSAGE];
    const port = event.ports[0];
    if (typeof id !== 'string' || !port) return;
    const resolve = waiting.get(id);
    if (resolve) {
      waiting.delete(id);
      resolve(port);
    } else {
      early.set(id, port);
    }
  });
  return {
    kind: 'electron',
    async openSession() {
      const id = await bridge.openSession();
      const port =
        early.get(id) ??
        (await new Promise<MessagePort>((resolve) => {
          waiting.set(id, resolve);
        }));
      early.delete(id);
      return messagePortSession(port);
    },
    invoke: (name, params) => bridge.invoke(name, params),
    readClipboard: () => bridge.invoke('clipboard:read', {}),
    writeClipboard: async (text) => {
      await bridge.invoke('clipboard:write', { text });
    },
    saveScreenshot: (png, suggestedName) => bridge.invoke('screenshot:save', { png, suggestedName }),
    setFullScreen: async (on) => {
      await bridge.invoke('window:fullscreen', { on });
    },
    onOpenTarget: (listener) => bridge.onOpenTarget(listener),
    onResume(listener) {
      const offPage = onPageWake(listener);
      const offPower = bridge.onResume(listener);
      return () => {
        offPage();
        offPower();
      };
    },
  };
}

function messagePortSession(port: MessagePort): SessionPort {
  const closeListeners: (() => void)[] = [];
  port.addEventListener('close', () => {
    for (const listener of closeListeners) listener();
  });
  return {
    post: (message) => port.postMessage(message),
    onMessage(listener) {
      port.addEventListener('message', (event: MessageEvent) => listener(event.data as FromSession));
      port.start();
    },
    onClose: (listener) => closeListeners.push(listener),
    close: () => port.close(),
  };
}
