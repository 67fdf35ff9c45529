/*
 * Over 400 lines on purpose: one connection's handshake (RFC 6143 §7.1–7.3) and its message
 * dispatcher (§7.6), one state machine over one byte queue, each message's reader next to the
 * others as in TigerVNC's CConnection and CMsgReader. Everything else lives beside it: the
 * update flow (update-flow.ts), decoders (encodings/), security types (security/),
 * extensions (extensions/), client messages (client-messages.ts).
 */
import type { ColourLevel } from '../../shared/colour-level.ts';
import type { DrawBatch } from '../../shared/draw-ops.ts';
import { protocolError, RfbError, serverText } from '../../shared/rfb-error.ts';
import type { ChannelSecurity } from '../../shared/security-types.ts';
import { ByteQueue } from './byte-queue.ts';
import * as msg from './client-messages.ts';
import {
  DEFAULT_ENCODINGS,
  Encoding,
  encodingName,
  SecurityType,
  ServerMessage,
  VIEWER_PSEUDO_ENCODINGS,
} from './constants.ts';
import type { DecodeContext, Decoder, Rect } from './encodings/decoder.ts';
import { createDecoders } from './encodings/index.ts';
import {
  type DesktopSizeResult,
  desktopSizeMessage,
  type LedState,
  ledState,
  readCursor,
  readCursorWithAlpha,
  readScreens,
} from './encodings/pseudo.ts';
import { EXTENSION_PSEUDO_ENCODINGS } from './extensions/index.ts';
import {
  AudioError,
  QEMU_AUDIO_ENCODING,
  QEMU_AUDIO_SUBMESSAGE,
  QEMU_MESSAGE,
} from './extensions/qemu-audio.ts';
import { type ExtensionEvent, SessionExtensions } from './extensions/session-extensions.ts';
import { type PowerAction, XVP_MESSAGE, XVP_MESSAGE_LENGTH } from './extensions/xvp.ts';
import { PixelConverter } from './pixel-converter.ts';
import {
  describePixelFormat,
  LEVEL_FORMATS,
  PIXEL_FORMAT_LENGTH,
  type PixelFormat,
  readPixelFormat,
  samePixelFormat,
} from './pixel-format.ts';
import type {
  Credentials,
  SecurityContext,
  SecurityHandler,
  SecurityOptions,
  StreamCipher,
} from './security/handler.ts';
import { chooseSecurityType, createSecurityHandler } from './security/index.ts';
import type { TlsStart, TlsUpgrade } from './transports/tls.ts';
import { UpdateBuilder } from './update-builder.ts';
import {
  isQemuName,
  type ServerTraits,
  type StreamMode,
  UpdateFlow,
  type UpdateSummary,
  unknownServerTraits,
} from './update-flow.ts';
import { ZlibStream } from './zlib-stream.ts';

/** Where a byte stream goes; a TCP socket, a TLS socket, or nowhere when replaying. */
export interface Transport {
  write(bytes: Uint8Array): void;
  close(): void;
  /**
   * Replaces the byte stream by TLS over it (VeNCrypt, Vino); later bytes arrive decrypted
   * through `receive`. Absent where there is no connection to wrap (replaying a recording).
   */
  startTls?(start: TlsStart): Promise<TlsUpgrade>;
}

export type SessionState =
  | 'protocol-version'
  | 'security-types'
  | 'security'
  | 'security-result'
  | 'server-init'
  | 'connected'
  | 'closed';

/** Bounds on what a server may make us hold. None of its lengths is trusted beyond these. */
export interface Limits {
  maxWidth: number;
  maxHeight: number;
  maxPixels: number;
  /** ServerCutText above this is skipped without being buffered. */
  maxCutText: number;
  maxNameLength: number;
  maxCursorPixels: number;
  maxColourMapEntries: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxWidth: 16384,
  maxHeight: 16384,
  maxPixels: 1 << 25,
  maxCutText: 16 << 20,
  maxNameLength: 1 << 16,
  maxCursorPixels: 512 * 512,
  maxColourMapEntries: 65536,
};

export interface SessionOptions {
  credentials?: Credentials;
  /** Acceptable security types, encryption required or not, the server's identity. */
  security?: SecurityOptions;
  /** ClientInit shared flag: leave other viewers connected (default true). */
  shared?: boolean;
  /** Encodings in order of preference; pseudo-encodings the viewer needs are added. */
  encodings?: readonly number[];
  /** The colour level to ask for, or 'native' to keep the server's pixel format. */
  colourLevel?: ColourLevel | 'native';
  /** Ask for the next incremental update as soon as one ends (default true). */
  autoRequest?: boolean;
  limits?: Partial<Limits>;
}

export interface ServerInfo {
  version: string;
  securityType: number;
  /** How the channel is protected (encrypted, by which TLS version, the server's identity). */
  security: ChannelSecurity;
  width: number;
  height: number;
  name: string;
  serverFormat: PixelFormat;
  /** The pixel format in effect after ServerInit (ours unless colourLevel is 'native'). */
  format: PixelFormat;
  /** Offset in the server's byte stream just past ServerInit: where the message stream starts. */
  initEndStreamOffset: number;
}

export interface SessionStats {
  bytes: number;
  updates: number;
  rects: Record<string, number>;
  pixels: number;
  /** Pixels per encoding name. */
  pixelsByEncoding: Record<string, number>;
  /** Milliseconds spent parsing and decoding what arrived. */
  decodeMs: number;
}

/** How far the update being read has come (`RfbSession.updateProgress`). */
export interface UpdateProgress {
  /** Rectangles the update announced (undefined with LastRect, which announces 0xFFFF), and those read completely. */
  rects: number | undefined;
  rectsDone: number;
  /** Pixels of the rectangles read completely, of the framebuffer's (a full update covers them all). */
  pixelsDone: number;
  pixels: number;
  /** A rectangle whose size its encoding fixes (Raw): its pixels, its bytes received and the bytes it needs. */
  rectBytes?: { pixels: number; received: number; needed: number };
}

