import { generateKeyPairSync } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../main/rfb/transports/tls.ts';
import {
  connectBookmark,
  logIn,
  makeBookmark,
  step,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
} from '../support/browser.ts';
import { ardServer } from '../support/dh-servers.ts';
import { rsaAesServer } from '../support/rsa-aes-server.ts';
import { type SecurityFront, startSecurityFront } from '../support/security-front.ts';
import { startXvnc, type XServer } from '../support/servers.ts';

/**
 * Security types only scripted servers speak, in the viewer (browser mode, Chromium), each in
 * front of a real Xvnc (test/support/security-front.ts). RSA-AES: the server's bare RSA key is
 * put to the user like an unverified certificate, Trust pins it, the password is asked for,
 * and the picture is exact. Apple Remote Desktop: refused unless the bookmark allows sending
 * the credentials unencrypted, with the editor's warning shown; then the exact picture.
 */
const USER = 'alice';
const PASSWORD = 'rsa-aes passphrase';

describe('security types only scripted servers speak, in the viewer (Xvnc behind them, Chromium)', () => {
  const viewer = useViewerEnvironment();
  const keys = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), bits: 2048 };
  let xvnc: XServer;
  let front: SecurityFront;
  let ard: SecurityFront;
  let page: Page;

  beforeAll(async () => {
    xvnc = await startXvnc({ security: 'none', geometry: [320, 240] });
    const backend = { host: xvnc.host, port: xvnc.port };
    front = await startSecurityFront(
      rsaAesServer({ type: 5, keys, username: USER, password: PASSWORD }),
      backend,
    );
    ard = await startSecurityFront(ardServer({ username: USER, password: PASSWORD }), backend);
    page = await viewer.openPage();
  }, 120_000);
  afterAll(async () => {
    await front?.close();
    await ard?.close();
  });

  /** A new bookmark to `target` with the user name, connected; `allowPlain` ticks the allowance. */
  const connectNew = async (name: string, target: string, allowPlain = false) => {
    await page.getByRole('button', { name: 'New connection', exact: true }).click();
    await makeBookmark(page, name, target, {
      texts: { 'User name': USER },
      checks: allowPlain ? [/Allow sending the username and password unencrypted/] : [],
      beforeSave: async (editor) => {
        if (allowPlain)
          expect(await editor.getByRole('note').innerText()).toMatch(
            /Anyone who can see or relay this connection/,
          );
      },
    });
    await connectBookmark(page, name);
  };

  it('the key is shown with its fingerprints; Trust, the password, and the exact picture over AES-EAX', async () => {
    await connectNew('RA2 desktop', front.target);
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

  it('Apple Remote Desktop: refused unless the bookmark allows it; allowed, the exact picture', async () => {
    await connectNew('ARD refused', ard.target);
    const refused = await waitForStatus(page, /Error: /);
    expect(refused).toMatch(
      /Apple Remote Desktop \(30\) would send the username and password over an unencrypted connection/,
    );
    expect(refused).toMatch(/Allow sending the username and password unencrypted/);
    await connectNew('ARD allowed', ard.target, true);
    await logIn(page, PASSWORD);
    await waitForCanvasToEqual(page, () => xvnc.truth(), 30_000, 'ard-picture');
    expect(await waitForStatus(page, /Connected/)).toMatch(/Apple Remote Desktop · not encrypted/);
    expect(ard.outcomes).toEqual([expect.stringMatching(/closed/), 'accepted']);
  }, 90_000);
});
