import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

class FakeChild extends EventEmitter {
  posted: unknown[] = [];
  kill = vi.fn(() => true);
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
}
const forks: FakeChild[] = [];

vi.mock('electron', () => ({
  ipcMain: { handle: vi.fn() },
  BrowserWindow: { fromWebContents: () => ({}) },
  MessageChannelMain: class {
    port1 = {};
    port2 = {};
  },
  utilityProcess: {
    fork: () => {
      const child = new FakeChild();
      forks.push(child);
      return child;
    },
  },
  clipboard: {},
  dialog: {},
  app: { getPath: () => '/nonexistent' },
}));

const { openSession } = await import('../../../main/electron/session-processes.ts');

class FakeSender extends EventEmitter {
  postMessage(): void {}
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('main answers a session process’s password requests from the store', () => {
  it('replies to that process only, while it lives', async () => {
    const lookup = vi.fn(async (id: string, target: string) =>
      id === 'b1' && target === 'h:1' ? 'pw' : undefined,
    );
    openSession(new FakeSender() as never, '/entry.js', lookup);
    const child = forks[0];
    child.emit('message', { type: 'password-request', requestId: 1, bookmarkId: 'b1', target: 'h:1' });
    await settle();
    expect(child.posted.at(-1)).toEqual({ type: 'password-reply', requestId: 1, password: 'pw' });

    child.emit('exit', 0);
    child.emit('message', { type: 'password-request', requestId: 2, bookmarkId: 'b1', target: 'h:1' });
    await settle();
    expect(child.posted.at(-1)).toEqual({ type: 'password-reply', requestId: 1, password: 'pw' });
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it('without a look-up, a session is never answered a password', async () => {
    openSession(new FakeSender() as never, '/entry.js');
    const child = forks[1];
    child.emit('message', { type: 'password-request', requestId: 1, bookmarkId: 'b1', target: 'h:1' });
    await settle();
    expect(child.posted).toEqual([{ type: 'session' }]);
  });
});
