import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { app, BrowserWindow, clipboard, dialog, type IpcMainInvokeEvent, ipcMain } from 'electron';
import {
  CONTROL_NAMES,
  type ControlName,
  type ControlParams,
  type ControlResult,
  controlChannel,
} from '../../shared/ipc.ts';
import { validateServiceParams } from '../app/control-service.ts';
import { isAppUrl } from './app-url.ts';

/** The requests only Electron answers; the rest come from main/app/control-service.ts. */
type PlatformName = 'clipboard:read' | 'clipboard:write' | 'screenshot:save' | 'window:fullscreen';
type ServiceName = Exclude<ControlName, PlatformName>;

/** What the shared control service offers (main/app/control-service.ts). */
export type SharedService = {
  [N in ServiceName]: (params: ControlParams<N>) => Promise<ControlResult<N>>;
};

/** Only the main frame of an app page may call the main side. */
export function isTrustedSender(
  frameUrl: string | undefined,
  isMainFrame: boolean,
  devUrl: string | undefined,
): boolean {
  return isMainFrame && isAppUrl(frameUrl, devUrl);
}

/** Throws unless the event comes from the main frame of one of our windows, showing our page. */
export function assertTrustedEvent(event: IpcMainInvokeEvent, devUrl: string | undefined): void {
  const frame = event.senderFrame;
  // A main frame has no parent; the sender must also be a window of ours (not a webview or
  // some other webContents).
  const isMainFrame =
    frame !== null && frame.parent === null && BrowserWindow.fromWebContents(event.sender) !== null;
  if (!isTrustedSender(frame?.url, isMainFrame, devUrl)) {
    throw new Error('porthole: IPC from an untrusted frame refused');
  }
}

const MAX_TEXT = 16 * 1024 * 1024;
const MAX_PNG = 512 * 1024 * 1024;

type Validators = { [N in ControlName]: (params: unknown) => ControlParams<N> };

/** Checks the shape of each request's parameters; throws on anything else. */
export const validateParams: Validators = {
  ...validateServiceParams,
  'clipboard:read': (p) => empty(p),
  'clipboard:write': (p) => ({ text: stringField(p, 'text', MAX_TEXT, true) }),
  'screenshot:save': (p) => {
    const png = record(p).png;
    if (!(png instanceof Uint8Array) || png.byteLength > MAX_PNG) throw invalid('png');
    return { png, suggestedName: stringField(p, 'suggestedName', 255) };
  },
  'window:fullscreen': (p) => {
    const on = record(p).on;
    if (typeof on !== 'boolean') throw invalid('on');
    return { on };
  },
};

function record(p: unknown): Record<string, unknown> {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw invalid('params');
  return p as Record<string, unknown>;
}

function empty(p: unknown): Record<string, never> {
  if (p !== undefined) record(p);
  return {};
}

function stringField(p: unknown, key: string, max: number, allowEmpty = false): string {
  const value = record(p)[key];
  if (typeof value !== 'string' || value.length > max || (!allowEmpty && value === '')) throw invalid(key);
  return value;
}

function invalid(what: string): Error {
  return new Error(`porthole: invalid ${what}`);
}

/** A safe PNG file name from the renderer's suggestion: no directories, always `.png`. */
export function screenshotFileName(suggested: string): string {
  const name = [...basename(suggested.replaceAll('\\', '/'))]
    .map((c) => (c.charCodeAt(0) < 0x20 || '<>:"|?*'.includes(c) ? '_' : c))
    .join('');
  if (name === '' || name === '.' || name === '..') return 'screenshot.png';
  return name.toLowerCase().endsWith('.png') ? name : `${name}.png`;
}

type Handlers = {
  [N in ControlName]: (params: ControlParams<N>, event: IpcMainInvokeEvent) => Promise<ControlResult<N>>;
};

function createHandlers(service: SharedService): Handlers {
  const shared = {} as { [N in ServiceName]: (params: ControlParams<N>) => Promise<ControlResult<N>> };
  for (const name of Object.keys(validateServiceParams) as ServiceName[]) {
    (shared as Record<string, unknown>)[name] = (params: never) =>
      (service[name] as (p: unknown) => Promise<unknown>)(params);
  }
  return {
    ...shared,
    'clipboard:read': async () => clipboard.readText(),
    'clipboard:write': async ({ text }) => {
      clipboard.writeText(text);
      return null;
    },
    'screenshot:save': async ({ png, suggestedName }, event) => {
      const window = BrowserWindow.fromWebContents(event.sender);
      const options = {
        defaultPath: join(app.getPath('pictures'), screenshotFileName(suggestedName)),
        filters: [{ name: 'PNG image', extensions: ['png'] }],
      };
      const choice = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      if (choice.canceled || !choice.filePath) return null;
      await writeFile(choice.filePath, png);
      return choice.filePath;
    },
    'window:fullscreen': async ({ on }, event) => {
      BrowserWindow.fromWebContents(event.sender)?.setFullScreen(on);
      return null;
    },
  };
}

/** Registers one `ipcMain.handle` per control request; each checks the sender, then the params. */
export function registerControlHandlers(service: SharedService, devUrl: string | undefined): void {
  const handlers = createHandlers(service);
  for (const name of CONTROL_NAMES) {
    ipcMain.handle(controlChannel(name), (event, params: unknown) => {
      assertTrustedEvent(event, devUrl);
      return dispatch(handlers, name, params, event);
    });
  }
}

function dispatch<N extends ControlName>(
  handlers: Handlers,
  name: N,
  params: unknown,
  event: IpcMainInvokeEvent,
): Promise<ControlResult<N>> {
  const valid = validateParams[name](params) as ControlParams<N>;
  const handler = handlers[name] as (p: ControlParams<N>, e: IpcMainInvokeEvent) => Promise<ControlResult<N>>;
  return handler(valid, event);
}
