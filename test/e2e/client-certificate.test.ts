import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  connectBookmark,
  makeBookmark,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
} from '../support/browser.ts';
import { makeTestPki, type TestPki } from '../support/certificates.ts';
import { tempDir } from '../support/cli.ts';
import { type QemuServer, startQemu } from '../support/servers.ts';

/**
 * A bookmark's CA file and client certificate in the viewer (browser mode, Chromium) against
 * QEMU with `tls-creds-x509,verify-peer=yes` (X509None): without a client certificate the
 * status says the server requires one; with the bookmark's certificate and key the picture is
 * QEMU's screendump, verified by the bookmark's CA.
 */
describe('client certificates from a bookmark (QEMU verify-peer=yes, Chromium)', () => {
  const dir = tempDir('porthole-e2e-client-cert-');
  const viewer = useViewerEnvironment();
  let pki: TestPki;
  let qemu: QemuServer;
  let page: Page;

  beforeAll(async () => {
    pki = makeTestPki(join(dir, 'pki'));
    qemu = await startQemu({
      security: 'none',
      vncOptions: ['tls-creds=x509'],
      qemuArgs: ['-object', `tls-creds-x509,id=x509,dir=${pki.qemuDir},endpoint=server,verify-peer=yes`],
    });
    page = await viewer.openPage();
  }, 120_000);

  /** A new bookmark to QEMU with `files` (label → path), connected. */
  const bookmark = async (name: string, files: Record<string, string>) => {
    await page.getByRole('button', { name: 'New connection', exact: true }).click();
    await makeBookmark(page, name, qemu.target, { texts: files });
    await connectBookmark(page, name);
  };

  it('without a client certificate the status says the server requires one', async () => {
    await bookmark('No client cert', { 'CA file': pki.ca });
    const status = await waitForStatus(page, /Error: /);
    expect(status).toMatch(/the server requires a client certificate \(or rejected ours\)/);
    expect(status).toMatch(/the bookmark’s client certificate/);
  }, 90_000);

  it('with the bookmark’s certificate and key: QEMU’s exact picture, verified by the bookmark’s CA', async () => {
    await bookmark('Client cert', {
      'CA file': pki.ca,
      'Client certificate': pki.clientCert,
      'Client key': pki.clientKey,
    });
    await waitForCanvasToEqual(page, () => qemu.truth(), 60_000, 'client-cert-qemu');
    expect(await waitForStatus(page, /Connected/)).toMatch(/X509None · TLS 1\.3 · verified by CA/);
  }, 120_000);
});
