import { RfbError } from '../../../shared/rfb-error.ts';
import type { Credentials } from './handler.ts';
import { passwordOrAsk } from './vnc-auth.ts';

/**
 * The username and password for a type that needs both (Apple Remote Desktop, MSLogonII), or
 * undefined while the user is being asked for the password.
 */
export function usernameAndPassword(
  credentials: Credentials,
  type: string,
  asked: boolean,
): { username: string; password: string } | undefined {
  const username = credentials.username;
  if (!username) {
    throw new RfbError(
      'auth',
      `the server asks for a username and password (${type}) and no username was given`,
      'Give one with --username NAME (or the bookmark’s username)',
    );
  }
  const password = passwordOrAsk(credentials, asked, `a password for the user ${username}`);
  return password === undefined ? undefined : { username, password };
}

/** `text` as UTF-8 and a NUL in a field of `size` bytes (the rest is left for random filler). */
export function credentialField(text: string, size: number, what: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length >= size) {
    throw new RfbError('auth', `the ${what} is too long for this security type: at most ${size - 1} bytes`);
  }
  const field = new Uint8Array(bytes.length + 1);
  field.set(bytes);
  return field;
}
