import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KnownHostsStore } from '../../../main/app/known-hosts-store.ts';
import { type HostKeyPolicy, verifyHostKey } from '../../../main/ssh/host-keys.ts';
import {
  checkHostKey,
  type KnownHostEntry,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
  sshFingerprint,
} from '../../../main/ssh/known-hosts.ts';
import { tempDir } from '../../support/cli.ts';

const dir = tempDir('porthole-known-hosts-');

interface TestKey {
  type: string;
  /** The `.pub` line: `type base64 comment`. */
  line: string;
  blob: Buffer;
  /** What `ssh-keygen -lf` prints as the fingerprint. */
  keygenFingerprint: string;
}

/** A real key made by ssh-keygen, with its fingerprint as ssh-keygen prints it. */
function makeKey(name: string, type: string, bits?: string): TestKey {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', bits] : []), '-N', '', '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  const keygenFingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(
    ' ',
  )[1];
  return {
    type: line.split(' ')[0],
    line,
    blob: Buffer.from(line.split(' ')[1], 'base64'),
    keygenFingerprint,
  };
}

describe('known_hosts as OpenSSH reads it', () => {
  let ed25519: TestKey;
  let rsa: TestKey;
  let ecdsa: TestKey;
  let other: TestKey;

  beforeAll(() => {
    ed25519 = makeKey('ed', 'ed25519');
    rsa = makeKey('rsa', 'rsa', '2048');
    ecdsa = makeKey('ecdsa', 'ecdsa', '384');
    other = makeKey('other', 'ed25519');
  });

  it('fingerprints equal ssh-keygen -lf for Ed25519, RSA and ECDSA keys', () => {
    for (const key of [ed25519, rsa, ecdsa]) {
      expect(sshFingerprint(key.blob)).toBe(key.keygenFingerprint);
      expect(key.keygenFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  });

  it('a hashed entry (ssh-keygen -H) matches its host and port only', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `kvm1.example ${ed25519.line}\n[10.0.0.5]:2222 ${rsa.line}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file]);
    const entries = parseKnownHosts(readFileSync(file, 'utf8'), file);
    expect(entries.map((e) => e.hosts.startsWith('|1|'))).toEqual([true, true]);
    expect(checkHostKey(entries, 'kvm1.example', 22, ed25519.blob).status).toBe('trusted');
    expect(checkHostKey(entries, 'KVM1.example', 22, ed25519.blob).status).toBe('trusted');
    expect(checkHostKey(entries, 'kvm1.example', 2222, ed25519.blob).status).toBe('unknown');
    expect(checkHostKey(entries, '10.0.0.5', 2222, rsa.blob).status).toBe('trusted');
    expect(checkHostKey(entries, '10.0.0.5', 22, rsa.blob).status).toBe('unknown');
    const changed = checkHostKey(entries, 'kvm1.example', 22, other.blob);
    expect(changed.status).toBe('changed');
  });

  it('patterns: * and ? match, a matching !negation rules the line out, comments and junk are skipped', () => {
    const entries = parseKnownHosts(
      [
        '# a comment',
        '',
        `*.lab,!secret.lab ${ed25519.line}`,
        `kvm? ${rsa.line}`,
        'garbage line',
        `host ssh-ed25519 ${rsa.line.split(' ')[1]}`,
      ].join('\n'),
      'test',
    );
    expect(entries).toHaveLength(2);
    expect(checkHostKey(entries, 'a.lab', 22, ed25519.blob).status).toBe('trusted');
    expect(checkHostKey(entries, 'secret.lab', 22, ed25519.blob).status).toBe('unknown');
    expect(checkHostKey(entries, 'kvm7', 22, rsa.blob).status).toBe('trusted');
    expect(checkHostKey(entries, 'kvm10', 22, rsa.blob).status).toBe('unknown');
  });

  it('@revoked refuses the key everywhere; @cert-authority lines are not trusted as host keys', () => {
    const entries = parseKnownHosts(
      `@revoked * ${ed25519.line}\n@cert-authority *.lab ${rsa.line}\nhost.lab ${ed25519.line}\n`,
      'test',
    );
    expect(checkHostKey(entries, 'host.lab', 22, ed25519.blob).status).toBe('revoked');
    expect(checkHostKey(entries, 'x.lab', 22, rsa.blob).status).toBe('unknown');
  });

  it('the known key type is offered first', () => {
    const entries = parseKnownHosts(`h ${rsa.line}\n[h]:2200 ${ecdsa.line}\n`, 'test');
    expect(preferredHostKeyAlgorithms(entries, 'h', 22).slice(0, 4)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    expect(preferredHostKeyAlgorithms(entries, 'h', 2200)[0]).toBe('ecdsa-sha2-nistp384');
    expect(preferredHostKeyAlgorithms([], 'h', 22)[0]).toBe('ssh-ed25519');
  });

  it('verifyHostKey: unknown asks and stores, changed names both fingerprints and never asks', async () => {
    const store = new KnownHostsStore(join(dir, 'data'), [join(dir, 'none')]);
    const asked: string[] = [];
    const policy = (answer: boolean): HostKeyPolicy => ({
      known: store,
      askUnknown: async (q) => {
        asked.push(`${q.keyType} ${q.fingerprint}`);
        return answer;
      },
    });
    const verify = async (key: Buffer, answer: boolean) =>
      verifyHostKey(await store.entries(), policy(answer), 'vm.lab', 2222, key);
    await expect(verify(ed25519.blob, false)).rejects.toMatchObject({
      kind: 'identity',
      message: expect.stringContaining(ed25519.keygenFingerprint),
    });
    await verify(ed25519.blob, true);
    expect(readFileSync(store.path, 'utf8')).toBe(
      `[vm.lab]:2222 ${ed25519.line.split(' ').slice(0, 2).join(' ')}\n`,
    );
    await verify(ed25519.blob, false);
    const entries: KnownHostEntry[] = await store.entries();
    expect(entries).toHaveLength(1);
    const error = await verify(other.blob, true).catch((e) => e);
    expect(error.kind).toBe('identity');
    expect(error.message).toContain(other.keygenFingerprint);
    expect(error.message).toContain(ed25519.keygenFingerprint);
    expect(asked).toEqual([
      `ssh-ed25519 ${ed25519.keygenFingerprint}`,
      `ssh-ed25519 ${ed25519.keygenFingerprint}`,
    ]);
  });
});
