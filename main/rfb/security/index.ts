import { RfbError } from '../../../shared/rfb-error.ts';
import { securityTypeName, SecurityType as T } from '../../../shared/security-types.ts';
import { ArdSecurity } from './ard.ts';
import type { Credentials, SecurityContext, SecurityHandler, SecurityOptions } from './handler.ts';
import { MsLogonIISecurity } from './mslogon2.ts';
import { NoneSecurity } from './none.ts';
import { PlainSecurity } from './plain.ts';
import { RsaAesSecurity } from './rsa-aes.ts';
import { TightSecurity } from './tight.ts';
import { TlsLayer } from './tls-layer.ts';
import { VeNCryptSecurity } from './vencrypt.ts';
import { VinoSecurity } from './vino.ts';
import { VncAuthSecurity } from './vnc-auth.ts';

/**
 * Every security type the client speaks, the one registry: how each is made, whether its
 * channel is encrypted and what credentials it sends. VeNCrypt (19) is a container: the
 * session chooses it for its subtypes (256…), which are listed here.
 */
interface TypeEntry {
  name: string;
  encrypted: boolean;
  /**
   * Sends a username and password that someone between us and the server could get: Plain in
   * the clear, Apple Remote Desktop and MSLogonII under an unauthenticated Diffie-Hellman key.
   * Without encryption such a type needs the user's explicit allowance.
   */
  plain: boolean;
  create(): SecurityHandler;
}

const anonymous = (name: string, inner: () => SecurityHandler) => () =>
  new TlsLayer(name, 'anonymous', inner());
const x509 = (name: string, inner: () => SecurityHandler) => () => new TlsLayer(name, 'x509', inner());
const none = () => new NoneSecurity();
const vncAuth = () => new VncAuthSecurity();
const plain = () => new PlainSecurity();

const TYPES: Readonly<Record<number, TypeEntry>> = {
  [T.None]: { name: 'None', encrypted: false, plain: false, create: none },
  [T.VncAuth]: { name: 'VNC Authentication', encrypted: false, plain: false, create: vncAuth },
  [T.RA2]: { name: 'RA2', encrypted: true, plain: false, create: () => new RsaAesSecurity('RA2', 128, true) },
  [T.RA2ne]: {
    name: 'RA2ne',
    encrypted: false,
    plain: false,
    create: () => new RsaAesSecurity('RA2ne', 128, false),
  },
  [T.RA2_256]: {
    name: 'RA2_256',
    encrypted: true,
    plain: false,
    create: () => new RsaAesSecurity('RA2_256', 256, true),
  },
  [T.RA2ne_256]: {
    name: 'RA2ne_256',
    encrypted: false,
    plain: false,
    create: () => new RsaAesSecurity('RA2ne_256', 256, false),
  },
  [T.ARD]: { name: 'Apple Remote Desktop', encrypted: false, plain: true, create: () => new ArdSecurity() },
  [T.MSLogonII]: { name: 'MSLogonII', encrypted: false, plain: true, create: () => new MsLogonIISecurity() },
  [T.Tight]: {
    name: 'Tight',
    encrypted: false,
    plain: false,
    create: () => new TightSecurity((type) => TYPES[type].create()),
  },
  [T.Vino]: {
    name: 'TLS',
    encrypted: true,
    plain: false,
    create: anonymous('TLS', () => new VinoSecurity(chooseVino, (type) => TYPES[type].create())),
  },
  [T.Plain]: { name: 'Plain', encrypted: false, plain: true, create: plain },
  [T.TLSNone]: { name: 'TLSNone', encrypted: true, plain: false, create: anonymous('TLSNone', none) },
  [T.TLSVnc]: { name: 'TLSVnc', encrypted: true, plain: false, create: anonymous('TLSVnc', vncAuth) },
  [T.TLSPlain]: { name: 'TLSPlain', encrypted: true, plain: true, create: anonymous('TLSPlain', plain) },
  [T.X509None]: { name: 'X509None', encrypted: true, plain: false, create: x509('X509None', none) },
  [T.X509Vnc]: { name: 'X509Vnc', encrypted: true, plain: false, create: x509('X509Vnc', vncAuth) },
  [T.X509Plain]: { name: 'X509Plain', encrypted: true, plain: true, create: x509('X509Plain', plain) },
};

