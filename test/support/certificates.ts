import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A test certificate authority and what it issued, as PEM file paths. */
export interface TestPki {
  dir: string;
  ca: string;
  caKey: string;
  /** For localhost and 127.0.0.1. */
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A directory laid out as QEMU's tls-creds-x509 wants it (ca-cert.pem, server-cert.pem, server-key.pem). */
  qemuDir: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** Makes a CA, a server certificate for localhost/127.0.0.1 and a client certificate with `openssl`. */
export function makeTestPki(dir: string, name = 'Porthole Test CA'): TestPki {
  mkdirSync(dir, { recursive: true });
  const path = (file: string) => join(dir, file);
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.pem'),
    '-days',
    '3',
    '-subj',
    `/CN=${name}`,
  ]);
  const issue = (base: string, subject: string, extensions: string) => {
    writeFileSync(path(`${base}.cnf`), extensions);
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path(`${base}.key`),
      '-out',
      path(`${base}.csr`),
      '-subj',
      subject,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      path(`${base}.csr`),
      '-CA',
      path('ca.pem'),
      '-CAkey',
      path('ca.key'),
      '-CAcreateserial',
      '-out',
      path(`${base}.pem`),
      '-days',
      '3',
      '-extfile',
      path(`${base}.cnf`),
    ]);
  };
  issue(
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  issue('client', '/CN=porthole client', 'extendedKeyUsage=clientAuth\n');
  const qemuDir = path('qemu');
  mkdirSync(qemuDir);
  execFileSync('cp', [path('ca.pem'), join(qemuDir, 'ca-cert.pem')]);
  execFileSync('cp', [path('server.pem'), join(qemuDir, 'server-cert.pem')]);
  execFileSync('cp', [path('server.key'), join(qemuDir, 'server-key.pem')]);
  return {
    dir,
    ca: path('ca.pem'),
    caKey: path('ca.key'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
    qemuDir,
  };
}
