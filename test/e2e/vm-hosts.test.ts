import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  step,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
  waitOnPage,
} from '../support/browser.ts';
import { type LibvirtDaemon, startLibvirt } from '../support/libvirt.ts';
import { SSH_PASSWORD, SSH_USER, type SshServer, startSshd } from '../support/sshd.ts';
import type { Image } from '../support/truth.ts';

const VM = 'porthole-e2e-vm';

/**
 * The VM host view in Chromium (browser mode): with nothing typed but the SSH host and the
 * test daemon's URI, it lists the libvirt test VM through a real sshd (the host key asked
 * once, the password once), opens its console through the tunnel to libvirt's exact picture,
 * and saves it as a bookmark by name that opens it again.
 */
describe('the VM host view (libvirt behind sshd, Chromium)', () => {
  const viewer = useViewerEnvironment();
  let libvirt: LibvirtDaemon;
  let sshd: SshServer;
  let page: Page;
  let picture: Image;

  beforeAll(async () => {
    [libvirt, sshd] = await Promise.all([startLibvirt(), startSshd()]);
    await libvirt.define(VM);
    picture = await libvirt.startStill(VM);
    page = await viewer.openPage();
  }, 180_000);

  afterAll(async () => {
    await Promise.all([sshd?.stop(), libvirt?.stop()]);
  });

  const destination = () => `${SSH_USER}@127.0.0.1:${sshd.port}`;
  const vmHosts = () => page.getByRole('region', { name: 'VM hosts' });
  const vmTable = () => vmHosts().getByRole('table', { name: `VMs on ${destination()}` });

  it('lists the VM with its state and console after the host key and password questions', async () => {
    await step(page, 'vm-host-form', async () => {
      await vmHosts().getByRole('textbox', { name: 'SSH host' }).fill(destination());
      await vmHosts().getByRole('textbox', { name: 'libvirt URI' }).fill(libvirt.uri);
      await vmHosts().getByRole('button', { name: 'List VMs' }).click();
    });
    await step(page, 'vm-host-key', async () => {
      const hostKey = page.getByRole('dialog', { name: 'Unknown SSH host key' });
      await hostKey.waitFor({ timeout: 30_000 });
      expect(await hostKey.innerText()).toContain(sshd.hostKey.fingerprint);
      await hostKey.getByRole('button', { name: 'Trust' }).click();
    });
    await step(page, 'vm-host-password', async () => {
      const password = page.getByRole('dialog', { name: 'SSH password' });
      await password.waitFor({ timeout: 30_000 });
      await password.getByLabel('Password').fill(SSH_PASSWORD);
      await password.getByRole('button', { name: 'Log in' }).click();
    });
    const shown = (await libvirt.virsh('domdisplay', VM)).stdout.trim();
    const port = 5900 + Number(/:(\d+)$/.exec(shown)?.[1]);
    const row = await waitOnPage(page, 'the VM listed', 30_000, async () => {
      const cells = await vmTable()
        .getByRole('row')
        .filter({ hasText: VM })
        .getByRole('cell')
        .allInnerTexts();
      return cells.length ? cells : undefined;
    });
    expect(row.slice(0, 3)).toEqual([VM, 'paused', `VNC 127.0.0.1:${port} (display ${port - 5900})`]);
  });

  it('saves the VM as a bookmark by name', async () => {
    await step(page, 'vm-save-bookmark', () =>
      vmTable()
        .getByRole('button', { name: `Save ${VM} as a bookmark` })
        .click(),
    );
    await page
      .getByRole('region', { name: 'Bookmarks' })
      .getByRole('button', { name: `Connect to ${VM}`, exact: true })
      .waitFor();
    const saved = JSON.parse(readFileSync(join(viewer.dataDir, 'settings.json'), 'utf8'));
    expect(saved.bookmarks).toEqual([
      expect.objectContaining({
        name: VM,
        address: `vm:${VM}`,
        libvirtUri: libvirt.uri,
        ssh: { enabled: true, host: '127.0.0.1', port: sshd.port, user: SSH_USER, identityFile: '' },
      }),
    ]);
  });

  it('opens the console through the tunnel with one click: libvirt’s exact picture', async () => {
    await step(page, 'vm-open-console', () =>
      vmTable()
        .getByRole('button', { name: `Open the console of ${VM}` })
        .click(),
    );
    const status = await waitForStatus(page, /Connected to .+ via ssh /, 60_000, 'vm-console');
    expect(status).toContain(`via ssh ${destination()} → 127.0.0.1:`);
    await waitForCanvasToEqual(page, async () => picture, 30_000, 'vm-console');
  }, 120_000);

  it('the bookmark opens the VM again, its console looked up by name', async () => {
    await step(page, 'vm-bookmark-connect', async () => {
      await page.getByRole('button', { name: 'New connection', exact: true }).click();
      await page
        .getByRole('region', { name: 'Bookmarks' })
        .getByRole('button', { name: `Connect to ${VM}`, exact: true })
        .click();
    });
    // The console tab is still open, so this session shares its SSH connection: nothing is asked.
    const status = await waitForStatus(page, /Connected to .+ via ssh /, 60_000, 'vm-bookmark');
    expect(status).toContain(`via ssh ${destination()} → 127.0.0.1:`);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await waitForCanvasToEqual(page, async () => picture, 30_000, 'vm-bookmark');
  }, 120_000);

  it('a saved VM host is one click after a reload: only the password is asked again', async () => {
    await step(page, 'vm-save-host', async () => {
      await page.getByRole('button', { name: 'New connection', exact: true }).click();
      await vmHosts().getByRole('textbox', { name: 'SSH host' }).fill(destination());
      await vmHosts().getByRole('textbox', { name: 'libvirt URI' }).fill(libvirt.uri);
      await vmHosts().getByRole('button', { name: 'Save VM host' }).click();
      await vmHosts().getByText(`Saved the VM host ${destination()}.`).waitFor();
    });
    const saved = JSON.parse(readFileSync(join(viewer.dataDir, 'settings.json'), 'utf8'));
    expect(saved.vmHosts).toEqual([
      {
        id: expect.any(String),
        name: destination(),
        ssh: { enabled: true, host: '127.0.0.1', port: sshd.port, user: SSH_USER, identityFile: '' },
        uri: libvirt.uri,
      },
    ]);
    await page.reload();
    await step(page, 'vm-saved-host', () =>
      vmHosts()
        .getByRole('list', { name: 'Saved VM hosts' })
        .getByRole('button', { name: `${destination()} (${libvirt.uri})` })
        .click(),
    );
    const password = page.getByRole('dialog', { name: 'SSH password' });
    await password.waitFor({ timeout: 30_000 });
    await password.getByLabel('Password').fill(SSH_PASSWORD);
    await password.getByRole('button', { name: 'Log in' }).click();
    await vmTable().getByRole('row').filter({ hasText: VM }).waitFor({ timeout: 30_000 });
  }, 120_000);
});
