/*
 * Over 400 lines on purpose: the plumbing of one viewer's session — the viewer's messages, the
 * connection's events (bound to that connection), flow control, the prompts that hold a
 * handshake (password, certificate, SSH), listen mode and the status the viewer shows — which
 * all share one connection's lifetime. The decisions live beside it: picture-policy.ts,
 * reconnect-policy.ts, ssh-connect.ts, stall-watch.ts.
 */
import net from 'node:net';
import { encodeAudioChunk } from '../../shared/audio-wire.ts';
import type { DrawBatch } from '../../shared/draw-ops.ts';
import { encodeDrawBatch, isPaintOp } from '../../shared/draw-wire.ts';
import { checkEncodingNames } from '../../shared/encodings.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import { describeChannelSecurity, type ServerCertificate } from '../../shared/security-types.ts';
import {
  BACKGROUND_UPDATE_MS,
  type ConnectionInfo,
  DEFAULT_STALL_SECONDS,
  DRAW_CREDITS,
  type FromSession,
  type OpenSessionRequest,
  type ServerCapabilities,
  type SessionError,
  type SessionStatus,
  type SshPrompt,
  type SshTunnelRequest,
  type ToSession,
} from '../../shared/session-protocol.ts';
import { parseTarget, type Target } from '../../shared/target.ts';
import { DEFAULT_LIBVIRT_URI, vmTargetName } from '../../shared/vm-hosts.ts';
import { locateConsole } from '../libvirt/domains.ts';
import { localVirsh, sshVirsh, type Virsh } from '../libvirt/virsh.ts';
import { encodingNumbers } from '../rfb/constants.ts';
import type { ExtensionEvent } from '../rfb/extensions/session-extensions.ts';
import { describePixelFormat, LEVEL_FORMATS } from '../rfb/pixel-format.ts';
import { SAFE_MODE_DESCRIPTION } from '../rfb/quality.ts';
import type { SecurityOptions } from '../rfb/security/handler.ts';
import { type PinStore, pinnedIdentity } from '../rfb/security/identity.ts';
import type { RfbSession, SessionEvents, SessionOptions } from '../rfb/session.ts';
import { openTcpSession, runSessionOverSocket } from '../rfb/transports/tcp.ts';
import type { KnownHostsSource } from '../ssh/host-keys.ts';
import { endpointLabel } from '../ssh/tunnel.ts';
import { parseToSession } from './parse-message.ts';
import { type PictureChange, PicturePolicy } from './picture-policy.ts';
import { ReconnectPolicy } from './reconnect-policy.ts';
import { TunnelOpener, type TunnelRoute, tunnelRoute } from './ssh-connect.ts';
import { StallWatch } from './stall-watch.ts';
import { readTlsFiles } from './tls-files.ts';

/** The viewer's end of a session, as the session process sees it. */
export interface SessionChannel {
  send(message: FromSession): void;
  /** Raw messages from the viewer; the host validates them. */
  onMessage(listener: (message: unknown) => void): void;
  /** The viewer went away. */
  onClose(listener: () => void): void;
  close(): void;
}

export type Connector = (
  host: string,
  port: number,
  options: SessionOptions,
  events: SessionEvents,
) => { session: RfbSession };

export interface HostOptions {
  connect?: Connector;
  /** Seconds before each automatic reconnect attempt; the last repeats. */
  reconnectDelays?: readonly number[];
  maxReconnectAttempts?: number;
  /** Seconds the handshake may take (not counting a password prompt). */
  handshakeTimeout?: number;
  /** The address listen mode binds: every interface by default (servers reach the viewer from elsewhere). */
  listenHost?: string;
  /**
   * A bookmark's stored password, for a session opened with its `bookmarkId` to `target`
   * (undefined: none, or not for that server). Tried once before asking the user.
   */
  lookupPassword?(bookmarkId: string, target: string): Promise<string | undefined>;
  /**
   * Pinned server keys: a certificate no authority vouches for is put to the user (trust on
   * first use) and pinned. Without a store such a certificate is refused.
   */
  pins?: PinStore;
  /** Seconds of silence before a connected server is probed (the request's `stallSeconds` wins); 0: never. */
  stallSeconds?: number;
  /** Seconds a probe's answer may take before the connection counts as stalled. */
  probeSeconds?: number;
  /** SSH host keys (the user's known_hosts and Porthole's store): needed for SSH tunnels. */
  knownHosts?: KnownHostsSource;
}

const DEFAULT_PROBE_SECONDS = 10;