export interface SessionEvents {
  onDraw?(batch: DrawBatch): void;
  onState?(state: SessionState): void;
  onServerInit?(info: ServerInfo): void;
  /** The security types the server offers (RFB 3.3: the one it chose), before one is chosen; a close here chooses none. */
  onSecurityTypes?(offered: readonly number[]): void;
  /** The subtypes the server offers inside VeNCrypt, before one is chosen; a close here chooses none. */
  onVeNCryptSubtypes?(subtypes: readonly number[]): void;
  onUpdateEnd?(): void;
  /** The server acknowledged QEMU Extended Key Event: `sendKey` scancodes now reach it. */
  onExtendedKeys?(): void;
  /** Called once when the session ends; `error` is undefined after a local close. */
  onClose?(error: RfbError | undefined): void;
  /** Every chunk received from the server, before it is parsed (recorders tap this). */
  onInbound?(chunk: Uint8Array): void;
  /** Extended Clipboard, XVP power control and QEMU Audio (main/rfb/extensions/). */
  onExtension?(event: ExtensionEvent): void;
  /** Fence or ContinuousUpdates became available, or continuous updates started or stopped. */
  onStreamMode?(mode: StreamMode): void;
  /** The answer to our own `requestDesktopSize` (ExtendedDesktopSize reason 1). */
  onDesktopSizeResult?(result: DesktopSizeResult): void;
  /** The server's screen layout (ExtendedDesktopSize), whenever it sends one. */
  onScreenLayout?(screens: readonly msg.Screen[]): void;
  /** QEMU LED State: the guest's keyboard lock lights. */
  onLedState?(state: LedState): void;
  /** QEMU Pointer Motion Change: the guest's pointer is relative (PS/2 mouse) or absolute (tablet). */
  onPointerMode?(mode: 'relative' | 'absolute'): void;
  /** The server confirmed ExtendedMouseButtons: back and forward buttons now reach it. */
  onExtendedMouseButtons?(): void;
  /** A VMware display-mode change (WMVi): the new size and the pixel format now in use. */
  onDisplayMode?(width: number, height: number, format: PixelFormat): void;
}

export type { DesktopSizeResult, LedState, ServerTraits, StreamMode };

type Step = 'more' | 'again';

/** A FramebufferUpdate being read. */
interface UpdateInProgress extends UpdateSummary {
  rectsLeft: number;
  /** The rectangle count the update announced (0xFFFF with LastRect). */
  rects: number;
  /** `counts.pixels` when the update began. */
  pixelsAtStart: number;
  /** The rectangle being read, from 1 (for error messages). */
  index: number;
}

/** What the next bytes of the message stream are (TigerVNC's CMsgReader keeps the same). */
type Reading =
  | { at: 'message-type' }
  | { at: 'rect-header'; update: UpdateInProgress }
  /** `dataOffset`: where the rect's data starts in the server's stream. */
  | { at: 'rect-data'; update: UpdateInProgress; rect: Rect; dataOffset: number }
  /** ServerCutText longer than the limit: skipped as it arrives, never buffered. */
  | { at: 'skipped-text'; bytesLeft: number };

/**
 * The client side of an RFB connection (RFC 6143), as a state machine over received bytes.
 * Feed it with `receive`; it writes replies to the transport and emits draw batches.
 */
export class RfbSession {
  state: SessionState = 'protocol-version';
  info: ServerInfo | undefined;
  private readonly counts = {
    bytes: 0,
    updates: 0,
    pixels: 0,
    decodeMs: 0,
    rects: new Map<number, number>(),
    pixelsByEncoding: new Map<number, number>(),
  };

  private readonly transport: Transport;
  private readonly events: SessionEvents;
  private readonly limits: Limits;
  private readonly credentials: Credentials;
  private readonly shared: boolean;
  private encodings: readonly number[];
  /** The encodings of the last SetEncodings (`encodings` may be newer, waiting to go out). */
  private encodingsSent: readonly number[] = [];
  private colourLevel: ColourLevel | 'native';

  private readonly queue = new ByteQueue();
  private bytesReceived = 0;
  private minorVersion = 8;
  private versionText = '';
  private securityType = 0;
  private security: SecurityHandler | undefined;
  private readonly securityOptions: SecurityOptions;
  private readonly securityContext: SecurityContext;
  /** Below the messages once a security type encrypts the stream itself (RA2). */
  private cipher: StreamCipher | undefined;
  /** The server rejected the credentials (a failed SecurityResult after a password was sent). */
  private rejectedCredentials = false;

  private converter: PixelConverter | undefined;
  private readonly out: UpdateBuilder;
  private readonly decoders: Map<number, Decoder> = createDecoders();
  private readonly zlibStreams = new Map<string, ZlibStream>();
  private ctx: DecodeContext | undefined;
  private width = 0;
  private height = 0;

  private reading: Reading = { at: 'message-type' };
  /** The last pixel format sent: its colour level, and how many updates had ended then. */
  private formatSent: { level: ColourLevel; updates: number } | undefined;
  /** What the session has learned about the server (Fence, continuous updates, …). */
  readonly traits: ServerTraits = unknownServerTraits();
  private readonly flow: UpdateFlow;
  private screens: msg.Screen[] = [];
  private desktopSizeRequests: { width: number; height: number }[] = [];
  private readonly extensions: SessionExtensions;

  constructor(transport: Transport, options: SessionOptions = {}, events: SessionEvents = {}) {
    this.transport = transport;
    this.events = events;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.credentials = { ...options.credentials };
    this.securityOptions = options.security ?? {};
    this.securityContext = this.makeSecurityContext();
    this.shared = options.shared ?? true;
    this.encodings = options.encodings ?? DEFAULT_ENCODINGS;
    this.colourLevel = options.colourLevel ?? 'full';
    this.out = new UpdateBuilder((batch) => this.events.onDraw?.(batch));
    this.flow = new UpdateFlow(
      {
        send: (bytes) => this.send(bytes),
        connected: () => this.state === 'connected',
        inUpdate: () => this.inUpdate,
        size: () => ({ width: this.width, height: this.height }),
        switchFormat: (converter) => this.switchFormat(converter),
        sendEncodings: () => this.sendEncodings(this.encodings),
        repeatEncodings: () => this.sendEncodings(this.encodingsSent),
        sendPixelFormat: (format) => this.sendPixelFormat(format),
        onStreamMode: (mode) => this.events.onStreamMode?.(mode),
      },
      this.traits,
      options.autoRequest ?? true,
    );
    this.extensions = new SessionExtensions({
      send: (bytes) => this.send(bytes),
      emit: (event) => this.events.onExtension?.(event),
      clipboard: (text) => {
        this.out.push({ kind: 'clipboard', text });
        this.out.flush(false);
      },
      maxText: this.limits.maxCutText,
    });
  }

