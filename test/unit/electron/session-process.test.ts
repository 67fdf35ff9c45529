import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { channelFromPort, serveSessionPort } from '../../../main/electron/port-channel.ts';
import type { SessionChannel } from '../../../main/session/session-host.ts';
import type { FromSession } from '../../../shared/session-protocol.ts';

/** Imitates Electron's MessagePortMain: messages queue until start(), 'close' when the peer goes. */
class FakePort extends EventEmitter {
  started = false;
  closed = false;
  sent: unknown[] = [];
  private queue: unknown[] = [];
  start(): void {
    this.started = true;
    for (const data of this.queue.splice(0)) this.emit('message', { data });
  }
  postMessage(message: unknown): void {
    this.sent.push(message);
  }
  close(): void {
    this.closed = true;
  }
  /** The renderer posts a message. */
  deliver(data: unknown): void {
    if (this.started) this.emit('message', { data });
    else this.queue.push(data);
  }
}

describe('the MessagePortMain → SessionChannel wrapper', () => {
  it('passes raw messages to the host, starting the port once it listens', () => {
    const port = new FakePort();
    const channel = channelFromPort(port);
    port.deliver({ type: 'open', request: { target: 'host:1' } });
    expect(port.started).toBe(false);
    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    expect(port.started).toBe(true);
    port.deliver('not even an object');
    expect(received).toEqual([{ type: 'open', request: { target: 'host:1' } }, 'not even an object']);
  });

  it('posts the host messages to the port, and nothing after close', () => {
    const port = new FakePort();
    const channel = channelFromPort(port);
    const bell: FromSession = { type: 'bell' };
    const draw: FromSession = { type: 'draw', batch: new ArrayBuffer(8) };
    channel.send(bell);
    channel.send(draw);
    expect(port.sent).toEqual([bell, draw]);
    channel.close();
    expect(port.closed).toBe(true);
    channel.send(bell);
    expect(port.sent).toHaveLength(2);
  });

  it('tells every close listener once, whether the peer or the host closes', () => {
    const port = new FakePort();
    const channel = channelFromPort(port);
    const a = vi.fn();
    const b = vi.fn();
    channel.onClose(a);
    channel.onClose(b);
    port.emit('close');
    port.emit('close');
    channel.close();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);

    const other = channelFromPort(new FakePort());
    const c = vi.fn();
    other.onClose(c);
    other.close();
    expect(c).toHaveBeenCalledTimes(1);
  });
});

describe('the session process entry', () => {
  it('runs the host on the port main sends and exits when the channel closes', () => {
    const parent = new EventEmitter();
    const port = new FakePort();
    const exit = vi.fn();
    let channel: SessionChannel | undefined;
    serveSessionPort(
      parent,
      (c) => {
        channel = c;
      },
      exit,
    );
    parent.emit('message', { data: { type: 'session' }, ports: [port] });
    expect(channel).toBeDefined();
    expect(port.started).toBe(true);
    channel?.send({ type: 'bell' });
    expect(port.sent).toEqual([{ type: 'bell' }]);
    expect(exit).not.toHaveBeenCalled();
    port.emit('close');
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits with an error on a message without a port or of another type', () => {
    for (const event of [
      { data: { type: 'session' }, ports: [] },
      { data: { type: 'other' }, ports: [new FakePort()] },
      { data: null, ports: [new FakePort()] },
    ]) {
      const parent = new EventEmitter();
      const exit = vi.fn();
      const run = vi.fn();
      serveSessionPort(parent, run, exit);
      parent.emit('message', event);
      expect(exit).toHaveBeenCalledWith(1);
      expect(run).not.toHaveBeenCalled();
    }
  });
});
