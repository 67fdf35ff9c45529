import { app, type BrowserWindow, Menu, type MenuItemConstructorOptions } from 'electron';
import { OPEN_TARGET_CHANNEL } from '../../shared/ipc.ts';

export interface MenuOptions {
  isDev: boolean;
  /** The window the menu acts on (the focused one, else the first). */
  window(): BrowserWindow | undefined;
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
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { label: 'Help', submenu: [{ label: 'About Porthole', click: () => app.showAboutPanel() }] },
  ];
}

export function installMenu(options: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(options)));
}
