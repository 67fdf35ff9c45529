import { useId } from 'react';
import type { SshPrompt } from '../../../shared/session-protocol.ts';
import { Dialog } from './Dialog.tsx';
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
  const body = useId();
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
    <Dialog title="Unknown SSH host key" onClose={() => onAnswer(false)} describedBy={body}>
      <div id={body}>
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
        <button type="button" data-autofocus onClick={() => onAnswer(true)}>
          Trust
        </button>
      </div>
    </Dialog>
  );
}
