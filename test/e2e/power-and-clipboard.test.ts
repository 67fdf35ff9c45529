import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  connectTo,
  sendFromClipboardPanel,
  step,
  toolbar,
  useViewerEnvironment,
  waitForClipboardBox,
  waitForServerClipboard,
  waitForStatus,
  waitOnPage,
} from '../support/browser.ts';
import { type QemuServer, startQemu, startServer, type XServer } from '../support/servers.ts';

/**
 * XVP power control through the viewer's Power menu against QEMU power-control=on, and the
 * Extended Clipboard with non-ASCII text both ways against Xvnc, in Chromium.
 */
describe('Power menu against QEMU power-control=on (Chromium)', () => {
  let qemu: QemuServer;
  let page: Page;
  const viewer = useViewerEnvironment();
  const notice = () => page.getByRole('note', { name: 'Session notice' });

  beforeAll(async () => {
    qemu = await startQemu({ security: 'none', vncOptions: ['power-control=on'] });
    page = await viewer.openPage();
    await connectTo(page, qemu.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to QEMU/, 30_000, 'power-connected');
  }, 120_000);

  async function choosePower(label: string): Promise<void> {
    await toolbar(page).getByRole('button', { name: 'Power' }).click();
    await page
      .getByRole('menu', { name: 'Power' })
      .getByRole('menuitem', { name: `${label}…` })
      .click();
  }

  it('Reset asks for confirmation; Cancel leaves the machine alone, Reset resets it', async () => {
    await step(page, 'power-menu-shown', () =>
      toolbar(page).getByRole('button', { name: 'Power' }).waitFor(),
    );
    await step(page, 'reset-cancelled', async () => {
      await choosePower('Reset');
      const dialog = page.getByRole('alertdialog', { name: /Reset QEMU\?/ });
      await dialog.waitFor();
      expect(await dialog.textContent()).toMatch(/unsaved work in it is lost/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await qemu.monitor('info status')).toMatch(/VM status: paused$/m);

    await step(page, 'reset-confirmed', async () => {
      await choosePower('Reset');
      await page
        .getByRole('alertdialog', { name: /Reset QEMU\?/ })
        .getByRole('button', { name: 'Reset' })
        .click();
    });
    await waitOnPage(page, 'QEMU to reset the VM (info status: prelaunch)', 10_000, async () =>
      /prelaunch/.test(await qemu.monitor('info status')) ? true : undefined,
    );
    await waitOnPage(page, 'the notice that the reset was asked for', 10_000, async () =>
      (await notice().textContent()) === 'Power: asked the server to reset the machine' ? true : undefined,
    );
  }, 120_000);

  it('a refused reboot is shown under the status line', async () => {
    await step(page, 'reboot', async () => {
      await choosePower('Reboot');
      await page
        .getByRole('alertdialog', { name: /Reboot QEMU\?/ })
        .getByRole('button', { name: 'Reboot' })
        .click();
    });
    await waitOnPage(
      page,
      'the refusal',
      10_000,
      async () =>
        (await notice().textContent()) === 'Power: the server refused to reboot the machine'
          ? true
          : undefined,
      'reboot-refused',
    );
    await waitForStatus(page, /Connected to QEMU/, 5_000, 'still-connected');
  }, 60_000);
});

describe('Extended Clipboard with non-ASCII text against Xvnc (Chromium)', () => {
  let server: XServer;
  let page: Page;
  const viewer = useViewerEnvironment();
  const text = 'Grüße — 日本語 ✓';

  beforeAll(async () => {
    server = (await startServer('xvnc', { security: 'none', geometry: [800, 600] })) as XServer;
    page = await viewer.openPage();
    await connectTo(page, server.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to .+\(800×600\)/, 30_000, 'xclip-connected');
  }, 120_000);

  it('text sent from the Clipboard panel reaches X applications unchanged', async () => {
    await sendFromClipboardPanel(page, text, 'send-utf8-clipboard');
    await waitForServerClipboard(page, server.display, text, 20_000, 'utf8-to-server');
  }, 120_000);

  it('text an X application copies appears in the Clipboard panel unchanged', async () => {
    const copied = `${text} (vom Server)`;
    const file = join(viewer.dataDir, 'utf8-clipboard.txt');
    writeFileSync(file, copied);
    server.run('xclip', ['-selection', 'clipboard', '-quiet', '-i', file]);
    await waitForClipboardBox(page, copied, 20_000, 'utf8-from-server');
  }, 120_000);

  it('no Power menu for a server without XVP', async () => {
    // Last, after clipboard round trips: the server has long answered SetEncodings, so an XVP
    // capability would already have shown the menu (right after "Connected" it may not have yet).
    expect(await toolbar(page).getByRole('button', { name: 'Power' }).count()).toBe(0);
  });
});
