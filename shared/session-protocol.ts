import type { ColourLevel } from './colour-level.ts';
import type { PictureQuality } from './picture-quality.ts';
import type { ServerCertificate } from './security-types.ts';

/**
 * The messages between a viewer (the renderer) and the session that holds one RFB connection
 * (an Electron utility process, or the Node process in browser mode). They travel over a
 * MessagePort in Electron and over a WebSocket in browser mode; draw batches travel as one
 * exact-size ArrayBuffer each, in the format of `shared/draw-wire.ts`.
 */

export type ErrorKind = 'network' | 'auth' | 'protocol' | 'timeout' | 'usage' | 'identity';

export interface SessionError {
  kind: ErrorKind;
  message: string;
  /** What the user can do next. */
  hint?: string;
}

export interface OpenSessionRequest {
  /** A server address in any form `parseTarget` accepts (a label when listening). */
  target: string;
  /**
   * Listen mode: instead of connecting, wait on this TCP port for one server to connect to
   * the viewer (`x11vnc -connect`, QEMU `reverse=on`); 5500 by convention.
   */
  listenPort?: number;
  password?: string;
  /**
   * The bookmark this connection comes from: the session asks the main side for its stored
   * password (which never passes through the viewer) when the server wants one.
   */
  bookmarkId?: string;
  /** Comma-separated encoding names overriding the quality's order (a bookmark's override). */
  encodings?: string;
  /** Leave other viewers connected (ClientInit shared flag). Default true. */
  shared?: boolean;
  viewOnly?: boolean;
  quality?: PictureQuality;
  colourLevel?: ColourLevel;
  /** Reconnect by itself after a dropped connection. Default true. */
  reconnect?: boolean;
  /** Give up reconnecting after this many attempts in a row; 0: never give up. Default: the host's. */
  maxReconnectAttempts?: number;
  /**
   * After a stream the viewer cannot parse, reconnect once by itself in safe mode (full
   * colour, conservative encodings, no automatic switching). Default true.
   */
  safeModeReconnect?: boolean;
  /** Play the server's audio (QEMU Audio) once it offers it. Default false. */
  audio?: boolean;
  /** The username for Plain, TLSPlain and X509Plain (a bookmark's). */
  username?: string;
  /** Acceptable security types in order of preference (VeNCrypt subtypes as 256…); absent: the default order. */
  securityTypes?: number[];
  /** Refuse a connection whose channel is not encrypted. */
  requireEncryption?: boolean;
  /** Let Plain, Apple Remote Desktop and MSLogonII send credentials over an unencrypted channel. */
  allowPlainUnencrypted?: boolean;
  /** A bookmark's TLS files, read by the session: paths on its machine. */
  tlsFiles?: TlsFiles;
  /**
   * Seconds without a byte from a connected server before it is probed; no answer ends the
   * connection ("the server stopped answering") and reconnects. 0: never. Default: the host's (20).
   */
  stallSeconds?: number;
  /** Reach the server through this SSH host (a bookmark's tunnel). */
  ssh?: SshTunnelRequest;
}

/**
 * A tunnel: log in to `user@host:port` (the agent, the key file, then a password asked in the
 * viewer) and forward to the VNC address as that host sees it.
 */
/** PEM files for TLS: certificate authorities beside the system's, a client certificate and its key. */
export interface TlsFiles {
  ca?: string;
  clientCert?: string;
  clientKey?: string;
}

export interface SshTunnelRequest {
  host: string;
  port: number;
  /** Empty: the local user's name, as ssh does. */
  user: string;
  /** A private key file on this machine; its passphrase is asked for when needed. */
  identityFile?: string;
}

/** What an SSH tunnel asks the user while it connects; answered with an `ssh-answer` message. */
export type SshPrompt =
  /** An unknown host key: trust it (and remember it) or not. */
  | { kind: 'host-key'; host: string; port: number; keyType: string; fingerprint: string }
  /** The SSH password of `subject` (`alice@kvm1`), or the passphrase of the key file `subject`. */
  | { kind: 'password' | 'passphrase'; subject: string; retry: boolean };

