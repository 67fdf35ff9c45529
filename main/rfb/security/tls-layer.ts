import { RfbError } from '../../../shared/rfb-error.ts';
import type { ChannelSecurity } from '../../../shared/security-types.ts';
import type { TlsUpgrade } from '../transports/tls.ts';
import type { SecurityContext, SecurityHandler } from './handler.ts';
import { unknownCertificate } from './identity.ts';

/**
 * TLS under another handler (TigerVNC's CSecurityTLS inside a CSecurityStack): wraps the
 * connection, decides the server's identity (a CA, a pin, the user; anonymous TLS has none),
 * then runs `inner` (VNC Authentication, Plain or None) over the encrypted stream.
 */
export class TlsLayer implements SecurityHandler {
  readonly name: string;
  private readonly kind: 'anonymous' | 'x509';
  private readonly inner: SecurityHandler;
  private phase: 'start' | 'handshake' | 'inner' = 'start';
  private upgrade: TlsUpgrade | undefined;
  private identity: ChannelSecurity['identity'] = 'unverified';
  /** Whether the server has sent anything over TLS yet (a silent close right after means it refused us). */
  private heardOverTls = false;

  constructor(name: string, kind: 'anonymous' | 'x509', inner: SecurityHandler) {
    this.name = name;
    this.kind = kind;
    this.inner = inner;
  }

  get checksCredentials(): boolean {
    return this.inner.checksCredentials;
  }

  step(context: SecurityContext): boolean {
    if (this.phase === 'start') {
      this.phase = 'handshake';
      context.wait(this.establish(context), () => {
        this.phase = 'inner';
      });
      return false;
    }
    if (this.phase === 'handshake') return false;
    if (context.queue.length > 0) this.heardOverTls = true;
    return this.inner.step(context);
  }

  private async establish(context: SecurityContext): Promise<void> {
    const { options } = context;
    const server = options.server ?? { host: 'localhost', port: 0 };
    const upgrade = await context.startTls({
      anonymous: this.kind === 'anonymous',
      host: server.host,
      port: server.port,
      ...(options.ca !== undefined && { ca: options.ca }),
      ...(options.clientCert !== undefined && { clientCert: options.clientCert }),
      ...(options.clientKey !== undefined && { clientKey: options.clientKey }),
    });
    this.upgrade = upgrade;
    if (this.kind === 'anonymous') return;
    if (upgrade.verified) {
      this.identity = 'ca';
      return;
    }
    const certificate = upgrade.certificate!;
    if (!options.checkIdentity) throw unknownCertificate(certificate);
    this.identity = await options.checkIdentity(certificate);
  }

  resultFollows(): boolean {
    return true;
  }

  channel(): ChannelSecurity {
    return {
      type: this.name,
      encrypted: true,
      ...(this.upgrade && { protocol: this.upgrade.protocol }),
      identity: this.identity,
    };
  }

  explainClose(): RfbError | undefined {
    if (this.phase !== 'inner' || this.heardOverTls) return this.inner.explainClose?.();
    if (this.kind === 'x509') {
      return new RfbError(
        'auth',
        'the server closed the connection right after the TLS handshake: the server requires a client certificate (or rejected ours)',
        'Give the client certificate and key the server trusts with --client-cert FILE --client-key FILE (the bookmark’s client certificate in the viewer)',
      );
    }
    return new RfbError('network', 'the server closed the connection right after the TLS handshake');
  }
}
