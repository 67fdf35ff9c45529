import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitForCanvasToEqual, waitForStatus } from '../support/browser.ts';
import { runPorthole, type ServingPorthole, startServingPorthole, tempDir } from '../support/cli.ts';
import { type LibvirtDaemon, startLibvirt } from '../support/libvirt.ts';
import { settle } from '../support/servers.ts';
import { SSH_PASSWORD, SSH_USER, type SshServer, startSshd } from '../support/sshd.ts';
import { readPng, sameImage } from '../support/truth.ts';

const VM = 'porthole-vm';
const OFF = 'porthole-off';
const SPICE = 'porthole-spice';
const HEADLESS = 'porthole-headless';

/**
 * VM hosts for real: a libvirt daemon of the test's own (session mode, run as the SSH test
 * user) with a diskless TCG domain showing its firmware on VNC (127.0.0.1, autoport) and a
 * shut-off one, listed and opened through a real sshd by `porthole vms` and `vm:NAME`.
 */
describe('porthole vms and vm:NAME against a real libvirt behind a real sshd', () => {
  const dir = tempDir('porthole-vms-test-');
  const home = join(dir, 'home');
  const dataDir = join(dir, 'data');
  const passwordFile = join(dir, 'ssh-password');
  let libvirt: LibvirtDaemon;
  let sshd: SshServer;
  /** An sshd whose sessions have a PATH without virsh: a host where libvirt-clients is missing. */
  let noVirsh: SshServer;

  const via = (server: SshServer) => `${SSH_USER}@127.0.0.1:${server.port}`;
  const login = (server: SshServer) => [
    '--via',
    via(server),
    '--ssh-password-file',
    passwordFile,
    '--accept-new',
  ];
  const porthole = (args: string[]) =>
    runPorthole([...args, '--data-dir', dataDir], { HOME: home, SSH_AUTH_SOCK: '' });
  /** The console port libvirt itself reports (`virsh domdisplay` → vnc://127.0.0.1:N). */
  const displayPort = async (name: string) => {
    const shown = (await libvirt.virsh('domdisplay', name)).stdout.trim();
    const display = /^vnc:\/\/127\.0\.0\.1:(\d+)$/.exec(shown);
    if (!display) throw new Error(`virsh domdisplay ${name}: "${shown}"`);
    return 5900 + Number(display[1]);
  };
  beforeAll(async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(passwordFile, `${SSH_PASSWORD}\n`);
    [libvirt, sshd, noVirsh] = await Promise.all([
      startLibvirt(),
      startSshd(),
      startSshd({ setEnv: ['PATH=/nonexistent'] }),
    ]);
    await libvirt.define(VM);
    await libvirt.define(OFF);
    await libvirt.define(SPICE, 'spice');
    await libvirt.define(HEADLESS, 'none');
    for (const name of [VM, SPICE, HEADLESS]) {
      const started = await libvirt.virsh('start', name);
      if (started.code !== 0) throw new Error(`virsh start ${name}: ${started.stderr}`);
    }
  });

  afterAll(async () => {
    await Promise.all([sshd?.stop(), noVirsh?.stop(), libvirt?.stop()]);
  });

  it('lists the running domain with its state and console port; shut-off, SPICE-only and headless ones as such', async () => {
    const port = await displayPort(VM);
    const json = await porthole(['vms', ...login(sshd), '--uri', libvirt.uri, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const listing = JSON.parse(json.stdout);
    expect(listing.host).toBe(`${SSH_USER}@127.0.0.1:${sshd.port}`);
    expect(listing.vms).toEqual([
      { name: HEADLESS, state: 'running', display: { kind: 'none' } },
      { name: OFF, state: 'shut off', display: { kind: 'inactive' } },
      { name: SPICE, state: 'running', display: { kind: 'spice' } },
      { name: VM, state: 'running', display: { kind: 'vnc', host: '127.0.0.1', port, listen: '127.0.0.1' } },
    ]);

    const table = await porthole(['vms', ...login(sshd), '--uri', libvirt.uri]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+CONSOLE$/);
    expect(lines[1]).toMatch(new RegExp(`^${HEADLESS}\\s+running\\s+no graphical console$`));
    expect(lines[2]).toMatch(new RegExp(`^${OFF}\\s+shut off\\s+-$`));
    expect(lines[3]).toMatch(new RegExp(`^${SPICE}\\s+running\\s+SPICE only \\(no VNC\\)$`));
    expect(lines[4]).toMatch(
      new RegExp(`^${VM}\\s+running\\s+VNC 127\\.0\\.0\\.1:${port} \\(display ${port - 5900}\\)$`),
    );
  });

  it('vm:NAME through the tunnel is pixel-exact against virsh screenshot, and finds a changed autoport', async () => {
    await libvirt.virsh('destroy', VM);
    const first = await libvirt.startStill(VM);
    const out = join(dir, 'vm.png');
    const snap = await porthole(['snapshot', `vm:${VM}`, out, ...login(sshd), '--uri', libvirt.uri]);
    expect(snap.code, snap.stderr).toBe(0);
    expect(sameImage(readPng(out), first)).toBe(true);

    // The old port taken by something else: the restarted domain gets another one.
    const oldPort = await displayPort(VM);
    await libvirt.virsh('destroy', VM);
    const blocker = net.createServer().listen(oldPort, '127.0.0.1');
    try {
      const second = await libvirt.startStill(VM);
      expect(await displayPort(VM)).not.toBe(oldPort);
      const again = await porthole(['snapshot', `vm:${VM}`, out, ...login(sshd), '--uri', libvirt.uri]);
      expect(again.code, again.stderr).toBe(0);
      expect(sameImage(readPng(out), second)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('vm:NAME on this machine (no tunnel); a domain that is off, unknown or SPICE-only', async () => {
    const out = join(dir, 'local.png');
    // Paused (an error if it already is), so the picture holds still.
    await libvirt.virsh('suspend', VM);
    const still = await settle(() => libvirt.screenshot(VM));
    const local = await porthole(['snapshot', `vm:${VM}`, out, '--uri', libvirt.uri]);
    expect(local.code, local.stderr).toBe(0);
    expect(sameImage(readPng(out), still)).toBe(true);

    const off = await porthole(['snapshot', `vm:${OFF}`, out, ...login(sshd), '--uri', libvirt.uri]);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain(`the VM "${OFF}" on ${SSH_USER}@127.0.0.1:${sshd.port} is shut off`);
    const unknown = await porthole(['snapshot', 'vm:nosuchvm', out, ...login(sshd), '--uri', libvirt.uri]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('there is no VM "nosuchvm"');
    const spice = await porthole(['snapshot', `vm:${SPICE}`, out, ...login(sshd), '--uri', libvirt.uri]);
    expect(spice.code).toBe(1);
    expect(spice.stderr).toContain(`the VM "${SPICE}" has a SPICE console only`);
  });

  it('a host without virsh says so and falls back to scanning 5900–5999 through the tunnel', async () => {
    const port = await displayPort(VM);
    const r = await porthole(['vms', ...login(noVirsh), '--uri', libvirt.uri]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`virsh is not installed on ${SSH_USER}@127.0.0.1:${noVirsh.port}`);
    expect(r.stderr).toContain('apt install libvirt-clients');
    expect(r.stderr).toContain('so ports 5900–5999 were scanned');
    expect(r.stdout).toMatch(new RegExp(`^${port}\\s+QEMU \\(${VM}\\)\\s+720x400$`, 'm'));
  });

  it('libvirt closed to the user, and libvirt not answering, each have their own error', async () => {
    // A socket only root may open, as the system daemon's is to users outside the libvirt group.
    const closed = join(tempDir('porthole-libvirt-closed-'), 'libvirt-sock');
    const server = net.createServer().listen(closed);
    await new Promise((done) => server.once('listening', done));
    execFileSync('chmod', ['600', closed]);
    try {
      const denied = await porthole(['vms', ...login(sshd), '--uri', `qemu+unix:///system?socket=${closed}`]);
      expect(denied.code).toBe(3);
      expect(denied.stderr).toContain(`${SSH_USER}@127.0.0.1:${sshd.port} may not use libvirt`);
      expect(denied.stderr).toContain('Permission denied');
      expect(denied.stderr).toContain('libvirt group');
    } finally {
      server.close();
    }
    const missing = `qemu+unix:///system?socket=${join(tmpdir(), `porthole-no-libvirt-${process.pid}`, 'sock')}`;
    const unreachable = await porthole(['vms', ...login(sshd), '--uri', missing]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain(`libvirt does not answer at ${missing}`);
  });

  it('connect vm:NAME --via opens the console in the page, looked up through the tunnel', async () => {
    const browser = await launchChromium();
    let serving: ServingPorthole | undefined;
    try {
      serving = await startServingPorthole(
        [
          'connect',
          `vm:${VM}`,
          '--via',
          via(sshd),
          '--uri',
          libvirt.uri,
          '--data-dir',
          join(dir, 'page-data'),
        ],
        { HOME: home, SSH_AUTH_SOCK: '' },
      );
      const page = await browser.newPage();
      await page.goto(serving.url);
      await page
        .getByRole('dialog', { name: 'Unknown SSH host key' })
        .getByRole('button', { name: 'Trust' })
        .click();
      const password = page.getByRole('dialog', { name: 'SSH password' });
      await password.getByLabel('Password').fill(SSH_PASSWORD);
      await password.getByRole('button', { name: 'Log in' }).click();
      const status = await waitForStatus(page, /Connected to .+ via ssh /, 60_000, 'vm-connect');
      expect(status).toContain(`via ssh ${via(sshd)} → 127.0.0.1:${await displayPort(VM)}`);
      await waitForCanvasToEqual(page, () => libvirt.screenshot(VM), 30_000, 'vm-connect');
    } finally {
      serving?.child.kill('SIGTERM');
      await browser.close();
    }
  }, 120_000);
});
