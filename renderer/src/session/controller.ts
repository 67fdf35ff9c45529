/*
 * Over 400 lines on purpose: one session in the page — its port, the messages it receives,
 * painting in order with flow-control credits, input, clipboard, audio, remote resizing and
 * the statistics — all tied to one canvas and one port. Painting, keyboard, pointer, audio and
 * the statistics' arithmetic are their own modules; the state it updates is given to it.
 */
import type { ColourLevel } from '../../../shared/colour-level.ts';
import { type DecodedBatch, decodeDrawBatch } from '../../../shared/draw-wire.ts';
import type { RecentConnection } from '../../../shared/ipc.ts';
import { comboEvents, type KeyCombo } from '../../../shared/keyboard/combos.ts';
import type { PictureQuality } from '../../../shared/picture-quality.ts';
import type {
  FromSession,
  OpenSessionRequest,
  PowerAction,
  SessionStatus,
  ToSession,
} from '../../../shared/session-protocol.ts';
import type { GlobalSettings } from '../../../shared/settings.ts';
import type { PlatformClient, SessionPort } from '../platform/client.ts';
import { useSettings } from '../state/settings.ts';
import { type Tab, useApp } from '../state/store.ts';
import { AudioPlayer } from './audio-player.ts';
import { type TabExtensions, useExtensions } from './extensions-state.ts';
import { KeyboardInput } from './keyboard-input.ts';
import { type LiveStats, nextStats } from './live-stats.ts';
import { Painter } from './painter.ts';
import { PointerInput } from './pointer-input.ts';
import { AUTO_RESIZE_DELAY_MS, remoteSizeFor } from './remote-size.ts';
import { type StickyModifier, type TabView, useViews } from './view-state.ts';

/**
 * What a session controller reads and updates, given to it rather than reached for: its tab,
 * the tab's view and extension state, the recent list and the global settings. The app's
 * zustand stores are one such state (`storeState`).
 */
export interface SessionState {
  tab(): Tab | undefined;
  updateTab(patch: Partial<Tab>): void;
  patchView(patch: Partial<TabView>): void;
  patchExtensions(patch: Partial<TabExtensions>): void;
  setRecent(recent: RecentConnection[]): void;
  settings(): GlobalSettings;
  /** The tab is hidden: another tab is in front, or the whole page is. */
  inBackground(): boolean;
  /** The tab closed: its view and extension state go. */
  forget(): void;
}

/** The session state of tab `id` in the app's stores. */
export function storeState(id: string): SessionState {
  return {
    tab: () => useApp.getState().tabs.find((t) => t.id === id),
    updateTab: (patch) => useApp.getState().updateTab(id, patch),
    patchView: (patch) => useViews.getState().patch(id, patch),
    patchExtensions: (patch) => useExtensions.getState().patch(id, patch),
    setRecent: (recent) => useApp.getState().setRecent(recent),
    settings: () => useSettings.getState().settings,
    inBackground: () => useApp.getState().activeId !== id || document.hidden,
    forget: () => {
      useExtensions.getState().remove(id);
      useViews.getState().remove(id);
    },
  };
}

/**
 * One session in the viewer: its port to the session process, the canvas it paints, and
 * the input it forwards. Lives outside React so painting never waits for a render.
 */
export class SessionController {
  readonly id: string;
  readonly canvas: HTMLCanvasElement;
  private readonly painter: Painter;
  private readonly keyboard: KeyboardInput;
  private readonly pointer: PointerInput;
  private readonly client: PlatformClient;
  private readonly state: SessionState;
  private readonly request: OpenSessionRequest;
  private port: SessionPort | undefined;
  private detach: (() => void)[] = [];
  /** The clipboard text last exchanged, so the same text is not sent back and forth. */
  private lastClipboard = '';
  private disposed = false;
  /** A batch could not be painted; the session was asked to close with that error shown. */
  private paintError = false;
  /** What the session was last told about the tab being hidden. */
  private background = false;
  /** A picture has been painted (the tab's view is told once). */
  private painted = false;
  /** The painting of the batches still decoding JPEG, in order; undefined when the canvas is up to date. */
  private painting: Promise<void> | undefined;
  /** Updates painted, and the milliseconds spent painting them (the statistics overlay's). */
  private paintedUpdates = 0;
  private paintMs = 0;
  /** The statistics overlay is shown, and its figures once counters arrived. */
  private statsShown = false;
  private stats: LiveStats | undefined;
  /** Plays the server's audio while "Play remote audio" is on. */
  private audio: AudioPlayer | undefined;
  /** "Remote resizes with the window": watches the screen area; undefined when off. */
  private autoResize:
    | { observer: ResizeObserver; timer: ReturnType<typeof setTimeout> | undefined }
    | undefined;

