import * as v from 'valibot';
import { COLOUR_LEVELS } from './colour-level.ts';
import { PICTURE_QUALITIES } from './picture-quality.ts';
import { ERROR_KINDS } from './rfb-error.ts';
import { int, nonEmptyText, port, text } from './schema.ts';
import { MAX_SECURITY_TYPE, ServerCertificateSchema } from './security-types.ts';

/**
 * The messages between a viewer (the renderer) and the session that holds one RFB connection
 * (an Electron utility process, or the Node process in browser mode). They travel over a
 * MessagePort in Electron and over a WebSocket in browser mode; draw batches travel as one
 * exact-size ArrayBuffer each, in the format of `shared/draw-wire.ts`. Each message is written
 * once, as a valibot schema; its TypeScript type is inferred from it.
 */

export const SessionErrorSchema = v.object({
  kind: v.picklist(ERROR_KINDS),
  message: v.string(),
  /** What the user can do next. */
  hint: v.optional(v.string()),
});
export type SessionError = v.InferOutput<typeof SessionErrorSchema>;

/**
 * A tunnel: log in to `user@host:port` (the agent, the key file, then a password asked in the
 * viewer) and forward to the VNC address as that host sees it.
 */
export const SshTunnelRequestSchema = v.object({
  host: text(255),
  port: port,
  /** Empty: the local user's name, as ssh does. */
  user: text(255),
  /** A private key file on this machine; its passphrase is asked for when needed (empty: none). */
  identityFile: v.optional(text(4096)),
  /** The SSH password the user already typed in this viewer (the VM host view); kept in memory only. */
  password: v.optional(text(1024)),
});
export type SshTunnelRequest = v.InferOutput<typeof SshTunnelRequestSchema>;

/** PEM files for TLS: certificate authorities beside the system's, a client certificate and its key. */
export const TlsFilesSchema = v.object({
  ca: v.optional(text(4096)),
  clientCert: v.optional(text(4096)),
  clientKey: v.optional(text(4096)),
});
export type TlsFiles = v.InferOutput<typeof TlsFilesSchema>;

export const OpenSessionRequestSchema = v.object({
  /** A server address in any form `parseTarget` accepts (a label when listening). */
  target: text(1024),
  /**
   * Listen mode: instead of connecting, wait on this TCP port for one server to connect to
   * the viewer (`x11vnc -connect`, QEMU `reverse=on`); 5500 by convention.
   */
  listenPort: v.optional(port),
  password: v.optional(text(1024)),
  /**
   * The bookmark this connection comes from: the session asks the main side for its stored
   * password (which never passes through the viewer) when the server wants one.
   */
  bookmarkId: v.optional(nonEmptyText(128)),
  /**
   * Encoding names (shared/encodings.ts) overriding the quality's order (a bookmark's
   * override). Plain strings: an unknown name closes the session with an error that names it.
   */
  encodings: v.optional(v.pipe(v.array(text(32)), v.maxLength(32))),
  /** Leave other viewers connected (ClientInit shared flag). Default true. */
  shared: v.optional(v.boolean()),
  viewOnly: v.optional(v.boolean()),
  quality: v.optional(v.picklist(PICTURE_QUALITIES)),
  colourLevel: v.optional(v.picklist(COLOUR_LEVELS)),
  /** Reconnect by itself after a dropped connection. Default true. */
  reconnect: v.optional(v.boolean()),
  /** Give up reconnecting after this many attempts in a row; 0: never give up. Default: the host's. */
  maxReconnectAttempts: v.optional(int(0, 1000)),
  /**
   * After a stream the viewer cannot parse, reconnect once by itself in safe mode (full
   * colour, conservative encodings, no automatic switching). Default true.
   */
  safeModeReconnect: v.optional(v.boolean()),
  /** Play the server's audio (QEMU Audio) once it offers it. Default false. */
  audio: v.optional(v.boolean()),
  /** The username for Plain, TLSPlain and X509Plain (a bookmark's). */
  username: v.optional(text(255)),
  /** Acceptable security types in order of preference (VeNCrypt subtypes as 256…); absent: the default order. */
  securityTypes: v.optional(v.pipe(v.array(int(0, MAX_SECURITY_TYPE)), v.maxLength(32))),
  /** Refuse a connection whose channel is not encrypted. */
  requireEncryption: v.optional(v.boolean()),
  /** Let Plain, Apple Remote Desktop and MSLogonII send credentials over an unencrypted channel. */
  allowPlainUnencrypted: v.optional(v.boolean()),
  /** A bookmark's TLS files, read by the session: paths on its machine. */
  tlsFiles: v.optional(TlsFilesSchema),
  /**
   * Seconds without a byte from a connected server before it is probed; no answer ends the
   * connection ("the server stopped answering") and reconnects. 0: never. Default: the host's (20).
   */
  stallSeconds: v.optional(int(0, 3600)),
  /** Reach the server through this SSH host (a bookmark's tunnel). */
  ssh: v.optional(SshTunnelRequestSchema),
  /** For a `vm:NAME` target: the libvirt URI on the VM host (default qemu:///system). */
  libvirtUri: v.optional(text(1024)),
});
export type OpenSessionRequest = v.InferOutput<typeof OpenSessionRequestSchema>;

