/**
 * A session process asks main for a bookmark's stored password over its parent port; main
 * answers from the vault. The password travels main → session only, never through the
 * renderer. Plain Node (no `electron` import) so both ends can be tested.
 */

import { PendingReplies } from '../../shared/pending-replies.ts';

export interface PasswordRequest {
  type: 'password-request';
  requestId: number;
  bookmarkId: string;
  target: string;
}

export interface PasswordReply {
  type: 'password-reply';
  requestId: number;
  password?: string;
}

/** How long a session waits for main's answer before asking the user instead. */
export const PASSWORD_REPLY_TIMEOUT_MS = 10_000;

/** The session process's side of its parent port (Electron's `process.parentPort`). */
export interface ParentLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** Session side: a `lookupPassword` for the session host that asks main. */
export function lookupOverParent(
  parent: ParentLike,
  timeoutMs = PASSWORD_REPLY_TIMEOUT_MS,
): (bookmarkId: string, target: string) => Promise<string | undefined> {
  const pending = new PendingReplies<string | undefined>();
  parent.on('message', (event) => {
    const reply = event.data as Partial<PasswordReply> | null;
    if (reply?.type !== 'password-reply') return;
    pending.resolve(reply.requestId, typeof reply.password === 'string' ? reply.password : undefined);
  });
  return (bookmarkId, target) => {
    const { id, reply } = pending.start({ ms: timeoutMs, value: undefined });
    parent.postMessage({
      type: 'password-request',
      requestId: id,
      bookmarkId,
      target,
    } satisfies PasswordRequest);
    return reply;
  };
}

/** Main's view of one session process (Electron's UtilityProcess). */
export interface ChildLike {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: unknown): void;
}

/**
 * Main side: answers one session process's password requests. The listener is on that
 * process alone, so a request can only be its own; it may ask about one bookmark only (the
 * one it was opened for: a session never connects to two), and only while `alive()`.
 */
export function answerPasswordRequests(
  child: ChildLike,
  lookup: (bookmarkId: string, target: string) => Promise<string | undefined>,
  alive: () => boolean,
): void {
  let boundTo: string | undefined;
  child.on('message', (message) => {
    const request = message as Partial<PasswordRequest> | null;
    if (request?.type !== 'password-request' || typeof request.requestId !== 'number') return;
    const { requestId, bookmarkId, target } = request;
    const reply = (password?: string) => {
      if (!alive()) return;
      child.postMessage(
        password === undefined
          ? ({ type: 'password-reply', requestId } satisfies PasswordReply)
          : ({ type: 'password-reply', requestId, password } satisfies PasswordReply),
      );
    };
    if (typeof bookmarkId !== 'string' || typeof target !== 'string' || !alive()) return reply();
    boundTo ??= bookmarkId;
    if (bookmarkId !== boundTo) return reply();
    lookup(bookmarkId, target).then(reply, () => reply());
  });
}
