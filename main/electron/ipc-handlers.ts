import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { app, BrowserWindow, clipboard, dialog, type IpcMainInvokeEvent, ipcMain } from 'electron';
import { checkControlParams } from '../../shared/control-params.ts';
import {
  type CheckedParams,
  CONTROL_NAMES,
  type ControlName,
  type ControlResult,
  controlChannel,
} from '../../shared/ipc.ts';
import type { ControlService } from '../app/control-service.ts';
import { isAppUrl } from './app-url.ts';

/** The requests only Electron answers; the rest come from main/app/control-service.ts. */
type PlatformName = 'clipboard:read' | 'clipboard:write' | 'screenshot:save' | 'window:fullscreen';

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

const PLATFORM_NAMES: readonly ControlName[] = [
  'clipboard:read',
  'clipboard:write',
  'screenshot:save',
  'window:fullscreen',
] satisfies readonly PlatformName[];

function isPlatformName(name: ControlName): name is PlatformName {
  return PLATFORM_NAMES.includes(name);
}

/** A safe PNG file name from the renderer's suggestion: no directories, always `.png`. */
export function screenshotFileName(suggested: string): string {
  const name = [...basename(suggested.replaceAll('\\', '/'))]
    .map((c) => (c.charCodeAt(0) < 0x20 || '<>:"|?*'.includes(c) ? '_' : c))
    .join('');
  if (name === '' || name === '.' || name === '..') return 'screenshot.png';
  return name.toLowerCase().endsWith('.png') ? name : `${name}.png`;
}

type PlatformHandlers = {
  [N in PlatformName]: (params: CheckedParams<N>, event: IpcMainInvokeEvent) => Promise<ControlResult<N>>;
};

const platformHandlers: PlatformHandlers = {
  'clipboard:read': async () => clipboard.readText(),
  'clipboard:write': async ({ text }) => {
    await clipboard.writeText(text);
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

/**
 * Registers one `ipcMain.handle` per control request; each checks the sender, then the params
 * (the shared service's requests are checked by the service itself).
 */
export function registerControlHandlers(service: ControlService, devUrl: string | undefined): void {
  for (const name of CONTROL_NAMES) {
    ipcMain.handle(controlChannel(name), (event, params: unknown) => {
      assertTrustedEvent(event, devUrl);
      return isPlatformName(name) ? platformRequest(name, params, event) : service[name](params);
    });
  }
}

function platformRequest<N extends PlatformName>(
  name: N,
  params: unknown,
  event: IpcMainInvokeEvent,
): Promise<ControlResult<N>> {
  const valid = checkControlParams(name, params);
  const handler = platformHandlers[name] as (
    p: CheckedParams<N>,
    e: IpcMainInvokeEvent,
  ) => Promise<ControlResult<N>>;
  return handler(valid, event);
}