/** What an SSH tunnel asks the user while it connects; answered with an `ssh-answer` message. */
export const SshPromptSchema = v.variant('kind', [
  /** An unknown host key: trust it (and remember it) or not. */
  v.object({
    kind: v.literal('host-key'),
    host: v.string(),
    port: v.number(),
    keyType: v.string(),
    fingerprint: v.string(),
  }),
  /** The SSH password of `subject` (`alice@kvm1`), or the passphrase of the key file `subject`. */
  v.object({ kind: v.picklist(['password', 'passphrase']), subject: v.string(), retry: v.boolean() }),
]);
export type SshPrompt = v.InferOutput<typeof SshPromptSchema>;

export const SessionStatusSchema = v.variant('phase', [
  v.object({ phase: v.literal('connecting'), target: v.string(), attempt: v.number() }),
  /** Listen mode: waiting for a server to connect. */
  v.object({ phase: v.literal('listening'), port: v.number() }),
  v.object({ phase: v.literal('authenticating') }),
  /** The server asks for a password; answer with a `password` message. `retry` after a rejection. */
  v.object({ phase: v.literal('password'), retry: v.boolean(), message: v.optional(v.string()) }),
  /** No authority vouches for the server's certificate: answer with a `certificate` message (trust or not). */
  v.object({ phase: v.literal('certificate'), certificate: ServerCertificateSchema }),
  /** The SSH tunnel waits for the user: a host key to trust, a password or a passphrase. */
  v.object({ phase: v.literal('ssh'), prompt: SshPromptSchema }),
  v.object({
    phase: v.literal('connected'),
    name: v.string(),
    width: v.number(),
    height: v.number(),
    version: v.string(),
    /** In safe mode: what went wrong before and what was changed. */
    safeMode: v.optional(v.string()),
    /** A setting the session changed by itself to get past a refusal, and why. */
    fallback: v.optional(v.string()),
    /** How the channel is protected: "X509Vnc · TLS 1.3 · verified by CA". */
    security: v.optional(v.string()),
    /** Whether it is encrypted (the lock). */
    encrypted: v.optional(v.boolean()),
    /** Through an SSH tunnel: "ssh alice@kvm1 → 127.0.0.1:5901". */
    via: v.optional(v.string()),
  }),
  /** A dropped connection; the session reconnects in `seconds` unless told otherwise. */
  v.object({
    phase: v.literal('reconnecting'),
    seconds: v.number(),
    attempt: v.number(),
    error: SessionErrorSchema,
  }),
  /**
   * The end. `error` is absent when the user disconnected. `safeModeOffered`: the stream could
   * not be parsed; a `reconnect` with `safeMode` may get past it.
   */
  v.object({
    phase: v.literal('closed'),
    error: v.optional(SessionErrorSchema),
    safeModeOffered: v.optional(v.boolean()),
  }),
]);
export type SessionStatus = v.InferOutput<typeof SessionStatusSchema>;