export type SessionStatus =
  | { phase: 'connecting'; target: string; attempt: number }
  /** Listen mode: waiting for a server to connect. */
  | { phase: 'listening'; port: number }
  | { phase: 'authenticating' }
  /** The server asks for a password; answer with a `password` message. `retry` after a rejection. */
  | { phase: 'password'; retry: boolean; message?: string }
  /** No authority vouches for the server's certificate: answer with a `certificate` message (trust or not). */
  | { phase: 'certificate'; certificate: ServerCertificate }
  /** The SSH tunnel waits for the user: a host key to trust, a password or a passphrase. */
  | { phase: 'ssh'; prompt: SshPrompt }
  | {
      phase: 'connected';
      name: string;
      width: number;
      height: number;
      version: string;
      /** In safe mode: what went wrong before and what was changed. */
      safeMode?: string;
      /** A setting the session changed by itself to get past a refusal, and why. */
      fallback?: string;
      /** How the channel is protected: "X509Vnc · TLS 1.3 · verified by CA". */
      security?: string;
      /** Whether it is encrypted (the lock). */
      encrypted?: boolean;
      /** Through an SSH tunnel: "ssh alice@kvm1 → 127.0.0.1:5901". */
      via?: string;
    }
  /** A dropped connection; the session reconnects in `seconds` unless told otherwise. */
  | { phase: 'reconnecting'; seconds: number; attempt: number; error: SessionError }
  /**
   * The end. `error` is absent when the user disconnected. `safeModeOffered`: the stream could
   * not be parsed; a `reconnect` with `safeMode` may get past it.
   */
  | { phase: 'closed'; error?: SessionError; safeModeOffered?: boolean };

export interface ServerCapabilities {
  /** The server acknowledged QEMU Extended Key Event (-258): keys may carry XT scancodes. */
  extendedKeys: boolean;
  /** The server sent XVP_INIT: `power` messages may shut down, reboot or reset the machine. */
  power: boolean;
  /** The server sent Extended Clipboard Caps: clipboard text travels as UTF-8. */
  extendedClipboard: boolean;
  /** The server acknowledged QEMU Audio: `audio` turns its sound on and off. */
  audio: boolean;
  /** The server sent a screen layout (ExtendedDesktopSize): `resize-remote` may change its size. */
  resizeRemote: boolean;
  /** The server confirmed ExtendedMouseButtons: pointer buttons bits 7 (back) and 8 (forward) reach it. */
  extendedMouseButtons: boolean;
  /** The server offers continuous updates (rfbproto ContinuousUpdates) and the session uses them. */
  continuousUpdates: boolean;
}

/** QEMU LED State: the remote keyboard's lock lights. */
export interface RemoteLeds {
  scrollLock: boolean;
  numLock: boolean;
  capsLock: boolean;
}

/**
 * QEMU Pointer Motion Change: `absolute` (a tablet) takes framebuffer coordinates; `relative`
 * (a PS/2 mouse) takes each pointer event's x and y as a motion offset by `RELATIVE_POINTER_CENTRE`.
 */
export type PointerMode = 'relative' | 'absolute';

/**
 * In relative mode QEMU reads a pointer event's x, y as the motion plus 0x7FFF (ui/vnc.c
 * pointer_event: `x - 0x7FFF`), so (0x7FFF, 0x7FFF) moves nothing.
 */
export const RELATIVE_POINTER_CENTRE = 0x7fff;

export type PowerAction = 'shutdown' | 'reboot' | 'reset';

/** What the picture actually is now: the preset Auto (or safe mode) uses and the colour level on the wire. */
export interface PictureInEffect {
  preset: 'high' | 'medium' | 'low';
  colourLevel: ColourLevel;
}

/**
 * The first full update while it arrives: rectangles read (of those it announced, unless it
 * ends with LastRect), the screen's pixels they cover, and for a rectangle whose encoding fixes
 * its size (Raw), its bytes received of those it needs.
 */
export interface FirstUpdateProgress {
  rects?: number;
  rectsDone: number;
  pixelsDone: number;
  pixels: number;
  rectBytes?: { pixels: number; received: number; needed: number };
  /** Bytes of the update received so far, and the rate they arrived at. */
  bytes: number;
  bitsPerSecond: number;
}

/** What the Connection info dialog shows (as TigerVNC's does). */
export interface ConnectionInfo {
  name: string;
  /** The address connected to, host and port. */
  address: string;
  /** "RFB 003.008". */
  version: string;
  security: string;
  /** The pixel format in effect, e.g. "32 bpp, depth 24, true colour…". */
  pixelFormat: string;
  /** Rectangles received per encoding. */
  encodings: Record<string, number>;
  width: number;
  height: number;
  bytesReceived: number;
  updates: number;
  /** The connection's round trip, from the handshake (undefined in listen mode). */
  roundTripMs?: number;
}

