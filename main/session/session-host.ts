import net from 'node:net';
import { userInfo } from 'node:os';
import { encodeAudioChunk } from '../../shared/audio-wire.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import type { DrawBatch } from '../../shared/draw-ops.ts';
import { encodeDrawBatch, isPaintOp } from '../../shared/draw-wire.ts';
import type { PictureQuality } from '../../shared/picture-quality.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import { describeChannelSecurity, type ServerCertificate } from '../../shared/security-types.ts';
import {
  type ConnectionInfo,
  DEFAULT_STALL_SECONDS,
  DRAW_CREDITS,
  type FromSession,
  type OpenSessionRequest,
  type PictureInEffect,
  type ServerCapabilities,
  type SessionError,
  type SessionStatus,
  type SshPrompt,
  type SshTunnelRequest,
  type ToSession,
} from '../../shared/session-protocol.ts';
import { parseTarget } from '../../shared/target.ts';
import { parseEncodingList } from '../cli/options.ts';
import { type AutoChoice, AutoSelect } from '../rfb/auto-select.ts';
import type { ExtensionEvent } from '../rfb/extensions/session-extensions.ts';
import { describePixelFormat, LEVEL_FORMATS } from '../rfb/pixel-format.ts';
import { qualityEncodings, SAFE_MODE_DESCRIPTION, SAFE_MODE_ENCODINGS } from '../rfb/quality.ts';
import type { SecurityOptions } from '../rfb/security/handler.ts';
import { type PinStore, pinnedIdentity } from '../rfb/security/identity.ts';
import type { RfbSession, SessionEvents, SessionOptions } from '../rfb/session.ts';
import { openTcpSession, runSessionOverSocket } from '../rfb/transports/tcp.ts';
import type { KnownHostsSource } from '../ssh/host-keys.ts';
import { endpointLabel, sshTunnels } from '../ssh/tunnel.ts';
import { parseToSession } from './parse-message.ts';
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

/**
 * How long an SSH login may take, the user's answers (host key, password) included: ssh2's
 * one limit covers both, so it is generous.
 */
const SSH_LOGIN_TIMEOUT_MS = 180_000;

