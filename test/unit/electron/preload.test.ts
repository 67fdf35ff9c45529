import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { CONTROL_NAMES, type PreloadBridge } from '../../../shared/ipc.ts';

const ipc = new (class extends EventEmitter {
  invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => 'result');
})();
const exposed = new Map<string, unknown>();
const page = {
  location: { origin: 'app://porthole' },
  postMessage: vi.fn(),
};

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: ipc,
}));
vi.stubGlobal('window', page);

await import('../../../main/electron/preload.ts');
const bridge = exposed.get('portholeBridge') as PreloadBridge;

describe('the preload bridge', () => {
  it('exposes only portholeBridge, with only the listed members and no ipcRenderer', () => {
    expect([...exposed.keys()]).toEqual(['portholeBridge']);
    expect(Object.keys(bridge).sort()).toEqual([
      'invoke',
      'onOpenTarget',
      'onResume',
      'openSession',
      'versions',
    ]);
    expect(Object.keys(bridge.versions).sort()).toEqual(['chrome', 'electron', 'node']);
    expect(Object.values(bridge)).not.toContain(ipc);
  });

  it('invokes every control request on its channel', async () => {
    for (const name of CONTROL_NAMES) {
      ipc.invoke.mockClear();
      await expect(bridge.invoke(name, {} as never)).resolves.toBe('result');
      expect(ipc.invoke).toHaveBeenCalledWith(`porthole:${name}`, {});
    }
    await bridge.invoke('recent:add', { target: 'host:1' });
    expect(ipc.invoke).toHaveBeenLastCalledWith('porthole:recent:add', { target: 'host:1' });
  });

  it('rejects unknown names without touching IPC', async () => {
    ipc.invoke.mockClear();
    for (const name of ['session:open', 'porthole:recent:list', '__proto__', 'toString', '']) {
      await expect(bridge.invoke(name as never, {} as never)).rejects.toThrow(/unknown control request/);
    }
    await expect(bridge.invoke(42 as never, {} as never)).rejects.toThrow();
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('asks main for a session', async () => {
    ipc.invoke.mockResolvedValueOnce('session-id');
    await expect(bridge.openSession()).resolves.toBe('session-id');
    expect(ipc.invoke).toHaveBeenLastCalledWith('porthole:session:open');
  });

  it('subscribes to open targets and unsubscribes', () => {
    const seen: string[] = [];
    const unsubscribe = bridge.onOpenTarget((target) => seen.push(target));
    ipc.emit('porthole:open-target', {}, 'vnc://host:5901');
    ipc.emit('porthole:open-target', {}, { not: 'a string' });
    unsubscribe();
    ipc.emit('porthole:open-target', {}, 'vnc://later');
    expect(seen).toEqual(['vnc://host:5901']);
    expect(ipc.listenerCount('porthole:open-target')).toBe(0);
  });

  it('passes on the machine resuming from sleep, and unsubscribes', () => {
    let resumed = 0;
    const unsubscribe = bridge.onResume(() => resumed++);
    ipc.emit('porthole:resume', {});
    unsubscribe();
    ipc.emit('porthole:resume', {});
    expect(resumed).toBe(1);
    expect(ipc.listenerCount('porthole:resume')).toBe(0);
  });

  it('forwards a session port to the page with the page origin', () => {
    const port = { name: 'port2' };
    ipc.emit('porthole:session:port', { ports: [port] }, { id: 'abc' });
    expect(page.postMessage).toHaveBeenCalledWith({ portholeSessionPort: 'abc' }, 'app://porthole', [port]);
  });

  it('uses * only for an opaque origin, and ignores malformed deliveries', () => {
    page.postMessage.mockClear();
    page.location.origin = 'null';
    ipc.emit('porthole:session:port', { ports: [{}] }, { id: 'x' });
    expect(page.postMessage).toHaveBeenCalledWith({ portholeSessionPort: 'x' }, '*', [{}]);
    page.location.origin = 'app://porthole';
    page.postMessage.mockClear();
    ipc.emit('porthole:session:port', { ports: [] }, { id: 'x' });
    ipc.emit('porthole:session:port', { ports: [{}] }, { id: 7 });
    ipc.emit('porthole:session:port', { ports: [{}] }, null);
    expect(page.postMessage).not.toHaveBeenCalled();
    expect(ipc.listenerCount('porthole:session:port')).toBe(1);
  });
});
