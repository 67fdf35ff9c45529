import { describe, expect, it } from 'vitest';
import { vncAuthResponse } from '../../main/rfb/security/vnc-auth.ts';
import { parseSecurityTypeList } from '../../shared/security-types.ts';
import { Bytes } from '../support/decode-harness.ts';
import { ScriptedServer, SERVER_FORMAT, serverInit } from '../support/scripted-server.ts';

/** A 3.8 server offering VeNCrypt, through its version and ack, listing `subtypes` as U32s. */
function vencrypt(subtypes: number[]): Bytes {
  const b = new Bytes().u8(0, 2).u8(0).u8(subtypes.length);
  for (const subtype of subtypes) b.u32(subtype);
  return b;
}

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

describe('VeNCrypt (19)', () => {
  it('answers version 0.2, chooses Plain (256) as a U32 with no ack, sends U32 lengths then username and password', () => {
    const s = new ScriptedServer({
      credentials: { username: 'ann', password: 'pw' },
      security: { preferences: [256], allowPlainUnencrypted: true },
    });
    s.send('RFB 003.008\n').takeSent();
    s.send(new Bytes().u8(1, 19));
    expect(s.takeSent()).toEqual([19]);
    s.send(new Bytes().u8(0, 2));
    expect(s.takeSent()).toEqual([0, 2]);
    s.send(new Bytes().u8(0).u8(2).u32(261).u32(256));
    const text = (t: string) => Array.from(new TextEncoder().encode(t));
    expect(s.takeSent()).toEqual([...u32(256), ...u32(3), ...u32(2), ...text('ann'), ...text('pw')]);
    s.send(new Bytes().u32(0).raw(serverInit(8, 8, SERVER_FORMAT, 'plain').build()));
    expect(s.session.state).toBe('connected');
    expect(s.session.info?.security).toEqual({ type: 'Plain', encrypted: false, identity: 'unverified' });
  });

  it('runs VNC Authentication when the server lists it inside VeNCrypt', () => {
    const s = new ScriptedServer({ credentials: { password: 'secret' } });
    s.send('RFB 003.008\n').send(new Bytes().u8(1, 19)).takeSent();
    s.send(vencrypt([2]));
    expect(s.takeSent()).toEqual([0, 2, ...u32(2)]);
    const challenge = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    s.send(challenge);
    expect(s.takeSent()).toEqual(Array.from(vncAuthResponse('secret', challenge)));
  });

  it('a TLS subtype is acknowledged before TLS starts; a refusal names the subtype', () => {
    const s = new ScriptedServer({ credentials: { password: 'x' } });
    s.send('RFB 003.008\n')
      .send(new Bytes().u8(1, 19))
      .send(vencrypt([258]));
    expect(s.takeSent().slice(-4)).toEqual(u32(258));
    s.send(new Bytes().u8(0));
    expect(s.error?.message).toMatch(/refused VeNCrypt subtype TLSVnc \(258\)/);
  });

  it('without a TLS-capable connection, an acknowledged TLS subtype ends the session cleanly', () => {
    const s = new ScriptedServer({ credentials: { password: 'x' } });
    s.send('RFB 003.008\n')
      .send(new Bytes().u8(1, 19))
      .send(vencrypt([258]))
      .send(new Bytes().u8(1));
    return new Promise<void>((done) =>
      setImmediate(() => {
        expect(s.error?.message).toMatch(/cannot carry TLS/);
        done();
      }),
    );
  });

  it('SASL only: "SASL is not supported yet", naming what the server offered (QEMU numbering)', () => {
    const s = new ScriptedServer();
    s.send('RFB 003.008\n')
      .send(new Bytes().u8(1, 19))
      .send(vencrypt([263]));
    expect(s.error?.message).toMatch(/SASL is not supported yet: the server offers only X509SASL \(263\)/);
  });

  it('refuses VeNCrypt 0.1', () => {
    const s = new ScriptedServer();
    s.send('RFB 003.008\n').send(new Bytes().u8(1, 19)).send(new Bytes().u8(0, 1));
    expect(s.error?.message).toMatch(/VeNCrypt 0\.1; Porthole speaks version 0\.2/);
  });

  it('refuses Plain (256) unencrypted unless allowed, before sending anything', () => {
    const s = new ScriptedServer({
      credentials: { username: 'ann', password: 'pw' },
      security: { preferences: [256] },
    });
    s.send('RFB 003.008\n').takeSent();
    s.send(new Bytes().u8(1, 19));
    expect(s.takeSent()).toEqual([]);
    expect(s.error?.message).toMatch(
      /Plain \(256\) would send the username and password over an unencrypted connection/,
    );
  });
});

