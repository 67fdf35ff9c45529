import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseToSession } from '../../../main/session/parse-message.ts';
import { readTlsFiles } from '../../../main/session/tls-files.ts';
import { tempDir } from '../../support/cli.ts';

describe('a bookmark’s TLS files', () => {
  const dir = tempDir('porthole-tls-files-');
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');

  it('are read into the security options', () => {
    expect(readTlsFiles({ ca })).toEqual({ ca: '-----BEGIN CERTIFICATE-----\n' });
    expect(readTlsFiles(undefined)).toEqual({});
  });

  it('a file that cannot be read is named; a certificate needs its key', () => {
    expect(() => readTlsFiles({ ca: join(dir, 'missing.pem') })).toThrow(
      /cannot read the bookmark’s CA file .*missing\.pem/,
    );
    expect(() => readTlsFiles({ clientCert: ca })).toThrow(/client certificate without its key/);
  });

  it('travel to the session as paths, checked', () => {
    const open = (tlsFiles: unknown) =>
      parseToSession({ type: 'open', request: { target: 'h:1', tlsFiles } });
    expect(open({ ca: '/etc/ca.pem', clientCert: '/c.pem', clientKey: '/k.pem' })).toMatchObject({
      request: { tlsFiles: { ca: '/etc/ca.pem', clientCert: '/c.pem', clientKey: '/k.pem' } },
    });
    expect(open({ ca: 7 })).toBeUndefined();
    expect(open('x')).toBeUndefined();
  });
});