/**
 * Runs one viewer's session: connects, asks for a password when the server wants one,
 * streams draw batches with flow control, forwards input, and reconnects after a dropped
 * connection with backoff. Plain Node: Electron's session process and browser mode share it.
 */
export function runSessionHost(channel: SessionChannel, options: HostOptions = {}): SessionHost {
  return new SessionHost(channel, options);
}

export class SessionHost {
  private readonly channel: SessionChannel;
  private readonly connector: Connector;
  private readonly reconnects: ReconnectPolicy;
  private readonly handshakeTimeout: number;
  private readonly listenHost: string | undefined;
  private readonly lookupPassword: HostOptions['lookupPassword'];
  private readonly pins: PinStore | undefined;
  /** The user's answer to the certificate question being shown, while it is. */
  private certificateAnswer: ((trust: boolean) => void) | undefined;
  private readonly tunnels: TunnelOpener;
  /** The answer to the SSH prompt being shown, while it is. */
  private sshAnswer: ((answer: boolean | string | null) => void) | undefined;
  /** The tunnel of the current connection, for the status: "ssh alice@kvm1 → 127.0.0.1:5901". */
  /** A VM's console being asked of libvirt on this machine (a newer attempt or a disconnect replaces it). */
  private vmLookup: object | undefined;
  /** The address of the current connection (a VM's console as libvirt gave it). */
  private server: Target | undefined;
  private via: string | undefined;
  /** The bookmark's CA file and client certificate, read at each connect. */
  private tlsOptions: Pick<SecurityOptions, 'ca' | 'clientCert' | 'clientKey'> = {};
  private listener: net.Server | undefined;

  private request: OpenSessionRequest | undefined;
  private password: string | undefined;
  /** The bookmark's stored password was asked for already (a rejected one is not tried again). */
  private storedPasswordTried = false;
  private picture = new PicturePolicy({ quality: 'auto', colourLevel: 'full' });
  private viewOnly = false;
  /** Play the server's audio (QEMU Audio) when it offers it. */
  private audio = false;
  private capabilities: ServerCapabilities = NO_CAPABILITIES;

  private session: RfbSession | undefined;
  /**
   * The connection whose events count: each connection's events are bound to its own token,
   * and a connection that closed or was replaced is heard no more.
   */
  private current: object | undefined;
  /** Updates sent to the viewer and not yet painted. */
  private unpainted = 0;
  /** The viewer's tab is hidden: updates are asked for at most every BACKGROUND_UPDATE_MS. */
  private background = false;
  private lastRequestAt = 0;
  private backgroundTimer: NodeJS.Timeout | undefined;
  /** An update ended while the viewer was behind: request the next one when it catches up. */
  private requestDeferred = false;
  private waitingForPassword = false;
  /** The current connection was established (so a drop is worth reconnecting). */
  private connected = false;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private stallWatch: StallWatch | undefined;
  private readonly stallSeconds: number;
  private readonly probeSeconds: number;
  private ended = false;
  /** When the first byte of the update being received arrived, and the byte count at the last update's end. */
  private updateStartedAt: number | undefined;
  private bytesAtUpdateEnd = 0;
  /** The connection's round trip (from asking for it to the server's first byte). */
  private roundTripMs: number | undefined;
  /** Reports the first full update's progress while it arrives; undefined once it is complete. */
  private progressTimer: NodeJS.Timeout | undefined;
  /** Sends the counters once a second while the viewer shows its statistics overlay. */
  private statsTimer: NodeJS.Timeout | undefined;

  constructor(channel: SessionChannel, options: HostOptions) {
    this.channel = channel;
    this.connector = options.connect ?? openTcpSession;
    this.reconnects = new ReconnectPolicy(options.reconnectDelays, options.maxReconnectAttempts);
    this.handshakeTimeout = options.handshakeTimeout ?? 20;
    this.listenHost = options.listenHost;
    this.lookupPassword = options.lookupPassword;
    this.pins = options.pins;
    this.stallSeconds = options.stallSeconds ?? DEFAULT_STALL_SECONDS;
    this.probeSeconds = options.probeSeconds ?? DEFAULT_PROBE_SECONDS;
    this.tunnels = new TunnelOpener(options.knownHosts);
    channel.onMessage((raw) => {
      const message = parseToSession(raw);
      if (message) this.handle(message);
    });
    channel.onClose(() => this.end());
  }

