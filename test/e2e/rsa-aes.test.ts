import { generateKeyPairSync } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../main/rfb/transports/tls.ts';
import {
  logIn,
  step,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
} from '../support/browser.ts';
import { rsaAesServer } from '../support/rsa-aes-server.ts';
import { type SecurityFront, startSecurityFront } from '../support/security-front.ts';
import { startXvnc, type XServer } from '../support/servers.ts';

/**
 * RSA-AES in the viewer (browser mode, Chromium): the server's bare RSA key is put to the user
 * like an unverified certificate, Trust pins it, the password is asked for, and the picture
 * (a real Xvnc behind the scripted RA2 server of test/support/rsa-aes-server.ts) is exact.
 */
const USER = 'alice';
const PASSWORD = 'rsa-aes passphrase';

describe('RSA-AES in the viewer (scripted RA2 server in front of Xvnc, Chromium)', () => {
  const viewer = useViewerEnvironment();
  const keys = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), bits: 2048 };
  let xvnc: XServer;
  let front: SecurityFront;
  let page: Page;

  beforeAll(async () => {
    xvnc = await startXvnc({ security: 'none', geometry: [320, 240] });
    front = await startSecurityFront(rsaAesServer({ type: 5, keys, username: USER, password: PASSWORD }), {
      host: xvnc.host,
      port: xvnc.port,
    });
    page = await viewer.openPage();
  }, 120_000);
  afterAll(() => front?.close());

  it('the key is shown with its fingerprints; Trust, the password, and the exact picture over AES-EAX', async () => {
    await step(page, 'bookmark-ra2', async () => {
      await page.getByRole('button', { name: 'New bookmark' }).click();
      const editor = page.getByRole('dialog', { name: /bookmark$/ });
      await editor.getByRole('textbox', { name: 'Name', exact: true }).fill('RA2 desktop');
      await editor.getByRole('textbox', { name: 'Address' }).fill(front.target);
      await editor.getByRole('textbox', { name: 'User name' }).fill(USER);
      await editor.getByRole('button', { name: 'Save bookmark' }).click();
      await editor.waitFor({ state: 'detached' });
    });
    await page
      .getByRole('region', { name: 'Bookmarks' })
      .getByRole('button', { name: 'Connect to RA2 desktop', exact: true })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Unverified server key' });
    await step(page, 'key-dialog', async () => {
      await dialog.waitFor();
      const text = await dialog.innerText();
      expect(text).toContain(`127.0.0.1:${front.port}`);
      expect(text).toMatch(
        /RSA-AES key, 2048 bits \(TigerVNC and RealVNC show its fingerprint as [0-9a-f]{2}(-[0-9a-f]{2}){7}\)/,
      );
      expect(text).toContain(fingerprint(keys.publicKey.export({ type: 'spki', format: 'der' })));
      expect(text).not.toContain('Certificate SHA-256');
      await dialog.getByRole('button', { name: 'Trust this server' }).click();
    });
    await logIn(page, PASSWORD);
    await waitForCanvasToEqual(page, () => xvnc.truth(), 30_000, 'ra2-picture');
    expect(await waitForStatus(page, /Connected/)).toMatch(/RA2 · AES-128-EAX · trusted by you just now/);
    expect(front.outcomes).toEqual(['accepted']);
  }, 90_000);
});
