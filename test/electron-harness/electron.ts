import { type ChildProcess, fork } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Frame, Page, Route } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { BINDINGS, ENTRY, type PageEntry, pageShim } from './page-shim.ts';
import type { ChildMessage, ParentMessage } from './utility-child.ts';
import { decodeFromWire, encodeForWire } from './wire.ts';

/**
 * A stand-in for the Electron APIs Porthole's main process uses, doing what Electron's
 * documentation says they do, on real parts: windows are Chromium pages (Playwright), IPC
 * carries the real calling frame, utility processes are Node child processes with
 * MessagePorts bridged to the page, `protocol.handle` answers the page's requests, safeStorage
 * really encrypts. Menus, dialogs and the clipboard are recorders. Each class implements the
 * part of Electron's own type (node_modules/electron/electron.d.ts) it stands in for, and
 * electron-types.test.ts compiles main/electron/ against this module, so neither side drifts.
 *
 * Tests map `electron` to this module (`vi.mock('electron', () => import(…))`) and call
 * `start()` with the import of the built main (out/main/index.js), as Electron runs it.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const ELECTRON_PACKAGE = JSON.parse(
  readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8'),
) as {
  version: string;
};
const APP_PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
const UTILITY_CHILD = join(import.meta.dirname, 'utility-child.ts');

// ---------------------------------------------------------------------------------------------
// The harness's own state and controls (not Electron API).

interface HarnessState {
  browser?: Browser;
  userData: string;
  readyResolve?: () => void;
  /** The answer the next `dialog.showSaveDialog` gives. */
  saveDialogAnswer: Electron.SaveDialogReturnValue;
}

const state: HarnessState = { userData: '', saveDialogAnswer: { canceled: true, filePath: '' } };

/** What the app did through the recorders, in order. */
export const recorded = {
  privilegedSchemes: [] as Electron.CustomScheme[],
  protocolClients: [] as string[],
  errorBoxes: [] as Array<{ title: string; content: string }>,
  saveDialogs: [] as Electron.SaveDialogOptions[],
  applicationMenu: null as MenuStandIn | null,
  permissionHandlers: [] as string[],
  /** Main-frame navigations the page started, and whether the app prevented them. */
  navigations: [] as Array<{ url: string; prevented: boolean }>,
  windowOpens: [] as Array<{ url: string; action: string }>,
};

export interface HarnessOptions {
  /** Electron's userData folder (settings, passwords). */
  userData: string;
  /** The app's command line after the executable, as a packaged app gets it. */
  argv?: string[];
}

/**
 * Starts the app as Electron does: loads its main script (`loadMain`, e.g. importing
 * out/main/index.js) with the command line set, then, once Chromium runs, makes the app
 * ready (`ready`, `app.whenReady()`).
 */
export async function start(options: HarnessOptions, loadMain: () => Promise<unknown>): Promise<void> {
  state.userData = options.userData;
  process.argv = [join(ROOT, APP_PACKAGE.name), ...(options.argv ?? [])];
  // Electron's renderer MessagePorts fire 'close' when the other end goes (how a tab learns
  // that its session process died); Chromium has the same event behind this switch.
  const browser = launchChromium({ args: ['--enable-blink-features=MessagePortCloseEvent'] });
  await loadMain();
  state.browser = await browser;
  app.ready = true;
  app.emit('ready');
  state.readyResolve?.();
}

/** Quits the app as Electron does (will-quit, quit), closes its windows and Chromium. */
export async function stop(): Promise<void> {
  app.quit();
  for (const window of [...windows]) window.destroy();
  await state.browser?.close();
}

export function setSaveDialogAnswer(answer: Electron.SaveDialogReturnValue): void {
  state.saveDialogAnswer = answer;
}

/** The utility processes alive now, oldest first. */
export function utilityProcesses(): UtilityProcessStandIn[] {
  return [...children];
}