  private handle(message: ToSession): void {
    if (this.ended) return;
    const session = this.session;
    switch (message.type) {
      case 'open':
        if (this.request) return;
        this.request = message.request;
        this.password = message.request.password;
        this.viewOnly = message.request.viewOnly ?? false;
        this.audio = message.request.audio ?? false;
        try {
          const names = message.request.encodings;
          this.picture = new PicturePolicy({
            quality: message.request.quality ?? 'auto',
            colourLevel: message.request.colourLevel ?? 'full',
            ...(names?.length && { encodingOverride: encodingNumbers(checkEncodingNames(names)) }),
          });
        } catch (error) {
          this.setStatus({ phase: 'closed', error: { kind: 'usage', message: (error as Error).message } });
          return;
        }
        this.sendSettings();
        this.connect();
        return;
      case 'password':
        this.password = message.password;
        if (this.waitingForPassword && session) this.answerPassword(session, message.password);
        else if (!session) this.connect();
        return;
      case 'certificate':
        this.answerCertificate(message.trust);
        return;
      case 'ssh-answer': {
        const answer = this.sshAnswer;
        this.sshAnswer = undefined;
        answer?.(message.answer);
        return;
      }
      case 'painted':
        if (this.unpainted > 0) this.unpainted--;
        this.requestIfReady();
        return;
      case 'background':
        this.background = message.on;
        if (!message.on) {
          clearTimeout(this.backgroundTimer);
          this.backgroundTimer = undefined;
          this.requestIfReady();
        }
        return;
      case 'key':
        if (!this.viewOnly) session?.sendKey(message.keysym, message.down, message.scancode);
        return;
      case 'pointer':
        if (!this.viewOnly) session?.sendPointer(message.x, message.y, message.buttons);
        return;
      case 'clipboard':
        if (!this.viewOnly) session?.sendClipboard(message.text);
        return;
      case 'view-only':
        this.viewOnly = message.on;
        this.sendSettings();
        return;
      case 'colour-level': {
        // A choice made by hand ends safe mode: the session takes the user's encodings again.
        const { colourLevel, encodings } = this.picture.setColourLevel(message.level);
        if (encodings) session?.setEncodings(encodings);
        session?.setColourLevel(colourLevel);
        this.sendSettings();
        return;
      }
      case 'quality':
        this.applyPicture(session, this.picture.setQuality(message.quality));
        return;
      case 'refresh':
        session?.requestUpdate(false);
        return;
      case 'connection-info':
        if (session?.info) this.channel.send({ type: 'connection-info', info: this.connectionInfo(session) });
        return;
      case 'check-connection':
        this.stallWatch?.checkNow();
        return;
      case 'stats':
        clearInterval(this.statsTimer);
        this.statsTimer = undefined;
        if (message.on) {
          this.sendCounters();
          this.statsTimer = setInterval(() => this.sendCounters(), 1000);
        }
        return;
      case 'power': {
        if (this.viewOnly) return;
        const sent = session?.requestPower(message.action) ?? false;
        const what = { shutdown: 'shut down', reboot: 'reboot', reset: 'reset' }[message.action];
        this.channel.send({
          type: 'power-result',
          action: message.action,
          ok: sent,
          message: sent
            ? `asked the server to ${what} the machine`
            : `cannot ${what} the machine: the server does not offer power control`,
        });
        return;
      }
      case 'audio':
        this.audio = message.on;
        session?.setAudio(message.on);
        return;
      case 'resize-remote':
        this.resizeRemote(message.width, message.height);
        return;
      case 'reconnect':
        if (!this.request || this.listener || (session && session.state !== 'closed')) return;
        if (message.safeMode) this.picture.requestSafeMode();
        this.reconnects.cancel();
        this.connect();
        return;
      case 'disconnect':
        this.reconnects.reset();
        this.stopListening();
        this.cancelTunnel();
        if (session) session.close();
        else this.setStatus({ phase: 'closed' });
        return;
    }
  }

  /** SetDesktopSize; the server's answer arrives as `onDesktopSizeResult`, shown as a notice. */
  private resizeRemote(width: number, height: number): void {
    const session = this.session;
    if (session?.state !== 'connected') return;
    if (this.viewOnly) {
      this.channel.send({ type: 'notice', message: 'View only: the remote desktop size is left alone' });
      return;
    }
    if (!session.requestDesktopSize(width, height)) {
      this.channel.send({
        type: 'notice',
        message: this.capabilities.resizeRemote
          ? `Cannot ask for a ${width}×${height} remote desktop: that size is outside what this viewer accepts`
          : 'The server cannot change its desktop size (it offers no ExtendedDesktopSize)',
      });
    }
  }

