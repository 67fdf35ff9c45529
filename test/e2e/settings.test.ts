import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserMode,
  chooseOption,
  launchChromium,
  openViewer,
  saveShot,
  startBrowserMode,
  step,
  tempDataDir,
  toolbar,
  waitForStatus,
  waitOnPage,
} from '../support/browser.ts';
import { startServer, stopAllServers, type VncServer } from '../support/servers.ts';

/**
 * Global settings through the UI in Chromium: saved by the main side, applied to the next
 * connection (its quality, colour level, scaling and menu key), and, with the bookmarks, kept
 * across a restart of browser mode on the same data directory. A corrupt settings file is
 * moved aside and the viewer says where, in a banner that can be dismissed.
 */
describe('settings survive a restart and apply to new sessions (Xvnc, Chromium)', () => {
  const dataDir = tempDataDir();
  let web: BrowserMode;
  let browser: Browser;
  let page: Page;
  let server: VncServer;

  beforeAll(async () => {
    [server, web, browser] = await Promise.all([
      startServer('xvnc', { security: 'none', geometry: [640, 480] }),
      startBrowserMode(dataDir),
      launchChromium(),
    ]);
    page = await openViewer(browser, web.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await stopAllServers();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Closes the page and browser mode, starts browser mode again on the same data, opens a page. */
  const restart = async () => {
    await page.context().close();
    await web.close();
    web = await startBrowserMode(dataDir);
    page = await openViewer(browser, web.url);
  };
  const settingsDialog = () => page.getByRole('dialog', { name: 'Settings' });
  const connectScreen = () => page.getByRole('region', { name: 'New connection' });

  it('saves the global settings through the settings panel', async () => {
    await step(page, 'open-settings', async () => {
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await settingsDialog().waitFor();
    });
    await step(page, 'fill-settings', async () => {
      const d = settingsDialog();
      await chooseOption(d.getByRole('combobox', { name: 'Default picture quality' }), 'High');
      await chooseOption(d.getByRole('combobox', { name: 'Default colour level' }), 'rgb565');
      await chooseOption(d.getByRole('combobox', { name: 'Default scaling' }), '1:1');
      await chooseOption(d.getByRole('combobox', { name: 'Menu key' }), 'F9');
      await d.getByRole('checkbox', { name: /Send scancodes/ }).uncheck();
      await d.getByRole('textbox', { name: /Give up after/ }).fill('abc');
      await d.getByRole('textbox', { name: 'Listen port' }).fill('5611');
      await d.getByRole('button', { name: 'Save settings' }).click();
      // A bad number is refused next to its field, and nothing is saved.
      await d.getByText('A whole number from 0 (never give up) to 1000.').waitFor();
      await d.getByRole('textbox', { name: /Give up after/ }).fill('7');
      await d.getByRole('button', { name: 'Save settings' }).click();
      await settingsDialog().waitFor({ state: 'detached' });
    });
    await step(page, 'connect-screen-defaults', async () => {
      await waitOnPage(page, 'the connect screen to take the new defaults', 10_000, async () =>
        (await connectScreen().getByRole('combobox', { name: 'Colour level' }).inputValue()) === 'rgb565'
          ? true
          : undefined,
      );
      expect(await connectScreen().getByRole('combobox', { name: 'Picture quality' }).inputValue()).toBe(
        'high',
      );
      expect(await connectScreen().getByRole('textbox', { name: 'Listen on port' }).inputValue()).toBe(
        '5611',
      );
    });
  }, 60_000);

  it('a bookmark is saved alongside them', async () => {
    await step(page, 'bookmark', async () => {
      await page.getByRole('button', { name: 'New bookmark' }).click();
      const d = page.getByRole('dialog', { name: 'New bookmark' });
      // A new bookmark starts from the global defaults.
      expect(await d.getByRole('combobox', { name: 'Colour level' }).inputValue()).toBe('rgb565');
      await d.getByRole('textbox', { name: 'Name', exact: true }).fill('Kept desktop');
      await d.getByRole('textbox', { name: 'Address' }).fill(server.target);
      await d.getByRole('checkbox', { name: 'Favourite' }).check();
      await d.getByRole('button', { name: 'Save bookmark' }).click();
      await d.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Connect to Kept desktop', exact: true }).waitFor();
    });
  });

  it('after a restart of browser mode the settings and the bookmark are still there', async () => {
    await restart();
    await step(page, 'bookmark-after-restart', async () => {
      const bookmark = page.getByRole('button', { name: 'Connect to Kept desktop', exact: true });
      await bookmark.waitFor();
      expect(await page.getByRole('heading', { name: 'Favourites' }).isVisible()).toBe(true);
    });
    await step(page, 'settings-after-restart', async () => {
      await waitOnPage(page, 'the connect screen to show the saved defaults', 10_000, async () =>
        (await connectScreen().getByRole('combobox', { name: 'Colour level' }).inputValue()) === 'rgb565'
          ? true
          : undefined,
      );
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const d = settingsDialog();
      await d.waitFor();
      expect(await d.getByRole('combobox', { name: 'Default picture quality' }).inputValue()).toBe('high');
      expect(await d.getByRole('combobox', { name: 'Default scaling' }).inputValue()).toBe('1:1');
      expect(await d.getByRole('combobox', { name: 'Menu key' }).inputValue()).toBe('F9');
      expect(await d.getByRole('checkbox', { name: /Send scancodes/ }).isChecked()).toBe(false);
      expect(await d.getByRole('textbox', { name: /Give up after/ }).inputValue()).toBe('7');
      expect(await d.getByRole('textbox', { name: 'Listen port' }).inputValue()).toBe('5611');
      await saveShot(page, 'settings-after-restart');
      await page.keyboard.press('Escape');
      await d.waitFor({ state: 'detached' });
    });
  }, 120_000);

  it('a new connection uses them: colour level, scaling 1:1 and the menu key F9', async () => {
    await step(page, 'connect', async () => {
      await connectScreen().getByRole('textbox', { name: 'Server address' }).fill(server.target);
      await connectScreen().getByRole('button', { name: 'Connect', exact: true }).click();
    });
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'settings-connected');
    await step(page, 'session-settings', async () => {
      expect(await toolbar(page).getByRole('combobox', { name: 'Colour level' }).inputValue()).toBe('rgb565');
      expect(await toolbar(page).getByRole('combobox', { name: 'Scaling' }).inputValue()).toBe('1:1');
    });
    await step(page, 'menu-key', async () => {
      await page.getByRole('application', { name: /^Remote screen/ }).focus();
      await page.keyboard.press('F9');
      await page.getByRole('menu', { name: 'Session menu' }).waitFor();
      await page.keyboard.press('Escape');
    });
  }, 120_000);

  it('the reconnect policy applies: with "Give up after" 1, a dead server is given up after one attempt', async () => {
    const doomed = await startServer('xvnc', { security: 'none', geometry: [320, 240] });
    await step(page, 'give-up-after-1', async () => {
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await settingsDialog()
        .getByRole('textbox', { name: /Give up after/ })
        .fill('1');
      await settingsDialog().getByRole('button', { name: 'Save settings' }).click();
      await settingsDialog().waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'New connection', exact: true }).click();
      await connectScreen().getByRole('textbox', { name: 'Server address' }).fill(doomed.target);
      await connectScreen().getByRole('button', { name: 'Connect', exact: true }).click();
    });
    await waitForStatus(page, /Connected to .+\(320×240\)/, 30_000, 'doomed-connected');
    doomed.kill();
    await waitForStatus(page, /Reconnecting in \d+ s/, 30_000, 'doomed-reconnecting');
    await waitForStatus(page, /Gave up after 1 attempts/, 30_000, 'doomed-gave-up');
  }, 90_000);

  it('a corrupt settings file is moved aside, and a banner names where', async () => {
    await page.context().close();
    await web.close();
    const settingsFile = readdirSync(dataDir).find((name) => name === 'settings.json');
    expect(settingsFile).toBe('settings.json');
    writeFileSync(join(dataDir, 'settings.json'), '{"version": 2, "settings": {"scaling": "sideways"');
    web = await startBrowserMode(dataDir);
    page = await openViewer(browser, web.url);
    await step(page, 'notice', async () => {
      const banner = page.getByRole('alert').filter({ hasText: dataDir });
      await banner.waitFor();
      const text = await banner.innerText();
      const moved = readdirSync(dataDir).filter(
        (name) => name !== 'settings.json' && name.startsWith('settings'),
      );
      expect(moved.some((name) => text.includes(name))).toBe(true);
      await saveShot(page, 'settings-corrupt-notice');
      await banner.getByRole('button', { name: 'Dismiss' }).click();
      await banner.waitFor({ state: 'detached' });
    });
  }, 60_000);
});
