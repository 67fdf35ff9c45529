import { join } from 'node:path';
import { BrowserWindow, type Session, type WebContents, type WebPreferences } from 'electron';
import { APP_INDEX_URL, isAppUrl } from './app-url.ts';

/** The only web preferences a Porthole window gets. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/**
 * Locks down any webContents: no new windows, no navigation away from the app, no webviews.
 * main.ts applies it to every webContents the app creates, not only to our windows.
 */
export function hardenWebContents(contents: WebContents, devUrl: string | undefined): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const guard = (event: { preventDefault(): void }, url: string): void => {
    if (!isAppUrl(url, devUrl)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Denies every permission request and check. The clipboard goes through the control requests
 * (clipboard:read/write), so the page needs no web permission at all.
 */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

export function createMainWindow(devUrl: string | undefined): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 480,
    minHeight: 320,
    title: 'Porthole',
    show: false,
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/index.cjs')),
  });
  hardenWebContents(window.webContents, devUrl);
  denyAllPermissions(window.webContents.session);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(devUrl ?? APP_INDEX_URL);
  return window;
}