export const ServerCapabilitiesSchema = v.object({
  /** The server acknowledged QEMU Extended Key Event (-258): keys may carry XT scancodes. */
  extendedKeys: v.boolean(),
  /** The server sent XVP_INIT: `power` messages may shut down, reboot or reset the machine. */
  power: v.boolean(),
  /** The server sent Extended Clipboard Caps: clipboard text travels as UTF-8. */
  extendedClipboard: v.boolean(),
  /** The server acknowledged QEMU Audio: `audio` turns its sound on and off. */
  audio: v.boolean(),
  /** The server sent a screen layout (ExtendedDesktopSize): `resize-remote` may change its size. */
  resizeRemote: v.boolean(),
  /** The server confirmed ExtendedMouseButtons: pointer buttons bits 7 (back) and 8 (forward) reach it. */
  extendedMouseButtons: v.boolean(),
  /** The server offers continuous updates (rfbproto ContinuousUpdates) and the session uses them. */
  continuousUpdates: v.boolean(),
});
export type ServerCapabilities = v.InferOutput<typeof ServerCapabilitiesSchema>;

/** QEMU LED State: the remote keyboard's lock lights. */
export const RemoteLedsSchema = v.object({
  scrollLock: v.boolean(),
  numLock: v.boolean(),
  capsLock: v.boolean(),
});
export type RemoteLeds = v.InferOutput<typeof RemoteLedsSchema>;

/**
 * QEMU Pointer Motion Change: `absolute` (a tablet) takes framebuffer coordinates; `relative`
 * (a PS/2 mouse) takes each pointer event's x and y as a motion offset by `RELATIVE_POINTER_CENTRE`.
 */
export const PointerModeSchema = v.picklist(['relative', 'absolute']);
export type PointerMode = v.InferOutput<typeof PointerModeSchema>;

/**
 * In relative mode QEMU reads a pointer event's x, y as the motion plus 0x7FFF (ui/vnc.c
 * pointer_event: `x - 0x7FFF`), so (0x7FFF, 0x7FFF) moves nothing.
 */
export const RELATIVE_POINTER_CENTRE = 0x7fff;

export const PowerActionSchema = v.picklist(['shutdown', 'reboot', 'reset']);
export type PowerAction = v.InferOutput<typeof PowerActionSchema>;

/** What the picture actually is now: the preset Auto (or safe mode) uses and the colour level on the wire. */
export const PictureInEffectSchema = v.object({
  preset: v.picklist(['high', 'medium', 'low']),
  colourLevel: v.picklist(COLOUR_LEVELS),
});
export type PictureInEffect = v.InferOutput<typeof PictureInEffectSchema>;

const RectBytesSchema = v.object({ pixels: v.number(), received: v.number(), needed: v.number() });

/**
 * The first full update while it arrives: rectangles read (of those it announced, unless it
 * ends with LastRect), the screen's pixels they cover, and for a rectangle whose encoding fixes
 * its size (Raw), its bytes received of those it needs.
 */
export const FirstUpdateProgressSchema = v.object({
  rects: v.optional(v.number()),
  rectsDone: v.number(),
  pixelsDone: v.number(),
  pixels: v.number(),
  rectBytes: v.optional(RectBytesSchema),
  /** Bytes of the update received so far, and the rate they arrived at. */
  bytes: v.number(),
  bitsPerSecond: v.number(),
});
export type FirstUpdateProgress = v.InferOutput<typeof FirstUpdateProgressSchema>;

