import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserMode,
  chooseOption,
  connectTo,
  launchChromium,
  openViewer,
  startBrowserMode,
  step,
  tempDataDir,
  toolbar,
  waitForCanvasToEqual,
  waitForStatus,
} from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { startXvnc, stopAllServers, type XServer } from '../support/servers.ts';

/**
 * Faults as the user sees them in browser mode (Chromium): the stall time is a setting; when
 * the page comes back online every session checks its server at once, and a server that
 * stopped answering is reported and reconnected, with the session's scaling, view only,
 * quality and colour level kept and the picture exact again.
 */
describe('a stalled server after the network comes back (Xvnc, Chromium)', () => {
  const dataDir = tempDataDir();
  let web: BrowserMode;
  let browser: Browser;
  let page: Page;
  let server: XServer;
  let proxy: FaultProxy;

  beforeAll(async () => {
    [server, web, browser] = await Promise.all([
      startXvnc({ security: 'none', geometry: [640, 480] }),
      startBrowserMode(dataDir),
      launchChromium(),
    ]);
    proxy = await startFaultProxy(server.port);
    page = await openViewer(browser, web.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await proxy?.close();
    await stopAllServers();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('checks at once when the page goes online, says the server stopped answering, and reconnects with its settings', async () => {
    await step(page, 'stall-setting', async () => {
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const d = page.getByRole('dialog', { name: 'Settings' });
      const field = d.getByRole('textbox', { name: /Check a silent server after/ });
      expect(await field.inputValue()).toBe('20');
      // An hour: only the check on coming back online can find the stall within the test.
      await field.fill('3600');
      await d.getByRole('button', { name: 'Save settings' }).click();
      await d.waitFor({ state: 'detached' });
    });
    await connectTo(page, proxy.target, { quality: 'High' });
    await waitForStatus(page, /connected to/i);
    await step(page, 'session-settings', async () => {
      await chooseOption(toolbar(page).getByRole('combobox', { name: 'Scaling' }), '1:1');
      await toolbar(page).getByRole('button', { name: 'View only' }).click();
    });
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'before-stall');

    await step(page, 'stall-and-online', async () => {
      proxy.stall('both');
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
    });
    await waitForStatus(page, /the server stopped answering \(no data for \d+ s\)/, 30_000, 'stalled');
    proxy.resume();
    await waitForStatus(page, /connected to/i, 60_000, 'reconnected');
    await step(page, 'settings-kept', async () => {
      expect(await toolbar(page).getByRole('combobox', { name: 'Scaling' }).inputValue()).toBe('1:1');
      expect(
        await toolbar(page).getByRole('button', { name: 'View only' }).getAttribute('aria-pressed'),
      ).toBe('true');
      expect(await toolbar(page).getByRole('combobox', { name: 'Picture quality' }).inputValue()).toBe(
        'high',
      );
    });
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'after-reconnect');
  }, 180_000);
});