  /** Auto: one more update measured; switch presets when the estimate says so. */
  private measureUpdate(session: RfbSession): void {
    const now = performance.now();
    const bytes = session.stats.bytes;
    const ms = this.updateStartedAt === undefined ? undefined : now - this.updateStartedAt;
    const change = this.picture.updateMeasured(bytes - this.bytesAtUpdateEnd, ms, now);
    this.bytesAtUpdateEnd = bytes;
    this.updateStartedAt = undefined;
    if (change) this.applyPicture(session, change);
  }

  /**
   * After the quality or Auto's choice changed: the encodings to the server, the colour level
   * only if it moved (a new pixel format costs a full update), and the settings to the viewer.
   */
  private applyPicture(session: RfbSession | undefined, change: PictureChange): void {
    session?.setEncodings(change.encodings);
    if (change.colourLevel) session?.setColourLevel(change.colourLevel);
    this.sendSettings();
  }

  private connect(): void {
    const request = this.request!;
    try {
      this.tlsOptions = readTlsFiles(request.tlsFiles);
    } catch (error) {
      this.setStatus({ phase: 'closed', error: toSessionError(error as RfbError) });
      return;
    }
    if (request.listenPort !== undefined) {
      this.listen(request.listenPort);
      return;
    }
    let locate: (virsh: Virsh) => Promise<Target>;
    let target: Target | undefined;
    try {
      const vm = vmTargetName(request.target);
      target = vm === undefined ? parseTarget(request.target) : undefined;
      const uri = request.libvirtUri || DEFAULT_LIBVIRT_URI;
      // A VM's console is asked of libvirt on every connection: its autoport may have changed.
      locate = target ? async () => target! : (virsh) => locateConsole(virsh, uri, vm!);
    } catch (error) {
      this.setStatus({ phase: 'closed', error: { kind: 'usage', message: (error as Error).message } });
      return;
    }
    this.via = undefined;
    if (request.ssh) {
      this.connectThroughTunnel(request.ssh, target, locate);
      return;
    }
    this.setStatus({ phase: 'connecting', target: request.target, attempt: this.reconnects.attempt });
    const open = (server: Target) =>
      this.begin(
        server,
        (options, events) => this.connector(server.host, server.port, options, events).session,
      );
    if (target) {
      open(target);
      return;
    }
    // A VM on this machine: virsh runs here.
    const attempt = {};
    this.vmLookup = attempt;
    locate(localVirsh()).then(
      (server) => this.vmLookup === attempt && open(server),
      (error: RfbError) => this.vmLookup === attempt && this.closed(error),
    );
  }

  /**
   * Forwards through the SSH host to the VNC address as that host sees it (a VM's console as
   * libvirt there says) and runs the session over that channel. A tunnel that dies ends the
   * session with the SSH reason. `target`: the address as given (undefined for a VM).
   */
  private connectThroughTunnel(
    ssh: SshTunnelRequest,
    target: Target | undefined,
    locate: (virsh: Virsh) => Promise<Target>,
  ): void {
    let route: TunnelRoute;
    try {
      route = tunnelRoute(ssh, (connection) => locate(sshVirsh(connection)));
    } catch (error) {
      this.closed(error as RfbError);
      return;
    }
    const connecting: SessionStatus = {
      phase: 'connecting',
      target: `${this.request!.target} via ssh ${endpointLabel(route.endpoint)}`,
      attempt: this.reconnects.attempt,
    };
    this.setStatus(connecting);
    this.tunnels
      .open(ssh, route, (prompt) => this.askSsh(prompt, connecting))
      .then(
        (tunnel) => {
          if (!tunnel) return;
          this.via = tunnel.via;
          // The server's name as given (for its certificate), or the VM's console.
          this.begin(target ?? tunnel.forwarded, (options, events) => {
            const tcp = runSessionOverSocket(tunnel.stream, true, options, events);
            const stopListening = tunnel.onLost((error) => tcp.session.abort(error));
            tcp.ended.finally(stopListening);
            return tcp.session;
          });
        },
        (error: RfbError) => this.closed(error),
      );
  }

  /** Shows an SSH prompt and waits for the viewer's answer (null: cancelled); then `after` again. */
  private askSsh(prompt: SshPrompt, after: SessionStatus): Promise<boolean | string | null> {
    if (this.ended) return Promise.resolve(null);
    this.sshAnswer?.(null);
    this.setStatus({ phase: 'ssh', prompt });
    return new Promise((resolve) => {
      this.sshAnswer = (answer) => {
        this.setStatus(after);
        resolve(answer);
      };
    });
  }

  /** Abandons a tunnel being opened: a prompt shown is answered "cancel". */
  private cancelTunnel(): void {
    this.tunnels.cancel();
    this.vmLookup = undefined;
    const answer = this.sshAnswer;
    this.sshAnswer = undefined;
    answer?.(null);
  }

