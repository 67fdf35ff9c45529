/**
 * The renderer side of the stand-in, run in every frame of a window's page before the page's
 * own scripts (a Playwright init script): `ipcRenderer` and `contextBridge` as the preload's
 * `require('electron')` returns them, and, in the main frame only, the app's real built preload
 * (out/preload/index.cjs) with the `require` and `process` a sandboxed preload gets.
 *
 * Node reaches the page through the entry points stored under `ENTRY` (main's `send`,
 * `postMessage` and session-port traffic); the page reaches Node through the bindings named in
 * `BINDINGS`, which Playwright calls with the real calling frame, so main's sender checks see
 * the frame that really asked.
 *
 * Everything below runs in the page: no imports, no outer variables (its source is carried in).
 */

export const ENTRY = 'porthole.electron-harness';
export const BINDINGS = {
  invoke: '__electronHarnessInvoke',
  portPost: '__electronHarnessPortPost',
  portClose: '__electronHarnessPortClose',
} as const;

/** What Node calls in the page (by `Symbol.for(ENTRY)`). */
export interface PageEntry {
  /** `webContents.send` / `postMessage`: each id in `portIds` becomes a MessagePort in `event.ports`. */
  dispatch(channel: string, args: unknown, portIds: string[]): void;
  portMessage(id: string, data: unknown): void;
  portClose(id: string): void;
}

export type PreloadModule = (
  exports: object,
  require: (id: string) => unknown,
  module: { exports: object },
  process: object,
) => void;

export function pageShim(
  encode: (value: unknown) => unknown,
  decode: (value: unknown) => unknown,
  preload: PreloadModule | null,
  process: { versions: Record<string, string>; platform: string; arch: string },
  names: { entry: string; invoke: string; portPost: string; portClose: string },
): void {
  type IpcEvent = { sender: unknown; ports: MessagePort[] };
  type Listener = (event: IpcEvent, ...args: unknown[]) => void;
  const call = (name: string, ...args: unknown[]): Promise<unknown> =>
    (window as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name](...args);

  const listeners = new Map<string, Listener[]>();
  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      const answer = (await call(names.invoke, channel, encode(args))) as {
        ok: boolean;
        value?: unknown;
        error?: string;
      };
      // Electron rejects with the handler's error wrapped in this sentence.
      if (!answer.ok) throw new Error(`Error invoking remote method '${channel}': ${answer.error}`);
      return decode(answer.value);
    },
    on(channel: string, listener: Listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
      return ipcRenderer;
    },
    once(channel: string, listener: Listener) {
      const once: Listener = (event, ...args) => {
        ipcRenderer.removeListener(channel, once);
        listener(event, ...args);
      };
      return ipcRenderer.on(channel, once);
    },
    removeListener(channel: string, listener: Listener) {
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((l) => l !== listener),
      );
      return ipcRenderer;
    },
    removeAllListeners(channel: string) {
      listeners.delete(channel);
      return ipcRenderer;
    },
  };

  // The page's ends of the ports main handed over: `inner` is wired to Node, its partner goes
  // to the app. Either end closing fires 'close' on the other (Electron's MessagePort
  // extension; Chromium's own, enabled by the harness, is the same event).
  const ports = new Map<string, MessagePort>();
  const entry = {
    dispatch(channel: string, args: unknown, portIds: string[]) {
      const appPorts = portIds.map((id) => {
        const { port1: inner, port2: outer } = new MessageChannel();
        ports.set(id, inner);
        inner.onmessage = (event) => void call(names.portPost, id, encode(event.data));
        inner.addEventListener('close', () => {
          if (ports.delete(id)) void call(names.portClose, id);
        });
        return outer;
      });
      const event: IpcEvent = { sender: ipcRenderer, ports: appPorts };
      for (const listener of listeners.get(channel) ?? []) listener(event, ...(decode(args) as unknown[]));
    },
    portMessage(id: string, data: unknown) {
      ports.get(id)?.postMessage(decode(data));
    },
    portClose(id: string) {
      const port = ports.get(id);
      ports.delete(id);
      port?.close();
    },
  };
  Object.defineProperty(window, Symbol.for(names.entry), { value: entry });

  // contextBridge: what the preload exposes reaches the page as copies; functions (and
  // promises) are proxied, so the page never holds the preload's own objects.
  const bridged = (value: unknown): unknown => {
    if (typeof value === 'function') {
      return (...args: unknown[]) => bridged((value as (...a: unknown[]) => unknown)(...args.map(bridged)));
    }
    if (value instanceof Promise) return value.then(bridged);
    if (Array.isArray(value)) return value.map(bridged);
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return structuredClone(value);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bridged(v)]));
    }
    return value;
  };
  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      if (key in window)
        throw new Error(`Cannot bind an API on top of an existing property on the window object`);
      Object.defineProperty(window, key, { value: bridged(api), enumerable: true });
    },
  };

  if (!preload || window.top !== window) return;
  const require = (id: string): unknown => {
    if (id === 'electron') return { contextBridge, ipcRenderer };
    throw new Error(`module not found: ${id} (the harness's sandboxed preload can require "electron" only)`);
  };
  const module = { exports: {} };
  preload(module.exports, require, module, {
    ...process,
    type: 'renderer',
    sandboxed: true,
    contextIsolated: true,
    env: {},
  });
}