/** Viewer → session. */
export type ToSession =
  | { type: 'open'; request: OpenSessionRequest }
  | { type: 'password'; password: string }
  /** The user's answer to a `certificate` status: trust (pin) the server's key, or not. */
  | { type: 'certificate'; trust: boolean }
  /** The answer to an `ssh` status: trust the host key (true/false), or the secret (null: cancel). */
  | { type: 'ssh-answer'; answer: boolean | string | null }
  /** The viewer painted one draw update: one flow-control credit back. */
  | { type: 'painted' }
  /** `scancode` is the key's XT scancode (0xE0-prefixed keys as 0x80 | code), 0 if unknown. */
  | { type: 'key'; keysym: number; down: boolean; scancode: number }
  /**
   * RFB button mask: 1 left, 2 middle, 4 right, 8/16 wheel up/down, 32/64 wheel left/right,
   * 128/256 back/forward (only after capabilities say `extendedMouseButtons`).
   */
  | { type: 'pointer'; x: number; y: number; buttons: number }
  | { type: 'clipboard'; text: string }
  | { type: 'view-only'; on: boolean }
  | { type: 'colour-level'; level: ColourLevel }
  | { type: 'quality'; quality: PictureQuality }
  /** Ask for the whole screen again. */
  | { type: 'refresh' }
  /** Probe the server now (the machine resumed, the network came back): a silent one ends the connection. */
  | { type: 'check-connection' }
  /** XVP power control; only after capabilities say `power`. */
  | { type: 'power'; action: PowerAction }
  /** Play the server's audio or stop it. */
  | { type: 'audio'; on: boolean }
  /** SetDesktopSize: ask the server for this framebuffer size; the answer comes as a `notice`. */
  | { type: 'resize-remote'; width: number; height: number }
  /** Ask for a `connection-info` answer. */
  | { type: 'connection-info' }
  /** Skip the reconnect countdown, or reconnect after an error (in safe mode if asked). */
  | { type: 'reconnect'; safeMode?: boolean }
  | { type: 'disconnect' };

/** Session → viewer. */
export type FromSession =
  | { type: 'status'; status: SessionStatus }
  /** One FramebufferUpdate (or part of a very large one), encoded by `encodeDrawBatch`. */
  | { type: 'draw'; batch: ArrayBuffer }
  | { type: 'clipboard'; text: string }
  | { type: 'bell' }
  | { type: 'desktop-name'; name: string }
  | { type: 'capabilities'; capabilities: ServerCapabilities }
  /**
   * A power action was sent (`ok`), or the server refused it or cannot do it. `message` says
   * which ("the server refused to reboot the machine").
   */
  | { type: 'power-result'; action: PowerAction; ok: boolean; message: string }
  /** A block of the server's audio, encoded by `encodeAudioChunk` (shared/audio-wire.ts). */
  | { type: 'audio'; chunk: ArrayBuffer }
  /** The remote keyboard's lock lights (QEMU LED State), whenever the server sends them. */
  | { type: 'leds'; leds: RemoteLeds }
  /** How the server reads pointer positions (QEMU Pointer Motion Change), whenever it says. */
  | { type: 'pointer-mode'; mode: PointerMode }
  /** Something the user should know that is not an error (e.g. clipboard text not sent). */
  | { type: 'notice'; message: string }
  /**
   * The session's settings; `auto` says what picture quality Auto measured and chose, and
   * `inEffect` what the picture actually is (Auto's choice, or safe mode's).
   */
  | {
      type: 'settings';
      quality: PictureQuality;
      colourLevel: ColourLevel;
      viewOnly: boolean;
      auto?: string;
      inEffect?: PictureInEffect;
    }
  /** The first full update after connecting, while it arrives; `undefined` once it is complete. */
  | { type: 'progress'; progress: FirstUpdateProgress | undefined }
  | { type: 'connection-info'; info: ConnectionInfo };

/** Seconds of silence before a connected server is probed (a global setting). */
export const DEFAULT_STALL_SECONDS = 20;

export const LISTEN_PORT = 5500;

/** How many painted-but-unacknowledged updates a session lets the viewer fall behind. */
export const DRAW_CREDITS = 2;