describe('choosing a type', () => {
  it('prefers an encrypted type, then None, then VNC Authentication', () => {
    const s = new ScriptedServer();
    s.send('RFB 003.008\n').takeSent();
    s.send(new Bytes().u8(3, 2, 1, 19));
    expect(s.takeSent()).toEqual([19]);
  });

  it('follows the user’s order', () => {
    const s = new ScriptedServer({ security: { preferences: [2, 1] }, credentials: { password: 'x' } });
    s.send('RFB 003.008\n').takeSent();
    s.send(new Bytes().u8(3, 1, 2, 19));
    expect(s.takeSent()).toEqual([2]);
  });

  it('requiring encryption refuses a server offering only None and VNC Authentication', () => {
    const s = new ScriptedServer({ security: { requireEncryption: true } });
    s.send('RFB 003.008\n').takeSent();
    s.send(new Bytes().u8(2, 1, 2));
    expect(s.takeSent()).toEqual([]);
    expect(s.error?.message).toMatch(
      /must be encrypted, but the server offers only None \(1\), VNC Authentication \(2\)/,
    );
  });

  it('RFB 3.3: a server-chosen type outside the user’s list is refused', () => {
    const s = new ScriptedServer({ security: { requireEncryption: true } });
    s.send('RFB 003.003\n').send(new Bytes().u32(2));
    expect(s.error?.message).toMatch(/must be encrypted/);
  });
});

describe('Tight (16)', () => {
  it('answers no tunnel, chooses VNC Authentication, and skips the capability lists after ServerInit', () => {
    const s = new ScriptedServer({ security: { preferences: [16] }, credentials: { password: 'pw' } });
    s.send('RFB 003.008\n').takeSent();
    s.send(new Bytes().u8(1, 16));
    expect(s.takeSent()).toEqual([16]);
    const capability = (code: number) =>
      new Bytes().u32(code).raw(new TextEncoder().encode('STDVNOTUNNEL')).build();
    s.send(new Bytes().u32(1).raw(capability(0)));
    expect(s.takeSent()).toEqual(u32(0));
    s.send(new Bytes().u32(1).raw(capability(2)));
    expect(s.takeSent()).toEqual(u32(2));
    s.send(new Uint8Array(16)).takeSent();
    s.send(new Bytes().u32(0).raw(serverInit(8, 8, SERVER_FORMAT, 'tight').build()));
    s.send(new Bytes().u16(1).u16(1).u16(0).u16(0).raw(capability(150)).raw(capability(151)));
    s.send(new Bytes().u8(2)); // Bell
    expect(s.session.state).toBe('connected');
    expect(s.ops.some((op) => op.kind === 'bell')).toBe(true);
    expect(s.error).toBeUndefined();
  });
});

describe('preference lists as people write them', () => {
  it('takes names and numbers', () => {
    expect(parseSecurityTypeList('X509Vnc, tlsvnc, 2')).toEqual([261, 258, 2]);
    expect(parseSecurityTypeList('x509vnc, nonsense')).toBeUndefined();
  });
});

describe('a preference list with nothing Porthole speaks', () => {
  it('says so rather than blaming encryption', () => {
    const s = new ScriptedServer({ security: { preferences: [17] } });
    s.send('RFB 003.008\n').send(new Bytes().u8(2, 17, 2));
    expect(s.error?.message).toMatch(/does not speak the chosen security types \(Ultra \(17\)\) yet/);
  });
});