  constructor(id: string, request: OpenSessionRequest, client: PlatformClient, state: SessionState) {
    this.id = id;
    this.request = request;
    this.client = client;
    this.state = state;
    this.canvas = document.createElement('canvas');
    this.canvas.dataset.portholeScreen = '';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-roledescription', 'remote screen');
    this.canvas.setAttribute('aria-label', `Remote screen of ${request.target}`);
    this.canvas.width = 0;
    this.canvas.height = 0;
    this.painter = new Painter(this.canvas);
    this.painter.onResize = (width, height) => this.update({ width, height });
    this.painter.onCursor = (cursor) => {
      this.canvas.style.cursor = cursor;
    };
    this.canvas.style.cursor = this.painter.cursor;
    this.keyboard = new KeyboardInput(
      // Scancodes go out only while the global setting allows them (else plain KeyEvents).
      (keysym, down, scancode) =>
        this.post({
          type: 'key',
          keysym,
          down,
          scancode: state.settings().keyboard.scancodes ? scancode : 0,
        }),
      (event) => {
        const menuKey = state.settings().menuKey;
        return menuKey !== '' && event.key === menuKey && !event.ctrlKey && !event.altKey && !event.metaKey;
      },
      () => this.update({ menuOpen: true }),
      () => state.settings().keyboard.releaseOnBlur,
    );
    this.keyboard.onStickyChange = (held) =>
      this.patchView({ sticky: { Ctrl: held.has('Ctrl'), Alt: held.has('Alt'), Super: held.has('Super') } });
    this.pointer = new PointerInput((x, y, buttons) => this.post({ type: 'pointer', x, y, buttons }));
    this.pointer.onLockChange = (pointerLocked) => this.patchExtensions({ pointerLocked });
    this.detach.push(this.keyboard.attach(this.canvas), this.pointer.attach(this.canvas));
    const onFocus = () => void this.offerLocalClipboard();
    this.canvas.addEventListener('focus', onFocus);
    this.detach.push(() => this.canvas.removeEventListener('focus', onFocus));
  }

  async start(): Promise<void> {
    try {
      this.port = await this.client.openSession();
    } catch (error) {
      this.update({
        status: { phase: 'closed', error: { kind: 'network', message: (error as Error).message } },
      });
      return;
    }
    if (this.disposed) {
      this.port.close();
      return;
    }
    this.port.onMessage((message) => this.receive(message));
    this.port.onClose(() => {
      if (this.disposed) return;
      const status = this.tab()?.status;
      if (status?.phase !== 'closed') {
        this.update({
          status: {
            phase: 'closed',
            error: { kind: 'network', message: 'the session process ended unexpectedly', hint: 'Reconnect' },
          },
        });
      }
      this.port = undefined;
    });
    this.port.post({ type: 'open', request: this.request });
    // A new session process (after the last one ended) sends the overlay's counters too.
    if (this.statsShown) this.port.post({ type: 'stats', on: true });
    this.background = false;
    this.syncBackground();
  }

  /** Tells the session whether its tab is hidden; a hidden tab's session asks for updates only once a second. */
  syncBackground(): void {
    const on = this.state.inBackground();
    if (on === this.background || !this.port) return;
    this.background = on;
    this.port.post({ type: 'background', on });
  }