const isVeNCryptSubtype = (type: number) => type >= 256;

/** A type that sends a username and password over a channel it does not encrypt. */
const exposesCredentials = (type: number) => TYPES[type]?.plain === true && !TYPES[type].encrypted;
const EXPOSES =
  'would send the username and password over an unencrypted connection, where anyone relaying it can read them';

/**
 * The default order: identity verified by a certificate authority first, then encryption with
 * a pinned key (RSA-AES), then encryption alone, then RSA-AES's protected credentials, then None
 * (no password to ask for) before VNC Authentication. Types that need a username are left out
 * of the default order without one.
 */
const DEFAULT_ORDER: readonly number[] = [
  T.X509Vnc,
  T.X509Plain,
  T.X509None,
  T.RA2_256,
  T.RA2,
  T.TLSVnc,
  T.TLSPlain,
  T.TLSNone,
  T.Vino,
  T.RA2ne_256,
  T.RA2ne,
  T.None,
  T.VncAuth,
  T.Tight,
  T.Plain,
  T.ARD,
  T.MSLogonII,
];

/** "None (1), VNC Authentication (2), …": what the client speaks, for error messages and help. */
export const SPOKEN_SECURITY_TYPES = [
  ...Object.keys(TYPES)
    .map(Number)
    .filter((type) => !isVeNCryptSubtype(type)),
  T.VeNCrypt,
]
  .map(securityTypeName)
  .join(', ');

/** Whether the client speaks `type` (a top-level type or a VeNCrypt subtype). */
export function speaksSecurityType(type: number): boolean {
  return type === T.VeNCrypt || TYPES[type] !== undefined;
}

/** The leaf types acceptable for this connection, most preferred first. */
function acceptable(options: SecurityOptions, credentials: Credentials): number[] {
  const preferences = options.preferences?.length ? options.preferences : undefined;
  const order = (preferences ?? DEFAULT_ORDER).flatMap((type) =>
    type === T.VeNCrypt ? DEFAULT_ORDER.filter(isVeNCryptSubtype) : [type],
  );
  return [...new Set(order)].filter((type) => {
    const entry = TYPES[type];
    if (!entry) return false;
    if (options.requireEncryption && !entry.encrypted) return false;
    if (entry.plain && !entry.encrypted && !options.allowPlainUnencrypted) return false;
    if (entry.plain && !preferences && !credentials.username) return false;
    return true;
  });
}

/**
 * The type to answer the server's list with (RFC 6143 §7.1.2), or for RFB 3.3 whether the
 * server's own choice is acceptable. VeNCrypt subtypes make VeNCrypt (19) the choice.
 */
export function chooseSecurityType(
  offered: number[],
  options: SecurityOptions,
  credentials: Credentials,
): number {
  const types = acceptable(options, credentials);
  if (types.length === 0) throw nothingAcceptable(options);
  for (const type of types) {
    if (!isVeNCryptSubtype(type) && offered.includes(type)) return type;
    if (isVeNCryptSubtype(type) && offered.includes(T.VeNCrypt)) return T.VeNCrypt;
  }
  throw unacceptable(offered, options, credentials);
}

/** A VeNCrypt subtype (or an ordinary type in its list) from the server's list. */
function chooseInside(offered: number[], context: SecurityContext): number {
  const type = acceptable(context.options, context.credentials).find((t) => offered.includes(t));
  if (type === undefined) throw unacceptable(offered, context.options, context.credentials);
  return type;
}

/** Inside Vino's TLS the channel is encrypted already: VNC Authentication if offered, else None. */
function chooseVino(offered: number[]): number {
  if (offered.includes(T.VncAuth)) return T.VncAuth;
  if (offered.includes(T.None)) return T.None;
  throw new RfbError(
    'protocol',
    `inside TLS the server offers only ${offered.map(securityTypeName).join(', ')}`,
  );
}

export function createSecurityHandler(type: number): SecurityHandler {
  if (type === T.VeNCrypt) {
    return new VeNCryptSecurity(
      chooseInside,
      (subtype) => TYPES[subtype].create(),
      (subtype) => subtype > T.Plain,
    );
  }
  const entry = TYPES[type];
  if (!entry) throw new Error(`no handler for security type ${type}`);
  return entry.create();
}

