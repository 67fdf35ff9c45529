import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  compareWithTruth,
  connectTo,
  pngToRgba,
  readCanvas,
  step,
  toolbar,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
} from '../support/browser.ts';
import { freePort, startServer, type VncServer } from '../support/servers.ts';

/**
 * What a person sees when things go wrong (nothing listening, a disconnect, a server that
 * dies mid-session), and QEMU's own VNC server shown exactly, with the Screenshot button's
 * PNG equal to the canvas.
 */
describe('errors, disconnects, reconnects and QEMU (Chromium)', () => {
  let xvnc: VncServer;
  let qemu: VncServer;
  let page: Page;
  const viewer = useViewerEnvironment();

  beforeAll(async () => {
    xvnc = await startServer('xvnc', { security: 'none', geometry: [1024, 768] });
    qemu = await startServer('qemu', { security: 'none' });
  }, 120_000);

  afterEach(async () => {
    await page?.context().close();
  });

  it('a port where nothing listens: "Error:" saying nothing is listening, and a Reconnect button', async () => {
    page = await viewer.openPage();
    const port = await freePort();
    await connectTo(page, `127.0.0.1::${port}`);
    const status = await waitForStatus(page, /Error:/, 30_000, 'closed-port');
    expect(status).toMatch(/listening/i);
    await step(page, 'closed-port-reconnect', () =>
      page.getByRole('button', { name: 'Reconnect' }).waitFor({ state: 'visible' }),
    );
  }, 120_000);

  it('Disconnect shows "Disconnected" and a Reconnect button that connects again', async () => {
    page = await viewer.openPage();
    await connectTo(page, xvnc.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'disconnect-connected');
    await step(page, 'disconnect', () => toolbar(page).getByRole('button', { name: 'Disconnect' }).click());
    await waitForStatus(page, /Disconnected/, 15_000, 'disconnected');
    await step(page, 'reconnect', () => page.getByRole('button', { name: 'Reconnect' }).click());
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'reconnected');
    await waitForCanvasToEqual(page, () => xvnc.truth(), 30_000, 'reconnected-pixels');
  }, 120_000);

  it('two sessions as tabs: each tab shows its own server, pixel for pixel', async () => {
    page = await viewer.openPage();
    await connectTo(page, xvnc.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'tabs-xvnc');
    await step(page, 'tabs-new', () => page.getByRole('button', { name: 'New connection' }).click());
    await connectTo(page, qemu.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to .+\(\d+×\d+\)/, 30_000, 'tabs-qemu');
    await waitForCanvasToEqual(page, () => qemu.truth(), 30_000, 'tabs-qemu-pixels');
    const tabs = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
    await step(page, 'tabs-count', async () => expect(await tabs.count()).toBe(2));
    await step(page, 'tabs-first', () => tabs.nth(0).click());
    await step(page, 'tabs-first-selected', async () =>
      expect(await tabs.nth(0).getAttribute('aria-selected')).toBe('true'),
    );
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 10_000, 'tabs-first-status');
    await waitForCanvasToEqual(page, () => xvnc.truth(), 30_000, 'tabs-xvnc-pixels');
    await step(page, 'tabs-second', () => tabs.nth(1).click());
    await waitForCanvasToEqual(page, () => qemu.truth(), 30_000, 'tabs-qemu-again');
  }, 120_000);

  it('a server that dies mid-session: the automatic reconnect counts down', async () => {
    page = await viewer.openPage();
    await connectTo(page, xvnc.target);
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'kill-connected');
    xvnc.kill();
    await waitForStatus(page, /Reconnecting in \d+ s/, 30_000, 'reconnecting');
  }, 120_000);

  it('QEMU: the canvas equals the screendump, and Screenshot downloads a PNG equal to the canvas', async () => {
    page = await viewer.openPage();
    await connectTo(page, qemu.target);
    await waitForStatus(page, /Connected to .+\(\d+×\d+\)/, 30_000, 'qemu-connected');
    const { canvas, truth } = await waitForCanvasToEqual(page, () => qemu.truth(), 30_000, 'qemu-pixels');
    expect(canvas.width).toBe(truth.width);
    const [download] = await step(page, 'screenshot', () =>
      Promise.all([
        page.waitForEvent('download'),
        toolbar(page).getByRole('button', { name: 'Screenshot' }).click(),
      ]),
    );
    expect(download.suggestedFilename()).toMatch(/^porthole-.*\.png$/);
    const file = join(viewer.dataDir, download.suggestedFilename());
    await download.saveAs(file);
    const png = pngToRgba(decode(readFileSync(file)));
    const now = await readCanvas(page);
    const difference = compareWithTruth(png, { width: now.width, height: now.height, data: now.rgba });
    expect(difference, `the screenshot ${file} against the canvas`).toEqual({
      different: 0,
      first: undefined,
    });
  }, 120_000);
});