  /** Listen mode: waits for one server to connect to us, then runs the session over that socket. */
  private listen(port: number): void {
    const listener = net.createServer((socket) => {
      listener.close();
      this.listener = undefined;
      const server = { host: socket.remoteAddress ?? 'unknown', port: socket.remotePort ?? 0 };
      this.begin(server, (options, events) => runSessionOverSocket(socket, true, options, events).session);
    });
    this.listener = listener;
    listener.on('error', (error: NodeJS.ErrnoException) => {
      this.listener = undefined;
      const message =
        error.code === 'EADDRINUSE'
          ? `port ${port} is already in use, so reverse connections cannot be received`
          : `cannot listen on port ${port}: ${error.message}`;
      this.setStatus({
        phase: 'closed',
        error: {
          kind: 'network',
          message,
          hint: 'Close the other viewer listening there, or choose another port',
        },
      });
    });
    listener.listen(port, this.listenHost, () => this.setStatus({ phase: 'listening', port }));
  }

  private begin(
    server: { host: string; port: number },
    open: (options: SessionOptions, events: SessionEvents) => RfbSession,
  ): void {
    const request = this.request!;
    this.server = server;
    this.connected = false;
    this.unpainted = 0;
    this.requestDeferred = false;
    this.waitingForPassword = false;
    this.picture.connectionStarted(performance.now());
    this.updateStartedAt = undefined;
    this.bytesAtUpdateEnd = 0;
    const startedAt = performance.now();
    let firstByteSeen = false;
    let session: RfbSession | undefined;
    const connection = {};
    this.current = connection;
    const events = whileCurrent(() => this.current === connection, {
      onInbound: () => {
        const now = performance.now();
        if (!firstByteSeen) {
          // The banner arrives one round trip after the connection was asked for.
          firstByteSeen = true;
          this.roundTripMs = now - startedAt;
          this.picture.observeRoundTrip(now - startedAt);
        }
        this.updateStartedAt ??= now;
        this.stallWatch?.received();
      },
      onState: (state) => {
        if (state === 'security' && session?.securityChecksCredentials) {
          this.setStatus({ phase: 'authenticating' });
        }
      },
      onServerInit: (info) => {
        this.clearHandshakeTimer();
        this.connected = true;
        this.reconnects.connected();
        if (session) this.watchForStalls(session);
        this.setStatus({
          phase: 'connected',
          name: info.name,
          width: info.width,
          height: info.height,
          version: info.version,
          security: describeChannelSecurity(info.security),
          encrypted: info.security.encrypted,
          ...(this.picture.safeMode && {
            safeMode: `Safe mode (${SAFE_MODE_DESCRIPTION}) after: ${this.picture.safeMode}`,
          }),
          ...(this.picture.colourFallback && { fallback: this.picture.colourFallback }),
          ...(this.via && { via: this.via }),
        });
        if (session) this.reportFirstUpdate(session);
      },
      onDraw: (batch) => this.forward(batch),
      onUpdateEnd: () => {
        if (session && this.progressTimer && session.stats.pixels > 0) this.stopProgress(true);
        if (session) this.measureUpdate(session);
        this.requestDeferred = true;
        this.requestIfReady();
      },
      onExtendedKeys: () => {
        this.setCapabilities({ extendedKeys: true });
      },
      onScreenLayout: () => {
        this.setCapabilities({ resizeRemote: true });
      },
      onDesktopSizeResult: (result) => {
        this.channel.send({ type: 'notice', message: result.message });
      },
      onLedState: (leds) => {
        this.channel.send({ type: 'leds', leds: { ...leds } });
      },
      onPointerMode: (mode) => {
        this.channel.send({ type: 'pointer-mode', mode });
      },
      onExtendedMouseButtons: () => {
        this.setCapabilities({ extendedMouseButtons: true });
      },
      onStreamMode: (mode) => {
        // `continuous` pauses whenever the viewer falls behind; what is shown is that it is in use.
        this.setCapabilities({ continuousUpdates: mode.continuousSupported });
      },
      onExtension: (event) => this.extension(event),
      onClose: (error) => {
        this.closed(error);
      },
    } satisfies SessionEvents);
    session = open(
      {
        credentials: {
          ...(request.username && { username: request.username }),
          password: this.password,
          askPassword: () => {
            this.clearHandshakeTimer();
            this.waitingForPassword = true;
            if (session) this.tryStoredPassword(session);
            else this.setStatus({ phase: 'password', retry: false });
          },
        },
        security: {
          ...(request.securityTypes && { preferences: request.securityTypes }),
          requireEncryption: request.requireEncryption ?? false,
          allowPlainUnencrypted: request.allowPlainUnencrypted ?? false,
          server,
          ...this.tlsOptions,
          ...(this.pins && {
            checkIdentity: pinnedIdentity(
              this.pins,
              (certificate) => this.askAboutCertificate(certificate),
              'remove its pin in Settings (Pinned certificates) and connect again',
            ),
          }),
        },
        shared: request.shared ?? true,
        encodings: this.picture.encodings(),
        colourLevel: this.picture.colourLevelInEffect(),
        autoRequest: false,
      },
      events,
    );
    this.session = session;
    this.setCapabilities(NO_CAPABILITIES);
    if (this.audio) session.setAudio(true);
    this.startHandshakeTimer();
  }