const DEFAULT_RECONNECT_DELAYS = [1, 2, 4, 8, 15, 30];
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
  private readonly reconnectDelays: readonly number[];
  private readonly maxReconnectAttempts: number;
  private readonly handshakeTimeout: number;
  private readonly listenHost: string | undefined;
  private readonly lookupPassword: HostOptions['lookupPassword'];
  private readonly pins: PinStore | undefined;
  /** The user's answer to the certificate question being shown, while it is. */
  private certificateAnswer: ((trust: boolean) => void) | undefined;
  private readonly knownHosts: KnownHostsSource | undefined;
  /** The SSH tunnel being opened (a newer attempt or a disconnect replaces it). */
  private tunnelAttempt: object | undefined;
  /** The answer to the SSH prompt being shown, while it is. */
  private sshAnswer: ((answer: boolean | string | null) => void) | undefined;
  /** What the user typed for the tunnel, kept in memory for reconnects (never stored). */
  private sshSecrets: { password?: string; passphrase?: string } = {};
  /** The tunnel of the current connection, for the status: "ssh alice@kvm1 → 127.0.0.1:5901". */
  private via: string | undefined;
  /** The bookmark's CA file and client certificate, read at each connect. */
  private tlsOptions: Pick<SecurityOptions, 'ca' | 'clientCert' | 'clientKey'> = {};
  private listener: net.Server | undefined;

  private request: OpenSessionRequest | undefined;
  private password: string | undefined;
  /** The bookmark's stored password was asked for already (a rejected one is not tried again). */
  private storedPasswordTried = false;
  /** The request's own encoding order (a bookmark's override), in place of the quality's. */
  private encodingOverride: number[] | undefined;
  private viewOnly = false;
  private quality: PictureQuality = 'auto';
  private colourLevel: ColourLevel = 'full';
  /** Play the server's audio (QEMU Audio) when it offers it. */
  private audio = false;
  private capabilities: ServerCapabilities = NO_CAPABILITIES;

  private session: RfbSession | undefined;
  /** Updates sent to the viewer and not yet painted. */
  private unpainted = 0;
  /** An update ended while the viewer was behind: request the next one when it catches up. */
  private requestDeferred = false;
  private waitingForPassword = false;
  /** The current connection was established (so a drop is worth reconnecting). */
  private connected = false;
  /** Attempts since the last established connection; 0 when none is under way. */
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private countdownTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private stallWatch: StallWatch | undefined;
  private readonly stallSeconds: number;
  private readonly probeSeconds: number;
  private ended = false;
  /** Safe mode: the reason it was entered (the error), or undefined when off. */
  private safeModeReason: string | undefined;
  private safeModeTried = false;
  /** Picture quality Auto: the estimator of this connection and what it chose (kept across reconnects). */
  private auto: AutoSelect | undefined;
  private autoChoice: AutoChoice = { preset: 'high', colourLevel: 'full' };
  private autoReason: string | undefined;
  /** When the first byte of the update being received arrived, and the byte count at the last update's end. */
  private updateStartedAt: number | undefined;
  private bytesAtUpdateEnd = 0;
  /** The connection's round trip (from asking for it to the server's first byte). */
  private roundTripMs: number | undefined;
  /** Reports the first full update's progress while it arrives; undefined once it is complete. */
  private progressTimer: NodeJS.Timeout | undefined;
  /** The server dropped the viewer right after a colour level it asked for: reconnected at full colour (once). */
  private colourFallback: string | undefined;

  constructor(channel: SessionChannel, options: HostOptions) {
    this.channel = channel;
    this.connector = options.connect ?? openTcpSession;
    this.reconnectDelays = options.reconnectDelays ?? DEFAULT_RECONNECT_DELAYS;
    this.maxReconnectAttempts = options.maxReconnectAttempts ?? 20;
    this.handshakeTimeout = options.handshakeTimeout ?? 20;
    this.listenHost = options.listenHost;
    this.lookupPassword = options.lookupPassword;
    this.pins = options.pins;
    this.stallSeconds = options.stallSeconds ?? DEFAULT_STALL_SECONDS;
    this.probeSeconds = options.probeSeconds ?? DEFAULT_PROBE_SECONDS;
    this.knownHosts = options.knownHosts;
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
        this.quality = message.request.quality ?? 'auto';
        this.colourLevel = message.request.colourLevel ?? 'full';
        this.audio = message.request.audio ?? false;
        try {
          this.encodingOverride = message.request.encodings
            ? parseEncodingList(message.request.encodings)
            : undefined;
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
      case 'colour-level':
        this.colourLevel = message.level;
        this.colourFallback = undefined;
        this.leaveSafeMode();
        session?.setColourLevel(this.effectiveColourLevel());
        this.sendSettings();
        return;
      case 'quality': {
        const levelBefore = this.effectiveColourLevel();
        this.quality = message.quality;
        this.autoReason = undefined;
        // A choice made by hand ends safe mode.
        this.safeModeReason = undefined;
        this.applyPicture(session, levelBefore);
        return;
      }
      case 'refresh':
        session?.requestUpdate(false);
        return;
      case 'connection-info':
        if (session?.info) this.channel.send({ type: 'connection-info', info: this.connectionInfo(session) });
        return;
      case 'check-connection':
        this.stallWatch?.checkNow();
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
        if (message.safeMode && !this.safeModeReason) this.safeModeReason = 'asked for by the user';
        this.clearReconnect();
        this.connect();
        return;
      case 'disconnect':
        this.clearReconnect();
        this.reconnectAttempt = 0;
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

  /** A choice the user makes by hand ends safe mode: the session takes their settings again. */
  private leaveSafeMode(): void {
    if (!this.safeModeReason) return;
    this.safeModeReason = undefined;
    this.session?.setEncodings(this.effectiveEncodings());
  }

  /** The encodings to ask for: safe mode's, or the quality's (Auto: the preset it chose). */
  private effectiveEncodings(): number[] {
    if (this.safeModeReason) return [...SAFE_MODE_ENCODINGS];
    if (this.encodingOverride) return [...this.encodingOverride];
    return qualityEncodings(this.quality === 'auto' ? this.autoChoice.preset : this.quality);
  }

  /** The user's colour level, lowered to 8-bit by Auto on a very slow link (never raised). */
  private effectiveColourLevel(): ColourLevel {
    if (this.safeModeReason) return 'full';
    if (this.quality === 'auto' && this.colourLevel === 'full') return this.autoChoice.colourLevel;
    return this.colourLevel;
  }

  /** Auto: one more update measured; switch presets when the estimate says so. */
  private measureUpdate(session: RfbSession): void {
    const now = performance.now();
    const bytes = session.stats.bytes;
    if (this.auto && this.updateStartedAt !== undefined) {
      this.auto.observeUpdate(bytes - this.bytesAtUpdateEnd, now - this.updateStartedAt);
    }
    this.bytesAtUpdateEnd = bytes;
    this.updateStartedAt = undefined;
    if (this.quality !== 'auto' || this.safeModeReason || !this.auto) return;
    const decision = this.auto.decide(now);
    if (!decision) return;
    const levelBefore = this.effectiveColourLevel();
    this.autoChoice = { preset: decision.preset, colourLevel: decision.colourLevel };
    this.autoReason = decision.reason;
    this.applyPicture(session, levelBefore);
  }

  /**
   * After the quality or Auto's choice changed: the encodings to the server, the colour level
   * only if it moved (a new pixel format costs a full update), and the settings to the viewer.
   */
  private applyPicture(session: RfbSession | undefined, levelBefore: ColourLevel): void {
    session?.setEncodings(this.effectiveEncodings());
    const level = this.effectiveColourLevel();
    if (level !== levelBefore) session?.setColourLevel(level);
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
    let target: { host: string; port: number };
    try {
      target = parseTarget(request.target);
    } catch (error) {
      this.setStatus({ phase: 'closed', error: { kind: 'usage', message: (error as Error).message } });
      return;
    }
    this.via = undefined;
    if (request.ssh) {
      this.connectThroughTunnel(request.ssh, target);
      return;
    }
    this.setStatus({ phase: 'connecting', target: request.target, attempt: this.reconnectAttempt });
    this.begin(
      target,
      (options, events) => this.connector(target.host, target.port, options, events).session,
    );
  }

  /**
   * Logs in to the SSH host (one connection shared by the sessions to it), forwards to the VNC
   * address as that host sees it (itself when the address names the SSH host) and runs the
   * session over that channel. A tunnel that dies ends the session with the SSH reason.
   */
  private connectThroughTunnel(ssh: SshTunnelRequest, target: { host: string; port: number }): void {
    if (!ssh.host) {
      this.closed(new RfbError('usage', 'the SSH tunnel has no host', 'Edit the bookmark: Tunnel, SSH host'));
      return;
    }
    // As ssh does: the local user name unless another is given.
    const endpoint = { host: ssh.host, port: ssh.port, user: ssh.user || userInfo().username };
    const forwardHost = target.host.toLowerCase() === ssh.host.toLowerCase() ? '127.0.0.1' : target.host;
    const via = `ssh ${endpointLabel(endpoint)} → ${forwardHost}:${target.port}`;
    const knownHosts = this.knownHosts;
    if (!knownHosts) {
      this.closed(new RfbError('usage', 'SSH tunnels are not available here (no known-hosts store)'));
      return;
    }
    const connecting: SessionStatus = {
      phase: 'connecting',
      target: `${this.request!.target} via ${via}`,
      attempt: this.reconnectAttempt,
    };
    this.setStatus(connecting);
    const attempt = {};
    this.tunnelAttempt = attempt;
    const remember = (kind: 'password' | 'passphrase', answer: string | undefined) => {
      if (answer !== undefined) this.sshSecrets[kind] = answer;
      return answer;
    };
    sshTunnels
      .forward(
        {
          endpoint,
          credentials: {
            keyFile: ssh.identityFile || undefined,
            agent: process.env.SSH_AUTH_SOCK || undefined,
            ...this.sshSecrets,
            ask: (q) =>
              this.askSsh({ kind: q.kind, subject: q.subject, retry: q.retry }, connecting).then((answer) =>
                remember(q.kind, typeof answer === 'string' ? answer : undefined),
              ),
          },
          hostKeys: {
            known: knownHosts,
            askUnknown: (q) =>
              this.askSsh({ kind: 'host-key', ...q }, connecting).then((answer) => answer === true),
          },
          readyTimeoutMs: SSH_LOGIN_TIMEOUT_MS,
        },
        forwardHost,
        target.port,
      )
      .then(
        ({ stream, connection }) => {
          if (this.tunnelAttempt !== attempt) {
            stream.destroy();
            return;
          }
          this.tunnelAttempt = undefined;
          this.via = via;
          this.begin(target, (options, events) => {
            const tcp = runSessionOverSocket(stream, true, options, events);
            const stopListening = connection.onLost((error) => tcp.session.abort(error));
            tcp.ended.finally(stopListening);
            return tcp.session;
          });
        },
        (error: RfbError) => {
          if (this.tunnelAttempt !== attempt) return;
          this.tunnelAttempt = undefined;
          this.closed(error);
        },
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
    this.tunnelAttempt = undefined;
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
    this.connected = false;
    this.unpainted = 0;
    this.requestDeferred = false;
    this.waitingForPassword = false;
    this.auto = new AutoSelect(performance.now(), this.autoChoice);
    this.updateStartedAt = undefined;
    this.bytesAtUpdateEnd = 0;
    const startedAt = performance.now();
    let firstByteSeen = false;
    let session: RfbSession | undefined;
    const events: SessionEvents = {
      onInbound: () => {
        const now = performance.now();
        if (!firstByteSeen) {
          // The banner arrives one round trip after the connection was asked for.
          firstByteSeen = true;
          this.roundTripMs = now - startedAt;
          this.auto?.observeRoundTrip(now - startedAt);
        }
        this.updateStartedAt ??= now;
        if (this.session === session) this.stallWatch?.received();
      },
      onState: (state) => {
        if (state === 'security' && session?.securityChecksCredentials) {
          this.setStatus({ phase: 'authenticating' });
        }
      },
      onServerInit: (info) => {
        this.clearHandshakeTimer();
        this.connected = true;
        this.reconnectAttempt = 0;
        if (session) this.watchForStalls(session);
        this.setStatus({
          phase: 'connected',
          name: info.name,
          width: info.width,
          height: info.height,
          version: info.version,
          security: describeChannelSecurity(info.security),
          encrypted: info.security.encrypted,
          ...(this.safeModeReason && {
            safeMode: `Safe mode (${SAFE_MODE_DESCRIPTION}) after: ${this.safeModeReason}`,
          }),
          ...(this.colourFallback && { fallback: this.colourFallback }),
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
        if (this.session === session) this.setCapabilities({ extendedKeys: true });
      },
      onScreenLayout: () => {
        if (this.session === session) this.setCapabilities({ resizeRemote: true });
      },
      onDesktopSizeResult: (result) => {
        if (this.session === session) this.channel.send({ type: 'notice', message: result.message });
      },
      onLedState: (leds) => {
        if (this.session === session) this.channel.send({ type: 'leds', leds: { ...leds } });
      },
      onPointerMode: (mode) => {
        if (this.session === session) this.channel.send({ type: 'pointer-mode', mode });
      },
      onExtendedMouseButtons: () => {
        if (this.session === session) this.setCapabilities({ extendedMouseButtons: true });
      },
      onStreamMode: (mode) => {
        // `continuous` pauses whenever the viewer falls behind; what is shown is that it is in use.
        if (this.session === session) this.setCapabilities({ continuousUpdates: mode.continuousSupported });
      },
      onExtension: (event) => this.extension(event, session),
      onClose: (error) => {
        if (this.session === session) this.closed(error);
      },
    };
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
        encodings: this.effectiveEncodings(),
        colourLevel: this.effectiveColourLevel(),
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

  /** What the Connection info dialog shows. */
  private connectionInfo(session: RfbSession): ConnectionInfo {
    const info = session.info!;
    const stats = session.stats;
    const request = this.request!;
    let address = request.target;
    if (request.listenPort === undefined) {
      const target = parseTarget(request.target);
      address = `${target.host.includes(':') ? `[${target.host}]` : target.host} port ${target.port}`;
    }
    return {
      name: info.name,
      address,
      version: info.version,
      security: describeChannelSecurity(info.security),
      pixelFormat: describePixelFormat(LEVEL_FORMATS[this.effectiveColourLevel()]),
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
  private extension(event: ExtensionEvent, session: RfbSession | undefined): void {
    if (session !== this.session) return;
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
    this.requestDeferred = false;
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
    const session = this.session;
    this.session = undefined;
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
    const refusedLevel = session?.unansweredColourLevel;
    if (
      error.kind === 'network' &&
      refusedLevel &&
      refusedLevel !== 'full' &&
      !this.colourFallback &&
      !this.safeModeReason
    ) {
      // The server dropped the viewer right after it asked for this colour level (neatvnc does
      // for a colour map): once, by itself, reconnect at full colour and say so.
      this.colourFallback = `Full colour: ${info.message}`;
      this.colourLevel = 'full';
      this.autoChoice = { ...this.autoChoice, colourLevel: 'full' };
      this.sendSettings();
      this.connect();
      return;
    }
    if (error.kind === 'protocol' && this.connected && !this.safeModeReason) {
      // A stream the viewer could not parse: once by itself (if allowed), reconnect in safe mode.
      if (!this.safeModeTried && this.request?.safeModeReconnect !== false) {
        this.safeModeTried = true;
        this.safeModeReason = info.message;
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
    const dropped = this.connected || this.reconnectAttempt > 0;
    const retryable = error.kind === 'network' || error.kind === 'timeout';
    const reverse = this.request?.listenPort !== undefined;
    if (dropped && retryable && !reverse && this.request?.reconnect !== false) {
      this.scheduleReconnect(info);
      return;
    }
    this.reconnectAttempt = 0;
    this.setStatus({ phase: 'closed', error: info });
  }

  private scheduleReconnect(error: SessionError): void {
    this.reconnectAttempt++;
    // The request's limit (the viewer's setting; 0: never give up) wins over the host's.
    const requested = this.request?.maxReconnectAttempts;
    const limit = requested === undefined ? this.maxReconnectAttempts : requested || Number.POSITIVE_INFINITY;
    if (this.reconnectAttempt > limit) {
      this.reconnectAttempt = 0;
      this.setStatus({
        phase: 'closed',
        error: {
          ...error,
          hint: `Gave up after ${limit} attempts. ${error.hint ?? ''}`.trim(),
        },
      });
      return;
    }
    const delays = this.reconnectDelays;
    let seconds = delays[Math.min(this.reconnectAttempt - 1, delays.length - 1)];
    const attempt = this.reconnectAttempt;
    const tick = () => {
      this.setStatus({ phase: 'reconnecting', seconds, attempt, error });
      if (seconds <= 0) return;
      this.countdownTimer = setTimeout(
        () => {
          seconds--;
          tick();
        },
        Math.min(1000, seconds * 1000),
      );
    };
    tick();
    this.reconnectTimer = setTimeout(() => {
      this.clearReconnect();
      this.connect();
    }, seconds * 1000);
  }

  private clearReconnect(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.countdownTimer);
    this.reconnectTimer = undefined;
    this.countdownTimer = undefined;
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
    this.channel.send({
      type: 'settings',
      quality: this.quality,
      colourLevel: this.safeModeReason ? 'full' : this.colourLevel,
      viewOnly: this.viewOnly,
      ...(this.autoReason && this.quality === 'auto' && { auto: this.autoReason }),
      inEffect: {
        preset: this.safeModeReason || this.quality === 'auto' ? this.autoPresetInEffect() : this.quality,
        colourLevel: this.effectiveColourLevel(),
      },
    });
  }

  /** Safe mode's encodings are lossless (High); otherwise Auto's choice. */
  private autoPresetInEffect(): PictureInEffect['preset'] {
    return this.safeModeReason ? 'high' : this.autoChoice.preset;
  }

  private setStatus(status: SessionStatus): void {
    if (!this.ended) this.channel.send({ type: 'status', status });
  }

  /** The viewer went away: close everything, quietly. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.clearReconnect();
    this.clearHandshakeTimer();
    this.stopProgress(false);
    this.stallWatch?.stop();
    this.stopListening();
    this.cancelTunnel();
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

function toSessionError(error: RfbError): SessionError {
  return error.hint
    ? { kind: error.kind, message: error.detail, hint: error.hint }
    : { kind: error.kind, message: error.detail };
}
