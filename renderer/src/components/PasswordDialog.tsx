import { type FormEvent, useId, useState } from 'react';
import { Dialog } from './Dialog.tsx';

/**
 * Asks for the VNC password when the server wants one (again, after a rejected one); with
 * `title`, `description` and `label`, for another secret (an SSH password or passphrase).
 */
export function PasswordDialog(props: {
  target: string;
  message?: string;
  title?: string;
  description?: string;
  label?: string;
  onSubmit(password: string): void;
  onCancel(): void;
}) {
  const [password, setPassword] = useState('');
  const ids = { field: useId(), message: useId() };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit(password);
  };
  return (
    <Dialog
      title={props.title ?? 'Password required'}
      onClose={props.onCancel}
      describedBy={props.message ? ids.message : undefined}
    >
      <p>{props.description ?? `${props.target} asks for its VNC password.`}</p>
      {props.message && (
        <p id={ids.message} className="error">
          {props.message}
        </p>
      )}
      <form onSubmit={submit}>
        <label htmlFor={ids.field}>{props.label ?? 'Password'}</label>
        <input
          id={ids.field}
          data-autofocus
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
        />
        <div className="row end">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit">Log in</button>
        </div>
      </form>
    </Dialog>
  );
}