  /**
   * Until the first update with pixels has arrived, its progress goes to the viewer four times
   * a second (the first after 250 ms, so a fast link sends none).
   */
  private reportFirstUpdate(session: RfbSession): void {
    this.stopProgress(false);
    this.progressTimer = setInterval(() => {
      const progress = session.updateProgress;
      if (this.session !== session || !progress || this.updateStartedAt === undefined) return;
      const bytes = session.stats.bytes - this.bytesAtUpdateEnd;
      const seconds = (performance.now() - this.updateStartedAt) / 1000;
      const { rects, ...known } = progress;
      this.channel.send({
        type: 'progress',
        progress: {
          ...known,
          ...(rects !== undefined && { rects }),
          bytes,
          bitsPerSecond: seconds > 0 ? Math.round((bytes * 8) / seconds) : 0,
        },
      });
    }, 250);
  }

  private stopProgress(tellViewer: boolean): void {
    if (!this.progressTimer) return;
    clearInterval(this.progressTimer);
    this.progressTimer = undefined;
    if (tellViewer) this.channel.send({ type: 'progress', progress: undefined });
  }

  /** The statistics overlay's counters, while a connection is up. */
  private sendCounters(): void {
    const session = this.session;
    if (session?.state !== 'connected') return;
    const { bytes, updates, pixelsByEncoding, decodeMs } = session.stats;
    const autoKbps = this.picture.autoEstimateKbps;
    this.channel.send({
      type: 'stats',
      stats: {
        at: performance.now(),
        bytes,
        updates,
        pixels: pixelsByEncoding,
        decodeMs,
        ...(this.roundTripMs !== undefined && { roundTripMs: Math.round(this.roundTripMs) }),
        ...(autoKbps !== undefined && { autoKbps }),
      },
    });
  }

  /** What the Connection info dialog shows. */
  private connectionInfo(session: RfbSession): ConnectionInfo {
    const info = session.info!;
    const stats = session.stats;
    const request = this.request!;
    let address = request.target;
    if (request.listenPort === undefined) {
      const vm = vmTargetName(request.target) !== undefined;
      // A VM's console: where libvirt said it is, as the VM host sees it.
      const server = vm && this.server ? this.server : parseTarget(request.target);
      const where = `${server.host.includes(':') ? `[${server.host}]` : server.host} port ${server.port}`;
      address = vm ? `${request.target} (${where})` : where;
    }
    return {
      name: info.name,
      address,
      version: info.version,
      security: describeChannelSecurity(info.security),
      pixelFormat: describePixelFormat(LEVEL_FORMATS[this.picture.colourLevelInEffect()]),
      encodings: stats.rects,
      width: info.width,
      height: info.height,
      bytesReceived: stats.bytes,
      updates: stats.updates,
      ...(this.roundTripMs !== undefined && { roundTripMs: Math.round(this.roundTripMs) }),
    };
  }

  /**
   * The server wants a password: a bookmark's stored one first (once; the main side keeps it,
   * the viewer never sees it), else, or when it is rejected, the user's.
   */
  private tryStoredPassword(session: RfbSession): void {
    const bookmarkId = this.request?.bookmarkId;
    const lookup = this.lookupPassword;
    if (!bookmarkId || !lookup || this.storedPasswordTried) {
      this.setStatus({ phase: 'password', retry: false });
      return;
    }
    this.storedPasswordTried = true;
    void lookup(bookmarkId, this.request?.target ?? '')
      .catch(() => undefined)
      .then((password) => {
        if (this.session !== session || !this.waitingForPassword) return;
        if (password === undefined) {
          this.setStatus({ phase: 'password', retry: false });
          return;
        }
        this.password = password;
        this.answerPassword(session, password);
      });
  }

