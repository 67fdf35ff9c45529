import type { FromSession } from '../../shared/session-protocol.ts';
import type { SessionChannel } from '../session/session-host.ts';

/** The part of Electron's MessagePortMain the session process uses. */
export interface PortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  postMessage(message: unknown): void;
  close(): void;
}

/**
 * Wraps a MessagePortMain as the session host's channel. `start()` runs on the first
 * `onMessage`, so no message is dropped before the host listens (the port queues until then).
 */
export function channelFromPort(port: PortLike): SessionChannel {
  let started = false;
  let closed = false;
  const closeListeners: Array<() => void> = [];
  port.on('close', () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  });
  return {
    send(message: FromSession) {
      if (!closed) port.postMessage(message);
    },
    onMessage(listener) {
      port.on('message', (event) => listener(event.data));
      if (!started) {
        started = true;
        port.start();
      }
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      port.close();
      for (const listener of closeListeners) listener();
    },
  };
}

/** The parent's side of a utility process, as far as the session entry needs it. */
export interface ParentPortLike {
  once(event: 'message', listener: (event: { data: unknown; ports: PortLike[] }) => void): unknown;
}

/**
 * Waits for main's `{ type: 'session' }` message carrying the session's port, runs the host on
 * it and exits once the channel closes (the window closed, reloaded, or the session ended).
 */
export function serveSessionPort(
  parentPort: ParentPortLike,
  runHost: (channel: SessionChannel) => void,
  exit: (code: number) => void,
): void {
  parentPort.once('message', (event) => {
    const port = event.ports[0];
    const data = event.data as { type?: unknown } | null;
    if (!port || data?.type !== 'session') {
      exit(1);
      return;
    }
    const channel = channelFromPort(port);
    channel.onClose(() => exit(0));
    runHost(channel);
    // A host that never listens still needs the port started to see it close.
    port.start();
  });
}
