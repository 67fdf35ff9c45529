import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  connectBookmark,
  logIn,
  makeBookmark,
  step,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
} from '../support/browser.ts';
import { makeTestPki, type TestPki } from '../support/certificates.ts';
import { tempDir } from '../support/cli.ts';
import { startXvnc, type XServer } from '../support/servers.ts';

/**
 * Encrypted connections in the viewer (browser mode, Chromium) against real Xvnc servers: an
 * unknown certificate is put to the user with its details, Trust pins it and connects, the pin
 * is listed in Settings, a changed certificate is refused with both fingerprints; a bookmark
 * that requires encryption refuses an unencrypted server and says why.
 */
const PASSWORD = 'c3rtPass';

function publicKeySha256(certFile: string): string {
  const hash = execFileSync('sh', [
    '-c',
    `openssl x509 -in ${certFile} -pubkey -noout | openssl pkey -pubin -outform der | sha256sum`,
  ]);
  return hash.toString().split(' ')[0].toUpperCase().match(/../g)!.join(':');
}

describe('certificates and encryption in the viewer (Xvnc, Chromium)', () => {
  const dir = tempDir('porthole-e2e-tls-');
  let pki: TestPki;
  let tls: XServer;
  let plain: XServer;
  let page: Page;
  /** The authority of the certificate the server gets after the first one. */
  let other: TestPki;
  const viewer = useViewerEnvironment();

  const startTlsServer = (certs: TestPki, port?: number) =>
    startXvnc({
      security: 'vncauth',
      password: PASSWORD,
      geometry: [640, 480],
      ...(port !== undefined && { port }),
      xvncSecurity: { types: 'X509Vnc', cert: certs.serverCert, key: certs.serverKey },
    });

  beforeAll(async () => {
    pki = makeTestPki(join(dir, 'pki'));
    [tls, plain] = await Promise.all([
      startTlsServer(pki),
      startXvnc({ security: 'none', geometry: [320, 240] }),
    ]);
    page = await viewer.openPage();
  }, 120_000);

  const newConnectScreen = () =>
    step(page, 'new-connect-screen', async () => {
      await page.getByRole('button', { name: 'New connection', exact: true }).click();
      await page.getByRole('heading', { name: 'Bookmarks', exact: true }).waitFor();
    });
  const connect = (name: string) => connectBookmark(page, name);
  const certificateDialog = () => page.getByRole('dialog', { name: 'Unverified server certificate' });

  it('an unknown certificate shows its details; Trust pins it and connects with the exact picture', async () => {
    const fingerprint = publicKeySha256(pki.serverCert);
    await makeBookmark(page, 'TLS desktop', tls.target, {
      checks: ['Refuse connections that are not encrypted'],
    });
    await connect('TLS desktop');
    await step(page, 'certificate-dialog', async () => {
      await certificateDialog().waitFor();
      const text = await certificateDialog().innerText();
      expect(text).toContain(`${tls.host}:${tls.port}`);
      expect(text).toContain('CN=localhost');
      expect(text).toContain('CN=Porthole Test CA');
      expect(text).toContain('issued by an authority this computer does not trust');
      expect(text).toContain(fingerprint);
      await certificateDialog().getByRole('button', { name: 'Trust this server' }).click();
    });
    await logIn(page, PASSWORD);
    await waitForCanvasToEqual(page, () => tls.truth(), 30_000, 'trusted-x509vnc');
    expect(await waitForStatus(page, /Connected/)).toMatch(/X509Vnc · TLS 1\.3 · trusted by you just now/);
  }, 90_000);

  it('the pin is listed in Settings', async () => {
    await step(page, 'settings-pins', async () => {
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const pins = page.getByRole('list', { name: 'Pinned certificates' });
      await pins.waitFor();
      const text = await pins.innerText();
      expect(text).toContain(`${tls.host}:${tls.port}`);
      expect(text).toContain(publicKeySha256(pki.serverCert));
      await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Cancel' }).click();
    });
  });

  it('after the certificate changes, a warning names both fingerprints and nothing connects', async () => {
    other = makeTestPki(join(dir, 'pki-other'), 'Another CA');
    const port = tls.port;
    await page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await tls.stop();
    tls = await startTlsServer(other, port);
    await newConnectScreen();
    await connect('TLS desktop');
    const status = await waitForStatus(page, /Error: .*certificate has changed/);
    expect(status).toContain(publicKeySha256(pki.serverCert));
    expect(status).toContain(publicKeySha256(other.serverCert));
    expect(status).toContain('remove its pin in Settings');
    expect(await certificateDialog().count()).toBe(0);
    expect(await page.getByRole('dialog', { name: 'Password required' }).count()).toBe(0);
  }, 90_000);

  it('a bookmark that requires encryption refuses an unencrypted server and says why', async () => {
    await newConnectScreen();
    await makeBookmark(page, 'Plain desktop', plain.target, {
      checks: ['Refuse connections that are not encrypted'],
    });
    await connect('Plain desktop');
    const status = await waitForStatus(page, /Error: /);
    expect(status).toMatch(/the connection must be encrypted, but the server offers only None \(1\)/);
    expect(status).toMatch(/Refuse connections that are not encrypted/);
  }, 60_000);

  it('a bookmark with its own CA file connects verified by that authority, without asking', async () => {
    await newConnectScreen();
    await makeBookmark(page, 'CA desktop', tls.target, { texts: { 'CA file': other.ca } });
    await connect('CA desktop');
    await logIn(page, PASSWORD);
    await waitForCanvasToEqual(page, () => tls.truth(), 30_000, 'ca-file-x509vnc');
    expect(await waitForStatus(page, /Connected/)).toMatch(/X509Vnc · TLS 1\.3 · verified by CA/);
    expect(await certificateDialog().count()).toBe(0);
  }, 90_000);
});