  private receive(message: FromSession): void {
    switch (message.type) {
      case 'draw':
        this.draw(decodeDrawBatch(message.batch));
        return;
      case 'status': {
        // After a local paint failure the session closes on our request; keep our reason.
        if (this.paintError && message.status.phase === 'closed' && !message.status.error) return;
        this.paintError = false;
        const status = message.status;
        const patch: Partial<Tab> = { status };
        if (
          status.phase !== 'connected' &&
          status.phase !== 'password' &&
          status.phase !== 'authenticating'
        ) {
          // Nothing held on a remote keyboard that is no longer there.
          this.keyboard.releaseEverything();
          this.patchView({ progress: undefined });
        }
        if (status.phase === 'connecting' || status.phase === 'listening') {
          // A new connection: what the last one said about lights and the pointer no longer holds.
          this.keyboard.setRemoteLeds(undefined);
          this.pointer.setMode('absolute');
          this.patchExtensions({ leds: undefined, pointerMode: 'absolute' });
        }
        if (status.phase === 'connected') Object.assign(patch, this.connected(status));
        this.update(patch);
        return;
      }
      case 'clipboard':
        this.lastClipboard = message.text;
        this.update({ remoteClipboard: message.text });
        this.client.writeClipboard(message.text).catch(() => undefined);
        return;
      case 'bell':
        this.update({ bells: (this.tab()?.bells ?? 0) + 1 });
        return;
      case 'desktop-name':
        this.update({ desktopName: message.name });
        return;
      case 'capabilities': {
        const { power, audio, resizeRemote, extendedMouseButtons, continuousUpdates } = message.capabilities;
        this.pointer.setExtendedButtons(extendedMouseButtons);
        this.patchExtensions({ power, audio, resizeRemote, continuousUpdates });
        return;
      }
      case 'leds':
        this.keyboard.setRemoteLeds(message.leds);
        this.patchExtensions({ leds: message.leds });
        return;
      case 'pointer-mode':
        this.pointer.setMode(message.mode);
        this.patchExtensions({ pointerMode: message.mode });
        return;
      case 'power-result':
        this.showNotice(`Power: ${message.message}`, !message.ok);
        return;
      case 'audio':
        this.audio?.play(message.chunk);
        return;
      case 'notice':
        this.showNotice(message.message, false);
        return;
      case 'settings':
        if (message.viewOnly) this.keyboard.releaseEverything();
        this.update({
          quality: message.quality,
          colourLevel: message.colourLevel,
          viewOnly: message.viewOnly,
        });
        this.patchView({ auto: message.auto, inEffect: message.inEffect });
        return;
      case 'progress':
        this.patchView({ progress: message.progress });
        return;
      case 'stats':
        this.stats = nextStats(this.stats, {
          counters: message.stats,
          painted: this.paintedUpdates,
          paintMs: this.paintMs,
        });
        this.patchView({ stats: this.stats });
        return;
      case 'connection-info':
        this.patchView({ connectionInfo: message.info });
        return;
    }
  }

  /** Everything that follows "connected": the recent list, the screen's name and size. */
  private connected(status: Extract<SessionStatus, { phase: 'connected' }>): Partial<Tab> {
    if (this.request.listenPort === undefined) {
      void this.client
        .invoke('recent:add', { target: this.request.target })
        .then((recent) => this.state.setRecent(recent))
        .catch(() => undefined);
    }
    this.canvas.setAttribute('aria-label', `Remote screen of ${status.name || this.request.target}`);
    return { desktopName: status.name, width: status.width, height: status.height };
  }

  /**
   * Paints batches strictly in order. A batch the painter finishes synchronously (no JPEG)
   * costs no extra latency; one with JPEG rectangles paints asynchronously, and every batch
   * that arrives meanwhile waits in `painting` behind it. "painted" (the flow-control credit)
   * goes back only once the update's last batch is on the canvas.
   */
  private draw(batch: DecodedBatch): void {
    const pending = this.painting ? this.painting.then(() => this.paintBatch(batch)) : this.paintBatch(batch);
    if (pending) this.trackPainting(pending);
  }

  private paintBatch(batch: DecodedBatch): Promise<void> | undefined {
    if (this.disposed) return undefined;
    let pending: Promise<void> | undefined;
    const started = performance.now();
    try {
      pending = this.painter.paint(batch);
      this.paintMs += performance.now() - started;
    } catch (error) {
      this.paintFailed(error);
      return undefined;
    }
    if (!pending) {
      this.afterPaint(batch);
      return undefined;
    }
    return pending.then(
      () => this.afterPaint(batch),
      (error) => this.paintFailed(error),
    );
  }

