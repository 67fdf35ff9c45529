import { createHash, type X509Certificate } from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { RfbError } from '../../../shared/rfb-error.ts';
import type { ServerCertificate } from '../../../shared/security-types.ts';

/** How a security handler wants the connection wrapped. */
export interface TlsStart {
  /**
   * Anonymous TLS (VeNCrypt TLS*, Vino): no certificate. TLS 1.3 has no anonymous suites, so
   * this is TLS 1.2 with `aNULL` suites; OpenSSL 3 offers them only at security level 0, and
   * `!eNULL` keeps out the one anonymous suite that does not encrypt.
   */
  anonymous: boolean;
  /** The server's name or address as the user gave it: the certificate must be for it. */
  host: string;
  port: number;
  /** PEM: authorities trusted beside the system's. */
  ca?: string;
  clientCert?: string;
  clientKey?: string;
}

/** The TLS session in place. */
export interface TlsUpgrade {
  /** "TLSv1.3" */
  protocol: string;
  cipher: string;
  /** Absent with anonymous TLS. */
  certificate?: ServerCertificate;
  /** A certificate authority (the system's or the CA file) vouches for it, for this host. */
  verified: boolean;
}

const ANONYMOUS_CIPHERS = 'aNULL:!eNULL:@SECLEVEL=0';

/**
 * Starts TLS as the client over `socket` (TCP, or an SSH tunnel's channel), which carries nothing else from now on. Resolves with
 * the TLS socket and what was negotiated; the certificate is checked but not refused here (the
 * security handler decides, with pins and the user).
 */
export function startTlsOnSocket(
  socket: Duplex,
  start: TlsStart,
): Promise<{ socket: tls.TLSSocket; upgrade: TlsUpgrade }> {
  return new Promise((resolve, reject) => {
    let secure: tls.TLSSocket;
    try {
      secure = tls.connect(connectionOptions(socket, start));
    } catch (error) {
      // A CA file or client key that OpenSSL cannot read.
      reject(new RfbError('usage', `cannot use the TLS settings: ${(error as Error).message}`));
      return;
    }
    const failed = (error: Error) => reject(handshakeError(start, error));
    secure.once('error', failed);
    secure.once('close', () => failed(new Error('the server closed the connection')));
    secure.once('secureConnect', () => {
      secure.removeListener('error', failed);
      secure.removeAllListeners('close');
      const protocol = secure.getProtocol() ?? 'TLS';
      const cipher = secure.getCipher().name;
      if (start.anonymous) {
        resolve({ socket: secure, upgrade: { protocol, cipher, verified: false } });
        return;
      }
      const peer = secure.getPeerX509Certificate();
      if (!peer) {
        secure.destroy();
        reject(new RfbError('protocol', 'the server sent no certificate in its TLS handshake'));
        return;
      }
      const problem = secure.authorized ? '' : describeProblem(String(secure.authorizationError), start);
      resolve({
        socket: secure,
        upgrade: {
          protocol,
          cipher,
          verified: secure.authorized,
          certificate: describeCertificate(peer, serverKey(start.host, start.port), problem),
        },
      });
    });
  });
}

function connectionOptions(socket: Duplex, start: TlsStart): tls.ConnectionOptions {
  const base: tls.ConnectionOptions = { socket, rejectUnauthorized: false };
  if (start.anonymous) {
    return { ...base, ciphers: ANONYMOUS_CIPHERS, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
  }
  const options: tls.ConnectionOptions = {
    ...base,
    minVersion: 'TLSv1.2',
    // Without `host` Node checks the certificate against "localhost". An IP address matches
    // only an IP SAN, and is never sent as SNI (RFC 6066 §3).
    host: start.host,
    ...(net.isIP(start.host) === 0 && { servername: start.host }),
    ...(start.ca !== undefined && { ca: [...tls.rootCertificates, start.ca] }),
  };
  if (start.clientCert !== undefined && start.clientKey !== undefined) {
    options.cert = start.clientCert;
    options.key = start.clientKey;
  }
  return options;
}

/** Pins and messages name a server as `host:port`, an IPv6 address in brackets. */
export function serverKey(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** SHA-256 as colon-separated upper-case hex pairs, as openssl prints fingerprints. */
export function fingerprint(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').toUpperCase().match(/../g)!.join(':');
}

export function describeCertificate(
  cert: X509Certificate,
  server: string,
  problem: string,
): ServerCertificate {
  return {
    server,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    validFrom: cert.validFrom,
    validTo: cert.validTo,
    certificateSha256: cert.fingerprint256,
    publicKeySha256: fingerprint(cert.publicKey.export({ type: 'spki', format: 'der' })),
    problem,
  };
}

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** OpenSSL's and Node's verification codes, in words. */
function describeProblem(code: string, start: TlsStart): string {
  const reasons: Record<string, string> = {
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it is issued by an authority this computer does not trust',
    UNABLE_TO_GET_ISSUER_CERT: 'it is issued by an authority this computer does not trust',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is issued by an authority this computer does not trust',
    SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a self-signed authority this computer does not trust',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
    CERT_HAS_EXPIRED: 'it has expired',
    CERT_NOT_YET_VALID: 'it is not valid yet',
    ERR_TLS_CERT_ALTNAME_INVALID: `it is not made out for ${start.host}`,
    CERT_REVOKED: 'it has been revoked',
  };
  return reasons[code] ?? `it could not be verified (${code})`;
}

/**
 * An OpenSSL error in words: its reason ("decryption failed or bad record mac"), not the whole
 * message, which carries a source path and ends in a newline.
 */
export function tlsErrorText(error: Error): string {
  const reason = (error as Error & { reason?: unknown }).reason;
  if (typeof reason === 'string' && reason) return reason;
  return error.message.split('\n')[0].trim() || 'unknown TLS error';
}

function handshakeError(start: TlsStart, error: Error): RfbError {
  const detail = tlsErrorText(error);
  if (start.anonymous && /no cipher|handshake failure|alert/i.test(detail)) {
    return new RfbError(
      'protocol',
      `the anonymous TLS handshake with the server failed (${detail})`,
      'The server may not offer anonymous TLS 1.2 suites; choose an X509 security type on the server',
    );
  }
  return new RfbError('network', `the TLS handshake with the server failed (${detail})`);
}
