import { EventEmitter } from 'node:events';

/**
 * Loaded (`--import`) into a utility process's Node child before its entry runs: sets up
 * `process.parentPort` as Electron does, and the MessagePorts main transfers, all carried over
 * the child's IPC channel (structured clone: `serialization: 'advanced'`).
 */

/** Main → child. */
export type ParentMessage =
  | { kind: 'parent-message'; data: unknown; portIds: string[] }
  | { kind: 'port-message'; id: string; data: unknown }
  | { kind: 'port-close'; id: string };

/** Child → main. */
export type ChildMessage =
  | { kind: 'parent-message'; data: unknown }
  | { kind: 'port-message'; id: string; data: unknown }
  | { kind: 'port-close'; id: string };

function send(message: ChildMessage): void {
  if (process.connected) process.send?.(message);
}

/** This process's end of a MessagePortMain pair whose other end is in main (or beyond). */
class ChildPort
  extends EventEmitter
  implements Pick<Electron.MessagePortMain, 'postMessage' | 'start' | 'close'>
{
  private queue: unknown[] = [];
  private started = false;
  private closed = false;

  constructor(private readonly id: string) {
    super();
  }
  postMessage(message: unknown): void {
    if (!this.closed) send({ kind: 'port-message', id: this.id, data: message });
  }
  start(): void {
    this.started = true;
    for (const data of this.queue.splice(0)) this.emit('message', { data, ports: [] });
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    ports.delete(this.id);
    send({ kind: 'port-close', id: this.id });
    this.emit('close');
  }
  arrive(data: unknown): void {
    if (this.closed) return;
    if (this.started) this.emit('message', { data, ports: [] });
    else this.queue.push(data);
  }
  remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    ports.delete(this.id);
    this.emit('close');
  }
}

/** Like Electron's, it holds messages until the entry listens for them (its first 'message' listener). */
export class ParentPortStandIn extends EventEmitter implements Pick<Electron.ParentPort, 'postMessage'> {
  private held: Array<{ data: unknown; ports: ChildPort[] }> | null = [];

  constructor() {
    super();
    this.on('newListener', (event) => {
      if (event !== 'message' || this.held === null) return;
      const held = this.held;
      this.held = null;
      queueMicrotask(() => {
        for (const message of held) this.emit('message', message);
      });
    });
  }
  postMessage(message: unknown): void {
    send({ kind: 'parent-message', data: message });
  }
  deliver(message: { data: unknown; ports: ChildPort[] }): void {
    if (this.held) this.held.push(message);
    else this.emit('message', message);
  }
}

const ports = new Map<string, ChildPort>();
const parentPort = new ParentPortStandIn();

process.on('message', (message: ParentMessage) => {
  if (message.kind === 'parent-message') {
    const transferred = message.portIds.map((id) => {
      const port = new ChildPort(id);
      ports.set(id, port);
      return port;
    });
    parentPort.deliver({ data: message.data, ports: transferred });
  } else if (message.kind === 'port-message') {
    ports.get(message.id)?.arrive(message.data);
  } else {
    ports.get(message.id)?.remoteClosed();
  }
});
// A utility process does not outlive the app that started it.
process.on('disconnect', () => process.exit(1));

(process as { parentPort?: unknown }).parentPort = parentPort;
