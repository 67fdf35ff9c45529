import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../main/rfb/transports/tls.ts';
import { runPorthole, tempDir } from '../support/cli.ts';
import { ardServer, msLogonIIServer } from '../support/dh-servers.ts';
import { rsaAesServer } from '../support/rsa-aes-server.ts';
import { type SecurityFront, type ServerSecurity, startSecurityFront } from '../support/security-front.ts';
import { startXvnc, stopAllServers, type XServer } from '../support/servers.ts';
import { differingPixels, readPng } from '../support/truth.ts';

/**
 * RSA-AES, Apple Remote Desktop and MSLogonII against scripted servers (no server on this
 * machine speaks them: Debian's TigerVNC is 1.12): the scripted server runs the security
 * handshake written from the specification, then relays a real Xvnc, so the snapshot is
 * compared pixel for pixel with `xwd -root`.
 */
const USER = 'alice';
const PASSWORD = 'a long passphrase, more than 8 characters';

let xvnc: XServer;
const dir = tempDir('porthole-scripted-security-');
const fronts: SecurityFront[] = [];

beforeAll(async () => {
  xvnc = await startXvnc({ security: 'none', geometry: [320, 240] });
});

afterAll(async () => {
  for (const front of fronts) await front.close();
  await stopAllServers();
});

function rsaKeys(bits = 2048): { publicKey: KeyObject; privateKey: KeyObject; bits: number } {
  return { ...generateKeyPairSync('rsa', { modulusLength: bits }), bits };
}

function publicKeySha256(key: KeyObject): string {
  return fingerprint(key.export({ type: 'spki', format: 'der' }));
}

async function front(security: ServerSecurity, port = 0): Promise<SecurityFront> {
  const started = await startSecurityFront(security, { host: xvnc.host, port: xvnc.port }, port);
  fronts.push(started);
  return started;
}

/** `porthole snapshot` through `server`: exit code, stderr and pixels differing from Xvnc's own picture. */
async function snapshot(server: SecurityFront, name: string, args: string[], password = PASSWORD) {
  const out = join(dir, `${name}.png`);
  const result = await runPorthole(['snapshot', server.target, out, ...args], { VNC_PASSWORD: password });
  if (result.code !== 0) return { ...result, different: -1 };
  return { ...result, different: differingPixels(readPng(out), await xvnc.truth()) };
}