// ---------------------------------------------------------------------------------------------
// Custom schemes. Chromium outside Electron cannot register a privileged scheme, so the page of
// `app://porthole/…` is loaded from `http://porthole.app.localhost/…` (a secure context, as the
// registered scheme is), every request of that origin answered by the app's own
// `protocol.handle` handler, and the frame URLs main sees are reported back as `app://…`.

const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
const STAND_IN_ORIGIN = /^http:\/\/([a-z0-9-]+)\.([a-z][a-z0-9+-]*)\.localhost(?=[/?#]|$)/;

/** The URL Chromium loads for an app URL (`app://porthole/x` → `http://porthole.app.localhost/x`). */
function pageUrlOf(url: string): string {
  const match = /^([a-z][a-z0-9+-]*):\/\/([a-z0-9-]+)(.*)$/i.exec(url);
  if (!match || !protocolHandlers.has(match[1])) return url;
  return `http://${match[2]}.${match[1]}.localhost${match[3]}`;
}

/** The URL Electron would report for a page URL (the inverse of `pageUrlOf`). */
function appUrlOf(url: string): string {
  return url.replace(STAND_IN_ORIGIN, (_all, host: string, scheme: string) => `${scheme}://${host}`);
}

async function answerFromProtocol(route: Route): Promise<void> {
  const request = route.request();
  const url = appUrlOf(request.url());
  const scheme = url.slice(0, url.indexOf(':'));
  const handler = protocolHandlers.get(scheme);
  if (!handler) return route.abort('failed');
  const response = await handler(
    new Request(url, { method: request.method(), headers: await request.allHeaders() }),
  );
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  await route.fulfill({
    status: response.status,
    headers,
    body: Buffer.from(await response.arrayBuffer()),
  });
}

export const protocol = {
  registerSchemesAsPrivileged(schemes: Electron.CustomScheme[]) {
    if (app.ready)
      throw new Error('protocol.registerSchemesAsPrivileged must be called before the app is ready');
    recorded.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
    if (protocolHandlers.has(scheme)) throw new Error(`The scheme "${scheme}" is already handled`);
    protocolHandlers.set(scheme, handler);
  },
} satisfies Pick<Electron.Protocol, 'registerSchemesAsPrivileged' | 'handle'>;

// ---------------------------------------------------------------------------------------------
// app

class AppStandIn
  extends EventEmitter
  implements
    Pick<
      Electron.App,
      | 'requestSingleInstanceLock'
      | 'quit'
      | 'whenReady'
      | 'isReady'
      | 'isPackaged'
      | 'setAsDefaultProtocolClient'
      | 'setAboutPanelOptions'
      | 'showAboutPanel'
      | 'getVersion'
      | 'getName'
      | 'getPath'
    >
{
  ready = false;
  /** A packaged app: `ELECTRON_RENDERER_URL` is ignored, as it is in the installed app. */
  isPackaged = true;
  aboutPanel: Electron.AboutPanelOptionsOptions | null = null;
  private quitting = false;

  requestSingleInstanceLock(): boolean {
    return true;
  }
  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    this.emit('before-quit', { preventDefault() {} });
    this.emit('will-quit', { preventDefault() {} });
    this.emit('quit', { preventDefault() {} }, 0);
  }
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((ready) => {
      const previous = state.readyResolve;
      state.readyResolve = () => {
        previous?.();
        ready();
      };
    });
  }
  isReady(): boolean {
    return this.ready;
  }
  setAsDefaultProtocolClient(protocol: string): boolean {
    recorded.protocolClients.push(protocol);
    return true;
  }
  setAboutPanelOptions(options: Electron.AboutPanelOptionsOptions): void {
    this.aboutPanel = options;
  }
  showAboutPanel(): void {}
  getVersion(): string {
    return APP_PACKAGE.version;
  }
  getName(): string {
    return APP_PACKAGE.name;
  }
  getPath(name: Parameters<Electron.App['getPath']>[0]): string {
    if (name === 'userData') return state.userData;
    return join(state.userData, '..', name);
  }
}

export const app = new AppStandIn();

// ---------------------------------------------------------------------------------------------
// session

