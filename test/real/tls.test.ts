import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../support/certificates.ts';
import { runPorthole, tempDir } from '../support/cli.ts';
import {
  freePort,
  type QemuServer,
  readBanner,
  startQemu,
  startTightVnc,
  startXvnc,
  stopAllServers,
  type TightVncServer,
  type VncServer,
  waitFor,
  type XServer,
} from '../support/servers.ts';
import { differingPixels, readPng } from '../support/truth.ts';

const PASSWORD = 'tls-pass';
const PLAIN_USER = 'porthole-plain';
const PLAIN_PASSWORD = 'plain-Pa55';
const ALL_XVNC_TYPES = 'X509Vnc,X509Plain,TLSVnc,TLSPlain,TLSNone,X509None,Plain,VncAuth';

afterAll(async () => {
  await stopAllServers();
  execFileSync('sh', ['-c', `userdel ${PLAIN_USER} 2>/dev/null || true`]);
});

/** The SHA-256 of a certificate's public key (SPKI, DER) as openssl computes it, colon-separated. */
function publicKeySha256(certFile: string): string {
  const der = execFileSync('sh', [
    '-c',
    `openssl x509 -in ${certFile} -pubkey -noout | openssl pkey -pubin -outform der | sha256sum`,
  ]);
  return der.toString().split(' ')[0].toUpperCase().match(/../g)!.join(':');
}

/** `porthole snapshot` of `server` with `args`; the exit code, stderr, and differing pixels against the server's own picture. */
async function snapshot(
  server: Pick<VncServer, 'target' | 'truth'>,
  dir: string,
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
) {
  const out = join(dir, `${name}.png`);
  const result = await runPorthole(['snapshot', server.target, out, ...args], env);
  if (result.code !== 0) return { ...result, different: -1 };
  const truth = await server.truth();
  return { ...result, different: differingPixels(readPng(out), truth) };
}

