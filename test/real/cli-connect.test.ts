import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obfuscateVncPassword } from '../../main/rfb/security/vnc-auth.ts';
import { buildRenderer, launchChromium, waitForCanvasToEqual, waitForStatus } from '../support/browser.ts';
import { runPorthole, startServingPorthole, tempDir } from '../support/cli.ts';
import { startServer, stopAllServers, type VncServer } from '../support/servers.ts';

/**
 * `porthole connect office.vnc` against a password-protected Xvnc, as a person would use it:
 * open the printed address in Chromium and see the desktop straight away, with no password
 * asked. The password in the file must stay in the porthole process: it is in neither the
 * address, nor the page, nor any WebSocket frame or page-stream byte between the page and
 * porthole.
 */
const PASSWORD = 'Qz7-kR4w';
const pageErrors: string[] = [];

describe('porthole connect FILE.vnc (Xvnc, VncAuth, Chromium)', () => {
  const dir = tempDir('porthole-connect-');
  let server: VncServer;
  let browser: Browser;
  let child: ChildProcess | undefined;
  let page: Page;
  const frames: { sent: boolean; text: string; bytes: Buffer }[] = [];

  beforeAll(async () => {
    buildRenderer();
    server = await startServer('xvnc', { security: 'vncauth', password: PASSWORD, geometry: [800, 600] });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGTERM');
    await browser?.close();
    await stopAllServers();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints the address first; the page connects at once with the file's settings and password", async () => {
    const hex = Buffer.from(obfuscateVncPassword(PASSWORD)).toString('hex');
    const file = join(dir, 'office.vnc');
    writeFileSync(
      file,
      [
        '[Connection]',
        'Host=127.0.0.1',
        `Port=${server.port}`,
        `Password=${hex}`,
        '[Options]',
        'ColourLevel=full',
        'Quality=High',
        'FullScreen=0',
        '',
      ].join('\r\n'),
    );
    const serving = await startServingPorthole(['connect', file, '--data-dir', join(dir, 'data')]);
    child = serving.child;
    const { url } = serving;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]+\/$/);
    expect(url).not.toContain(PASSWORD);
    expect(url).not.toContain(hex);

    page = await openViewerRecordingFrames(browser, url, frames);
    const status = await waitForStatus(page, /Connected to .+\(800×600\)/, 30_000, 'cli-connect');
    expect(status).toMatch(/Connected to .+\(800×600\)/);
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'cli-connect');
    expect(await page.getByRole('dialog', { name: 'Password required' }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('the password is in neither the page, nor any WebSocket frame, nor the page stream', async () => {
    const html = await page.content();
    const hex = Buffer.from(obfuscateVncPassword(PASSWORD)).toString('hex');
    expect(html).not.toContain(PASSWORD);
    expect(html).not.toContain(hex);
    // What crossed was seen (the control request, and pictures down the page stream).
    expect(frames.some((f) => f.sent && f.text.includes('"launch:take"'))).toBe(true);
    expect(frames.some((f) => !f.sent && f.bytes.length > 10_000)).toBe(true);
    const needle = Buffer.from(PASSWORD, 'latin1');
    const leaks = frames.filter(
      (f) => f.text.includes(PASSWORD) || f.text.includes(hex) || f.bytes.includes(needle),
    );
    expect(leaks).toEqual([]);
  });

  it('a broken file exits 1 with a message naming the file and the line', async () => {
    const file = join(dir, 'broken.vnc');
    writeFileSync(file, '[Connection]\nHost=127.0.0.1\nPort=59o1\n');
    const result = await runPorthole(['connect', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('porthole: broken.vnc line 3: Port=59o1 is not a port number (1–65535)');
  });

  it('a bad link or a missing file exits 1 too', async () => {
    const link = await runPorthole(['connect', 'vnc://user:secret@127.0.0.1:5900']);
    expect(link.code).toBe(1);
    expect(link.stderr).toContain('must not carry a password');
    const missing = await runPorthole(['connect', join(dir, 'nowhere.vnc')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read ${join(dir, 'nowhere.vnc')}`);
  });
});

/** Opens the viewer and records every WebSocket frame the page sends and receives. */
async function openViewerRecordingFrames(
  browser: Browser,
  url: string,
  frames: { sent: boolean; text: string; bytes: Buffer }[],
): Promise<Page> {
  const record = (sent: boolean, payload: string | Buffer) =>
    frames.push(
      typeof payload === 'string'
        ? { sent, text: payload, bytes: Buffer.from(payload) }
        : { sent, text: payload.toString('latin1'), bytes: payload },
    );
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('websocket', (ws) => {
    ws.on('framesent', (frame) => record(true, frame.payload));
    ws.on('framereceived', (frame) => record(false, frame.payload));
  });
  // The page's stream (everything its sessions send it) never ends while the page is open, so
  // its bytes are taken as they arrive, through the DevTools protocol.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.responseReceived', (event) => {
    if (event.response.url.endsWith('/stream'))
      void cdp
        .send('Network.streamResourceContent', { requestId: event.requestId })
        .then(({ bufferedData }) => record(false, Buffer.from(bufferedData, 'base64')));
  });
  cdp.on('Network.dataReceived', (event) => {
    if (event.data) record(false, Buffer.from(event.data, 'base64'));
  });
  await page.goto(url);
  return page;
}