/**
 * The session's counters since it connected, sent once a second while the statistics overlay
 * is shown: the viewer turns the differences between two into rates.
 */
export const SessionCountersSchema = v.object({
  /** When they were read (the session process's clock, ms). */
  at: v.number(),
  bytes: v.number(),
  updates: v.number(),
  /** Pixels received per encoding name. */
  pixels: v.record(v.string(), v.number()),
  /** Milliseconds the session spent reading and decoding what arrived. */
  decodeMs: v.number(),
  /** The connection's round trip (from asking for it to the server's first byte). */
  roundTripMs: v.optional(v.number()),
  /** Auto's estimate of the link's throughput (kbit/s), once it has one. */
  autoKbps: v.optional(v.number()),
});
export type SessionCounters = v.InferOutput<typeof SessionCountersSchema>;

/** What the Connection info dialog shows (as TigerVNC's does). */
export const ConnectionInfoSchema = v.object({
  name: v.string(),
  /** The address connected to, host and port. */
  address: v.string(),
  /** "RFB 003.008". */
  version: v.string(),
  security: v.string(),
  /** The pixel format in effect, e.g. "32 bpp, depth 24, true colour…". */
  pixelFormat: v.string(),
  /** Rectangles received per encoding. */
  encodings: v.record(v.string(), v.number()),
  width: v.number(),
  height: v.number(),
  bytesReceived: v.number(),
  updates: v.number(),
  /** The connection's round trip, from the handshake (undefined in listen mode). */
  roundTripMs: v.optional(v.number()),
});
export type ConnectionInfo = v.InferOutput<typeof ConnectionInfoSchema>;

/** Viewer → session. The session checks every message against this and drops what does not fit. */
export const ToSessionSchema = v.variant('type', [
  v.object({ type: v.literal('open'), request: OpenSessionRequestSchema }),
  v.object({ type: v.literal('password'), password: text(1024) }),
  /** The user's answer to a `certificate` status: trust (pin) the server's key, or not. */
  v.object({ type: v.literal('certificate'), trust: v.boolean() }),
  /** The answer to an `ssh` status: trust the host key (true/false), or the secret (null: cancel). */
  v.object({ type: v.literal('ssh-answer'), answer: v.union([v.boolean(), text(1024), v.null()]) }),
  /** The viewer painted one draw update: one flow-control credit back. */
  v.object({ type: v.literal('painted') }),
  /** `scancode` is the key's XT scancode (0xE0-prefixed keys as 0x80 | code), 0 if unknown. */
  v.object({
    type: v.literal('key'),
    keysym: int(0, 0xffffffff),
    down: v.boolean(),
    scancode: int(0, 0xffff),
  }),
  /**
   * RFB button mask: 1 left, 2 middle, 4 right, 8/16 wheel up/down, 32/64 wheel left/right,
   * 128/256 back/forward (only after capabilities say `extendedMouseButtons`).
   */
  v.object({ type: v.literal('pointer'), x: int(0, 0xffff), y: int(0, 0xffff), buttons: int(0, 0x1ff) }),
  v.object({ type: v.literal('clipboard'), text: text(16 << 20) }),
  v.object({ type: v.literal('view-only'), on: v.boolean() }),
  v.object({ type: v.literal('colour-level'), level: v.picklist(COLOUR_LEVELS) }),
  v.object({ type: v.literal('quality'), quality: v.picklist(PICTURE_QUALITIES) }),
  /** Ask for the whole screen again. */
  v.object({ type: v.literal('refresh') }),
  /** Probe the server now (the machine resumed, the network came back): a silent one ends the connection. */
  v.object({ type: v.literal('check-connection') }),
  /** XVP power control; only after capabilities say `power`. */
  v.object({ type: v.literal('power'), action: PowerActionSchema }),
  /** Play the server's audio or stop it. */
  v.object({ type: v.literal('audio'), on: v.boolean() }),
  /** SetDesktopSize: ask the server for this framebuffer size; the answer comes as a `notice`. */
  v.object({ type: v.literal('resize-remote'), width: int(1, 0xffff), height: int(1, 0xffff) }),
  /** Ask for a `connection-info` answer. */
  v.object({ type: v.literal('connection-info') }),
  /** Send `stats` once a second (the statistics overlay is shown), or stop. */
  v.object({ type: v.literal('stats'), on: v.boolean() }),
  /** The session's tab is hidden (another tab is in front, or the window is): updates at most once a second. */
  v.object({ type: v.literal('background'), on: v.boolean() }),
  /** Skip the reconnect countdown, or reconnect after an error (in safe mode if asked). */
  v.object({ type: v.literal('reconnect'), safeMode: v.optional(v.boolean()) }),
  v.object({ type: v.literal('disconnect') }),
]);
export type ToSession = v.InferOutput<typeof ToSessionSchema>;

