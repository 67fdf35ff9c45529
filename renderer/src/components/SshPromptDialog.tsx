import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { SshPrompt } from '../../../shared/session-protocol.ts';

/**
 * What an SSH tunnel asks while the connection waits: whether to trust an unknown host key
 * (its type and SHA-256 fingerprint, as `ssh-keygen -lf` prints it), or a password or key
 * passphrase. Answers go to the session only; nothing is stored here.
 */
export function SshPromptDialog(props: {
  prompt: SshPrompt;
  onAnswer(answer: boolean | string | null): void;
}) {
  const { prompt, onAnswer } = props;
  const ids = { title: useId(), body: useId(), field: useId() };
  const first = useRef<HTMLInputElement & HTMLButtonElement>(null);
  const [secret, setSecret] = useState('');
  useEffect(() => first.current?.focus(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onAnswer(secret);
  };
  return (
    <div className="overlay">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={ids.title}
        aria-describedby={ids.body}
        className="dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onAnswer(prompt.kind === 'host-key' ? false : null);
        }}
      >
        {prompt.kind === 'host-key' ? (
          <>
            <h2 id={ids.title}>Unknown SSH host key</h2>
            <div id={ids.body}>
              <p>
                The SSH host {prompt.host}
                {prompt.port === 22 ? '' : ` port ${prompt.port}`} is not known yet. It presented this key:
              </p>
              <dl>
                <dt>Key type</dt>
                <dd>{prompt.keyType}</dd>
                <dt>Fingerprint</dt>
                <dd>
                  <code>{prompt.fingerprint}</code>
                </dd>
              </dl>
              <p>
                Trust it only if it matches what <code>ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub</code>{' '}
                prints on that host. Porthole remembers it and refuses a different key later.
              </p>
            </div>
            <div className="row end">
              <button type="button" onClick={() => onAnswer(false)}>
                Cancel
              </button>
              <button type="button" ref={first} onClick={() => onAnswer(true)}>
                Trust
              </button>
            </div>
          </>
        ) : (
          <>
            <h2 id={ids.title}>{prompt.kind === 'password' ? 'SSH password' : 'SSH key passphrase'}</h2>
            <p id={ids.body}>
              {prompt.retry && 'That was not accepted. '}
              {prompt.kind === 'password'
                ? `The tunnel logs in as ${prompt.subject}.`
                : `The key ${prompt.subject} is encrypted.`}
            </p>
            <form onSubmit={submit}>
              <label htmlFor={ids.field}>{prompt.kind === 'password' ? 'Password' : 'Passphrase'}</label>
              <input
                id={ids.field}
                ref={first}
                type="password"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                autoComplete="off"
              />
              <div className="row end">
                <button type="button" onClick={() => onAnswer(null)}>
                  Cancel
                </button>
                <button type="submit">Log in</button>
              </div>
            </form>
          </>
        )}
      </div>
    </div>
  );
}