class SessionStandIn
  implements
    Pick<
      Electron.Session,
      'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
    >
{
  permissionRequestHandler: Parameters<Electron.Session['setPermissionRequestHandler']>[0] = null;
  permissionCheckHandler: Parameters<Electron.Session['setPermissionCheckHandler']>[0] = null;
  devicePermissionHandler: Parameters<Electron.Session['setDevicePermissionHandler']>[0] = null;

  setPermissionRequestHandler(handler: Parameters<Electron.Session['setPermissionRequestHandler']>[0]): void {
    recorded.permissionHandlers.push('request');
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Parameters<Electron.Session['setPermissionCheckHandler']>[0]): void {
    recorded.permissionHandlers.push('check');
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: Parameters<Electron.Session['setDevicePermissionHandler']>[0]): void {
    recorded.permissionHandlers.push('device');
    this.devicePermissionHandler = handler;
  }
}

const defaultSession = new SessionStandIn();
export const session = { defaultSession };

// ---------------------------------------------------------------------------------------------
// MessagePortMain / MessageChannelMain

/** Where a port lives once it was transferred to a page or a utility process. */
interface RemoteEnd {
  deliver(data: unknown): void;
  close(): void;
}

const portsById = new Map<string, MessagePortMainStandIn>();

export class MessagePortMainStandIn
  extends EventEmitter
  implements Pick<Electron.MessagePortMain, 'postMessage' | 'start' | 'close'>
{
  peer!: MessagePortMainStandIn;
  private queue: unknown[] = [];
  private started = false;
  private closed = false;
  private remote?: RemoteEnd;

  postMessage(message: unknown): void {
    if (!this.closed) this.peer.arrive(message);
  }
  start(): void {
    this.started = true;
    for (const data of this.queue.splice(0)) this.emit('message', { data, ports: [] });
  }
  close(): void {
    if (this.closed) return;
    this.disentangle();
    this.peer.disentangle();
  }

  /** Hands this end, under `id`, to a page or a process. */
  transferTo(id: string, remote: RemoteEnd): void {
    this.remote = remote;
    portsById.set(id, this);
    for (const data of this.queue.splice(0)) remote.deliver(data);
  }

  private arrive(data: unknown): void {
    if (this.closed) return;
    if (this.remote) this.remote.deliver(data);
    else if (this.started) this.emit('message', { data, ports: [] });
    else this.queue.push(data);
  }

  /** Either end closing closes both; each sees 'close' (a transferred end, where it lives). */
  private disentangle(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, port] of portsById) if (port === this) portsById.delete(id);
    if (this.remote) this.remote.close();
    else this.emit('close');
  }
}

export class MessageChannelMain {
  readonly port1 = new MessagePortMainStandIn();
  readonly port2 = new MessagePortMainStandIn();
  constructor() {
    this.port1.peer = this.port2;
    this.port2.peer = this.port1;
  }
}

// ---------------------------------------------------------------------------------------------
// utilityProcess: a Node child process running the entry, with `process.parentPort` set up by
// utility-child.ts and its MessagePorts carried over the child's IPC channel.

const children = new Set<UtilityProcessStandIn>();

