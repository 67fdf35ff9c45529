import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectTo,
  logIn,
  saveShot,
  screenCanvas,
  step,
  toolbar,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
  waitOnPage,
} from '../support/browser.ts';
import { busyScreen } from '../support/content.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { startPaletteRefusingProxy } from '../support/palette-refusing-proxy.ts';
import { freePort, startXvnc, stopProcess } from '../support/servers.ts';

/**
 * The session view as a person meets it, in Chromium against real Xvnc servers: what Auto
 * chose, the first picture's progress on a slow link, notices that fade over the screen, a
 * failed first connection's way out, view only, a dropped connection's dimmed picture, a
 * server that drops a palette request, the lockout hint, full screen, the F8 menu at 800×600,
 * connection info and sticky modifier keys. Screenshots land in /tmp/e2e-shots.
 */
describe('the session view (Chromium, real Xvnc)', () => {
  let page: Page;
  const viewer = useViewerEnvironment();

  afterEach(async () => {
    await page?.context().close();
  });

  const note = (name: string) => page.getByRole('note', { name });

  it('bug 2: on a 120 kbit/s link the toolbar says "Auto → 8-bit, lossless" and shows what Auto measured', async () => {
    const server = await startXvnc({ security: 'none', geometry: [1024, 768] });
    const content = busyScreen(server);
    const proxy = await startFaultProxy(server.port, { kbps: 120 });
    try {
      page = await viewer.openPage();
      await connectTo(page, `127.0.0.1::${proxy.port}`, { quality: 'Auto', level: 'full' });
      await waitForStatus(page, /Connected to .+\(1024×768\)/, 60_000, 'auto-connected');
      const inEffect = await waitOnPage(
        page,
        'the toolbar to show Auto → 8-bit, lossless',
        90_000,
        async () => {
          const text = await note('Picture in effect').innerText({ timeout: 1000 });
          return text === 'Auto → 8-bit, lossless' ? text : undefined;
        },
      );
      expect(inEffect).toBe('Auto → 8-bit, lossless');
      const line = await note('Auto picture quality').innerText();
      expect(line).toMatch(/^Auto: \d+ kbit\/s, round trip \d+ ms → 8-bit colour, lossless$/);
      // The chosen settings stay what the user chose.
      expect(await toolbar(page).getByRole('combobox', { name: 'Picture quality' }).inputValue()).toBe(
        'auto',
      );
      expect(await toolbar(page).getByRole('combobox', { name: 'Colour level' }).inputValue()).toBe('full');
      await saveShot(page, 'session-view-auto-8-bit');
    } finally {
      await stopProcess(content);
      await proxy.close();
    }
  }, 240_000);

  it('progress: the first picture on a slow link shows a moving progress bar and the transfer rate', async () => {
    const server = await startXvnc({ security: 'none', geometry: [1024, 768] });
    const content = busyScreen(server);
    const proxy = await startFaultProxy(server.port, { kbps: 100 });
    try {
      // Let the terminal fill the screen, so the first update is large.
      await new Promise((r) => setTimeout(r, 1500));
      page = await viewer.openPage();
      await connectTo(page, `127.0.0.1::${proxy.port}`, { quality: 'High', level: 'full' });
      const bar = page.getByRole('progressbar', { name: 'First picture' });
      const values: number[] = [];
      let text = '';
      await waitOnPage(page, 'the first-picture progress bar to move', 90_000, async () => {
        const seen = await page.evaluate(() => {
          const progress = document.querySelector<HTMLProgressElement>(
            'progress[aria-label="First picture"]',
          );
          return progress && { value: progress.value, text: progress.parentElement?.innerText ?? '' };
        });
        if (!seen) return undefined;
        if (values.length === 0 || seen.value !== values[values.length - 1]) {
          values.push(seen.value);
          text = seen.text;
          if (values.length === 2) await saveShot(page, 'session-view-first-picture-progress');
        }
        return values.length >= 3 ? true : undefined;
      });
      expect(values[values.length - 1]).toBeGreaterThan(values[0]);
      expect(text.trim()).toMatch(
        /^Loading the first picture: \d+ %, \d+ (of \d+ )?rectangles, [\d.]+ (B|KiB|MiB) at \d+ kbit\/s$/,
      );
      await waitOnPage(page, 'the progress bar to go once the picture is complete', 120_000, async () =>
        (await bar.count()) === 0 ? true : undefined,
      );
    } finally {
      await stopProcess(content);
      await proxy.close();
    }
  }, 240_000);

  it('bug 4: a notice fades after a few seconds and never moves the remote screen', async () => {
    const server = await startXvnc({ security: 'none', geometry: [640, 480] });
    page = await viewer.openPage();
    await connectTo(page, server.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'notice-connected');
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'notice-pixels');
    const before = await screenCanvas(page).boundingBox();
    await step(page, 'notice-screenshot', () =>
      Promise.all([
        page.waitForEvent('download'),
        toolbar(page).getByRole('button', { name: 'Screenshot' }).click(),
      ]),
    );
    await note('Session notice').waitFor({ state: 'visible' });
    expect(await note('Session notice').innerText()).toMatch(/^Saved porthole-.*\.png$/);
    expect(await screenCanvas(page).boundingBox()).toEqual(before);
    await saveShot(page, 'session-view-notice-over-screen');
    await waitOnPage(page, 'the notice to fade', 20_000, async () =>
      (await note('Session notice').count()) === 0 ? true : undefined,
    );
    expect(await screenCanvas(page).boundingBox()).toEqual(before);
  }, 120_000);

  it('bug 5: a failed first connection offers Edit address, Try again and Close tab, and disables what cannot work', async () => {
    const port = await freePort();
    page = await viewer.openPage();
    await connectTo(page, `127.0.0.1::${port}`);
    await waitForStatus(page, /Error:/, 30_000, 'dead-error');
    const failed = page.getByRole('group', { name: 'Not connected' });
    await failed.waitFor({ state: 'visible' });
    expect(await failed.getByRole('heading').innerText()).toBe(`Could not connect to 127.0.0.1::${port}`);
    for (const name of ['Screenshot', 'Refresh', 'Send keys', 'Connection info'])
      expect(await toolbar(page).getByRole('button', { name }).isDisabled(), name).toBe(true);
    await saveShot(page, 'session-view-failed-first-connection');

    // Try again: a server now listens on that port.
    const server = await startXvnc({ security: 'none', geometry: [640, 480], port });
    await step(page, 'try-again', () => failed.getByRole('button', { name: 'Try again' }).click());
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'dead-try-again');
    await toolbar(page).getByRole('button', { name: 'Disconnect' }).click();
    await waitForStatus(page, /Disconnected/, 15_000, 'dead-disconnected');

    // Edit address: back to the connect screen with the address filled in.
    await page.getByRole('button', { name: 'New connection' }).click();
    await connectTo(page, `127.0.0.1::${await freePort()}`);
    await waitForStatus(page, /Error:/, 30_000, 'dead-error-2');
    await step(page, 'edit-address', () =>
      page
        .getByRole('group', { name: 'Not connected' })
        .getByRole('button', { name: 'Edit address' })
        .click(),
    );
    const address = page.getByRole('textbox', { name: 'Server address' });
    await address.waitFor({ state: 'visible' });
    expect(await address.inputValue()).toMatch(/^127\.0\.0\.1::\d+$/);
    await address.fill(server.target);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'dead-edited');
  }, 180_000);

  it('bug 5: a cancelled password prompt leaves a tab that says so and can be closed', async () => {
    const server = await startXvnc({ security: 'vncauth', password: 'sesame', geometry: [640, 480] });
    page = await viewer.openPage();
    await connectTo(page, server.target);
    const dialog = page.getByRole('dialog', { name: 'Password required' });
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const failed = page.getByRole('group', { name: 'Not connected' });
    await failed.waitFor({ state: 'visible' });
    expect(await failed.getByRole('heading').innerText()).toBe(`Not connected to ${server.target}`);
    const tabs = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
    const before = await tabs.count();
    await failed.getByRole('button', { name: 'Close tab' }).click();
    await waitOnPage(page, 'the tab to close', 10_000, async () =>
      (await tabs.count()) === before - 1 ||
      (await page.getByRole('textbox', { name: 'Server address' }).isVisible())
        ? true
        : undefined,
    );
  }, 120_000);

  it('bug 6: view only disables Send keys and the sticky keys, hides the pointer hint and says so', async () => {
    const server = await startXvnc({ security: 'none', geometry: [640, 480] });
    page = await viewer.openPage();
    await connectTo(page, server.target);
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'view-only-connected');
    expect(await toolbar(page).getByRole('button', { name: 'Send keys' }).isDisabled()).toBe(false);
    await toolbar(page).getByRole('button', { name: 'View only' }).click();
    await note('View only').waitFor({ state: 'visible' });
    expect(await note('View only').innerText()).toBe(
      'View only: keys, pointer and clipboard are not sent to the server',
    );
    expect(await toolbar(page).getByRole('button', { name: 'Send keys' }).isDisabled()).toBe(true);
    await screenCanvas(page).focus();
    await page.keyboard.press('F8');
    const menu = page.getByRole('menu', { name: 'Session menu' });
    await menu.waitFor({ state: 'visible' });
    expect(await menu.getByRole('menuitemcheckbox', { name: 'Ctrl' }).isDisabled()).toBe(true);
    expect(await menu.getByRole('menuitem', { name: 'Ctrl+Alt+Del' }).count()).toBe(0);
    await saveShot(page, 'session-view-view-only');
    await page.keyboard.press('Escape');
  }, 120_000);

  it('bug 7: after the server dies the last picture is dimmed and marked "not live" until it is back', async () => {
    const server = await startXvnc({ security: 'none', geometry: [640, 480] });
    page = await viewer.openPage();
    await connectTo(page, server.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'stale-connected');
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'stale-pixels');
    const filter = () => screenCanvas(page).evaluate((c) => getComputedStyle(c).filter);
    expect(await filter()).toBe('none');
    server.kill();
    await waitForStatus(page, /Reconnecting in \d+ s/, 30_000, 'stale-reconnecting');
    await note('Not live').waitFor({ state: 'visible' });
    expect(await note('Not live').innerText()).toMatch(/^Not live: /);
    expect(await filter()).toMatch(/brightness\(0\.4\)/);
    await saveShot(page, 'session-view-not-live');
    await toolbar(page).getByRole('button', { name: 'Disconnect' }).click();
    await waitForStatus(page, /Disconnected/, 15_000, 'stale-disconnected');
    expect(await note('Not live').innerText()).toMatch(/the connection has ended/);
  }, 120_000);

  it('bug 8: a server that drops a palette request: the error names it and the viewer reconnects at full colour', async () => {
    const server = await startXvnc({ security: 'none', geometry: [640, 480] });
    const proxy = await startPaletteRefusingProxy(server.port);
    try {
      page = await viewer.openPage();
      await connectTo(page, `127.0.0.1::${proxy.port}`, { quality: 'High', level: 'pal8' });
      const status = await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'pal8-connected');
      expect(status).toContain(
        'Full colour: the server closed the connection right after the viewer asked for 256-colour palette mode; it may not support it',
      );
      expect(proxy.refused).toBe(1);
      expect(await toolbar(page).getByRole('combobox', { name: 'Colour level' }).inputValue()).toBe('full');
      await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'pal8-pixels');
      await saveShot(page, 'session-view-pal8-refused');
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('bug 9: a wrong password mentions the 8-character cut, and the lockout says to wait', async () => {
    const server = await startXvnc({
      security: 'vncauth',
      password: 'sesame',
      geometry: [640, 480],
      xvncArgs: ['-UseBlacklist=1', '-BlacklistThreshold=3'],
    });
    page = await viewer.openPage();
    await connectTo(page, server.target);
    await logIn(page, 'wrong-1');
    await logIn(page, 'wrong-2', /VNC passwords are cut at 8 characters/);
    // Xvnc blocks an address after BlacklistThreshold failures: the next attempt is refused.
    let status = '';
    for (let attempt = 3; attempt <= 8 && !/Error:/.test(status); attempt++) {
      const dialog = page.getByRole('dialog', { name: 'Password required' });
      await waitOnPage(page, 'the password dialog or an error', 30_000, async () => {
        status = (await page.getByRole('status').first().innerText()).trim();
        return (await dialog.isVisible()) || /Error:/.test(status) ? true : undefined;
      });
      if (await dialog.isVisible()) await logIn(page, `wrong-${attempt}`);
    }
    status = await waitForStatus(page, /Error:/, 30_000, 'lockout');
    expect(status).toMatch(/Too many security failures/i);
    expect(status).toMatch(/blocks this address for a while: wait, then try again/);
    await saveShot(page, 'session-view-lockout');
  }, 180_000);
});
