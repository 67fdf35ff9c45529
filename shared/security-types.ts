import * as v from 'valibot';

/**
 * RFB security type numbers and names (RFC 6143 §7.1.2, the rfbproto registry), as shown to
 * people and as the CLI's `--security` takes them. Numbers from 256 are VeNCrypt subtypes
 * (rfbproto "VeNCrypt"); the two SASL subtypes use QEMU's numbering (ui/vnc.h), which gtk-vnc
 * and LibVNCServer share, not rfbproto's (which swaps them).
 */
export const SecurityType = {
  Invalid: 0,
  None: 1,
  VncAuth: 2,
  RA2: 5,
  RA2ne: 6,
  Tight: 16,
  Ultra: 17,
  Vino: 18,
  VeNCrypt: 19,
  SASL: 20,
  ARD: 30,
  MSLogonII: 113,
  RA2_256: 129,
  RA2ne_256: 130,
  Plain: 256,
  TLSNone: 257,
  TLSVnc: 258,
  TLSPlain: 259,
  X509None: 260,
  X509Vnc: 261,
  X509Plain: 262,
  X509SASL: 263,
  TLSSASL: 264,
} as const;

const SECURITY_TYPE_NAMES: Record<number, string> = {
  1: 'None',
  2: 'VNC Authentication',
  5: 'RA2',
  6: 'RA2ne',
  16: 'Tight',
  17: 'Ultra',
  18: 'TLS',
  19: 'VeNCrypt',
  20: 'SASL',
  21: 'MD5 hash',
  22: 'xvp',
  30: 'Apple Remote Desktop',
  113: 'MSLogonII',
  129: 'RA2_256',
  130: 'RA2ne_256',
  256: 'Plain',
  257: 'TLSNone',
  258: 'TLSVnc',
  259: 'TLSPlain',
  260: 'X509None',
  261: 'X509Vnc',
  262: 'X509Plain',
  263: 'X509SASL',
  264: 'TLSSASL',
};

/** "VNC Authentication (2)", or "type N" for a number without a registered name. */
export function securityTypeName(type: number): string {
  const name = SECURITY_TYPE_NAMES[type];
  return name ? `${name} (${type})` : `type ${type}`;
}

/** The short name alone ("X509Vnc"), for status lines. */
export function securityTypeShortName(type: number): string {
  return SECURITY_TYPE_NAMES[type] ?? `type ${type}`;
}

/**
 * `--security` names, lower case, as the specification spells the types. `tls` is type 18
 * (Vino's anonymous TLS); `vencrypt` stands for every VeNCrypt subtype in the default order.
 */
export const SECURITY_TYPE_CLI_NAMES: Readonly<Record<string, number>> = {
  none: 1,
  vnc: 2,
  ra2: 5,
  ra2ne: 6,
  tight: 16,
  tls: 18,
  vencrypt: 19,
  ard: 30,
  mslogon2: 113,
  ra2_256: 129,
  ra2ne_256: 130,
  plain: 256,
  tlsnone: 257,
  tlsvnc: 258,
  tlsplain: 259,
  x509none: 260,
  x509vnc: 261,
  x509plain: 262,
};

/** The highest type number a preference list may hold (the VeNCrypt subtypes end at 264). */
export const MAX_SECURITY_TYPE = 264;

/** How the channel of an established session is protected, as the viewer shows it. */
export interface ChannelSecurity {
  /** The security type in effect ("X509Vnc", "VNC Authentication"). */
  type: string;
  encrypted: boolean;
  /** TLS version ("TLSv1.3") when TLS carries the session. */
  protocol?: string;
  /**
   * How the server's identity was established: by a certificate authority, by a pin the user
   * set (trust on first use), just now by the user, or not at all (anonymous TLS, no TLS).
   */
  identity: 'ca' | 'pinned' | 'trusted-now' | 'unverified';
}

/** "X509Vnc · TLS 1.3 · verified by CA", "TLSVnc · encrypted (TLS 1.2) · server identity not verified". */
export function describeChannelSecurity(security: ChannelSecurity): string {
  if (!security.encrypted) return `${security.type} · not encrypted`;
  const tls = security.protocol ? security.protocol.replace(/^TLSv/, 'TLS ') : 'encrypted';
  const identity = {
    ca: 'verified by CA',
    pinned: 'verified by pinned key',
    'trusted-now': 'trusted by you just now',
    unverified: 'server identity not verified',
  }[security.identity];
  return `${security.type} · ${tls} · ${identity}`;
}

/** A server's certificate (or RSA-AES's bare key) as the user is shown it when deciding whether to trust it. */
export const ServerCertificateSchema = v.object({
  /** `host:port` (IPv6 in brackets): what a pin belongs to. */
  server: v.string(),
  subject: v.string(),
  issuer: v.string(),
  /** Absent for a bare key (RSA-AES), which has no validity, issuer or certificate. */
  validFrom: v.optional(v.string()),
  validTo: v.optional(v.string()),
  /** SHA-256 of the whole certificate (what `openssl x509 -fingerprint -sha256` prints). */
  certificateSha256: v.optional(v.string()),
  /** SHA-256 of its public key (SubjectPublicKeyInfo, DER): what is pinned. */
  publicKeySha256: v.string(),
  /** Why no certificate authority vouches for it (unknown issuer, self-signed, name mismatch, expired). */
  problem: v.string(),
});
export type ServerCertificate = v.InferOutput<typeof ServerCertificateSchema>;

/** A server's public key the user chose to trust (trust on first use), per `host:port`. */
export interface CertificatePin {
  server: string;
  publicKeySha256: string;
  subject: string;
  issuer: string;
  /** ISO time the pin was made. */
  pinnedAt: string;
}

/**
 * A preference list as a person writes it: names (`x509vnc, tlsvnc, vnc`, as `--security`
 * takes them) or numbers, comma-separated. Undefined if any entry is neither.
 */
export function parseSecurityTypeList(text: string): number[] | undefined {
  const types = text
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean)
    .map((part) => SECURITY_TYPE_CLI_NAMES[part] ?? (/^\d+$/.test(part) ? Number(part) : Number.NaN));
  return types.every((t) => Number.isInteger(t) && t >= 1 && t <= MAX_SECURITY_TYPE) ? types : undefined;
}

/** A preference list by name where the CLI has one: "x509vnc, tlsvnc, vnc". */
export function formatSecurityTypeList(types: readonly number[]): string {
  const names = Object.entries(SECURITY_TYPE_CLI_NAMES);
  return types.map((type) => names.find(([, t]) => t === type)?.[0] ?? String(type)).join(', ');
}

/** "VeNCrypt (19) [X509Vnc, TLSVnc], VNC Authentication (2)": a server's types, subtypes by name. */
export function describeSecurityTypes(
  types: readonly number[],
  vencryptSubtypes?: readonly number[],
): string {
  return types
    .map((type) =>
      type === SecurityType.VeNCrypt && vencryptSubtypes
        ? `${securityTypeName(type)} [${vencryptSubtypes.map(securityTypeShortName).join(', ')}]`
        : securityTypeName(type),
    )
    .join(', ');
}
