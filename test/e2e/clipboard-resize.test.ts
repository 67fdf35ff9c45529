import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  connectTo,
  readCanvas,
  runOnDisplay,
  sendFromClipboardPanel,
  step,
  toolbar,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForClipboardBox,
  waitForServerClipboard,
  waitForStatus,
  waitOnPage,
} from '../support/browser.ts';
import { startServer, type XServer } from '../support/servers.ts';

/**
 * The clipboard both ways between Chromium and a real Xvnc (observed with xclip on the
 * server's display), and a server-side resize (RandR) followed by the viewer.
 */
describe('clipboard both ways and a server resize (Xvnc, Chromium)', () => {
  let server: XServer;
  let page: Page;
  const viewer = useViewerEnvironment();

  beforeAll(async () => {
    server = (await startServer('xvnc', { security: 'none', geometry: [1024, 768] })) as XServer;
    page = await viewer.openPage();
    await connectTo(page, server.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'clipboard-connected');
  }, 120_000);

  it("the server's clipboard appears in the Clipboard text box and in the browser's clipboard", async () => {
    const text = 'Grüße vom Server: «42» ½ café';
    const file = join(viewer.dataDir, 'server-clipboard.txt');
    writeFileSync(file, text);
    // xclip stays in the foreground (-quiet) as the owner of CLIPBOARD until another takes it.
    server.run('xclip', ['-selection', 'clipboard', '-quiet', '-i', file]);
    await waitForServerClipboard(page, server.display, text, 10_000, 'xclip-owns-clipboard');
    await step(page, 'open-clipboard-panel', () =>
      toolbar(page).getByRole('button', { name: 'Clipboard' }).click(),
    );
    await waitForClipboardBox(page, text, 20_000, 'clipboard-from-server');
    let browserClipboard = '';
    await waitOnPage(
      page,
      () =>
        `the browser clipboard to hold ${JSON.stringify(text)} (navigator.clipboard.readText() gave ${JSON.stringify(browserClipboard)})`,
      10_000,
      async () => {
        browserClipboard = await page.evaluate(() => navigator.clipboard.readText());
        return browserClipboard === text ? true : undefined;
      },
      'browser-clipboard',
    );
  }, 120_000);

  it('text put in the box and sent becomes the server clipboard (Latin-1)', async () => {
    const text = 'Vom Browser: Ä Ö Ü ä ö ü ß ± 123';
    await sendFromClipboardPanel(page, text, 'send-clipboard');
    await waitForServerClipboard(page, server.display, text, 20_000, 'clipboard-to-server');
  }, 120_000);

  it('a resize on the server (xrandr -s 800x600) resizes the canvas, the status line says so, and the picture is exact', async () => {
    const r = await runOnDisplay(server.display, 'xrandr', ['-s', '800x600']);
    expect(r.ok, r.out).toBe(true);
    let size = '';
    await waitOnPage(
      page,
      () => `the canvas to become 800x600 (it is ${size})`,
      20_000,
      async () => {
        const canvas = await readCanvas(page);
        size = `${canvas.width}x${canvas.height}`;
        return size === '800x600' ? true : undefined;
      },
      'resize-canvas',
    );
    await waitForStatus(page, /Connected to .+\(800×600\)/, 20_000, 'resize-status');
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'resize-pixels');
  }, 120_000);
});
