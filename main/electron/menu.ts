import { app, type BrowserWindow, Menu, type MenuItemConstructorOptions } from 'electron';
import { OPEN_TARGET_CHANNEL } from '../../shared/ipc.ts';

export interface MenuOptions {
  isDev: boolean;
  /** The window the menu acts on (the focused one, else the first). */
  window(): BrowserWindow | undefined;
}

/**
 * Menu shortcuts are shown but not registered (except on macOS, where Cmd shortcuts are the
 * platform's convention): a registered F11 or Ctrl+N would never reach the remote desktop.
 * The viewer's own menu key (F8) offers the same actions.
 */
export function withoutStolenKeys(
  items: MenuItemConstructorOptions[],
  platform: NodeJS.Platform = process.platform,
): MenuItemConstructorOptions[] {
  if (platform === 'darwin') return items;
  return items.map((item) => ({
    ...item,
    registerAccelerator: false,
    ...(Array.isArray(item.submenu) ? { submenu: withoutStolenKeys(item.submenu, platform) } : {}),
  }));
}

export function menuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [
    {
      label: 'Toggle Full Screen',
      accelerator: process.platform === 'darwin' ? 'Ctrl+Command+F' : 'F11',
      click: () => {
        const window = options.window();
        window?.setFullScreen(!window.isFullScreen());
      },
    },
  ];
  if (options.isDev) view.push({ role: 'reload' }, { role: 'toggleDevTools' });
  return [
    {
      label: 'File',
      submenu: [
        {
          label: 'New Connection',
          accelerator: 'CmdOrCtrl+N',
          click: () => options.window()?.webContents.send(OPEN_TARGET_CHANNEL, ''),
        },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: view },
    { label: 'Help', submenu: [{ label: 'About Porthole', click: () => app.showAboutPanel() }] },
  ];
}

export function installMenu(options: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(withoutStolenKeys(menuTemplate(options))));
}