describe('RSA-AES (scripted server, real picture)', () => {
  const cases = [
    { name: 'ra2', type: 5, username: USER },
    { name: 'ra2ne', type: 6, username: USER },
    { name: 'ra2_256', type: 129, username: undefined },
    { name: 'ra2ne_256', type: 130, username: undefined },
  ] as const;
  for (const { name, type, username } of cases) {
    it(`${name}${username ? ' (username and password)' : ' (password only)'}: pinned with --accept-new, pixel-exact`, async () => {
      const server = await front(rsaAesServer({ type, keys: rsaKeys(), username, password: PASSWORD }));
      const data = join(dir, `data-${name}`);
      const r = await snapshot(server, name, [
        '--security',
        name,
        '--data-dir',
        data,
        '--accept-new',
        ...(username ? ['--username', username] : []),
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.different).toBe(0);
      expect(server.outcomes).toEqual(['accepted']);
    });
  }

  it('an unknown key: exit 6 with its fingerprint, nothing sent; --accept-new pins it; then it connects without; a new key: exit 6 naming both', async () => {
    const keys = rsaKeys();
    const server = await front(rsaAesServer({ type: 5, keys, username: USER, password: PASSWORD }));
    const data = join(dir, 'data-pins');
    const args = ['--security', 'ra2', '--data-dir', data, '--username', USER];
    const sha256 = publicKeySha256(keys.publicKey);

    const unknown = await snapshot(server, 'unknown', args);
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toContain(sha256);
    expect(unknown.stderr).toMatch(/RSA-AES key, 2048 bits .* is not known yet.*--accept-new/);
    expect(server.outcomes[0]).toMatch(/closed the connection/);

    expect((await snapshot(server, 'accept', [...args, '--accept-new'])).code).toBe(0);
    const listed = await runPorthole(['pins', '--data-dir', data]);
    expect(listed.stdout).toContain(`127.0.0.1:${server.port}  SHA256 ${sha256}`);
    const pinned = await snapshot(server, 'pinned', args);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.different).toBe(0);

    const port = server.port;
    await server.close();
    const otherKeys = rsaKeys();
    const other = await front(
      rsaAesServer({ type: 5, keys: otherKeys, username: USER, password: PASSWORD }),
      port,
    );
    const changed = await snapshot(other, 'changed', [...args, '--accept-new']);
    expect(changed.code).toBe(6);
    expect(changed.stderr).toContain(sha256);
    expect(changed.stderr).toContain(publicKeySha256(otherKeys.publicKey));
    expect(changed.stderr).toMatch(/porthole pins --remove 127\.0\.0\.1:\d+/);
  });

  it('porthole scan names the type', async () => {
    const server = await front(rsaAesServer({ type: 129, keys: rsaKeys(1024), password: PASSWORD }));
    const r = await runPorthole(['scan', '127.0.0.1', '--ports', String(server.port)]);
    expect(r.stdout).toMatch(new RegExp(`${server.port}\\s+3\\.8\\s+RA2_256 \\(129\\)`));
  });

  it('a wrong password is an authentication failure (exit 3), read inside the encrypted stream', async () => {
    const server = await front(
      rsaAesServer({ type: 5, keys: rsaKeys(1024), username: USER, password: PASSWORD }),
    );
    const args = [
      '--security',
      'ra2',
      '--data-dir',
      join(dir, 'data-wrong'),
      '--accept-new',
      '--username',
      USER,
    ];
    const r = await snapshot(server, 'wrong', args, 'not it');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/authentication failed: Authentication failed.*Check the username and password/);
  });

  it('--require-encryption takes RA2 and refuses RA2ne', async () => {
    const ra2ne = await front(
      rsaAesServer({ type: 6, keys: rsaKeys(1024), username: USER, password: PASSWORD }),
    );
    const args = [
      '--data-dir',
      join(dir, 'data-required'),
      '--accept-new',
      '--username',
      USER,
      '--require-encryption',
    ];
    const refused = await snapshot(ra2ne, 'refused', args);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/the server offers only RA2ne \(6\), none of which encrypts/);
    const ra2 = await front(
      rsaAesServer({ type: 5, keys: rsaKeys(1024), username: USER, password: PASSWORD }),
    );
    const taken = await snapshot(ra2, 'required', args);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.different).toBe(0);
  });
});

describe('Apple Remote Desktop and MSLogonII (scripted servers, real picture)', () => {
  const cases = [
    { name: 'ard', label: 'Apple Remote Desktop \\(30\\)', make: ardServer },
    { name: 'mslogon2', label: 'MSLogonII \\(113\\)', make: msLogonIIServer },
  ] as const;
  for (const { name, label, make } of cases) {
    it(`${name}: refused without --allow-plain-unencrypted (nothing sent), pixel-exact with it, a wrong password is exit 3`, async () => {
      const server = await front(make({ username: USER, password: PASSWORD }));
      const args = ['--username', USER];
      const refused = await snapshot(server, `${name}-refused`, args);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(
        new RegExp(
          `${label} would send the username and password over an unencrypted connection.*--allow-plain-unencrypted`,
        ),
      );
      const allowed = await snapshot(server, name, [...args, '--allow-plain-unencrypted']);
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(allowed.different).toBe(0);
      const wrong = await snapshot(server, `${name}-wrong`, [...args, '--allow-plain-unencrypted'], 'not it');
      expect(wrong.code).toBe(3);
      expect(server.outcomes).toEqual([expect.stringMatching(/closed/), 'accepted', 'rejected']);
    });
  }
});
