import { EventEmitter } from 'node:events';
import type { IpcMainInvokeEvent } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type IpcHandler = (event: IpcMainInvokeEvent) => unknown;

const handlers = new Map<string, IpcHandler>();
const ourContents = new Set<object>();
const forks: FakeChild[] = [];

class FakeChild extends EventEmitter {
  posted: Array<{ message: unknown; transfer: unknown[] }> = [];
  kill = vi.fn(() => true);
  constructor(
    readonly modulePath: string,
    readonly options: unknown,
  ) {
    super();
  }
  postMessage(message: unknown, transfer: unknown[] = []): void {
    this.posted.push({ message, transfer });
  }
}

class FakeChannel {
  port1 = { name: 'port1' };
  port2 = { name: 'port2' };
}

class FakeSender extends EventEmitter {
  mainFrame = { url: 'app://porthole/index.html', parent: null };
  posted: Array<{ channel: string; message: unknown; transfer: unknown[] }> = [];
  postMessage(channel: string, message: unknown, transfer: unknown[] = []): void {
    this.posted.push({ channel, message, transfer });
  }
}

vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, handler: IpcHandler) => handlers.set(channel, handler) },
  BrowserWindow: { fromWebContents: (contents: object) => (ourContents.has(contents) ? {} : null) },
  MessageChannelMain: FakeChannel,
  utilityProcess: {
    fork: (modulePath: string, _args: string[], options: unknown) => {
      const child = new FakeChild(modulePath, options);
      forks.push(child);
      return child;
    },
  },
  clipboard: {},
  dialog: {},
  app: { getPath: () => '/nonexistent' },
}));

const { registerSessionHandler, sessionCount, killAllSessions } = await import(
  '../../../main/electron/session-processes.ts'
);
registerSessionHandler(undefined, '/out/main/session-process.js');

function open(sender = trustedSender()): unknown {
  const handler = handlers.get('porthole:session:open');
  if (!handler) throw new Error('no session handler');
  return handler({ sender, senderFrame: sender.mainFrame } as unknown as IpcMainInvokeEvent);
}

function trustedSender(): FakeSender {
  const sender = new FakeSender();
  ourContents.add(sender);
  return sender;
}

beforeEach(() => {
  killAllSessions();
  forks.length = 0;
});

describe('session processes', () => {
  it('forks a utility process and hands one port to it and the other to the renderer', () => {
    const sender = trustedSender();
    const id = open(sender);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(forks).toHaveLength(1);
    expect(forks[0].modulePath).toBe('/out/main/session-process.js');
    expect(forks[0].options).toEqual({ serviceName: 'Porthole session' });
    expect(forks[0].posted).toEqual([{ message: { type: 'session' }, transfer: [{ name: 'port1' }] }]);
    expect(sender.posted).toEqual([
      { channel: 'porthole:session:port', message: { id }, transfer: [{ name: 'port2' }] },
    ]);
    expect(sessionCount()).toBe(1);
  });

  it('refuses an untrusted sender and forks nothing', () => {
    const stranger = new FakeSender();
    expect(() => open(stranger)).toThrow(/untrusted/);
    const foreign = trustedSender();
    foreign.mainFrame.url = 'https://evil.example/';
    expect(() => open(foreign)).toThrow(/untrusted/);
    expect(forks).toHaveLength(0);
  });

  it('kills the session processes of a window that goes away', () => {
    const sender = trustedSender();
    open(sender);
    open(sender);
    const other = trustedSender();
    open(other);
    sender.emit('destroyed');
    expect(forks[0].kill).toHaveBeenCalled();
    expect(forks[1].kill).toHaveBeenCalled();
    expect(forks[2].kill).not.toHaveBeenCalled();
    expect(sessionCount()).toBe(1);
  });

  it('survives a crashed session process, logging it', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const sender = trustedSender();
    open(sender);
    forks[0].emit('error', 'FatalError', 'somewhere', '{}');
    forks[0].emit('exit', 134);
    expect(sessionCount()).toBe(0);
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/exited with code 134/));
    sender.emit('destroyed');
    expect(forks[0].kill).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it('kills every session on quit', () => {
    open();
    open();
    killAllSessions();
    expect(forks.every((child) => child.kill.mock.calls.length === 1)).toBe(true);
    expect(sessionCount()).toBe(0);
  });
});
