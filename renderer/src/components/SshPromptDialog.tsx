import { useEffect, useId, useRef } from 'react';
import type { SshPrompt } from '../../../shared/session-protocol.ts';
import { PasswordDialog } from './PasswordDialog.tsx';

/**
 * What an SSH tunnel asks while the connection waits: whether to trust an unknown host key
 * (its type and SHA-256 fingerprint, as `ssh-keygen -lf` prints it), or a password or key
 * passphrase. Answers go to the session only; nothing is stored here.
 */
export function SshPromptDialog(props: {
  target: string;
  prompt: SshPrompt;
  onAnswer(answer: boolean | string | null): void;
}) {
  const { prompt, onAnswer } = props;
  const ids = { title: useId(), body: useId() };
  const trust = useRef<HTMLButtonElement>(null);
  useEffect(() => trust.current?.focus(), []);
  if (prompt.kind !== 'host-key') {
    const password = prompt.kind === 'password';
    return (
      <PasswordDialog
        target={props.target}
        title={password ? 'SSH password' : 'SSH key passphrase'}
        description={
          password ? `The tunnel logs in as ${prompt.subject}.` : `The key ${prompt.subject} is encrypted.`
        }
        label={password ? 'Password' : 'Passphrase'}
        message={prompt.retry ? 'That was not accepted.' : undefined}
        onSubmit={(secret) => onAnswer(secret)}
        onCancel={() => onAnswer(null)}
      />
    );
  }
  return (
    <div className="overlay">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={ids.title}
        aria-describedby={ids.body}
        className="dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onAnswer(false);
        }}
      >
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
            Trust it only if it matches what <code>ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub</code> prints on
            that host. Porthole remembers it and refuses a different key later.
          </p>
        </div>
        <div className="row end">
          <button type="button" onClick={() => onAnswer(false)}>
            Cancel
          </button>
          <button type="button" ref={trust} onClick={() => onAnswer(true)}>
            Trust
          </button>
        </div>
      </div>
    </div>
  );
}
