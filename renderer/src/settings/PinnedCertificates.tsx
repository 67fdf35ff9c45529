import { useEffect, useState } from 'react';
import type { CertificatePin } from '../../../shared/security-types.ts';
import { platform } from '../platform/index.ts';

/** The servers whose certificate keys the user trusted (pinned), each removable. */
export function PinnedCertificates() {
  const [pins, setPins] = useState<CertificatePin[] | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    platform()
      .invoke('pins:list', {})
      .then(setPins, (e: Error) => setError(`The pinned certificates could not be read: ${e.message}`));
  }, []);
  const remove = (server: string) => {
    platform()
      .invoke('pins:remove', { server })
      .then(setPins, (e: Error) => setError(`The pin was not removed: ${e.message}`));
  };
  return (
    <fieldset>
      <legend>Pinned certificates</legend>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {pins?.length === 0 && <p className="muted">No server certificate has been trusted by hand.</p>}
      {pins && pins.length > 0 && (
        <ul className="pins" aria-label="Pinned certificates">
          {pins.map((pin) => (
            <li key={pin.server}>
              <strong>{pin.server}</strong> {pin.subject}
              <br />
              <span className="fingerprint">SHA-256 {pin.publicKeySha256}</span>
              <br />
              <span className="muted">pinned {new Date(pin.pinnedAt).toLocaleString()}</span>{' '}
              <button
                type="button"
                onClick={() => remove(pin.server)}
                aria-label={`Remove the pin for ${pin.server}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