  /**
   * No authority vouches for the server's certificate: the connection waits (without a
   * handshake timeout, as for a password) until the user trusts it or not.
   */
  private askAboutCertificate(certificate: ServerCertificate): Promise<boolean> {
    this.clearHandshakeTimer();
    this.answerCertificate(false);
    this.setStatus({ phase: 'certificate', certificate });
    return new Promise((resolve) => {
      this.certificateAnswer = resolve;
    });
  }

  private answerCertificate(trust: boolean): void {
    const answer = this.certificateAnswer;
    if (!answer) return;
    this.certificateAnswer = undefined;
    if (trust) {
      this.setStatus({ phase: 'authenticating' });
      this.startHandshakeTimer();
    }
    answer(trust);
  }

  /** The server asked for a password: give it this one, with a fresh handshake timeout. */
  private answerPassword(session: RfbSession, password: string): void {
    this.waitingForPassword = false;
    this.setStatus({ phase: 'authenticating' });
    this.startHandshakeTimer();
    session.providePassword(password);
  }

  /** Extended Clipboard, XVP and QEMU Audio events, as viewer messages. */
  private extension(event: ExtensionEvent): void {
    switch (event.kind) {
      case 'extended-clipboard':
        this.setCapabilities({ extendedClipboard: true });
        return;
      case 'power-available':
        this.setCapabilities({ power: true });
        return;
      case 'audio-available':
        this.setCapabilities({ audio: true });
        // Asked for before the server acknowledged: the session starts it now.
        return;
      case 'power-failed':
        this.channel.send({
          type: 'power-result',
          action: event.action ?? 'reset',
          ok: false,
          message: event.message,
        });
        return;
      case 'clipboard-notice':
        this.channel.send({ type: 'notice', message: event.message });
        return;
      case 'audio-data':
        this.channel.send({ type: 'audio', chunk: encodeAudioChunk(event.samples) });
        return;
      case 'audio-state':
        return;
    }
  }

  private setCapabilities(patch: Partial<ServerCapabilities>): void {
    const next = { ...this.capabilities, ...patch };
    const changed = (Object.keys(next) as (keyof ServerCapabilities)[]).some(
      (key) => next[key] !== this.capabilities[key],
    );
    this.capabilities = next;
    if (changed) this.channel.send({ type: 'capabilities', capabilities: next });
  }

  /** Splits a batch: paint ops travel as one exact-size buffer, the rest as messages. */
  private forward(batch: DrawBatch): void {
    if (batch.ops.some(isPaintOp) || batch.updateEnd) {
      this.channel.send({ type: 'draw', batch: encodeDrawBatch(batch) });
      if (batch.updateEnd) this.unpainted++;
    }
    for (const op of batch.ops) {
      if (op.kind === 'bell') this.channel.send({ type: 'bell' });
      else if (op.kind === 'clipboard') this.channel.send({ type: 'clipboard', text: op.text });
      else if (op.kind === 'desktop-name') this.channel.send({ type: 'desktop-name', name: op.name });
    }
  }

  /** Flow control: the next incremental update is asked for only when the viewer keeps up. */
  private requestIfReady(): void {
    const session = this.session;
    if (!this.requestDeferred || !session || session.state !== 'connected') return;
    if (session.requestOutstanding) {
      this.requestDeferred = false;
      return;
    }
    if (this.unpainted >= DRAW_CREDITS) return;
    const wait = this.background ? this.lastRequestAt + BACKGROUND_UPDATE_MS - Date.now() : 0;
    if (wait > 0) {
      this.backgroundTimer ??= setTimeout(() => {
        this.backgroundTimer = undefined;
        this.requestIfReady();
      }, wait);
      return;
    }
    this.requestDeferred = false;
    this.lastRequestAt = Date.now();
    session.requestNextUpdate();
  }

  /** Probes a server silent for the request's (or the host's) stall time; no answer ends the connection. */
  private watchForStalls(session: RfbSession): void {
    this.stallWatch?.stop();
    const silenceSeconds = this.request?.stallSeconds ?? this.stallSeconds;
    if (silenceSeconds <= 0) return;
    this.stallWatch = new StallWatch(
      { silenceSeconds, probeSeconds: Math.min(this.probeSeconds, silenceSeconds) },
      () => session.probe(),
      (error) => session.abort(error),
    );
  }

