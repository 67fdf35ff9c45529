import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { answerPasswordRequests, lookupOverParent } from '../../../main/electron/password-requests.ts';

/** The two ends of a utility process's parent port: main's child handle and the child's parentPort. */
function linkedPair() {
  const child = new EventEmitter() as EventEmitter & { postMessage(message: unknown): void };
  const parent = new EventEmitter() as EventEmitter & { postMessage(message: unknown): void };
  // Main → child arrives as a MessageEvent; child → main as the bare message (Electron's shapes).
  child.postMessage = (message) =>
    queueMicrotask(() => parent.emit('message', { data: structuredClone(message) }));
  parent.postMessage = (message) => queueMicrotask(() => child.emit('message', structuredClone(message)));
  return { child, parent };
}

const stored: Record<string, string> = { desk: 'desk-pass', lab: 'lab-pass' };
const lookup = vi.fn(async (id: string, target: string) => (target === `${id}:1` ? stored[id] : undefined));

describe('password requests between a session process and main', () => {
  it('answers the session’s bookmark for its own server, and nothing else', async () => {
    const { child, parent } = linkedPair();
    answerPasswordRequests(child, lookup, () => true);
    const ask = lookupOverParent(parent);
    expect(await ask('desk', 'desk:1')).toBe('desk-pass');
    expect(await ask('desk', 'elsewhere:1')).toBeUndefined();
    // Bound to the first bookmark asked about: another one's password is refused.
    expect(await ask('lab', 'lab:1')).toBeUndefined();
    expect(lookup).not.toHaveBeenCalledWith('lab', 'lab:1');
  });

  it('answers nothing once the process is no longer the live session', async () => {
    const { child, parent } = linkedPair();
    answerPasswordRequests(child, lookup, () => false);
    const ask = lookupOverParent(parent, 50);
    expect(await ask('desk', 'desk:1')).toBeUndefined();
  });

  it('gives up after the timeout when main does not answer, and ignores malformed replies', async () => {
    const parent = new EventEmitter() as EventEmitter & { postMessage(message: unknown): void };
    const posted: unknown[] = [];
    parent.postMessage = (message) => posted.push(message);
    const ask = lookupOverParent(parent, 30);
    const pending = ask('desk', 'desk:1');
    parent.emit('message', { data: { type: 'password-reply', requestId: 'x', password: 'nope' } });
    parent.emit('message', { data: null });
    expect(await pending).toBeUndefined();
    expect(posted).toEqual([
      { type: 'password-request', requestId: 1, bookmarkId: 'desk', target: 'desk:1' },
    ]);
  });

  it('ignores requests of the wrong shape and failing look-ups answer empty', async () => {
    const child = new EventEmitter() as EventEmitter & { postMessage(message: unknown): void };
    const replies: unknown[] = [];
    child.postMessage = (message) => replies.push(message);
    answerPasswordRequests(
      child,
      async () => Promise.reject(new Error('keyring locked')),
      () => true,
    );
    child.emit('message', { type: 'password-request', requestId: 'one' });
    child.emit('message', 'junk');
    child.emit('message', { type: 'password-request', requestId: 3, bookmarkId: 'desk', target: 'desk:1' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(replies).toEqual([{ type: 'password-reply', requestId: 3 }]);
  });
});
