import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownHostsStore } from '../../main/app/known-hosts-store.ts';
import { runSessionHost } from '../../main/session/session-host.ts';
import { launchChromium, waitForCanvasToEqual, waitForStatus } from '../support/browser.ts';
import { runPorthole, type ServingPorthole, startServingPorthole, tempDir } from '../support/cli.ts';
import { comparePictures } from '../support/colour-model.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import { startServer, stopAllServers, stopProcess, type VncServer, waitFor } from '../support/servers.ts';
import {
  makeSshKey,
  SSH_PASSWORD,
  SSH_USER,
  type SshKeyPair,
  type SshServer,
  startSshd,
} from '../support/sshd.ts';
import { readPng, sameImage } from '../support/truth.ts';

/**
 * SSH tunnels against real OpenSSH sshd instances on 127.0.0.1 (their own config and host
 * keys, made with ssh-keygen) forwarding to a real Xvnc that listens on 127.0.0.1 only.
 */
describe('porthole --via: SSH tunnels to a real sshd', () => {
  const dir = tempDir('porthole-ssh-test-');
  const home = join(dir, 'home');
  const dataDir = join(dir, 'data');
  const passwordFile = join(dir, 'ssh-password');
  const passphraseFile = join(dir, 'passphrase');
  let xvnc: VncServer;
  let sshd: SshServer;
  /** A jump host, also the server whose host key is "changed" in one test. */
  let jump: SshServer;
  let noForwarding: SshServer;
  let ed25519: SshKeyPair;
  let encrypted: SshKeyPair;
  let rsa: SshKeyPair;
  let ecdsa: SshKeyPair;
  let agent: ChildProcess | undefined;

  const via = (server: SshServer) => `${SSH_USER}@127.0.0.1:${server.port}`;
  /** The VNC server as the SSH host sees it. */
  const target = () => `127.0.0.1::${xvnc.port}`;
  const porthole = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runPorthole([...args, '--data-dir', dataDir], { HOME: home, SSH_AUTH_SOCK: '', ...env });
  const snapshotArgs = (sshHost: string, out: string, ...login: string[]) => [
    'snapshot',
    target(),
    out,
    '--via',
    sshHost,
    ...login,
  ];
  /** Scans the Xvnc's port through the tunnel, as JSON. */
  const scanArgs = (sshHost: string, ...login: string[]) => [
    'scan',
    '127.0.0.1',
    '--ports',
    String(xvnc.port),
    '--json',
    '--via',
    sshHost,
    ...login,
  ];
  /** The same with --accept-new, for tests about something else than host keys (each runs alone too). */
  const portholeTrusting = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    porthole([...args, '--accept-new'], env);

  beforeAll(async () => {
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(passwordFile, `${SSH_PASSWORD}\n`);
    writeFileSync(passphraseFile, 'open sesame\n');
    ed25519 = makeSshKey(join(dir, 'id_ed25519'), 'ed25519');
    encrypted = makeSshKey(join(dir, 'id_encrypted'), 'ed25519', 'open sesame');
    rsa = makeSshKey(join(dir, 'id_rsa'), 'rsa');
    ecdsa = makeSshKey(join(dir, 'id_ecdsa'), 'ecdsa');
    const authorizedKeys = [ed25519, encrypted, rsa, ecdsa].map((k) => k.publicLine);
    [xvnc, sshd, jump, noForwarding] = await Promise.all([
      startServer('xvnc', { security: 'none', geometry: [640, 400] }),
      startSshd({ authorizedKeys }),
      startSshd({ authorizedKeys }),
      startSshd({ authorizedKeys, allowTcpForwarding: false }),
    ]);
  });

  afterAll(async () => {
    if (agent) await stopProcess(agent);
    await Promise.all([sshd, jump, noForwarding].map((s) => s?.stop()));
    await stopAllServers();
  });

  it('an unknown host key is refused with exit 6 and its fingerprint; --accept-new stores it; the snapshot is exact', async () => {
    const out = join(dir, 'refused.png');
    const refused = await porthole(snapshotArgs(via(sshd), out, '--ssh-password-file', passwordFile));
    expect(refused.code, refused.stderr).toBe(6);
    expect(refused.stderr).toContain(`is not known: ssh-ed25519 ${sshd.hostKey.fingerprint}`);
    expect(() => statSync(out)).toThrow();

    const accepted = await porthole(
      snapshotArgs(via(sshd), out, '--ssh-password-file', passwordFile, '--accept-new'),
    );
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain(`trusting the new SSH host key of 127.0.0.1 port ${sshd.port}`);
    const truth = await xvnc.truth();
    expect(comparePictures(readPng(out).data, truth.data, truth.width).different).toBe(0);
    expect(readFileSync(join(dataDir, 'known_hosts'), 'utf8')).toContain(
      `[127.0.0.1]:${sshd.port} ${sshd.hostKey.publicLine.split(' ').slice(0, 2).join(' ')}`,
    );

    // Known now: no question, no --accept-new needed.
    const again = await porthole(snapshotArgs(via(sshd), out, '--ssh-password-file', passwordFile));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('trusting');
  });

  it("a host in the user's own hashed ~/.ssh/known_hosts is accepted silently", async () => {
    const knownHosts = join(home, '.ssh', 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${jump.port} ${jump.hostKey.publicLine}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', knownHosts]);
    expect(readFileSync(knownHosts, 'utf8')).toMatch(/^\|1\|/);
    const r = await porthole(scanArgs(via(jump), '--ssh-password-file', passwordFile));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      expect.objectContaining({ port: xvnc.port, width: 640, height: 400 }),
    ]);
  });

  it('a changed host key is refused with exit 6 naming both fingerprints, even with --accept-new', async () => {
    // The user's known_hosts says noForwarding's port has sshd's key: the server presents its own.
    const knownHosts = join(home, '.ssh', 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${noForwarding.port} ${sshd.hostKey.publicLine}\n`);
    const r = await porthole(
      snapshotArgs(
        via(noForwarding),
        join(dir, 'changed.png'),
        '--ssh-password-file',
        passwordFile,
        '--accept-new',
      ),
    );
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toContain('has changed');
    expect(r.stderr).toContain(noForwarding.hostKey.fingerprint);
    expect(r.stderr).toContain(sshd.hostKey.fingerprint);
    expect(r.stderr).toContain(knownHosts);
    expect(noForwarding.log()).not.toMatch(/Accepted|Failed password/);
    writeFileSync(knownHosts, '');
  });

  it('a wrong SSH password exits 3 naming the SSH host; an unreachable SSH host exits 2', async () => {
    const wrong = join(dir, 'wrong');
    writeFileSync(wrong, 'not the password\n');
    const r = await portholeTrusting(
      snapshotArgs(via(sshd), join(dir, 'x.png'), '--ssh-password-file', wrong),
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`SSH authentication to ${via(sshd)} failed (tried a password)`);

    const closed = await portholeTrusting(snapshotArgs(`${SSH_USER}@127.0.0.1:1`, join(dir, 'x.png')));
    expect(closed.code, closed.stderr).toBe(2);
    expect(closed.stderr).toContain('nothing is listening for SSH on 127.0.0.1 port 1');
  });

  it('keys: Ed25519, RSA, ECDSA, an encrypted one with its passphrase; without it exit 3', async () => {
    for (const key of [ed25519, rsa, ecdsa]) {
      const r = await portholeTrusting(scanArgs(via(sshd), '--ssh-key', key.file));
      expect(r.code, `${key.file}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout)).toHaveLength(1);
    }
    const out = join(dir, 'key.png');
    const ok = await portholeTrusting(
      snapshotArgs(via(sshd), out, '--ssh-key', encrypted.file, '--ssh-passphrase-file', passphraseFile),
    );
    expect(ok.code, ok.stderr).toBe(0);
    const missing = await portholeTrusting(snapshotArgs(via(sshd), out, '--ssh-key', encrypted.file));
    expect(missing.code, missing.stderr).toBe(3);
    expect(missing.stderr).toContain(
      `the SSH key ${encrypted.file} is encrypted and no passphrase was given`,
    );
    writeFileSync(join(dir, 'wrong-passphrase'), 'nope\n');
    const wrong = await portholeTrusting(
      snapshotArgs(
        via(sshd),
        out,
        '--ssh-key',
        encrypted.file,
        '--ssh-passphrase-file',
        join(dir, 'wrong-passphrase'),
      ),
    );
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(wrong.stderr).toContain(`the passphrase for the SSH key ${encrypted.file} is wrong`);
  }, 180_000);

  it('the agent (SSH_AUTH_SOCK) logs in with its key', async () => {
    const socket = join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore', detached: true });
    await waitFor('ssh-agent socket', 5000, async () =>
      statSync(socket, { throwIfNoEntry: false }) ? true : undefined,
    );
    execFileSync('ssh-add', [ed25519.file], {
      env: { ...process.env, SSH_AUTH_SOCK: socket },
      stdio: 'ignore',
    });
    const r = await portholeTrusting(scanArgs(via(sshd)), { SSH_AUTH_SOCK: socket });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
    expect(sshd.log()).toMatch(/Accepted publickey for porthole-ssh .* ED25519/);
  });

  it('a jump host: the tunnel to the SSH host runs through another sshd; the snapshot is exact', async () => {
    const out = join(dir, 'jump.png');
    const loginsOnJump = () => jump.log().match(/Accepted password for porthole-ssh/g)?.length ?? 0;
    const before = loginsOnJump();
    const r = await portholeTrusting(
      snapshotArgs(via(sshd), out, '--ssh-jump', via(jump), '--ssh-password-file', passwordFile),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(loginsOnJump()).toBe(before + 1);
    const truth = await xvnc.truth();
    expect(comparePictures(readPng(out).data, truth.data, truth.width).different).toBe(0);
  });

  it('AllowTcpForwarding no and a closed remote port give their own errors', async () => {
    const prohibited = await portholeTrusting(
      snapshotArgs(via(noForwarding), join(dir, 'x.png'), '--ssh-password-file', passwordFile),
    );
    expect(prohibited.code, prohibited.stderr).toBe(2);
    expect(prohibited.stderr).toContain('refused to forward');
    expect(prohibited.stderr).toContain('AllowTcpForwarding');
    const closed = await portholeTrusting([
      'snapshot',
      '127.0.0.1::1',
      join(dir, 'x.png'),
      '--via',
      via(sshd),
      '--ssh-password-file',
      passwordFile,
    ]);
    expect(closed.code, closed.stderr).toBe(2);
    expect(closed.stderr).toContain(
      `nothing is listening on 127.0.0.1 port 1 as seen from the SSH host ${via(sshd)}`,
    );
  });

  it('an SSH connection that dies mid-session ends the recording with the SSH reason', async () => {
    const record = (name: string) =>
      porthole([
        'record',
        target(),
        join(dir, name),
        '--seconds',
        '60',
        '--via',
        via(sshd),
        '--ssh-password-file',
        passwordFile,
      ]);
    const recordingStarted = (name: string) =>
      waitFor('the recording to start', 30_000, async () =>
        (statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0) > 1000 ? true : undefined,
      );

    const killed = record('killed.fbs');
    await recordingStarted('killed.fbs');
    sshd.signalConnections('SIGKILL');
    const k = await killed;
    expect(k.code, k.stderr).toBe(2);
    expect(k.stderr).toContain(`the SSH connection to ${via(sshd)} closed`);

    // A frozen host: only the keepalives (5 s x 3) notice.
    const frozen = record('frozen.fbs');
    await recordingStarted('frozen.fbs');
    sshd.signalConnections('SIGSTOP');
    const f = await frozen;
    sshd.signalConnections('SIGKILL');
    expect(f.code, f.stderr).toBe(2);
    expect(f.stderr).toContain(`the SSH connection to ${via(sshd)} stopped answering`);
  }, 180_000);

  it('the viewer: a bookmark tunnel asks to trust the key and for the password, says "via ssh", survives a dropped SSH connection', async () => {
    const knownHosts = new KnownHostsStore(join(dir, 'viewer-data'), []);
    const channel = new MemoryChannel();
    runSessionHost(channel, { knownHosts, reconnectDelays: [1] });
    channel.post({
      type: 'open',
      request: {
        target: `127.0.0.1::${xvnc.port}`,
        quality: 'high',
        ssh: { host: '127.0.0.1', port: sshd.port, user: SSH_USER },
      },
    });
    const hostKey = await channel.untilPhase('ssh');
    expect(hostKey.prompt).toEqual({
      kind: 'host-key',
      host: '127.0.0.1',
      port: sshd.port,
      keyType: 'ssh-ed25519',
      fingerprint: sshd.hostKey.fingerprint,
    });
    let mark = channel.received.length;
    channel.post({ type: 'ssh-answer', answer: true });
    const password = await channel.untilPhase('ssh', mark);
    expect(password.prompt).toEqual({ kind: 'password', subject: via(sshd), retry: false });
    mark = channel.received.length;
    channel.post({ type: 'ssh-answer', answer: 'wrong password' });
    const retry = await channel.untilPhase('ssh', mark);
    expect(retry.prompt).toEqual({ kind: 'password', subject: via(sshd), retry: true });
    mark = channel.received.length;
    channel.post({ type: 'ssh-answer', answer: SSH_PASSWORD });
    const connected = await channel.untilPhase('connected', mark, 30_000);
    expect(connected.via).toBe(`ssh ${via(sshd)} → 127.0.0.1:${xvnc.port}`);
    const exact = () =>
      waitFor('the picture to equal xwd', 15_000, async () => {
        const truth = await xvnc.truth();
        return sameImage(channel.paint(), truth) ? true : undefined;
      });
    await exact();
    expect(readFileSync(knownHosts.path, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `);

    // The SSH connection dies: the session says so, reconnects through a new tunnel (the key
    // is known now, the password kept in memory) and the picture comes back exact.
    mark = channel.received.length;
    sshd.signalConnections('SIGKILL');
    const lost = await channel.untilPhase('reconnecting', mark);
    // A killed sshd process closes its socket; whether that reaches the viewer as a close or a
    // reset depends on what was in flight at that moment.
    expect([
      `the SSH connection to ${via(sshd)} closed`,
      `the SSH connection to ${via(sshd)} failed: read ECONNRESET`,
    ]).toContain(lost.error.message);
    mark = channel.received.length;
    await channel.untilPhase('connected', mark, 30_000);
    const asked = channel.received.slice(mark).filter((m) => m.type === 'status' && m.status.phase === 'ssh');
    expect(asked).toEqual([]);
    await exact();
    channel.close();
  });

  it('in Chromium: connect --via asks to trust the host key and for the SSH password in the page, then shows the exact desktop', async () => {
    const browser = await launchChromium();
    let serving: ServingPorthole | undefined;
    try {
      serving = await startServingPorthole(
        ['connect', `vnc://127.0.0.1:${xvnc.port}`, '--via', via(sshd), '--data-dir', join(dir, 'page-data')],
        { HOME: home, SSH_AUTH_SOCK: '' },
      );
      const page = await browser.newPage();
      await page.goto(serving.url);
      const hostKey = page.getByRole('dialog', { name: 'Unknown SSH host key' });
      await hostKey.waitFor({ timeout: 30_000 });
      expect(await hostKey.innerText()).toContain('ssh-ed25519');
      expect(await hostKey.innerText()).toContain(sshd.hostKey.fingerprint);
      await hostKey.getByRole('button', { name: 'Trust' }).click();
      const password = page.getByRole('dialog', { name: 'SSH password' });
      await password.waitFor({ timeout: 30_000 });
      await password.getByLabel('Password').fill(SSH_PASSWORD);
      await password.getByRole('button', { name: 'Log in' }).click();
      const status = await waitForStatus(page, /Connected to .+ via ssh /, 30_000, 'ssh-page');
      expect(status).toContain(`(640×400) via ssh ${via(sshd)} → 127.0.0.1:${xvnc.port}`);
      await waitForCanvasToEqual(page, () => xvnc.truth(), 30_000, 'ssh-page');
      expect(readFileSync(join(dir, 'page-data', 'known_hosts'), 'utf8')).toContain(
        `[127.0.0.1]:${sshd.port} ssh-ed25519`,
      );
    } finally {
      serving?.child.kill('SIGTERM');
      await browser.close();
    }
  }, 120_000);
});
