import { join, resolve } from 'node:path';
import { app, BrowserWindow, dialog, powerMonitor, session } from 'electron';
import { OPEN_TARGET_CHANNEL, RESUME_CHANNEL, TAKE_LAUNCHES_TARGET } from '../../shared/ipc.ts';
import { createControlService, openSettingsStore } from '../app/control-service.ts';
import { LaunchRegistry, readVncFileAt, storedPasswordLookup } from '../app/launches.ts';
import { devRendererUrl } from './app-url.ts';
import { registerControlHandlers } from './ipc-handlers.ts';
import { installMenu } from './menu.ts';
import { isVncLink, targetFromArgv } from './open-target.ts';
import { handleAppProtocol, registerAppScheme } from './protocol.ts';
import { electronCipher } from './safe-storage.ts';
import { killAllSessions, registerSessionHandler } from './session-processes.ts';
import { createMainWindow, denyAllPermissions, hardenWebContents } from './window.ts';

/**
 * The Electron main process: windows, IPC and app lifecycle only. Sessions run in utility
 * processes (session-processes.ts); the RFB engine never runs on this thread.
 */

// The dev server URL is honoured only by the bare Electron of `npm run dev`: a packaged app
// must never load what an environment variable points at.
const devUrl = app.isPackaged ? undefined : devRendererUrl();
let mainWindow: BrowserWindow | undefined;
/** A target that arrived before the window could take it (launch argv, macOS open-url). */
let pendingTarget: string | null = null;
/** `.vnc` files given to the app: their passwords stay here, for their sessions only. */
const launches = new LaunchRegistry();

function openTarget(target: string): void {
  const window = mainWindow;
  if (!window || window.isDestroyed() || window.webContents.isLoading()) {
    pendingTarget = target;
    return;
  }
  window.webContents.send(OPEN_TARGET_CHANNEL, target);
}

/**
 * A `vnc://` link goes to the viewer (which resolves it with `link:resolve`); a `.vnc` file is
 * read here and handed over as a launch, its password kept on this side.
 */
function openArgument(argument: string, workingDirectory: string): void {
  if (isVncLink(argument)) {
    openTarget(argument);
    return;
  }
  readVncFileAt(resolve(workingDirectory, argument)).then(
    ({ fields, password }) => {
      launches.add(fields, password);
      openTarget(TAKE_LAUNCHES_TARGET);
    },
    (error: Error) => dialog.showErrorBox('Porthole could not open the file', error.message),
  );
}

function focusWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

function showWindow(): void {
  const window = createMainWindow(devUrl);
  mainWindow = window;
  window.webContents.on('did-finish-load', () => {
    if (pendingTarget !== null) {
      const target = pendingTarget;
      pendingTarget = null;
      window.webContents.send(OPEN_TARGET_CHANNEL, target);
    }
  });
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
}

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const launchArgument = targetFromArgv(process.argv);
  if (launchArgument !== null) openArgument(launchArgument, process.cwd());
  app.on('second-instance', (_event, argv, workingDirectory) => {
    focusWindow();
    const target = targetFromArgv(argv);
    if (target !== null) openArgument(target, workingDirectory);
  });
  // macOS hands .vnc files opened from the Finder here, possibly before ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openArgument(path, process.cwd());
    focusWindow();
  });
  // macOS delivers vnc:// links here, possibly before ready.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openTarget(url);
    focusWindow();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, devUrl));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', killAllSessions);

  void app.whenReady().then(() => {
    // In development the binary is the bare Electron, which must not claim vnc:// links.
    if (app.isPackaged) app.setAsDefaultProtocolClient('vnc');
    app.setAboutPanelOptions({ applicationName: 'Porthole', applicationVersion: app.getVersion() });
    denyAllPermissions(session.defaultSession);
    handleAppProtocol(join(import.meta.dirname, '../renderer'));
    const settings = openSettingsStore(app.getPath('userData'), electronCipher());
    registerControlHandlers(createControlService(app.getPath('userData'), { launches, settings }), devUrl);
    // Session processes ask main for a bookmark's (or a launch's) password; it never reaches the renderer.
    registerSessionHandler(devUrl, undefined, storedPasswordLookup(settings, launches));
    installMenu({
      isDev: devUrl !== undefined,
      window: () => BrowserWindow.getFocusedWindow() ?? mainWindow,
    });
    showWindow();
    // After sleep every session probes its server at once instead of waiting for TCP to notice.
    powerMonitor.on('resume', () => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(RESUME_CHANNEL);
    });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) showWindow();
    });
  });
}