  /** The update's last batch is on the canvas: one flow-control credit back. */
  private afterPaint(batch: DecodedBatch): void {
    if (!batch.updateEnd) return;
    this.paintedUpdates++;
    this.post({ type: 'painted' });
    if (!this.painted && this.canvas.width > 0) {
      this.painted = true;
      this.patchView({ hasPicture: true });
    }
  }

  private trackPainting(pending: Promise<void>): void {
    const tracked: Promise<void> = pending.then(() => {
      if (this.painting === tracked) this.painting = undefined;
    });
    this.painting = tracked;
  }

  /** A batch the painter could not paint (a JPEG that does not decode): the session ends saying so. */
  private paintFailed(error: unknown): void {
    if (this.disposed) return;
    this.paintError = true;
    this.update({
      status: {
        phase: 'closed',
        error: {
          kind: 'protocol',
          message: `the picture could not be painted: ${(error as Error)?.message ?? error}`,
          hint: 'Choose Picture quality High (lossless) and reconnect',
        },
      },
    });
    this.post({ type: 'disconnect' });
  }

  // ---- actions ----

  checkConnection(): void {
    this.post({ type: 'check-connection' });
  }

  sendPassword(password: string): void {
    this.post({ type: 'password', password });
  }

  /** Holds a modifier down on the remote keyboard, or lets it go. */
  setSticky(modifier: StickyModifier, on: boolean): void {
    this.keyboard.setSticky(modifier, on);
  }

  /** Asks the session for what the Connection info dialog shows; the answer lands in the tab's view. */
  requestConnectionInfo(): void {
    this.post({ type: 'connection-info' });
  }

  /** The statistics overlay: the session sends its counters once a second while it is shown. */
  setStatsShown(on: boolean): void {
    this.statsShown = on;
    this.stats = undefined;
    this.patchView({ statsShown: on, stats: undefined });
    this.post({ type: 'stats', on });
  }

  /** A notice over the screen; `stays` (an error) until dismissed, else it fades. */
  showNotice(text: string, stays: boolean): void {
    this.update({ notice: text });
    this.patchView({ noticeStays: stays });
  }

  /** The user's answer to an unverified certificate: trust (pin) it, or not. */
  answerCertificate(trust: boolean): void {
    this.post({ type: 'certificate', trust });
  }

  /** Answers the SSH tunnel's prompt: trust a host key (true/false), a password, or null to cancel. */
  answerSsh(answer: boolean | string | null): void {
    this.post({ type: 'ssh-answer', answer });
  }

  sendCombo(combo: KeyCombo): void {
    this.keyboard.releaseAll();
    for (const e of comboEvents(combo))
      this.post({ type: 'key', keysym: e.keysym, down: e.down, scancode: e.scancode });
  }

  sendClipboard(text: string): void {
    this.lastClipboard = text;
    this.post({ type: 'clipboard', text });
  }

  setViewOnly(on: boolean): void {
    if (on) this.keyboard.releaseEverything();
    this.post({ type: 'view-only', on });
  }

  setQuality(quality: PictureQuality): void {
    this.post({ type: 'quality', quality });
  }

  setColourLevel(level: ColourLevel): void {
    this.post({ type: 'colour-level', level });
  }

  refresh(): void {
    this.post({ type: 'refresh' });
  }

  /** XVP: asks the server to shut down, reboot or reset the machine (after the user confirmed). */
  power(action: PowerAction): void {
    this.post({ type: 'power', action });
  }

  /** "Play remote audio": call from a click, so the browser lets the audio start. */
  setPlayAudio(on: boolean): void {
    this.audio?.close();
    this.audio = on ? new AudioPlayer() : undefined;
    this.patchExtensions({ playAudio: on });
    this.post({ type: 'audio', on });
  }

  /** "Resize remote to window": asks for the screen area's size in device pixels. */
  resizeRemoteToWindow(): void {
    const area = this.canvas.parentElement;
    if (!area) return;
    const size = remoteSizeFor(area.clientWidth, area.clientHeight, window.devicePixelRatio);
    this.post({ type: 'resize-remote', width: size.width, height: size.height });
  }