/** The user's own choices leave no type at all, whatever the server offers. */
function nothingAcceptable(options: SecurityOptions): RfbError {
  const chosen = (options.preferences ?? []).map(securityTypeName).join(', ');
  const exposing = (options.preferences ?? []).filter(exposesCredentials);
  if (exposing.length > 0 && !options.allowPlainUnencrypted && !options.requireEncryption) {
    return new RfbError(
      'protocol',
      `${exposing.map(securityTypeName).join(', ')} ${EXPOSES}, which Porthole refuses unless asked to; nothing was sent`,
      'Use an encrypted type (TLSPlain, X509Plain, RA2), or allow it explicitly with --allow-plain-unencrypted (the bookmark’s “Allow sending the username and password unencrypted”)',
    );
  }
  if (!options.requireEncryption || !(options.preferences ?? []).some(speaksSecurityType)) {
    return new RfbError(
      'protocol',
      `Porthole does not speak the chosen security types (${chosen}) yet; it speaks ${SPOKEN_SECURITY_TYPES} and the VeNCrypt subtypes`,
      'Change the list of security types (--security, or the bookmark’s security settings)',
    );
  }
  return new RfbError(
    'protocol',
    `none of the chosen security types (${chosen}) encrypts, and the connection must be encrypted; nothing was sent`,
    'Choose an encrypted type (x509vnc, tlsvnc, …), or turn off "Refuse connections that are not encrypted"',
  );
}

/** Why none of the offered types will do, and what the user can change. */
function unacceptable(offered: number[], options: SecurityOptions, credentials: Credentials): RfbError {
  const names = offered.map(securityTypeName).join(', ');
  const spoken = offered.filter(speaksSecurityType);
  const encrypts = (type: number) => type === T.VeNCrypt || TYPES[type].encrypted;
  const chosen = (options.preferences ?? []).map(securityTypeName).join(', ');
  if (spoken.length === 0 && offered.some((type) => type === T.X509SASL || type === T.TLSSASL)) {
    return new RfbError(
      'protocol',
      `SASL is not supported yet: the server offers only ${names}`,
      'Allow another VeNCrypt subtype on the server (QEMU: -vnc ...,tls-creds=ID without sasl=on, with a password-secret for X509Vnc)',
    );
  }
  if (spoken.length === 0) {
    return new RfbError(
      'protocol',
      `the server offers only ${names}; Porthole speaks ${SPOKEN_SECURITY_TYPES}`,
      'Configure the server to allow one of these (an encrypted VeNCrypt type, or VNC Authentication through an SSH tunnel)',
    );
  }
  if (options.requireEncryption && !spoken.some(encrypts)) {
    return new RfbError(
      'protocol',
      `the connection must be encrypted, but the server offers only ${names}, none of which encrypts; nothing was sent`,
      'Enable TLS on the server (VeNCrypt, e.g. Xvnc -SecurityTypes X509Vnc), or turn off "Refuse connections that are not encrypted"',
    );
  }
  const exposing = spoken.filter(exposesCredentials);
  if (exposing.length > 0 && !options.allowPlainUnencrypted && spoken.every((t) => !encrypts(t))) {
    return new RfbError(
      'protocol',
      `the server offers ${names}: ${exposing.map(securityTypeName).join(', ')} ${EXPOSES}, which Porthole refuses unless asked to; nothing was sent`,
      'Enable encryption on the server (TLSPlain, X509Plain, RA2), or allow it explicitly with --allow-plain-unencrypted (the bookmark’s “Allow sending the username and password unencrypted”)',
    );
  }
  if (spoken.some((type) => TYPES[type]?.plain) && !credentials.username) {
    return new RfbError(
      'auth',
      `the server offers ${names}, which need a username and password, and no username was given`,
      'Give one with --username NAME (or the bookmark’s username)',
    );
  }
  const why = options.requireEncryption ? ' with encryption required' : '';
  return new RfbError(
    'protocol',
    `the server offers ${names}, none of which the chosen security types (${chosen || 'the default order'})${why} allow`,
    'Change the list of security types (--security, or the bookmark’s security settings)',
  );
}
