import type { RfbError } from '../../../shared/rfb-error.ts';
import type { ChannelSecurity, ServerCertificate } from '../../../shared/security-types.ts';
import type { ByteQueue } from '../byte-queue.ts';
import type { TlsStart, TlsUpgrade } from '../transports/tls.ts';

/** What the user gave to authenticate with. */
export interface Credentials {
  /** For types that send a username and password (Plain, TLSPlain, X509Plain). */
  username?: string;
  password?: string;
  /**
   * Called when the server asks for a password and none is set. The exchange then waits
   * until the session is given one (`RfbSession.providePassword`). Without it, a missing
   * password is an error.
   */
  askPassword?: () => void;
}

/**
 * How the server's identity is decided when its certificate is not verified by a certificate
 * authority (`identity.ts` has the policy: pins, trust on first use, refusal). Resolves with
 * how it was established, rejects with an RfbError of kind `identity`.
 */
export type IdentityCheck = (certificate: ServerCertificate) => Promise<'pinned' | 'trusted-now'>;

/** What the user allows and asks of the connection's security. */
export interface SecurityOptions {
  /** Acceptable types in order of preference (VeNCrypt subtypes as 256…); empty: the default order. */
  preferences?: readonly number[];
  /** Refuse any connection whose channel is not encrypted. */
  requireEncryption?: boolean;
  /** Allow a username and password to be sent over an unencrypted channel (VeNCrypt Plain, 256). */
  allowPlainUnencrypted?: boolean;
  /** The server's host name or address and port: the certificate is checked against them. */
  server?: { host: string; port: number };
  /** PEM: certificate authorities trusted beside the system's. */
  ca?: string;
  /** PEM: the client certificate and key, for servers that verify their clients (QEMU verify-peer). */
  clientCert?: string;
  clientKey?: string;
  /** For a certificate no CA verifies; without it such a certificate is refused. */
  checkIdentity?: IdentityCheck;
}

/**
 * What a security handler works with (the shape of TigerVNC's CSecurity and its streams): the
 * receive queue, a way to send, and a way to replace the byte stream by TLS over it. Handlers
 * stack by running an inner handler with the same context (VeNCrypt → TLS → VNC Auth).
 */
export interface SecurityContext {
  readonly queue: ByteQueue;
  send(bytes: Uint8Array): void;
  readonly credentials: Credentials;
  readonly options: SecurityOptions;
  /** Wraps the connection in TLS; the bytes after the handshake arrive decrypted in `queue`. */
  startTls(start: TlsStart): Promise<TlsUpgrade>;
  /**
   * Reports the subtypes the server offers inside VeNCrypt before one is chosen; false when the
   * session closed on hearing them (a probe), and the handler goes no further.
   */
  offeredSubtypes?(subtypes: readonly number[]): boolean;
  /**
   * Waits for `promise` outside the byte stream (a TLS handshake, the user's decision on a
   * certificate): `then` gets its value and the handler's `step` runs again; a rejection ends
   * the session with it.
   */
  wait<T>(promise: Promise<T>, then: (value: T) => void): void;
  /**
   * From now on every byte both ways passes through `cipher` (RSA-AES's AES-EAX messages, the
   * way TigerVNC's CSecurityRSAAES calls setStreams). Nothing may be waiting in the queue.
   */
  encryptStream(cipher: StreamCipher): void;
}

/** A cipher over the whole byte stream, below the RFB messages. */
export interface StreamCipher {
  /** What arrived → the plaintext complete so far (may be empty); throws an RfbError on a forged message. */
  open(chunk: Uint8Array): Uint8Array;
  /** Plaintext → what goes on the wire. */
  seal(bytes: Uint8Array): Uint8Array;
}

/**
 * One security type's exchange after the type is chosen (RFC 6143 §7.2), before SecurityResult.
 * The session never names a type: each handler says what the session needs to know.
 */
export interface SecurityHandler {
  /** The type in effect, as shown ("X509Vnc"); a stack names its innermost useful part. */
  readonly name: string;
  /** Consumes what it can from the queue; true once the exchange is done. */
  step(context: SecurityContext): boolean;
  /** Whether a SecurityResult follows for this RFB minor version (RFC 6143 §7.1.3, §7.2.1). */
  resultFollows(minorVersion: number): boolean;
  /** Whether a failed SecurityResult means the credentials (password, username) were rejected. */
  readonly checksCredentials: boolean;
  /** How the channel is protected once the exchange is done. */
  channel(): ChannelSecurity;
  /** A better explanation than the session's when the server closes during this exchange. */
  explainClose?(): RfbError | undefined;
  /**
   * Bytes the server adds after ServerInit's name (Tight's capability lists), counted from
   * `offset` in the queue; undefined until enough has arrived to tell.
   */
  serverInitTrailer?(queue: ByteQueue, offset: number): number | undefined;
}
