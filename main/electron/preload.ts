import { contextBridge, type IpcRenderer, type IpcRendererEvent, ipcRenderer } from 'electron';
import {
  CONTROL_NAMES,
  type ControlName,
  type ControlParams,
  type ControlResult,
  controlChannel,
  OPEN_TARGET_CHANNEL,
  type PreloadBridge,
  RESUME_CHANNEL,
  SESSION_OPEN_CHANNEL,
  SESSION_PORT_CHANNEL,
  SESSION_PORT_MESSAGE,
} from '../../shared/ipc.ts';

/**
 * The renderer's only door to the main side (sandboxed, built as CommonJS). It exposes
 * functions, never `ipcRenderer` itself, and forwards session ports to the page.
 */

type Ipc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

const CONTROL_NAME_SET: ReadonlySet<string> = new Set(CONTROL_NAMES);

export function createBridge(ipc: Ipc): PreloadBridge {
  return {
    versions: {
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node ?? '',
    },
    invoke<N extends ControlName>(name: N, params: ControlParams<N>): Promise<ControlResult<N>> {
      if (typeof name !== 'string' || !CONTROL_NAME_SET.has(name)) {
        return Promise.reject(new Error(`porthole: unknown control request ${String(name)}`));
      }
      return ipc.invoke(controlChannel(name), params) as Promise<ControlResult<N>>;
    },
    openSession(): Promise<string> {
      return ipc.invoke(SESSION_OPEN_CHANNEL) as Promise<string>;
    },
    onOpenTarget(listener: (target: string) => void): () => void {
      const handler = (_event: IpcRendererEvent, target: unknown): void => {
        if (typeof target === 'string') listener(target);
      };
      ipc.on(OPEN_TARGET_CHANNEL, handler);
      return () => {
        ipc.removeListener(OPEN_TARGET_CHANNEL, handler);
      };
    },
    onResume(listener: () => void): () => void {
      const handler = (): void => listener();
      ipc.on(RESUME_CHANNEL, handler);
      return () => {
        ipc.removeListener(RESUME_CHANNEL, handler);
      };
    },
  };
}

/** The part of `window` the port forwarding needs. */
export interface PageWindow {
  location: { origin: string };
  postMessage(message: unknown, targetOrigin: string, transfer?: Transferable[]): void;
}

/**
 * Hands each session's MessagePort to the page. An `app://porthole` page (a standard scheme)
 * reports the origin `app://porthole`, the dev server its http origin; only an opaque origin
 * (`null`, e.g. file://) cannot be named, and then `*` is the only target that works. The
 * message goes to this same window either way.
 */
export function forwardSessionPorts(ipc: Ipc, page: PageWindow): void {
  ipc.on(SESSION_PORT_CHANNEL, (event: IpcRendererEvent, payload: unknown) => {
    const id = (payload as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || event.ports.length !== 1) return;
    const origin = page.location.origin;
    page.postMessage({ [SESSION_PORT_MESSAGE]: id }, origin === 'null' ? '*' : origin, event.ports);
  });
}

forwardSessionPorts(ipcRenderer, window);
contextBridge.exposeInMainWorld('portholeBridge', createBridge(ipcRenderer));