/** Session → viewer. */
export const FromSessionSchema = v.variant('type', [
  v.object({ type: v.literal('status'), status: SessionStatusSchema }),
  /** One FramebufferUpdate (or part of a very large one), encoded by `encodeDrawBatch`. */
  v.object({ type: v.literal('draw'), batch: v.instance(ArrayBuffer) }),
  v.object({ type: v.literal('clipboard'), text: v.string() }),
  v.object({ type: v.literal('bell') }),
  v.object({ type: v.literal('desktop-name'), name: v.string() }),
  v.object({ type: v.literal('capabilities'), capabilities: ServerCapabilitiesSchema }),
  /**
   * A power action was sent (`ok`), or the server refused it or cannot do it. `message` says
   * which ("the server refused to reboot the machine").
   */
  v.object({
    type: v.literal('power-result'),
    action: PowerActionSchema,
    ok: v.boolean(),
    message: v.string(),
  }),
  /** A block of the server's audio, encoded by `encodeAudioChunk` (shared/audio-wire.ts). */
  v.object({ type: v.literal('audio'), chunk: v.instance(ArrayBuffer) }),
  /** The remote keyboard's lock lights (QEMU LED State), whenever the server sends them. */
  v.object({ type: v.literal('leds'), leds: RemoteLedsSchema }),
  /** How the server reads pointer positions (QEMU Pointer Motion Change), whenever it says. */
  v.object({ type: v.literal('pointer-mode'), mode: PointerModeSchema }),
  /** Something the user should know that is not an error (e.g. clipboard text not sent). */
  v.object({ type: v.literal('notice'), message: v.string() }),
  /**
   * The session's settings; `auto` says what picture quality Auto measured and chose, and
   * `inEffect` what the picture actually is (Auto's choice, or safe mode's).
   */
  v.object({
    type: v.literal('settings'),
    quality: v.picklist(PICTURE_QUALITIES),
    colourLevel: v.picklist(COLOUR_LEVELS),
    viewOnly: v.boolean(),
    auto: v.optional(v.string()),
    inEffect: v.optional(PictureInEffectSchema),
  }),
  /** The first full update after connecting, while it arrives; `undefined` once it is complete. */
  v.object({ type: v.literal('progress'), progress: v.optional(FirstUpdateProgressSchema) }),
  v.object({ type: v.literal('connection-info'), info: ConnectionInfoSchema }),
  v.object({ type: v.literal('stats'), stats: SessionCountersSchema }),
]);
export type FromSession = v.InferOutput<typeof FromSessionSchema>;

/** Seconds of silence before a connected server is probed (a global setting). */
export const DEFAULT_STALL_SECONDS = 20;

export const LISTEN_PORT = 5500;

/** How many painted-but-unacknowledged updates a session lets the viewer fall behind. */
export const DRAW_CREDITS = 2;

/** How often a session whose tab is hidden asks for an update (it stays connected and nearly current). */
export const BACKGROUND_UPDATE_MS = 1000;
