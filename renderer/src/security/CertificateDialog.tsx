import type { ServerCertificate } from '../../../shared/security-types.ts';
import { Dialog } from '../components/Dialog.tsx';

/**
 * No certificate authority vouches for the server's certificate: who it is for, who issued
 * it, when it is valid, its fingerprints and why it is not trusted, while the connection
 * waits. Trust pins its public key for this server; Cancel ends the connection.
 */
export function CertificateDialog(props: {
  certificate: ServerCertificate;
  onTrust(): void;
  onCancel(): void;
}) {
  const c = props.certificate;
  const bareKey = c.certificateSha256 === undefined;
  const what = bareKey ? 'key' : 'certificate';
  return (
    <Dialog title={`Unverified server ${what}`} onClose={props.onCancel} wide>
      <p>
        {c.server} presents a {what} that is not trusted because {c.problem}. Anyone between you and the
        server could present such a {what}: trust it only if the fingerprint is the server’s.
      </p>
      <dl className="certificate" aria-label="Certificate">
        <dt>{bareKey ? 'Key' : 'Issued to'}</dt>
        <dd>{c.subject}</dd>
        <dt>Issued by</dt>
        <dd>{c.issuer}</dd>
        {!bareKey && (
          <>
            <dt>Valid</dt>
            <dd>
              {c.validFrom} to {c.validTo}
            </dd>
          </>
        )}
        <dt>Public key SHA-256</dt>
        <dd className="fingerprint">{c.publicKeySha256}</dd>
        {!bareKey && (
          <>
            <dt>Certificate SHA-256</dt>
            <dd className="fingerprint">{c.certificateSha256}</dd>
          </>
        )}
      </dl>
      <p className="muted">Trusting pins this public key for {c.server}; a different key later is refused.</p>
      <div className="row end">
        <button type="button" onClick={props.onCancel} data-autofocus>
          Cancel
        </button>
        <button type="button" onClick={props.onTrust}>
          Trust this server
        </button>
      </div>
    </Dialog>
  );
}
