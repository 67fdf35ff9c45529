import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SESSION_OPEN_CHANNEL } from '../../shared/ipc.ts';
import {
  chooseOption,
  readCanvas,
  statusText,
  step,
  toolbar,
  typeLikeAPerson,
  waitForCanvasToEqual,
  waitForStatus,
  waitOnPage,
  xPointer,
} from '../support/browser.ts';
import { tempDir } from '../support/cli.ts';
import { reduceTruth } from '../support/colour-model.ts';
import { startXvnc, stopAllServers, type XServer } from '../support/servers.ts';
import { differingPixels, psnr, readPng } from '../support/truth.ts';
import * as electron from './electron.ts';

// The app's `import … from 'electron'` gets the stand-in.
vi.mock('electron', () => import('./electron.ts'));

/**
 * The desktop app's own wiring, run for real: the built main process (out/main/index.js, as
 * the packaged app runs it), its real preload and renderer, on the Electron stand-in of
 * electron.ts. A person saves a bookmark with its password (kept by safeStorage), connects to a
 * real Xvnc through it (the session in its own utility process, its port bridged to the
 * page), sees the exact picture, types into an xterm, switches colour level and quality live,
 * loses the session process (the tab says so) and reconnects.
 */

const PASSWORD = 'hX4rbQ9t';