  /** "Remote resizes with the window": asks again each time the screen area settles on a new size. */
  setAutoResize(on: boolean): void {
    this.stopAutoResize();
    this.patchExtensions({ autoResize: on });
    const area = this.canvas.parentElement;
    if (!on || !area) return;
    const state = {
      timer: undefined as ReturnType<typeof setTimeout> | undefined,
      observer: new ResizeObserver(() => {
        clearTimeout(state.timer);
        state.timer = setTimeout(() => {
          const tab = this.tab();
          const size = remoteSizeFor(area.clientWidth, area.clientHeight, window.devicePixelRatio);
          if (tab?.status?.phase !== 'connected' || (size.width === tab.width && size.height === tab.height))
            return;
          this.post({ type: 'resize-remote', width: size.width, height: size.height });
        }, AUTO_RESIZE_DELAY_MS);
      }),
    };
    state.observer.observe(area);
    this.autoResize = state;
  }

  private stopAutoResize(): void {
    if (!this.autoResize) return;
    this.autoResize.observer.disconnect();
    clearTimeout(this.autoResize.timer);
    this.autoResize = undefined;
  }

  reconnect(safeMode = false): void {
    if (this.port) this.post(safeMode ? { type: 'reconnect', safeMode } : { type: 'reconnect' });
    else void this.start();
  }

  disconnect(): void {
    this.keyboard.releaseEverything();
    this.post({ type: 'disconnect' });
  }

  async screenshot(): Promise<string | null> {
    const blob = await new Promise<Blob | null>((resolve) => this.canvas.toBlob(resolve, 'image/png'));
    if (!blob) return null;
    const png = new Uint8Array(await blob.arrayBuffer());
    const name = `porthole-${(this.tab()?.desktopName || this.request.target).replace(/[^\w.-]+/g, '_')}-${timestamp()}.png`;
    return this.client.saveScreenshot(png, name);
  }

  focus(): void {
    this.canvas.focus();
  }

  dispose(): void {
    this.disposed = true;
    this.stopAutoResize();
    this.audio?.close();
    this.audio = undefined;
    this.state.forget();
    for (const undo of this.detach) undo();
    this.detach = [];
    this.port?.post({ type: 'disconnect' });
    this.port?.close();
    this.port = undefined;
  }

  /** Offers the local clipboard to the server when the remote screen gets focus (as TigerVNC does). */
  private async offerLocalClipboard(): Promise<void> {
    if (this.tab()?.viewOnly || this.tab()?.status?.phase !== 'connected') return;
    let text: string;
    try {
      text = await this.client.readClipboard();
    } catch {
      return;
    }
    if (text && text !== this.lastClipboard) this.sendClipboard(text);
  }

  private patchExtensions(patch: Partial<TabExtensions>): void {
    this.state.patchExtensions(patch);
  }

  private patchView(patch: Partial<TabView>): void {
    this.state.patchView(patch);
  }

  private post(message: ToSession): void {
    this.port?.post(message);
  }

  private tab(): Tab | undefined {
    return this.state.tab();
  }

  private update(patch: Partial<Tab>): void {
    this.state.updateTab(patch);
  }
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

const controllers = new Map<string, SessionController>();

export function startSession(
  tabId: string,
  request: OpenSessionRequest,
  client: PlatformClient,
): SessionController {
  controllers.get(tabId)?.dispose();
  watchBackgroundTabs();
  const controller = new SessionController(tabId, request, client, storeState(tabId));
  controllers.set(tabId, controller);
  void controller.start();
  return controller;
}

let watchingBackground = false;

/** Once: every session hears when its tab goes behind another or comes to the front, or the page hides. */
function watchBackgroundTabs(): void {
  if (watchingBackground) return;
  watchingBackground = true;
  const syncAll = () => {
    for (const controller of controllers.values()) controller.syncBackground();
  };
  useApp.subscribe((state, previous) => {
    if (state.activeId !== previous.activeId) syncAll();
  });
  document.addEventListener('visibilitychange', syncAll);
}

export function sessionController(tabId: string): SessionController | undefined {
  return controllers.get(tabId);
}

/** Every session probes its server now: one that stopped answering ends and reconnects. */
export function checkAllConnections(): void {
  for (const controller of controllers.values()) controller.checkConnection();
}

export function endSession(tabId: string): void {
  controllers.get(tabId)?.dispose();
  controllers.delete(tabId);
}