  // ---- input from the transport ----

  receive(received: Uint8Array): void {
    if (this.state === 'closed') return;
    let chunk = received;
    if (this.cipher) {
      try {
        chunk = this.cipher.open(received);
      } catch (error) {
        this.fail(error);
        return;
      }
      if (chunk.length === 0) return;
    }
    this.bytesReceived += chunk.length;
    this.counts.bytes += chunk.length;
    this.events.onInbound?.(chunk);
    this.queue.push(chunk);
    const started = performance.now();
    this.parse();
    this.counts.decodeMs += performance.now() - started;
  }

  private parse(): void {
    try {
      while (this.step() === 'again') {
        /* keep parsing until more bytes are needed or the session closed */
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** Answers the password request announced by `credentials.askPassword`. */
  providePassword(password: string): void {
    if (this.state === 'closed') return;
    this.credentials.password = password;
    this.parse();
  }

  /** The transport closed, or failed with `cause`. */
  transportClosed(cause?: Error): void {
    if (this.state === 'closed') return;
    this.fail(this.explainClose(cause));
  }

  /** Ends the session with an error found outside the stream (a connect failure, a time-out). */
  abort(error: RfbError): void {
    this.fail(error);
  }

  /** Closes the session from our side. */
  close(): void {
    if (this.state === 'closed') return;
    this.setState('closed');
    this.transport.close();
    this.events.onClose?.(undefined);
  }

  /** What has been received so far: bytes, updates, rectangles per encoding, pixels. */
  get stats(): SessionStats {
    const rects: Record<string, number> = {};
    for (const [encoding, n] of this.counts.rects) rects[encodingName(encoding)] = n;
    const pixelsByEncoding: Record<string, number> = {};
    for (const [encoding, n] of this.counts.pixelsByEncoding) pixelsByEncoding[encodingName(encoding)] = n;
    const { bytes, updates, pixels, decodeMs } = this.counts;
    return { bytes, updates, rects, pixels, pixelsByEncoding, decodeMs };
  }

  /** The update being read, or undefined between updates. */
  get updateProgress(): UpdateProgress | undefined {
    const reading = this.reading;
    if (reading.at !== 'rect-header' && reading.at !== 'rect-data') return undefined;
    const { update } = reading;
    const rect = reading.at === 'rect-data' ? reading.rect : undefined;
    const rectPixels = rect && this.decoders.has(rect.encoding) ? rect.width * rect.height : 0;
    const progress: UpdateProgress = {
      rects: update.rects === 0xffff ? undefined : update.rects,
      rectsDone: rect ? update.index - 1 : update.index,
      pixelsDone: this.counts.pixels - update.pixelsAtStart - rectPixels,
      pixels: this.width * this.height,
    };
    if (reading.at === 'rect-data' && reading.rect.encoding === Encoding.Raw && this.converter) {
      const needed = rectPixels * (this.converter.format.bitsPerPixel / 8);
      const received = Math.min(needed, this.bytesReceived - reading.dataOffset);
      progress.rectBytes = { pixels: rectPixels, received, needed };
    }
    return progress;
  }

  /**
   * The colour level of a pixel format the viewer sent that no update has followed yet: a
   * server that closes now most likely refused it (neatvnc drops a viewer asking for a colour map).
   */
  get unansweredColourLevel(): ColourLevel | undefined {
    const sent = this.formatSent;
    return sent && sent.updates === this.counts.updates ? sent.level : undefined;
  }

  /** True while an update request has not been answered: the next request would queue behind it. */
  get requestOutstanding(): boolean {
    return this.flow.outstanding;
  }

  /** The RFB version the server announced, as `major.minor` ("3.8", "3.889"); empty before its banner. */
  get serverVersion(): string {
    return this.versionText;
  }

  /** The security type in use, once chosen (0 before). */
  get chosenSecurityType(): number {
    return this.securityType;
  }

  /** Whether the chosen security sends credentials (a password, a username) the server checks. */
  get securityChecksCredentials(): boolean {
    return this.security?.checksCredentials ?? false;
  }

  /** Whether the session ended because the server rejected the password or username. */
  get credentialsRejected(): boolean {
    return this.rejectedCredentials;
  }

  // ---- requests from the viewer ----

  /**
   * Asks for an update. With continuous updates an incremental request is implied: it only
   * turns them back on if they were paused for lack of draw credits.
   */
  requestUpdate(incremental: boolean): void {
    this.flow.request(incremental);
  }

  /**
   * Asks the server for an answer now, to learn whether it still listens: an empty Fence where
   * the server answers fences, else a non-incremental request for one pixel, which every server
   * must answer (RFC 6143 §7.5.3). While a format change waits for its nudge's answer, that
   * answer is the probe: no request may follow the nudge. QEMU with a request open gets
   * SetEncodings again, which it answers at once (update-flow.ts, its QEMU rule).
   */
  probe(): void {
    this.flow.probe();
  }

  /** Fence and continuous updates, as negotiated so far. */
  get streamMode(): StreamMode {
    return this.flow.streamMode;
  }

  /** The screen layout the server last sent (ExtendedDesktopSize); empty before one arrived. */
  get screenLayout(): readonly msg.Screen[] {
    return this.screens;
  }

  /**
   * Asks the server for a new framebuffer size (SetDesktopSize, rfbproto). The layout keeps the
   * first screen's id and flags and makes it cover the whole new framebuffer (one screen; other
   * screens are dropped). Returns false when the server offers no ExtendedDesktopSize or the
   * size is outside 1..limits. The answer arrives through `onDesktopSizeResult`.
   */
  requestDesktopSize(width: number, height: number): boolean {
    if (this.state !== 'connected' || !this.traits.extendedDesktopSize) return false;
    const l = this.limits;
    if (!Number.isInteger(width) || !Number.isInteger(height)) return false;
    if (
      width < 1 ||
      height < 1 ||
      width > Math.min(l.maxWidth, 0xffff) ||
      height > Math.min(l.maxHeight, 0xffff)
    )
      return false;
    const first = this.screens[0];
    const screen: msg.Screen = { id: first?.id ?? 0, x: 0, y: 0, width, height, flags: first?.flags ?? 0 };
    this.send(msg.setDesktopSize(width, height, [screen]));
    this.desktopSizeRequests.push({ width, height });
    return true;
  }

  /** Asks for what changed since the last update (the whole screen after a colour-map change). */
  requestNextUpdate(): void {
    this.flow.requestNext();
  }

  /**
   * Sends a key. With a scancode, and once the server acknowledged QEMU Extended Key Event,
   * the key travels as that message so a VM guest gets the physical key whatever its layout.
   */
  sendKey(keysym: number, down: boolean, scancode = 0): void {
    if (this.state !== 'connected') return;
    if (this.traits.extendedKeys && scancode) this.send(msg.qemuExtendedKeyEvent(keysym, down, scancode));
    else this.send(msg.keyEvent(keysym, down));
  }

  /** Bits 7 and 8 of `buttons` (back, forward) reach the server once it confirmed ExtendedMouseButtons. */
  sendPointer(x: number, y: number, buttons: number): void {
    if (this.state !== 'connected') return;
    this.send(
      this.traits.extendedMouseButtons
        ? msg.extendedPointerEvent(x, y, buttons)
        : msg.pointerEvent(x, y, buttons),
    );
  }

  /** Sends the local clipboard: UTF-8 with Extended Clipboard, else Latin-1 ClientCutText. */
  sendClipboard(text: string): void {
    if (this.state === 'connected') this.extensions.sendClipboard(text);
  }

  /** XVP: asks the server to shut down, reboot or reset the machine; false when it offers no XVP. */
  requestPower(action: PowerAction): boolean {
    return this.state === 'connected' && this.extensions.requestPower(action);
  }

  /** QEMU Audio: starts or stops the audio stream (once the server acknowledged it; may be set before). */
  setAudio(on: boolean): void {
    if (this.state !== 'closed') this.extensions.setAudio(on);
  }

  /**
   * Changes the colour level. With Fence the change is synchronised by a SyncNext fence; without,
   * the new pixel format is sent only when no update request is outstanding: a format change
   * while an update is in flight desynchronises servers that lack Fence (the "invalid message
   * type" failure).
   */
  setColourLevel(level: ColourLevel): void {
    this.colourLevel = level;
    this.flow.changeFormat(LEVEL_FORMATS[level]);
  }

  setEncodings(encodings: readonly number[]): void {
    this.encodings = encodings;
    this.flow.changeEncodings();
  }

  // ---- the state machine ----

  private step(): Step {
    switch (this.state) {
      case 'protocol-version':
        return this.readProtocolVersion();
      case 'security-types':
        return this.minorVersion === 3 ? this.readSecurityType33() : this.readSecurityTypes();
      case 'security':
        return this.runSecurity();
      case 'security-result':
        return this.readSecurityResult();
      case 'server-init':
        return this.readServerInit();
      case 'connected':
        return this.readNormal();
      case 'closed':
        return 'more';
    }
  }

  /** ProtocolVersion, RFC 6143 §7.1.1. */
  private readProtocolVersion(): Step {
    const q = this.queue;
    if (!q.has(12)) {
      const partial = q.buf.subarray(q.pos, q.end);
      if (!couldStartBanner(partial)) throw notVnc(partial);
      return 'more';
    }
    const banner = q.buf.subarray(q.pos, q.pos + 12);
    const match = /^RFB (\d{3})\.(\d{3})\n$/.exec(String.fromCharCode(...banner));
    if (!match) throw notVnc(banner);
    q.consume(12);
    const major = Number(match[1]);
    const minor = Number(match[2]);
    this.versionText = `${major}.${minor}`;
    // 3.3–3.6 (3.4 and 3.5 were never published, some servers announce them) speak 3.3;
    // 3.7 is itself; 3.8 and anything newer (Apple's 3.889, RealVNC's 4.x and 5.0) get 3.8.
    if (major < 3)
      throw protocolError(
        `the server speaks RFB ${this.versionText}, older than 3.3, which is not supported`,
      );
    if (major === 3 && minor < 7) this.minorVersion = 3;
    else if (major === 3 && minor === 7) this.minorVersion = 7;
    else this.minorVersion = 8;
    this.send(new TextEncoder().encode(`RFB 003.00${this.minorVersion}\n`));
    this.setState('security-types');
    return 'again';
  }

  /** RFB 3.3: the server chooses the security type (RFC 6143 Appendix A.1). */
  private readSecurityType33(): Step {
    const q = this.queue;
    if (!q.has(4)) return 'more';
    const type = q.peekU32();
    if (type === SecurityType.Invalid) {
      const reason = this.readString(4);
      if (reason === undefined) return 'more';
      throw refused(reason);
    }
    q.consume(4);
    this.events.onSecurityTypes?.([type]);
    if (this.state === 'closed') return 'more';
    // The server chose; it must be acceptable to us too (this throws if it is not).
    this.beginSecurity(chooseSecurityType([type], this.securityOptions, this.credentials));
    return 'again';
  }

  /** Security types list, RFC 6143 §7.1.2. */
  private readSecurityTypes(): Step {
    const q = this.queue;
    if (!q.has(1)) return 'more';
    const count = q.peekU8();
    if (count === 0) {
      const reason = this.readString(1);
      if (reason === undefined) return 'more';
      throw refused(reason);
    }
    if (!q.has(1 + count)) return 'more';
    q.consume(1);
    const offered = Array.from(q.bytes(count));
    this.events.onSecurityTypes?.(offered);
    if (this.state === 'closed') return 'more';
    const type = chooseSecurityType(offered, this.securityOptions, this.credentials);
    this.send(Uint8Array.of(type));
    this.beginSecurity(type);
    return 'again';
  }

  private beginSecurity(type: number): void {
    this.securityType = type;
    this.security = createSecurityHandler(type);
    this.setState('security');
  }

  private runSecurity(): Step {
    const security = this.security!;
    if (!security.step(this.securityContext)) return 'more';
    if (this.securityOptions.requireEncryption && !security.channel().encrypted) {
      throw new RfbError(
        'protocol',
        `the connection must be encrypted, but ${security.name} does not encrypt`,
        'Enable TLS on the server, or turn off "Refuse connections that are not encrypted"',
      );
    }
    if (security.resultFollows(this.minorVersion)) this.setState('security-result');
    else this.sendClientInit();
    return 'again';
  }

  /** What security handlers work with: the queue, sending, TLS, waiting outside the stream. */
  private makeSecurityContext(): SecurityContext {
    return {
      queue: this.queue,
      send: (bytes) => this.send(bytes),
      credentials: this.credentials,
      options: this.securityOptions,
      startTls: (start) => {
        if (!this.transport.startTls)
          return Promise.reject(protocolError('this connection cannot carry TLS (a recording is replayed)'));
        return this.transport.startTls(start);
      },
      encryptStream: (cipher) => {
        if (this.queue.length > 0)
          throw protocolError('the server sent more than its security handshake before it was answered');
        this.cipher = cipher;
      },
      offeredSubtypes: (subtypes) => {
        this.events.onVeNCryptSubtypes?.(subtypes);
        return this.state !== 'closed';
      },
      wait: (promise, then) => {
        promise.then(
          (value) => {
            if (this.state === 'closed') return;
            then(value);
            this.parse();
          },
          (error) => this.fail(error),
        );
      },
    };
  }

  /** SecurityResult, RFC 6143 §7.1.3. */
  private readSecurityResult(): Step {
    const q = this.queue;
    if (!q.has(4)) return 'more';
    const result = q.peekU32();
    if (result === 0) {
      q.consume(4);
      this.sendClientInit();
      return 'again';
    }
    const checksCredentials = this.security?.checksCredentials ?? false;
    let reason =
      result === 2
        ? 'too many authentication attempts'
        : checksCredentials
          ? 'the password was not accepted'
          : 'the server refused the connection';
    if (this.minorVersion === 8) {
      const text = this.readString(4);
      if (text === undefined) return 'more';
      if (text) reason = serverText(text);
    }
    this.rejectedCredentials = checksCredentials;
    throw new RfbError(
      'auth',
      `authentication failed: ${reason}`,
      result === 2 || LOCKED_OUT.test(reason)
        ? LOCKOUT_HINT
        : checksCredentials
          ? this.credentials.username
            ? 'Check the username and password'
            : 'Check the password; VNC passwords are cut at 8 characters'
          : undefined,
    );
  }

  private sendClientInit(): void {
    this.send(Uint8Array.of(this.shared ? 1 : 0));
    this.setState('server-init');
  }

  /** ServerInit, RFC 6143 §7.3.2. */
  private readServerInit(): Step {
    const q = this.queue;
    if (!q.has(24)) return 'more';
    const nameLength = q.peekU32(20);
    if (nameLength > this.limits.maxNameLength) {
      throw protocolError(
        `the server's desktop name is ${nameLength} bytes long, more than the ${this.limits.maxNameLength} allowed`,
      );
    }
    if (!q.has(24 + nameLength)) return 'more';
    const trailer = this.security?.serverInitTrailer
      ? this.security.serverInitTrailer(q, 24 + nameLength)
      : 0;
    if (trailer === undefined || !q.has(24 + nameLength + trailer)) return 'more';
    const initEndStreamOffset = this.bytesReceived - q.length + 24 + nameLength + trailer;
    const width = q.u16();
    const height = q.u16();
    const serverFormat = readPixelFormat(q.buf, q.pos);
    q.consume(PIXEL_FORMAT_LENGTH);
    q.consume(4);
    const name = new TextDecoder().decode(q.bytes(nameLength));
    q.consume(trailer);
    this.checkSize(width, height);

    const format = this.colourLevel === 'native' ? serverFormat : LEVEL_FORMATS[this.colourLevel];
    try {
      this.converter = new PixelConverter(format);
    } catch (error) {
      if (this.colourLevel === 'native' && error instanceof RfbError) {
        throw protocolError(
          `the server's own pixel format is ${describePixelFormat(serverFormat)}: ${error.message}`,
          'Choose a colour level (--color-level full) so the viewer asks for a format it decodes',
        );
      }
      throw error;
    }
    this.width = width;
    this.height = height;
    this.ctx = {
      queue: this.queue,
      pixels: this.converter,
      out: this.out,
      width,
      height,
      zlib: (streamName) => this.zlibStream(streamName),
    };
    this.info = {
      version: this.versionText,
      securityType: this.securityType,
      security: this.security!.channel(),
      width,
      height,
      name,
      serverFormat,
      format,
      initEndStreamOffset,
    };
    this.setState('connected');
    this.events.onServerInit?.(this.info);
    if (this.state === 'closed') return 'more';
    this.out.push({ kind: 'resize', width, height });
    this.out.push({ kind: 'desktop-name', name });
    this.out.flush(false);

    this.traits.qemu = isQemuName(name);
    if (this.colourLevel !== 'native') this.sendPixelFormat(format);
    this.sendEncodings(this.encodings);
    this.flow.request(false);
    return 'again';
  }

  private get inUpdate(): boolean {
    return this.reading.at === 'rect-header' || this.reading.at === 'rect-data';
  }

  /** The message stream, RFC 6143 §7.6: one step of whatever `reading` says comes next. */
  private readNormal(): Step {
    const reading = this.reading;
    switch (reading.at) {
      case 'skipped-text': {
        const n = Math.min(reading.bytesLeft, this.queue.length);
        this.queue.consume(n);
        reading.bytesLeft -= n;
        if (reading.bytesLeft > 0) return 'more';
        this.reading = { at: 'message-type' };
        return 'again';
      }
      case 'rect-data':
        return this.continueRect(reading.update, reading.rect);
      case 'rect-header':
        return this.readRectHeader(reading.update);
      case 'message-type':
        return this.readMessage();
    }
  }

  private readMessage(): Step {
    const q = this.queue;
    if (!q.has(1)) return 'more';
    const type = q.peekU8();
    switch (type) {
      case ServerMessage.FramebufferUpdate:
        if (!q.has(4)) return 'more';
        q.consume(2);
        {
          const rects = q.u16();
          const update = {
            rectsLeft: rects,
            rects,
            pixelsAtStart: this.counts.pixels,
            index: 0,
            unasked: false,
            hasPixels: false,
          };
          if (update.rectsLeft === 0) this.endUpdate(update);
          else this.reading = { at: 'rect-header', update };
        }
        return 'again';
      case ServerMessage.SetColourMapEntries:
        return this.readColourMapEntries();
      case ServerMessage.Bell:
        q.consume(1);
        this.out.push({ kind: 'bell' });
        this.out.flush(false);
        return 'again';
      case ServerMessage.ServerCutText:
        return this.readServerCutText();
      case ServerMessage.Fence:
        return this.readFence();
      case ServerMessage.EndOfContinuousUpdates:
        q.consume(1);
        this.flow.endOfContinuousUpdates();
        return 'again';
      case XVP_MESSAGE:
        if (!q.has(XVP_MESSAGE_LENGTH)) return 'more';
        this.extensions.serverXvp(q.bytes(XVP_MESSAGE_LENGTH));
        return 'again';
      case QEMU_MESSAGE:
        return this.readQemuServerMessage();
      default:
        throw protocolError(
          `the server sent message type ${type} (0x${type.toString(16).padStart(2, '0')}), which this viewer does not know, after update ${this.counts.updates}`,
          'The stream may have lost sync; reconnect with a lower picture quality or fewer encodings (e.g. --encodings raw,hextile)',
        );
    }
  }

  /** SetColourMapEntries, RFC 6143 §7.6.2. */
  private readColourMapEntries(): Step {
    const q = this.queue;
    if (!q.has(6)) return 'more';
    const first = q.peekU16(2);
    const count = q.peekU16(4);
    if (first + count > this.limits.maxColourMapEntries) {
      throw protocolError(
        `SetColourMapEntries for colours ${first}..${first + count - 1} is past the end of a colour map`,
      );
    }
    if (!q.has(6 + count * 6)) return 'more';
    q.consume(6);
    const rgb = new Uint16Array(count * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = q.u16();
    this.converter!.setColourMapEntries(first, rgb);
    // A colour map sent while a fenced format change is on its way belongs to the new format;
    // colours already painted used the old map: they are asked for again.
    this.flow.colourMapChanged(first, rgb, this.counts.updates > 0 && !this.converter!.format.trueColour);
    return 'again';
  }

  /** ServerCutText, RFC 6143 §7.6.4 (ISO 8859-1 text). Oversized text is skipped unbuffered. */
  private readServerCutText(): Step {
    const q = this.queue;
    if (!q.has(8)) return 'more';
    const length = q.peekU32(4);
    // A negative length (as S32) is an Extended Clipboard message of |length| bytes.
    if (length & 0x80000000) return this.readExtendedClipboard(-(length | 0));
    if (length > this.limits.maxCutText) {
      q.consume(8);
      this.reading = { at: 'skipped-text', bytesLeft: length };
      return 'again';
    }
    if (!q.has(8 + length)) return 'more';
    q.consume(8);
    const text = msg.latin1Text(q.bytes(length));
    this.out.push({ kind: 'clipboard', text });
    this.out.flush(false);
    return 'again';
  }

  /** Extended Clipboard (rfbproto): compressed payloads larger than the text limit are skipped. */
  private readExtendedClipboard(length: number): Step {
    const q = this.queue;
    if (length > this.limits.maxCutText) {
      q.consume(8);
      this.reading = { at: 'skipped-text', bytesLeft: length };
      this.events.onExtension?.({
        kind: 'clipboard-notice',
        message: `The server's clipboard (${length} bytes compressed) was not received: more than the ${this.limits.maxCutText} allowed`,
      });
      return 'again';
    }
    if (!q.has(8 + length)) return 'more';
    q.consume(8);
    this.extensions.serverClipboard(q.bytes(length));
    return 'again';
  }

  /** QEMU server message 255: submessage 1 is QEMU Audio (the only one QEMU sends). */
  private readQemuServerMessage(): Step {
    const q = this.queue;
    if (!q.has(2)) return 'more';
    const submessage = q.peekU8(1);
    if (submessage !== QEMU_AUDIO_SUBMESSAGE) {
      throw protocolError(`the server sent QEMU submessage ${submessage}, which this viewer does not know`);
    }
    let used: number;
    try {
      used = this.extensions.serverAudio(q.buf.subarray(q.pos, q.end));
    } catch (error) {
      if (error instanceof AudioError) throw protocolError(error.message);
      throw error;
    }
    if (used === 0) return 'more';
    q.consume(used);
    return 'again';
  }

  private readRectHeader(update: UpdateInProgress): Step {
    const q = this.queue;
    if (!q.has(12)) return 'more';
    const rect: Rect = { x: q.u16(), y: q.u16(), width: q.u16(), height: q.u16(), encoding: q.s32() };
    update.index++;
    if (rect.encoding === Encoding.LastRect) {
      this.endUpdate(update);
      return 'again';
    }
    if (this.decoders.has(rect.encoding)) {
      if (rect.x + rect.width > this.width || rect.y + rect.height > this.height) {
        throw protocolError(
          `rectangle ${update.index} of update ${this.counts.updates + 1} (${encodingName(rect.encoding)}, ${rect.width}x${rect.height} at ${rect.x},${rect.y}) lies outside the ${this.width}x${this.height} framebuffer`,
        );
      }
      this.counts.rects.set(rect.encoding, (this.counts.rects.get(rect.encoding) ?? 0) + 1);
      const pixels = rect.width * rect.height;
      this.counts.pixels += pixels;
      this.counts.pixelsByEncoding.set(
        rect.encoding,
        (this.counts.pixelsByEncoding.get(rect.encoding) ?? 0) + pixels,
      );
      update.hasPixels = true;
    }
    this.reading = { at: 'rect-data', update, rect, dataOffset: this.bytesReceived - q.length };
    return this.continueRect(update, rect);
  }

  private continueRect(update: UpdateInProgress, rect: Rect): Step {
    const decoder = this.decoders.get(rect.encoding);
    const done = decoder ? decoder.decode(rect, this.ctx!) : this.readPseudoRect(update, rect);
    if (!done) return 'more';
    if (--update.rectsLeft === 0) this.endUpdate(update);
    else this.reading = { at: 'rect-header', update };
    return 'again';
  }

  /** Pseudo-encodings, RFC 6143 §7.8 and rfbproto. Returns false until the rect's data is here. */
  private readPseudoRect(update: UpdateInProgress, rect: Rect): boolean {
    const q = this.queue;
    switch (rect.encoding) {
      case Encoding.DesktopSize:
        this.resize(rect.width, rect.height);
        return true;
      case Encoding.ExtendedDesktopSize:
        return this.readExtendedDesktopSize(rect);
      case Encoding.CursorWithAlpha:
        return readCursorWithAlpha(q, rect, this.out, this.limits.maxCursorPixels);
      case Encoding.VmwareDisplayModeChange:
        return this.readDisplayModeChange(update, rect);
      case Encoding.QemuLedState:
        if (!q.has(1)) return false;
        {
          // Read the byte even when nobody listens (an optional call skips its arguments).
          const state = ledState(q.u8());
          this.events.onLedState?.(state);
        }
        return true;
      case Encoding.ExtendedMouseButtons:
        if (!this.traits.extendedMouseButtons) {
          this.traits.extendedMouseButtons = true;
          this.events.onExtendedMouseButtons?.();
        }
        return true;
      case Encoding.DesktopName: {
        const name = this.readString(0, this.limits.maxNameLength, 'desktop name');
        if (name === undefined) return false;
        this.info!.name = name;
        this.out.push({ kind: 'desktop-name', name });
        return true;
      }
      case Encoding.Cursor:
        return readCursor(q, rect, this.out, this.converter!, this.limits.maxCursorPixels);
      case Encoding.QemuExtendedKeyEvent:
        if (!this.traits.extendedKeys) {
          this.traits.extendedKeys = true;
          this.events.onExtendedKeys?.();
        }
        return true;
      case QEMU_AUDIO_ENCODING:
        this.extensions.audioAcknowledged();
        return true;
      case Encoding.QemuPointerMotionChange:
        // x is 1 for absolute (a tablet), 0 for relative (a PS/2 mouse) pointer motion.
        // QEMU before 8.2 sends this zero-payload rect even unasked (noVNC #1927).
        this.events.onPointerMode?.(rect.x === 0 ? 'relative' : 'absolute');
        return true;
      default:
        throw protocolError(
          `rectangle ${update.index} of update ${this.counts.updates + 1} uses ${encodingName(rect.encoding)}, which this viewer did not ask for and cannot decode`,
          'Reconnect with a lower picture quality or fewer encodings (e.g. --encodings raw,hextile)',
        );
    }
  }

  private endUpdate(update: UpdateInProgress): void {
    this.reading = { at: 'message-type' };
    this.counts.updates++;
    this.out.flush(true);
    this.flow.updateEnded(update);
    this.events.onUpdateEnd?.();
    this.flow.pauseIfUnwanted();
  }

  /** Fence (rfbproto "ServerFence"): u8 type, 3 padding, u32 flags, u8 length, payload. */
  private readFence(): Step {
    const q = this.queue;
    if (!q.has(9)) return 'more';
    const flags = q.peekU32(4);
    const length = q.peekU8(8);
    if (length > msg.MAX_FENCE_PAYLOAD) {
      throw protocolError(
        `the server sent a Fence with a ${length}-byte payload; the protocol allows at most ${msg.MAX_FENCE_PAYLOAD}`,
      );
    }
    if (!q.has(9 + length)) return 'more';
    q.consume(9);
    // msg.fence copies the payload, so a view into the queue is enough.
    const payload = q.bytes(length);
    if (flags & msg.FenceFlag.Request) {
      // Messages are handled one at a time, in order: every synchronisation asked is honoured.
      this.send(msg.fence(flags & msg.SUPPORTED_FENCE_FLAGS, payload));
      this.flow.serverFence();
      return 'again';
    }
    if (!this.flow.fenceAnswered(payload))
      throw protocolError('the server answered a fence this viewer did not send (or answered out of order)');
    return 'again';
  }

  /** Decodes what follows in `converter`'s format. */
  private switchFormat(converter: PixelConverter): void {
    this.converter = converter;
    this.ctx!.pixels = converter;
    this.info!.format = converter.format;
  }

  /** ExtendedDesktopSize (rfbproto): x is the reason, y the status; the screens follow. */
  private readExtendedDesktopSize(rect: Rect): boolean {
    const screens = readScreens(this.queue);
    if (!screens) return false;
    this.flow.extendedDesktopSize(rect.x);
    const ownRequest = rect.x === 1;
    const refused = ownRequest && rect.y !== 0;
    // A refused client request changes nothing: its size and screens are undefined.
    if (!refused) {
      this.resize(rect.width, rect.height);
      this.screens = screens;
      this.events.onScreenLayout?.(screens);
    }
    if (ownRequest) {
      const asked = this.desktopSizeRequests.shift() ?? { width: rect.width, height: rect.height };
      this.events.onDesktopSizeResult?.({
        status: rect.y,
        ok: rect.y === 0,
        width: asked.width,
        height: asked.height,
        message: desktopSizeMessage(rect.y, asked.width, asked.height),
      });
    }
    return true;
  }

  /**
   * VMware display-mode change ("WMVi", 0x574d5669): the rect's size is the new framebuffer
   * size and a PIXEL_FORMAT follows, the format of every pixel after it. QEMU sends it on a
   * display switch and then uses its own default format, so the viewer's own format is sent
   * again afterwards (at the end of the update, by the usual safe path).
   */
  private readDisplayModeChange(update: UpdateInProgress, rect: Rect): boolean {
    const q = this.queue;
    if (!q.has(PIXEL_FORMAT_LENGTH)) return false;
    const format = readPixelFormat(q.buf, q.pos);
    this.checkSize(rect.width, rect.height);
    let converter: PixelConverter;
    try {
      converter = new PixelConverter(format);
    } catch (error) {
      if (error instanceof RfbError) {
        throw protocolError(
          `the server switched to pixel format ${describePixelFormat(format)}: ${error.message}`,
        );
      }
      throw error;
    }
    q.consume(PIXEL_FORMAT_LENGTH);
    this.resize(rect.width, rect.height);
    this.switchFormat(converter);
    update.unasked = true;
    this.events.onDisplayMode?.(rect.width, rect.height, format);
    if (this.colourLevel !== 'native' && !samePixelFormat(format, LEVEL_FORMATS[this.colourLevel])) {
      this.flow.restoreFormatAfterUpdate(LEVEL_FORMATS[this.colourLevel]);
    }
    return true;
  }

  private sendPixelFormat(format: PixelFormat): void {
    this.send(msg.setPixelFormat(format));
    if (this.colourLevel !== 'native')
      this.formatSent = { level: this.colourLevel, updates: this.counts.updates };
  }

  private sendEncodings(encodings: readonly number[]): void {
    this.encodingsSent = encodings;
    this.send(msg.setEncodings([...encodings, ...VIEWER_PSEUDO_ENCODINGS, ...EXTENSION_PSEUDO_ENCODINGS]));
  }

  private resize(width: number, height: number): void {
    this.checkSize(width, height);
    if (width === this.width && height === this.height) return;
    this.width = width;
    this.height = height;
    this.ctx!.width = width;
    this.ctx!.height = height;
    this.info!.width = width;
    this.info!.height = height;
    this.out.push({ kind: 'resize', width, height });
    this.flow.resized(width, height);
  }

  private checkSize(width: number, height: number): void {
    const l = this.limits;
    if (width > l.maxWidth || height > l.maxHeight || width * height > l.maxPixels) {
      throw protocolError(
        `the server announced a ${width}x${height} framebuffer, larger than the ${l.maxWidth}x${l.maxHeight} (${l.maxPixels} pixels) this viewer accepts`,
      );
    }
  }

  private zlibStream(name: string): ZlibStream {
    let stream = this.zlibStreams.get(name);
    if (!stream) {
      stream = new ZlibStream(name);
      this.zlibStreams.set(name, stream);
    }
    return stream;
  }

  /**
   * Reads `skip` bytes then a u32-length-prefixed string (UTF-8, which covers ASCII reasons).
   * Returns undefined until all of it has arrived.
   */
  private readString(skip: number, max = 1 << 16, what = 'reason text'): string | undefined {
    const q = this.queue;
    if (!q.has(skip + 4)) return undefined;
    const length = q.peekU32(skip);
    if (length > max)
      throw protocolError(`the server sent a ${what} of ${length} bytes, more than the ${max} allowed`);
    if (!q.has(skip + 4 + length)) return undefined;
    q.consume(skip + 4);
    return new TextDecoder().decode(q.bytes(length));
  }

  private send(bytes: Uint8Array): void {
    this.transport.write(this.cipher ? this.cipher.seal(bytes) : bytes);
  }

  private setState(state: SessionState): void {
    this.state = state;
    this.events.onState?.(state);
  }

  private fail(error: unknown): void {
    if (this.state === 'closed') return;
    const rfbError =
      error instanceof RfbError
        ? error
        : new RfbError(
            'protocol',
            `internal error while reading the server's data: ${(error as Error)?.message ?? error}`,
          );
    this.setState('closed');
    this.transport.close();
    this.events.onClose?.(rfbError);
  }

  private explainClose(cause?: Error): RfbError {
    const detail = cause ? ` (${cause.message})` : '';
    switch (this.state) {
      case 'protocol-version':
        return new RfbError(
          'network',
          `the server closed the connection before sending a VNC version${detail}`,
          'It may not be a VNC server, or it accepts only one viewer at a time and another is connected',
        );
      case 'security-result': {
        const explained = this.security?.explainClose?.();
        if (explained) return explained;
        // Before 3.8 a server may close instead of sending a failed SecurityResult.
        if (this.security?.checksCredentials && this.minorVersion < 8) {
          this.rejectedCredentials = true;
          return new RfbError(
            'auth',
            'authentication failed: the server closed the connection after the password was sent',
            'Check the password',
          );
        }
        return busyConsole('during authentication', detail);
      }
      case 'security':
        return this.security?.explainClose?.() ?? busyConsole('during the security handshake', detail);
      case 'security-types':
        return busyConsole('during the security handshake', detail);
      case 'server-init':
        return busyConsole('right after the viewer introduced itself', detail);
      case 'connected': {
        const refused = this.unansweredColourLevel;
        if (refused && refused !== 'full') {
          return new RfbError(
            'network',
            `the server closed the connection right after the viewer asked for ${FORMAT_REQUESTS[refused]}; it may not support it${detail}`,
            'Choose Full colour and reconnect',
          );
        }
        if (this.inUpdate) {
          return new RfbError(
            'network',
            `the server closed the connection in the middle of a screen update${detail}`,
            'The server may have stopped or crashed; try again once it is back',
          );
        }
        // Some servers (x11vnc -nevershared) send ServerInit and only then drop a second viewer.
        if (this.counts.updates === 0) return busyConsole('before sending any picture', detail);
        return new RfbError('network', `the server closed the connection${detail}`);
      }
      default:
        return new RfbError('network', `the server closed the connection${detail}`);
    }
  }
}

/** A colour level as the pixel format the viewer asks the server for, in an error. */
const FORMAT_REQUESTS: Record<ColourLevel, string> = {
  full: 'full colour (32 bits per pixel)',
  rgb565: '16-bit colour (rgb565)',
  rgb332: '8-bit colour (rgb332)',
  rgb222: '64 colours (rgb222)',
  rgb111: '8 colours (rgb111)',
  pal8: '256-colour palette mode',
};

function busyConsole(when: string, detail: string): RfbError {
  return new RfbError(
    'network',
    `the server closed the connection ${when}${detail}`,
    'This usually means another viewer (virt-manager, virt-viewer, another VNC client) holds the console and the server does not share it: close that viewer, or let the server share (QEMU: -vnc ...,share=force-shared; x11vnc: -shared)',
  );
}

function refused(reason: string): RfbError {
  const text = serverText(reason);
  return new RfbError(
    'protocol',
    `the server refused the connection: ${text || 'no reason given'}`,
    LOCKED_OUT.test(text) ? LOCKOUT_HINT : undefined,
  );
}

/** Xvnc's "Too many security failures", libvncserver's "Too many authentication failures". */
const LOCKED_OUT = /too many (security|authentication) (failures|attempts)/i;
const LOCKOUT_HINT =
  'After repeated wrong passwords the server blocks this address for a while: wait, then try again (with the right password)';

/** Whether `bytes` can be the start of "RFB xxx.yyy\n", so a foreign service fails fast. */
function couldStartBanner(bytes: Uint8Array): boolean {
  const template = 'RFB 000.000\n';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    const t = template.charCodeAt(i);
    const ok = t === 0x30 ? c >= 0x30 && c <= 0x39 : c === t;
    if (!ok) return false;
  }
  return true;
}

function printable(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(0, 40));
}

function notVnc(bytes: Uint8Array): RfbError {
  const shown = printable(bytes)
    .replace(/[^\x20-\x7e]/g, '.')
    .trim();
  return new RfbError(
    'protocol',
    `this is not a VNC server: it sent "${shown}" where "RFB 003.008" was expected`,
    'Check the port: VNC display N listens on 5900+N',
  );
}
