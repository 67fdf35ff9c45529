import { RfbError } from '../../../shared/rfb-error.ts';
import type { CertificatePin, ServerCertificate } from '../../../shared/security-types.ts';
import type { IdentityCheck } from './handler.ts';

/** Where pinned public keys live (main/app's store, or a viewer's session asking main). */
export interface PinStore {
  get(server: string): Promise<CertificatePin | undefined>;
  set(pin: CertificatePin): Promise<void>;
}

/**
 * Trust on first use with pinned public keys, the shape of TigerVNC's x509_known_hosts and
 * ssh's known_hosts: a pinned key is accepted silently, a different key is refused naming both
 * fingerprints, an unknown one is put to `decideUnknown` (the user, or `--accept-new`) and
 * pinned if trusted.
 */
export function pinnedIdentity(
  pins: PinStore,
  decideUnknown: (certificate: ServerCertificate) => Promise<boolean>,
  removeHint: string,
): IdentityCheck {
  return async (certificate) => {
    const pin = await pins.get(certificate.server);
    if (pin?.publicKeySha256 === certificate.publicKeySha256) return 'pinned';
    if (pin) throw changedKey(certificate, pin, removeHint);
    if (!(await decideUnknown(certificate))) throw unknownCertificate(certificate);
    await pins.set({
      server: certificate.server,
      publicKeySha256: certificate.publicKeySha256,
      subject: certificate.subject,
      issuer: certificate.issuer,
      pinnedAt: new Date().toISOString(),
    });
    return 'trusted-now';
  };
}

export function unknownCertificate(certificate: ServerCertificate): RfbError {
  if (certificate.certificateSha256 === undefined) {
    return new RfbError(
      'identity',
      `the server's identity could not be verified: its ${certificate.subject} is not known yet; its public key's SHA-256 fingerprint is ${certificate.publicKeySha256}`,
      'Compare the fingerprint with the server’s (the SHA-256 of its RSA key as SubjectPublicKeyInfo: openssl pkey -in KEY -pubout -outform der | sha256sum), then trust it with --accept-new',
    );
  }
  return new RfbError(
    'identity',
    `the server's identity could not be verified: its certificate (${certificate.subject}, issued by ${certificate.issuer}) is not trusted because ${certificate.problem}; its public key's SHA-256 fingerprint is ${certificate.publicKeySha256}`,
    'Compare the fingerprint with the server’s (openssl x509 -in CERT -pubkey -noout | openssl pkey -pubin -outform der | sha256sum), then trust it with --accept-new, or give the authority that issued it with --ca FILE',
  );
}

function changedKey(certificate: ServerCertificate, pin: CertificatePin, removeHint: string): RfbError {
  return new RfbError(
    'identity',
    `the server's certificate has changed: ${certificate.server} was pinned with the public key SHA-256 ${pin.publicKeySha256} (${pin.subject}, since ${pin.pinnedAt}) and now presents ${certificate.publicKeySha256} (${certificate.subject}). Someone may be intercepting the connection, or the server got a new certificate`,
    `Nothing was sent. If the server's certificate was replaced on purpose, ${removeHint}`,
  );
}
