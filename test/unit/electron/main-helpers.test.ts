import type { BrowserWindow, MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ app: { showAboutPanel: vi.fn() }, Menu: {} }));

const { targetFromArgv } = await import('../../../main/electron/open-target.ts');
const { menuTemplate, withoutStolenKeys } = await import('../../../main/electron/menu.ts');

describe('targetFromArgv', () => {
  it.each([
    [['/opt/Porthole/porthole', 'vnc://host:5901'], 'vnc://host:5901'],
    [['porthole', '--no-sandbox', 'VNC://Host'], 'VNC://Host'],
    [['porthole', '/home/me/server.vnc'], '/home/me/server.vnc'],
    [['porthole.exe', '--flag', 'C:\\Users\\me\\Desk.VNC'], 'C:\\Users\\me\\Desk.VNC'],
    [['porthole'], null],
    [['vnc://argv0-is-the-binary'], null],
    [['porthole', '--url=vnc://x', 'https://example.com/'], null],
  ])('%j → %j', (argv, target) => {
    expect(targetFromArgv(argv)).toBe(target);
  });
});

function item(
  template: MenuItemConstructorOptions[],
  menu: string,
  label: string,
): MenuItemConstructorOptions {
  const submenu = template.find((m) => m.label === menu)?.submenu as MenuItemConstructorOptions[];
  const found = submenu.find((i) => i.label === label || i.role === label);
  if (!found) throw new Error(`${menu} → ${label} missing`);
  return found;
}

describe('the app menu', () => {
  const send = vi.fn();
  const window = {
    webContents: { send },
    isFullScreen: () => false,
    setFullScreen: vi.fn(),
  } as unknown as BrowserWindow;

  it('File → New Connection asks the renderer for a new connection; Quit quits', () => {
    const template = menuTemplate({ isDev: false, window: () => window });
    item(template, 'File', 'New Connection').click?.(null as never, undefined, null as never);
    expect(send).toHaveBeenCalledWith('porthole:open-target', '');
    expect(item(template, 'File', 'quit').role).toBe('quit');
    item(template, 'View', 'Toggle Full Screen').click?.(null as never, undefined, null as never);
    expect(window.setFullScreen).toHaveBeenCalledWith(true);
    expect(item(template, 'Help', 'About Porthole')).toBeDefined();
  });

  it('offers Reload and DevTools only in development', () => {
    const roles = (isDev: boolean) => {
      const view = menuTemplate({ isDev, window: () => undefined }).find((m) => m.label === 'View');
      return ((view?.submenu ?? []) as MenuItemConstructorOptions[]).map((i) => i.role);
    };
    expect(roles(false)).not.toContain('reload');
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });
});

describe('menu shortcuts never steal keys from the remote desktop', () => {
  const flatten = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
    items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);

  it('registers no accelerator on Linux and Windows (F11, Ctrl+N, Ctrl+C…)', () => {
    for (const platform of ['linux', 'win32'] as const) {
      const items = flatten(
        withoutStolenKeys(menuTemplate({ isDev: true, window: () => undefined }), platform),
      );
      expect(items.length).toBeGreaterThan(8);
      for (const item of items) expect(item.registerAccelerator, `${item.label ?? item.role}`).toBe(false);
    }
  });

  it('keeps the platform convention on macOS', () => {
    const items = flatten(
      withoutStolenKeys(menuTemplate({ isDev: false, window: () => undefined }), 'darwin'),
    );
    for (const item of items) expect(item.registerAccelerator).toBeUndefined();
  });
});