describe('encrypted connections to Xvnc (VeNCrypt)', () => {
  const dir = tempDir('porthole-tls-');
  let pki: TestPki;
  let xvnc: XServer;
  const data = join(dir, 'data');

  beforeAll(async () => {
    pki = makeTestPki(join(dir, 'pki'));
    // A PAM user for the Plain types; Xvnc checks it with PAM (tests run as root).
    execFileSync('sh', [
      '-c',
      `id ${PLAIN_USER} >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin ${PLAIN_USER}`,
    ]);
    execFileSync('chpasswd', { input: `${PLAIN_USER}:${PLAIN_PASSWORD}\n` });
    xvnc = await startXvnc({
      security: 'vncauth',
      password: PASSWORD,
      geometry: [640, 480],
      xvncSecurity: {
        types: ALL_XVNC_TYPES,
        cert: pki.serverCert,
        key: pki.serverKey,
        plainUsers: PLAIN_USER,
      },
    });
  });

  for (const type of ['x509vnc', 'x509plain', 'x509none', 'tlsvnc', 'tlsplain', 'tlsnone']) {
    it(`${type} with --ca: the snapshot is the server's picture, pixel for pixel`, async () => {
      const plain = type.endsWith('plain');
      const r = await snapshot(
        xvnc,
        dir,
        type,
        [
          '--security',
          type,
          '--ca',
          pki.ca,
          '--data-dir',
          data,
          ...(plain ? ['--username', PLAIN_USER] : []),
        ],
        { VNC_PASSWORD: plain ? PLAIN_PASSWORD : PASSWORD },
      );
      expect(r.stderr).toMatch(/wrote 640x480/);
      expect(r.code).toBe(0);
      expect(r.different).toBe(0);
    });
  }

  it('a wrong Plain password is an authentication failure (exit 3)', async () => {
    const r = await runPorthole(
      [
        'snapshot',
        xvnc.target,
        join(dir, 'no.png'),
        '--security',
        'x509plain',
        '--ca',
        pki.ca,
        '--username',
        PLAIN_USER,
      ],
      { VNC_PASSWORD: 'wrong' },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/authentication failed.*Check the username and password/);
  });

  it('Plain (256) is refused without the explicit allowance, and works with it', async () => {
    const args = ['--security', 'plain', '--username', PLAIN_USER];
    const refused = await runPorthole(['snapshot', xvnc.target, join(dir, 'no.png'), ...args], {
      VNC_PASSWORD: PLAIN_PASSWORD,
    });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /Plain \(256\) would send the username and password over an unencrypted connection.*--allow-plain-unencrypted/,
    );
    const allowed = await snapshot(xvnc, dir, 'plain', [...args, '--allow-plain-unencrypted'], {
      VNC_PASSWORD: PLAIN_PASSWORD,
    });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.different).toBe(0);
  });

  it('--require-encryption refuses VNC Authentication and takes an encrypted type', async () => {
    const refused = await runPorthole(
      ['snapshot', xvnc.target, join(dir, 'no.png'), '--security', 'vnc', '--require-encryption'],
      { VNC_PASSWORD: PASSWORD },
    );
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /VNC Authentication \(2\)\) encrypts, and the connection must be encrypted/,
    );
    const chosen = await snapshot(xvnc, dir, 'required', ['--require-encryption', '--ca', pki.ca], {
      VNC_PASSWORD: PASSWORD,
    });
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.different).toBe(0);
  });

  it('an unknown certificate: exit 6 with the fingerprint; --accept-new pins it; then it connects without; a new key: exit 6 naming both', async () => {
    const pins = join(dir, 'pins-data');
    const args = ['--security', 'x509vnc', '--data-dir', pins];
    const fingerprint = publicKeySha256(pki.serverCert);

    const unknown = await runPorthole(['snapshot', xvnc.target, join(dir, 'no.png'), ...args], {
      VNC_PASSWORD: PASSWORD,
    });
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toContain(fingerprint);
    expect(unknown.stderr).toMatch(
      /not trusted because it is issued by an authority this computer does not trust.*--accept-new/,
    );

    const accepted = await snapshot(xvnc, dir, 'accept-new', [...args, '--accept-new'], {
      VNC_PASSWORD: PASSWORD,
    });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.different).toBe(0);
    const listed = await runPorthole(['pins', '--data-dir', pins]);
    expect(listed.stdout).toContain(`${xvnc.host}:${xvnc.port}  SHA256 ${fingerprint}`);

    const pinned = await snapshot(xvnc, dir, 'pinned', args, { VNC_PASSWORD: PASSWORD });
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.different).toBe(0);

    // The same port, a server with another key.
    const other = makeTestPki(join(dir, 'pki-other'), 'Another CA');
    const port = xvnc.port;
    await xvnc.stop();
    xvnc = await startXvnc({
      security: 'vncauth',
      password: PASSWORD,
      geometry: [640, 480],
      port,
      xvncSecurity: {
        types: ALL_XVNC_TYPES,
        cert: other.serverCert,
        key: other.serverKey,
        plainUsers: PLAIN_USER,
      },
    });
    const changed = await runPorthole(
      ['snapshot', xvnc.target, join(dir, 'no.png'), ...args, '--accept-new'],
      {
        VNC_PASSWORD: PASSWORD,
      },
    );
    expect(changed.code).toBe(6);
    expect(changed.stderr).toContain(`certificate has changed`);
    expect(changed.stderr).toContain(fingerprint);
    expect(changed.stderr).toContain(publicKeySha256(other.serverCert));
    expect(changed.stderr).toContain(`porthole pins --remove ${xvnc.host}:${xvnc.port}`);
  });

  it('scan names the VeNCrypt subtypes', async () => {
    const r = await runPorthole(['scan', xvnc.host, '--ports', String(xvnc.port)]);
    expect(r.stdout).toContain(
      'VeNCrypt (19) [X509Vnc, X509Plain, TLSVnc, TLSPlain, TLSNone, X509None, Plain, VNC Authentication], VNC Authentication (2)',
    );
  });
});

