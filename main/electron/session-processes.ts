import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  app,
  ipcMain,
  MessageChannelMain,
  type UtilityProcess,
  utilityProcess,
  type WebContents,
} from 'electron';
import { SESSION_OPEN_CHANNEL, SESSION_PORT_CHANNEL } from '../../shared/ipc.ts';
import { assertTrustedEvent } from './ipc-handlers.ts';
import { answerPasswordRequests } from './password-requests.ts';

/** A bookmark's stored password for a session to `target` (main/app/settings-store.ts). */
export type PasswordLookup = (bookmarkId: string, target: string) => Promise<string | undefined>;

/**
 * One utility process per session. Main only introduces the two ends: the child gets port1,
 * the renderer port2, and the session's traffic never crosses the main process.
 */

const children = new Map<string, UtilityProcess>();

/** The built child entry, next to out/main/index.js. */
export function sessionEntryPath(): string {
  return join(import.meta.dirname, 'session-process.js');
}

export function registerSessionHandler(
  devUrl: string | undefined,
  entry = sessionEntryPath(),
  lookupPassword?: PasswordLookup,
): void {
  ipcMain.handle(SESSION_OPEN_CHANNEL, (event) => {
    assertTrustedEvent(event, devUrl);
    return openSession(event.sender, entry, lookupPassword);
  });
}

export function openSession(sender: WebContents, entry: string, lookupPassword?: PasswordLookup): string {
  const id = randomUUID();
  const { port1, port2 } = new MessageChannelMain();
  // The data directory: where the session keeps SSH host keys the user trusts.
  const child = utilityProcess.fork(entry, [app.getPath('userData')], { serviceName: 'Porthole session' });
  children.set(id, child);

  const kill = (): void => {
    if (children.delete(id)) child.kill();
  };
  sender.once('destroyed', kill);
  sender.once('render-process-gone', kill);
  child.once('exit', (code) => {
    children.delete(id);
    sender.removeListener('destroyed', kill);
    sender.removeListener('render-process-gone', kill);
    // A crashed session is that session's problem; the main process carries on.
    if (code !== 0) console.error(`porthole: session process ${id} exited with code ${code}`);
  });
  // Without a listener an 'error' event would throw in main.
  child.on('error', (type, location) =>
    console.error(`porthole: session process ${id}: ${type} ${location}`),
  );

  // The child asks for its bookmark's stored password here; the renderer never sees it.
  if (lookupPassword) answerPasswordRequests(child, lookupPassword, () => children.get(id) === child);

  child.postMessage({ type: 'session' }, [port1]);
  sender.postMessage(SESSION_PORT_CHANNEL, { id }, [port2]);
  return id;
}

/** How many session processes are alive (for tests and diagnostics). */
export function sessionCount(): number {
  return children.size;
}

export function killAllSessions(): void {
  for (const [id, child] of children) {
    children.delete(id);
    child.kill();
  }
}