describe('the desktop app on the Electron stand-in (main, preload, renderer, session process)', () => {
  let server: XServer;
  let userData: string;
  let page: Page;
  const screen = () => page.locator('canvas[data-porthole-screen]:visible').first();

  beforeAll(async () => {
    server = await startXvnc({ security: 'vncauth', password: PASSWORD, geometry: [1024, 768] });
    userData = tempDir('porthole-electron-');
    await electron.start({ userData }, () => import('../../out/main/index.js' as string));
    const mainWindow = await waitFor('the main window', () => electron.BrowserWindow.getAllWindows()[0]);
    page = await mainWindow.webContents.page;
    await page.getByRole('heading', { name: 'Bookmarks', exact: true }).waitFor({ timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await electron.stop();
    await stopAllServers();
    rmSync(userData, { recursive: true, force: true });
  });

  it('starts as the packaged app does: app:// scheme, menu, permissions denied, a sandboxed window', async () => {
    expect(electron.recorded.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(electron.recorded.protocolClients).toEqual(['vnc']);
    // After sleep, main tells every window to have its sessions check their servers.
    expect(electron.powerMonitor.listenerCount('resume')).toBe(1);
    expect(electron.recorded.applicationMenu?.items.map((item) => item.label)).toEqual([
      'File',
      'Edit',
      'View',
      'Help',
    ]);
    // Every permission asked for or checked is refused, in the session every window uses.
    const { defaultSession } = electron.session;
    const answers: boolean[] = [];
    defaultSession.permissionRequestHandler?.(
      {} as never,
      'notifications',
      (granted) => answers.push(granted),
      {
        requestingUrl: 'app://porthole/index.html',
        isMainFrame: true,
      },
    );
    expect(answers).toEqual([false]);
    expect(
      defaultSession.permissionCheckHandler?.(null, 'clipboard-read', 'app://porthole', {
        isMainFrame: true,
        embeddingOrigin: 'app://porthole',
        requestingUrl: 'app://porthole/index.html',
      }),
    ).toBe(false);
    const [mainWindow] = electron.BrowserWindow.getAllWindows();
    expect(mainWindow.isVisible()).toBe(true);
    expect(mainWindow.webContents.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
    });
    // The page is the app's, answered by its own protocol handler with its CSP.
    expect(mainWindow.webContents.getURL()).toBe('app://porthole/index.html');
    const csp = await page.evaluate(async () =>
      (await fetch('/index.html')).headers.get('content-security-policy'),
    );
    expect(csp).toMatch(/default-src 'self'/);
    // The preload's bridge, and nothing of Node or of ipcRenderer, is what the page sees.
    expect(
      await page.evaluate(() => ({
        bridge: Object.keys(window.portholeBridge ?? {}).sort(),
        electron: window.portholeBridge?.versions.electron,
        require: typeof (window as { require?: unknown }).require,
        process: typeof (window as { process?: unknown }).process,
      })),
    ).toEqual({
      bridge: ['invoke', 'onOpenTarget', 'onResume', 'openSession', 'versions'],
      electron: '45.4.1',
      require: 'undefined',
      process: 'undefined',
    });
  });

  it('main refuses IPC from a frame that is not the window’s main frame', async () => {
    await page.evaluate(() => {
      const frame = document.createElement('iframe');
      frame.name = 'child';
      document.body.append(frame);
    });
    const child = await waitFor('the child frame', () => page.frame({ name: 'child' }) ?? undefined);
    const answer = await child.evaluate(
      ([binding, channel]) =>
        (
          window as unknown as Record<
            string,
            (c: string, a: unknown) => Promise<{ ok: boolean; error?: string }>
          >
        )[binding](channel, []),
      ['__electronHarnessInvoke', SESSION_OPEN_CHANNEL] as const,
    );
    expect(answer).toEqual({ ok: false, error: 'Error: porthole: IPC from an untrusted frame refused' });
    expect(electron.utilityProcesses()).toHaveLength(0);
    await page.evaluate(() => document.querySelector('iframe[name=child]')?.remove());
  });

  it('the page cannot navigate away or open windows: main refuses both', async () => {
    const url = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await waitFor('the navigation to be refused', () =>
      electron.recorded.navigations.find((n) => n.url === 'https://example.com/'),
    );
    expect(electron.recorded.navigations).toEqual([{ url: 'https://example.com/', prevented: true }]);
    expect(page.url()).toBe(url);
    await page.evaluate(() => window.open('https://example.com/popup', '_blank'));
    await waitFor('the window-open handler to answer', () => electron.recorded.windowOpens[0]);
    expect(electron.recorded.windowOpens.map((w) => w.action)).toEqual(['deny']);
    await waitFor('the popup to close', () => (page.context().pages().length === 1 ? true : undefined));
    // The app is still there and working.
    await page.getByRole('heading', { name: 'Bookmarks', exact: true }).waitFor();
  });

  it('saves a bookmark with its password, encrypted by safeStorage, never in plain text', async () => {
    const editor = page.getByRole('dialog', { name: /bookmark$/ });
    await step(page, 'new-bookmark', async () => {
      await page.getByRole('button', { name: 'New bookmark' }).click();
      await editor.getByRole('textbox', { name: 'Name', exact: true }).fill('Lab Xvnc');
      await editor.getByRole('textbox', { name: 'Address' }).fill(server.target);
      await chooseOption(editor.getByRole('combobox', { name: 'Picture quality' }), 'High');
      await chooseOption(editor.getByRole('combobox', { name: 'Colour level' }), 'full');
      await editor.getByRole('textbox', { name: /^Password/ }).fill(PASSWORD);
      await editor.getByRole('button', { name: 'Save bookmark' }).click();
      await editor.waitFor({ state: 'detached' });
    });
    const bookmarks = page.getByRole('region', { name: 'Bookmarks' });
    expect(await bookmarks.getByRole('listitem').first().innerText()).toContain('password stored');
    const passwords = readFileSync(join(userData, 'passwords.json'), 'utf8');
    expect(passwords).not.toContain(PASSWORD);
    expect(readFileSync(join(userData, 'settings.json'), 'utf8')).not.toContain(PASSWORD);
  });

  it('connects through the bookmark in a session process, without asking for the password, and shows the exact picture', async () => {
    await step(page, 'connect', () =>
      page
        .getByRole('region', { name: 'Bookmarks' })
        .getByRole('button', { name: 'Lab Xvnc', exact: true })
        .dblclick(),
    );
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'electron-connected');
    expect(await page.getByRole('dialog', { name: 'Password required' }).count()).toBe(0);
    expect(electron.utilityProcesses()).toHaveLength(1);
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'electron-picture');
  }, 90_000);

  it('types into an xterm on the remote screen', async () => {
    const file = join(userData, 'typed.txt');
    writeFileSync(file, '');
    const title = `porthole-electron-typing-${process.pid}`;
    const xterm: ChildProcess = server.run('xterm', [
      '-T',
      title,
      '-fn',
      'fixed',
      '-geometry',
      '60x8+0+400',
      '-e',
      'sh',
      '-c',
      `exec cat > '${file}'`,
    ]);
    await waitOnPage(page, 'the typing xterm to appear', 30_000, async () => {
      const found = await new Promise<string>((done) =>
        execFile(
          'xdotool',
          ['search', '--onlyvisible', '--name', title],
          { env: { ...process.env, DISPLAY: `:${server.display}` } },
          (_error, out) => done(out),
        ),
      );
      return found.trim() ? true : undefined;
    });
    await chooseOption(toolbar(page).getByRole('combobox', { name: 'Scaling' }), '1:1');
    await step(page, 'click-xterm', () => screen().click({ position: { x: 150, y: 450 } }));
    await waitOnPage(page, 'the X pointer in the xterm', 15_000, async () => {
      const at = await xPointer(server.display);
      return at.x === 150 && at.y === 450 ? true : undefined;
    });
    const text = 'Porthole on Electron: Hello, World!';
    await typeLikeAPerson(page, text);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+d');
    await waitOnPage(
      page,
      () => `the xterm to receive the text (file holds ${JSON.stringify(readFileSync(file, 'utf8'))})`,
      20_000,
      async () => (readFileSync(file, 'utf8') === `${text}\n` && xterm.exitCode !== null ? true : undefined),
    );
  }, 90_000);

  it('switches colour level and picture quality (Low: JPEG) live, ending exact', async () => {
    const bar = toolbar(page);
    await step(page, 'level-rgb332', () =>
      chooseOption(bar.getByRole('combobox', { name: 'Colour level' }), 'rgb332'),
    );
    await waitForCanvasToEqual(
      page,
      async () => {
        const truth = await server.truth();
        return { ...truth, data: reduceTruth(truth.data, 'rgb332', 'xvnc') };
      },
      30_000,
      'electron-rgb332',
    );
    await step(page, 'quality-low', async () => {
      await chooseOption(bar.getByRole('combobox', { name: 'Colour level' }), 'full');
      await chooseOption(bar.getByRole('combobox', { name: 'Picture quality' }), 'Low');
      // The screen holds still: ask for all of it again, now as Tight JPEG.
      await bar.getByRole('button', { name: 'Refresh', exact: true }).click();
    });
    const truth = await server.truth();
    // A finite PSNR is a lossy picture, which only JPEG makes here (test/e2e/jpeg.test.ts).
    await waitOnPage(page, 'a lossy (JPEG) picture close to the server', 30_000, async () => {
      const value = psnr((await readCanvas(page)).rgba, truth.data);
      return Number.isFinite(value) && value >= 22.5 ? true : undefined;
    });
    await step(page, 'quality-high', () =>
      chooseOption(bar.getByRole('combobox', { name: 'Picture quality' }), 'High'),
    );
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'electron-high-again');
  }, 90_000);

  it('Screenshot saves the remote screen where the save dialog says (PNG bytes over IPC), exact', async () => {
    const file = join(userData, 'screenshot.png');
    electron.setSaveDialogAnswer({ canceled: false, filePath: file });
    const { truth } = await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'electron-before-shot');
    await step(page, 'screenshot', () => toolbar(page).getByRole('button', { name: 'Screenshot' }).click());
    await waitFor('the screenshot file', () => (existsSync(file) ? true : undefined));
    expect(electron.recorded.saveDialogs.at(-1)?.defaultPath).toMatch(/\.png$/);
    const shot = await waitFor('a complete PNG', () => {
      try {
        return readPng(file);
      } catch {
        return undefined;
      }
    });
    expect(differingPixels(shot, truth)).toBe(0);
  }, 60_000);

  it('a killed session process ends only its tab, which says so; Reconnect starts a new one', async () => {
    const [first] = electron.utilityProcesses();
    expect(first.kill()).toBe(true);
    await waitForStatus(page, /session process ended unexpectedly/i, 15_000, 'electron-session-gone');
    expect(electron.utilityProcesses()).toHaveLength(0);
    // The window and main carry on.
    expect(electron.BrowserWindow.getAllWindows()).toHaveLength(1);
    await step(page, 'reconnect', () => toolbar(page).getByRole('button', { name: 'Reconnect' }).click());
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'electron-reconnected');
    const [second] = electron.utilityProcesses();
    expect(second.pid).not.toBe(first.pid);
    // Xvnc draws the X pointer into the picture for a client whose last pointer event is not
    // where the pointer is (VNCSConnectionST::needRenderedCursor): a new connection has sent
    // none, and the pointer still sits where the earlier test clicked. The user's mouse over
    // the screen sends one, after which Xvnc takes the drawn pointer away again.
    await step(page, 'hover-after-reconnect', () => screen().hover({ position: { x: 300, y: 200 } }));
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'electron-reconnected-picture');
    expect(await statusText(page)).not.toMatch(/ended unexpectedly/);
  }, 90_000);

  it('a vnc:// link handed to a second instance opens through its bookmark (webContents.send, link:resolve)', async () => {
    const tabs = page.getByRole('tab');
    const before = await tabs.count();
    // What Linux and Windows do with a link while the app runs: start it again with the link.
    electron.app.emit(
      'second-instance',
      { preventDefault() {} },
      ['porthole', `vnc://127.0.0.1:${server.port}`],
      '/',
    );
    await waitOnPage(page, 'a second tab for the link', 15_000, async () =>
      (await tabs.count()) === before + 1 ? true : undefined,
    );
    // It matched the bookmark, so it connects with the stored password, asking nothing.
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'electron-link-connected');
    expect(await page.getByRole('dialog', { name: 'Password required' }).count()).toBe(0);
    expect(electron.utilityProcesses()).toHaveLength(2);
  }, 60_000);

  it('File → New Connection opens a new connect tab', async () => {
    const tabs = page.getByRole('tab');
    const before = await tabs.count();
    const file = electron.recorded.applicationMenu?.items.find((item) => item.label === 'File');
    const submenu = file?.submenu as Electron.MenuItemConstructorOptions[];
    const item = submenu.find((entry) => entry.label === 'New Connection');
    item?.click?.({} as never, undefined, {} as never);
    await waitOnPage(page, 'a new tab from the menu', 15_000, async () =>
      (await tabs.count()) === before + 1 ? true : undefined,
    );
    await expect(tabs.last().textContent()).resolves.toMatch(/New connection/);
  }, 30_000);
});

async function waitFor<T>(what: string, check: () => T | undefined): Promise<T> {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${what} within 30 s`);
}