describe('encrypted connections to QEMU (tls-creds-x509, tls-creds-anon)', () => {
  const dir = tempDir('porthole-tls-qemu-');
  let pki: TestPki;
  let qemu: QemuServer;
  /** One VM, three VNC displays: X509Vnc, X509None verifying clients, TLSNone (anonymous). */
  const ports = { x509Vnc: 0, verifyPeer: 0, anonymous: 0 };
  const target = (port: number): VncServer => ({ ...qemu, target: `${qemu.host}::${port}` });

  beforeAll(async () => {
    pki = makeTestPki(join(dir, 'pki'));
    ports.verifyPeer = await freePort();
    ports.anonymous = await freePort();
    const creds = (id: string, verifyPeer: string) =>
      `tls-creds-x509,id=${id},dir=${pki.qemuDir},endpoint=server,verify-peer=${verifyPeer}`;
    qemu = await startQemu({
      security: 'none',
      vncOptions: ['tls-creds=x509a', 'password-secret=vncpass'],
      qemuArgs: [
        '-object',
        creds('x509a', 'no'),
        '-object',
        creds('x509b', 'yes'),
        '-object',
        'tls-creds-anon,id=anon,endpoint=server',
        '-object',
        `secret,id=vncpass,data=${PASSWORD}`,
        '-vnc',
        `127.0.0.1:${ports.verifyPeer - 5900},id=verify,tls-creds=x509b`,
        '-vnc',
        `127.0.0.1:${ports.anonymous - 5900},id=anon,tls-creds=anon`,
      ],
    });
    ports.x509Vnc = qemu.port;
    for (const port of [ports.verifyPeer, ports.anonymous]) {
      await waitFor(`QEMU's display on ${port}`, 15_000, () => readBanner(port));
    }
  });

  it('X509Vnc (verify-peer=no, password-secret) with --ca: pixel-exact against screendump', async () => {
    const r = await snapshot(target(ports.x509Vnc), dir, 'x509vnc', ['--ca', pki.ca], {
      VNC_PASSWORD: PASSWORD,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.different).toBe(0);
  });

  it('verify-peer=yes: without a client certificate the message says so (exit 3); with it, pixel-exact', async () => {
    const server = target(ports.verifyPeer);
    const refused = await runPorthole(['snapshot', server.target, join(dir, 'no.png'), '--ca', pki.ca]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /the server requires a client certificate \(or rejected ours\).*--client-cert FILE --client-key FILE/,
    );
    const r = await snapshot(server, dir, 'verify-peer', [
      '--ca',
      pki.ca,
      '--client-cert',
      pki.clientCert,
      '--client-key',
      pki.clientKey,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.different).toBe(0);
  });

  it('TLSNone (anonymous TLS 1.2, DH): pixel-exact against screendump', async () => {
    const r = await snapshot(target(ports.anonymous), dir, 'anon', ['--security', 'tlsnone']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.different).toBe(0);
  });
});

describe('Tight security (16) against tightvncserver', () => {
  const dir = tempDir('porthole-tight-');
  let tight: TightVncServer;

  beforeAll(async () => {
    tight = await startTightVnc({ security: 'vncauth', password: PASSWORD, geometry: [640, 480] });
  });

  it('offers [2, 16]; --security tight with VNC Authentication inside: pixel-exact against xwd', async () => {
    const scan = await runPorthole(['scan', tight.host, '--ports', String(tight.port)]);
    expect(scan.stdout).toContain('VNC Authentication (2), Tight (16)');
    const r = await snapshot(tight, dir, 'tight', ['--security', 'tight'], { VNC_PASSWORD: PASSWORD });
    expect(r.code, r.stderr).toBe(0);
    expect(r.different).toBe(0);
  });
});
