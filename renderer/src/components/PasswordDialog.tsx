import { type FormEvent, useEffect, useId, useRef, useState } from 'react';

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
  const input = useRef<HTMLInputElement>(null);
  const ids = { title: useId(), field: useId(), message: useId() };
  useEffect(() => input.current?.focus(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit(password);
  };
  return (
    <div className="overlay">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={ids.title}
        aria-describedby={props.message ? ids.message : undefined}
        className="dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onCancel();
        }}
      >
        <h2 id={ids.title}>{props.title ?? 'Password required'}</h2>
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
            ref={input}
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
      </div>
    </div>
  );
}