export class UtilityProcessStandIn
  extends EventEmitter
  implements Pick<Electron.UtilityProcess, 'pid' | 'kill'>
{
  readonly pid: number | undefined;
  readonly child: ChildProcess;
  private readonly ports = new Map<string, MessagePortMainStandIn>();

  constructor(modulePath: string, args: string[], options: Electron.ForkOptions) {
    super();
    this.child = fork(modulePath, args, {
      cwd: options.cwd,
      env: (options.env as NodeJS.ProcessEnv | undefined) ?? process.env,
      execArgv: ['--import', 'tsx', '--import', UTILITY_CHILD],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.pid = this.child.pid;
    children.add(this);
    this.child.on('spawn', () => this.emit('spawn'));
    this.child.on('message', (message: ChildMessage) => this.receive(message));
    this.child.on('exit', (code, signal) => {
      children.delete(this);
      for (const port of this.ports.values()) port.close();
      // Electron reports the wait status's code; a killed process does not exit with 0.
      this.emit('exit', code ?? (signal ? 1 : 0));
    });
  }

  postMessage(message: unknown, transfer: MessagePortMainStandIn[] = []): void {
    // The child learns of the ports first, then gets what was queued on them.
    const portIds = transfer.map(() => randomUUID());
    this.send({ kind: 'parent-message', data: message, portIds });
    transfer.forEach((port, i) => {
      const id = portIds[i];
      this.ports.set(id, port);
      port.transferTo(id, {
        deliver: (data) => this.send({ kind: 'port-message', id, data }),
        close: () => this.send({ kind: 'port-close', id }),
      });
    });
  }

  kill(): boolean {
    return this.child.kill();
  }

  private send(message: ParentMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  private receive(message: ChildMessage): void {
    if (message.kind === 'parent-message') this.emit('message', message.data);
    else if (message.kind === 'port-message') this.ports.get(message.id)?.postMessage(message.data);
    else this.ports.get(message.id)?.close();
  }
}

export const utilityProcess = {
  fork(modulePath: string, args: string[] = [], options: Electron.ForkOptions = {}): UtilityProcessStandIn {
    return new UtilityProcessStandIn(modulePath, args, options);
  },
};

// ---------------------------------------------------------------------------------------------
// ipcMain: handlers get an event whose sender is the window's webContents and whose
// senderFrame is the frame that really called.

/** What an `ipcMain.handle` handler gets: the calling window's webContents and frame. */
interface InvokeEvent {
  sender: WebContentsStandIn;
  senderFrame: WebFrameMainStandIn | null;
  processId: number;
  frameId: number;
}
type InvokeHandler = (event: InvokeEvent, ...args: never[]) => unknown;
const invokeHandlers = new Map<string, InvokeHandler>();

// Not `satisfies Pick<Electron.IpcMain, …>`: its handlers take Electron's own event type; the
// app's handlers are checked against `InvokeEvent` by tsconfig.json here instead.
export const ipcMain = {
  handle(channel: string, listener: InvokeHandler) {
    if (invokeHandlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    invokeHandlers.set(channel, listener);
  },
  removeHandler(channel: string) {
    invokeHandlers.delete(channel);
  },
};

class WebFrameMainStandIn implements Pick<Electron.WebFrameMain, 'url' | 'isDestroyed' | 'name'> {
  constructor(private readonly frame: Frame) {}
  get url(): string {
    return appUrlOf(this.frame.url());
  }
  get name(): string {
    return this.frame.name();
  }
  get parent(): WebFrameMainStandIn | null {
    const parent = this.frame.parentFrame();
    return parent ? new WebFrameMainStandIn(parent) : null;
  }
  isDestroyed(): boolean {
    return this.frame.isDetached();
  }
}

// ---------------------------------------------------------------------------------------------
// BrowserWindow and its webContents: one Chromium page in its own browser context.

const windows: BrowserWindowStandIn[] = [];
let nextId = 1;

export class WebContentsStandIn
  extends EventEmitter
  implements
    Pick<Electron.WebContents, 'id' | 'isLoading' | 'isDestroyed' | 'getURL' | 'setWindowOpenHandler'>
{
  readonly id = nextId++;
  readonly session = defaultSession;
  /** The Chromium page; created asynchronously, as Electron's renderer process is. */
  readonly page: Promise<Page>;
  windowOpenHandler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0] | null = null;
  private loading = false;
  private destroyed = false;
  private lastUrl = '';

  constructor(
    readonly window: BrowserWindowStandIn,
    readonly webPreferences: Electron.WebPreferences,
    size: { width: number; height: number },
  ) {
    super();
    this.page = this.openPage(size);
    this.page.catch(() => {});
  }

  isLoading(): boolean {
    return this.loading;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.lastUrl;
  }
  setWindowOpenHandler(handler: Parameters<Electron.WebContents['setWindowOpenHandler']>[0]): void {
    this.windowOpenHandler = handler;
  }

  async loadURL(url: string): Promise<void> {
    this.loading = true;
    this.lastUrl = url;
    const page = await this.page;
    this.loadingPageUrl = pageUrlOf(url);
    await page.goto(this.loadingPageUrl);
  }

  send(channel: string, ...args: unknown[]): void {
    this.dispatch(channel, args, []);
  }

  postMessage(channel: string, message: unknown, transfer: MessagePortMainStandIn[] = []): void {
    // The page learns of the ports first, then gets what was queued on them.
    const portIds = transfer.map(() => randomUUID());
    this.dispatch(channel, [message], portIds);
    transfer.forEach((port, i) => {
      const id = portIds[i];
      port.transferTo(id, {
        deliver: (data) => this.callPage('portMessage', id, encodeForWire(data)),
        close: () => this.callPage('portClose', id),
      });
    });
  }

  /** Destroys the page (a closed window, or a renderer gone). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    void this.page.then((page) => page.context().close()).catch(() => {});
    this.emit('destroyed');
  }

  private dispatch(channel: string, args: unknown[], portIds: string[]): void {
    this.callPage('dispatch', channel, encodeForWire(args), portIds);
  }

  /** Calls the page shim's entry, in order, without waiting (as Electron's IPC sends are). */
  private callPage<K extends keyof PageEntry>(name: K, ...args: Parameters<PageEntry[K]>): void {
    if (this.destroyed) return;
    this.pageCalls = this.pageCalls
      .then(() => this.page)
      .then((page) =>
        page.evaluate(
          ({ entryName, name, args }) => {
            const entry = (window as unknown as Record<symbol, PageEntry>)[Symbol.for(entryName)];
            (entry[name] as (...a: unknown[]) => void)(...args);
          },
          { entryName: ENTRY, name, args },
        ),
      )
      .catch(() => {});
  }
  private pageCalls: Promise<unknown> = Promise.resolve();

  private async openPage(size: { width: number; height: number }): Promise<Page> {
    const browser = state.browser;
    if (!browser) throw new Error('BrowserWindow before app ready');
    const context: BrowserContext = await browser.newContext({ viewport: size, deviceScaleFactor: 1 });
    context.setDefaultTimeout(15_000);
    let page: Page | undefined;
    await context.route('**/*', (route) => this.routeRequest(route, page));
    await context.exposeBinding(BINDINGS.invoke, ({ frame }, channel: string, args: unknown) =>
      this.invoke(frame, channel, decodeFromWire(args) as unknown[]),
    );
    await context.exposeBinding(BINDINGS.portPost, (_source, id: string, data: unknown) =>
      portsById.get(id)?.postMessage(decodeFromWire(data)),
    );
    await context.exposeBinding(BINDINGS.portClose, (_source, id: string) => portsById.get(id)?.close());
    await context.addInitScript({ content: this.initScript() });
    page = await context.newPage();
    // Electron asks the window-open handler before any window exists; Chromium opens the popup
    // first (its requests are refused by routeRequest), so a denied one is closed at once.
    page.on('popup', (popup) => {
      const decision = this.windowOpenHandler?.({
        url: appUrlOf(popup.url()),
        frameName: '',
        features: '',
        disposition: 'new-window',
        referrer: { url: this.lastUrl, policy: 'strict-origin-when-cross-origin' },
      }) ?? { action: 'allow' };
      recorded.windowOpens.push({ url: appUrlOf(popup.url()), action: decision.action });
      if (decision.action === 'deny') void popup.close();
    });
    let shown = false;
    page.on('load', () => {
      this.loading = false;
      this.emit('did-finish-load', { preventDefault() {} });
      if (!shown) {
        shown = true;
        this.window.emit('ready-to-show', { preventDefault() {} });
      }
    });
    page.on('crash', () =>
      this.emit('render-process-gone', { preventDefault() {} }, { reason: 'crashed', exitCode: 1 }),
    );
    page.on('close', () => this.destroy());
    return page;
  }

  /**
   * Every request of the window's pages: a navigation of the main frame that the page started
   * (not `loadURL`) is offered to 'will-navigate' (or 'will-redirect') first and dropped if
   * prevented; the app's own scheme is answered by its handler.
   */
  private async routeRequest(route: Route, page: Page | undefined): Promise<void> {
    const request = route.request();
    // A popup's first request comes before its frame exists: not this window's page either.
    let frame: Frame | undefined;
    try {
      frame = request.frame();
    } catch {
      frame = undefined;
    }
    if (!frame || frame.page() !== page) return route.abort('blockedbyclient');
    if (request.isNavigationRequest() && frame.parentFrame() === null) {
      const url = request.url();
      if (url === this.loadingPageUrl) this.loadingPageUrl = null;
      else {
        const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
        this.emit(request.redirectedFrom() ? 'will-redirect' : 'will-navigate', event, appUrlOf(url));
        recorded.navigations.push({ url: appUrlOf(url), prevented: event.defaultPrevented });
        if (event.defaultPrevented) return route.abort('aborted');
      }
    }
    if (STAND_IN_ORIGIN.test(request.url())) return answerFromProtocol(route);
    return route.continue();
  }
  /** The page URL `loadURL` is loading: not a navigation the page started. */
  private loadingPageUrl: string | null = null;

  /** The shim, then (main frame only) the real preload as a sandboxed preload runs. */
  private initScript(): string {
    const preloadPath = this.webPreferences.preload;
    const preload = preloadPath
      ? `function (exports, require, module, process) {\n${readFileSync(preloadPath, 'utf8')}\n}`
      : 'null';
    const processInfo = {
      versions: { electron: ELECTRON_PACKAGE.version, chrome: 'stand-in', node: process.versions.node },
      platform: process.platform,
      arch: process.arch,
    };
    const names = { entry: ENTRY, ...BINDINGS };
    return `(${pageShim})(${encodeForWire}, ${decodeFromWire}, ${preload}, ${JSON.stringify(processInfo)}, ${JSON.stringify(names)});`;
  }

  private async invoke(frame: Frame, channel: string, args: unknown[]): Promise<unknown> {
    const handler = invokeHandlers.get(channel);
    if (!handler) return { ok: false, error: `Error: No handler registered for '${channel}'` };
    const event: InvokeEvent = {
      sender: this,
      senderFrame: new WebFrameMainStandIn(frame),
      processId: 1,
      frameId: 1,
    };
    try {
      const value = await handler(event, ...(args as never[]));
      return { ok: true, value: encodeForWire(value) };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  }
}

export class BrowserWindowStandIn
  extends EventEmitter
  implements
    Pick<
      Electron.BrowserWindow,
      | 'id'
      | 'isDestroyed'
      | 'isMinimized'
      | 'restore'
      | 'focus'
      | 'show'
      | 'isVisible'
      | 'setFullScreen'
      | 'isFullScreen'
      | 'destroy'
      | 'close'
    >
{
  readonly id: number;
  readonly webContents: WebContentsStandIn;
  readonly options: Electron.BrowserWindowConstructorOptions;
  private visible = false;
  private fullScreen = false;
  private destroyed = false;

  constructor(options: Electron.BrowserWindowConstructorOptions = {}) {
    super();
    this.options = options;
    this.webContents = new WebContentsStandIn(this, options.webPreferences ?? {}, {
      width: options.width ?? 800,
      height: options.height ?? 600,
    });
    this.id = this.webContents.id;
    windows.push(this);
    app.emit('web-contents-created', { preventDefault() {} }, this.webContents);
    this.webContents.once('destroyed', () => this.destroy());
  }

  static fromWebContents(contents: unknown): BrowserWindowStandIn | null {
    return windows.find((w) => w.webContents === contents) ?? null;
  }
  static getFocusedWindow(): BrowserWindowStandIn | null {
    return windows.find((w) => w.visible) ?? null;
  }
  static getAllWindows(): BrowserWindowStandIn[] {
    return [...windows];
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
  show(): void {
    this.visible = true;
    this.emit('show');
  }
  isVisible(): boolean {
    return this.visible;
  }
  setFullScreen(flag: boolean): void {
    if (flag === this.fullScreen) return;
    this.fullScreen = flag;
    this.emit(flag ? 'enter-full-screen' : 'leave-full-screen');
  }
  isFullScreen(): boolean {
    return this.fullScreen;
  }
  close(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    windows.splice(windows.indexOf(this), 1);
    this.webContents.destroy();
    this.emit('closed');
    if (windows.length === 0) app.emit('window-all-closed');
  }
}

export { BrowserWindowStandIn as BrowserWindow };

// ---------------------------------------------------------------------------------------------
// safeStorage: AES-256-GCM under a key that lives as long as this process (the "keyring").

const keyringKey = randomBytes(32);

export const safeStorage = {
  getSelectedStorageBackend(): ReturnType<Electron.SafeStorage['getSelectedStorageBackend']> {
    return 'gnome_libsecret';
  },
  async isAsyncEncryptionAvailable() {
    return true;
  },
  async encryptStringAsync(plainText: string) {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyringKey, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  },
  async decryptStringAsync(encrypted: Buffer) {
    const decipher = createDecipheriv('aes-256-gcm', keyringKey, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    const text = Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
    return { shouldReEncrypt: false, result: text };
  },
} satisfies Pick<
  Electron.SafeStorage,
  'getSelectedStorageBackend' | 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync'
>;

// ---------------------------------------------------------------------------------------------
// Recorders: menus, dialogs, clipboard.

export class MenuStandIn {
  constructor(readonly items: Electron.MenuItemConstructorOptions[]) {}

  static buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): MenuStandIn {
    return new MenuStandIn(template);
  }
  static setApplicationMenu(menu: MenuStandIn | null): void {
    recorded.applicationMenu = menu;
  }
}

export { MenuStandIn as Menu };

export const dialog = {
  showErrorBox(title: string, content: string) {
    recorded.errorBoxes.push({ title, content });
  },
  async showSaveDialog(
    windowOrOptions: BrowserWindowStandIn | Electron.SaveDialogOptions,
    maybeOptions?: Electron.SaveDialogOptions,
  ): Promise<Electron.SaveDialogReturnValue> {
    const options = windowOrOptions instanceof BrowserWindowStandIn ? maybeOptions : windowOrOptions;
    recorded.saveDialogs.push(options ?? {});
    return state.saveDialogAnswer;
  },
};

let clipboardText = '';
export const clipboard = {
  async readText() {
    return clipboardText;
  },
  async writeText(text: string) {
    clipboardText = text;
  },
} satisfies Pick<Electron.Clipboard, 'readText' | 'writeText'>;

/** Power events: a test emits 'resume' as the system does after sleep. */
export const powerMonitor = new (class PowerMonitorStandIn extends EventEmitter {
  override on(event: 'resume', listener: () => void): this {
    return super.on(event, listener);
  }
})() satisfies Pick<Electron.PowerMonitor, 'emit' | 'listenerCount'>;

// ---------------------------------------------------------------------------------------------
// The types the app imports from 'electron', as the stand-in provides them.

export type IpcMainInvokeEvent = InvokeEvent;
export type WebContents = WebContentsStandIn;
export type Session = SessionStandIn;
export type UtilityProcess = UtilityProcessStandIn;
export type WebPreferences = Electron.WebPreferences;
export type MenuItemConstructorOptions = Electron.MenuItemConstructorOptions;
export type { ParentPortStandIn as ParentPort } from './utility-child.ts';
// The preload's side: it runs in the page on page-shim.ts; in a main process these are
// undefined, as in Electron's.
export type IpcRenderer = Electron.IpcRenderer;
export type IpcRendererEvent = Electron.IpcRendererEvent;
export declare const contextBridge: Electron.ContextBridge;
export declare const ipcRenderer: Electron.IpcRenderer;
