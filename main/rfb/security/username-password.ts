import { RfbError } from '../../../shared/rfb-error.ts';
import type { Credentials } from './handler.ts';
import { passwordOrAsk } from './vnc-auth.ts';

/** Whether the user was asked for the password already (asked once per exchange). */
export interface Prompt {
  asked: boolean;
}

/**
 * The username and password for a type that needs both (Plain, RSA-AES's subtype 1, Apple
 * Remote Desktop, MSLogonII), or undefined while the user is being asked for the password.
 */
export function usernameAndPassword(
  credentials: Credentials,
  type: string,
  prompt: Prompt,
): { username: string; password: string } | undefined {
  const username = credentials.username;
  if (!username) {
    throw new RfbError(
      'auth',
      `the server asks for a username and password (${type}) and no username was given`,
      'Give one with --username NAME (or the bookmark’s username)',
    );
  }
  const password = passwordOrAsk(credentials, prompt.asked, `a password for the user ${username}`);
  if (password === undefined) prompt.asked = true;
  return password === undefined ? undefined : { username, password };
}

/** The password alone (RSA-AES's subtype 2; the username is empty), or undefined while it is asked for. */
export function passwordOnly(
  credentials: Credentials,
  prompt: Prompt,
): { username: string; password: string } | undefined {
  const password = passwordOrAsk(credentials, prompt.asked, 'a password');
  if (password === undefined) prompt.asked = true;
  return password === undefined ? undefined : { username: '', password };
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