  private closed(error: RfbError | undefined): void {
    this.clearHandshakeTimer();
    this.stopProgress(true);
    this.certificateAnswer = undefined;
    this.stallWatch?.stop();
    this.stallWatch = undefined;
    clearTimeout(this.backgroundTimer);
    this.backgroundTimer = undefined;
    const session = this.session;
    this.session = undefined;
    this.current = undefined;
    if (this.ended) return;
    if (!error) {
      this.setStatus({ phase: 'closed' });
      return;
    }
    const info = toSessionError(error);
    if (session?.credentialsRejected) {
      // A rejected password: ask again rather than end (the next one reconnects).
      this.password = undefined;
      const message = info.hint ? `${info.message}. ${info.hint}` : info.message;
      this.setStatus({ phase: 'password', retry: true, message });
      return;
    }
    if (
      error.kind === 'network' &&
      this.picture.fallBackToFullColour(session?.unansweredColourLevel, info.message)
    ) {
      // The server dropped the viewer right after it asked for this colour level (neatvnc does
      // for a colour map): once, by itself, reconnect at full colour and say so.
      this.sendSettings();
      this.connect();
      return;
    }
    if (error.kind === 'protocol' && this.connected && !this.picture.inSafeMode) {
      // A stream the viewer could not parse: once by itself (if allowed), reconnect in safe mode.
      if (this.picture.enterSafeModeAfter(info.message, this.request?.safeModeReconnect !== false)) {
        this.sendSettings();
        this.connect();
        return;
      }
      this.setStatus({
        phase: 'closed',
        error: { ...info, hint: `Reconnect in safe mode (${SAFE_MODE_DESCRIPTION}) to get past it` },
        safeModeOffered: true,
      });
      return;
    }
    const closed = {
      kind: error.kind,
      wasConnected: this.connected,
      reverse: this.request?.listenPort !== undefined,
      reconnectAllowed: this.request?.reconnect !== false,
    };
    if (this.reconnects.shouldRetry(closed)) {
      this.scheduleReconnect(info);
      return;
    }
    this.reconnects.reset();
    this.setStatus({ phase: 'closed', error: info });
  }

  /** The next attempt with its countdown, or the end when the limit is reached. */
  private scheduleReconnect(error: SessionError): void {
    const gaveUp = this.reconnects.schedule(
      this.request?.maxReconnectAttempts,
      (seconds, attempt) => this.setStatus({ phase: 'reconnecting', seconds, attempt, error }),
      () => this.connect(),
    );
    if (gaveUp) {
      this.setStatus({
        phase: 'closed',
        error: { ...error, hint: `Gave up after ${gaveUp.gaveUpAfter} attempts. ${error.hint ?? ''}`.trim() },
      });
    }
  }

  private startHandshakeTimer(): void {
    this.clearHandshakeTimer();
    const session = this.session;
    this.handshakeTimer = setTimeout(() => {
      const waitingForUser = this.waitingForPassword || this.certificateAnswer !== undefined;
      if (session && session === this.session && !this.connected && !waitingForUser) {
        session.abort(
          new RfbError(
            'timeout',
            `the server did not finish the connection within ${this.handshakeTimeout} s`,
            'The service on this port may not be a VNC server, or the server is stuck',
          ),
        );
      }
    }, this.handshakeTimeout * 1000);
  }

  private clearHandshakeTimer(): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  private sendSettings(): void {
    this.channel.send(this.picture.settings(this.viewOnly));
  }

  private setStatus(status: SessionStatus): void {
    if (!this.ended) this.channel.send({ type: 'status', status });
  }

  /** The viewer went away: close everything, quietly. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reconnects.cancel();
    clearInterval(this.statsTimer);
    clearTimeout(this.backgroundTimer);
    this.clearHandshakeTimer();
    this.stopProgress(false);
    this.stallWatch?.stop();
    this.stopListening();
    this.cancelTunnel();
    this.current = undefined;
    this.session?.close();
    this.session = undefined;
  }

  private stopListening(): void {
    this.listener?.close();
    this.listener = undefined;
  }
}

const NO_CAPABILITIES: ServerCapabilities = {
  extendedKeys: false,
  power: false,
  extendedClipboard: false,
  audio: false,
  resizeRemote: false,
  extendedMouseButtons: false,
  continuousUpdates: false,
};

/**
 * The handlers of one connection, each doing nothing once `isCurrent` is false (the connection
 * closed or another replaced it): late events of an old connection never reach the viewer.
 */
function whileCurrent<Handlers extends object>(isCurrent: () => boolean, handlers: Handlers): Handlers {
  const bound: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    bound[name] = (...args: unknown[]) =>
      isCurrent() ? (handler as (...a: unknown[]) => unknown)(...args) : undefined;
  }
  return bound as Handlers;
}

function toSessionError(error: RfbError): SessionError {
  return error.hint
    ? { kind: error.kind, message: error.detail, hint: error.hint }
    : { kind: error.kind, message: error.detail };
}
