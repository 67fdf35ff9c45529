import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  chooseOption,
  connectTo,
  logIn,
  readCanvas,
  step,
  toolbar,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
  waitOnPage,
} from '../support/browser.ts';
import { reduceTruth } from '../support/colour-model.ts';
import { startServer, type VncServer } from '../support/servers.ts';

/**
 * A person connects to a password-protected Xvnc through browser mode in Chromium: the
 * password dialog, a wrong password refused, the right one accepted, and the remote screen
 * shown pixel for pixel as the X server itself has it (xwd).
 */
const PASSWORD = 'sesame';

describe('connect with a password and see the exact picture (Xvnc, VncAuth, Chromium)', () => {
  let server: VncServer;
  let page: Page;
  const viewer = useViewerEnvironment();

  beforeAll(async () => {
    server = await startServer('xvnc', { security: 'vncauth', password: PASSWORD, geometry: [1024, 768] });
    page = await viewer.openPage();
  }, 120_000);

  it('asks for the password, refuses a wrong one saying so, and connects with the right one', async () => {
    await connectTo(page, server.target, { quality: 'High', level: 'full' });
    await logIn(page, 'wrong-pw');
    // The server refuses it; the dialog comes back saying so.
    await logIn(page, PASSWORD, /not accepted|failed/i);
    const status = await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'connected');
    expect(status).toMatch(/Connected to .+\(1024×768\)/);
    await waitOnPage(page, 'the password dialog to close', 10_000, async () =>
      (await page.getByRole('dialog', { name: 'Password required' }).isVisible()) ? undefined : true,
    );
  }, 120_000);

  it('shows the remote screen pixel for pixel (High quality, full colour)', async () => {
    const canvas = await readCanvas(page);
    expect({ width: canvas.width, height: canvas.height }).toEqual({ width: 1024, height: 768 });
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'connect-and-pixels');
    await step(page, 'remote-screen-name', async () => {
      const screen = page.getByRole('application', { name: /^Remote screen/ });
      expect(await screen.count()).toBe(1);
      expect(await screen.getAttribute('data-porthole-screen')).not.toBeNull();
    });
  }, 120_000);

  it('Colour level and Picture quality from the toolbar apply live, and full colour is exact again', async () => {
    const bar = toolbar(page);
    for (const level of ['rgb565', 'rgb332'] as const) {
      await step(page, `level-${level}`, () =>
        chooseOption(bar.getByRole('combobox', { name: 'Colour level' }), level),
      );
      await waitForCanvasToEqual(
        page,
        async () => {
          const truth = await server.truth();
          return { ...truth, data: reduceTruth(truth.data, level, 'xvnc') };
        },
        30_000,
        `live-${level}`,
      );
    }
    await step(page, 'level-full', async () => {
      await chooseOption(bar.getByRole('combobox', { name: 'Picture quality' }), 'High');
      await chooseOption(bar.getByRole('combobox', { name: 'Colour level' }), 'full');
    });
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'live-full');
  }, 120_000);

  it('the session has a tab, and the recent connections list offers the target afterwards', async () => {
    await step(page, 'session-tab', async () => {
      const tabs = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
      expect(await tabs.count()).toBeGreaterThanOrEqual(1);
      await page.getByRole('button', { name: 'New connection' }).click();
    });
    const recent = page.getByRole('list', { name: 'Recent connections' });
    const entry = recent.getByRole('button', { name: `Connect to ${server.target}` });
    await waitOnPage(page, `"Connect to ${server.target}" in the recent connections`, 15_000, async () =>
      (await entry.isVisible()) ? true : undefined,
    );
    await step(page, 'second-tab', async () => {
      expect(
        await page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab').count(),
      ).toBeGreaterThanOrEqual(2);
    });
    // The list is kept by browser mode: it is still there after the page loads afresh.
    await page.reload();
    await waitOnPage(
      page,
      `"Connect to ${server.target}" in the recent connections after a reload`,
      15_000,
      async () => ((await entry.isVisible()) ? true : undefined),
    );
    // And it connects: the password is asked again (or was remembered), then the picture.
    await step(page, 'recent-connect', () => entry.click());
    const dialog = page.getByRole('dialog', { name: 'Password required' });
    const outcome = await waitOnPage(page, 'the password dialog or the connection', 30_000, async () => {
      if (await dialog.isVisible()) return 'password';
      return /Connected to/.test(await page.getByRole('status').first().innerText())
        ? 'connected'
        : undefined;
    });
    if (outcome === 'password') await logIn(page, PASSWORD);
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'recent-connected');
  }, 120_000);
});
