import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One line of an OpenSSH known_hosts file (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"):
 * `[@cert-authority|@revoked] hostpatterns keytype base64-key [comment]`.
 */
export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | undefined;
  /** Comma-separated patterns (`*`, `?`, `!negated`), or one hashed name `|1|salt|hmac`. */
  hosts: string;
  keyType: string;
  /** The public key blob, as the server sends it. */
  key: Buffer;
  /** Where it came from, for messages: `FILE line N`. */
  source: string;
}

/** Parses a known_hosts file; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hosts, keyType, base64] = fields;
    if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return;
    const key = Buffer.from(base64, 'base64');
    // The blob starts with its own type; a line whose blob disagrees is not a key of that type.
    if (blobKeyType(key) !== keyType) return;
    entries.push({ marker, hosts, keyType, key, source: `${file} line ${index + 1}` });
  });
  return entries;
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** A known_hosts line for a key: what `ssh` appends (unhashed). */
export function knownHostLine(host: string, port: number, key: Buffer): string {
  return `${knownHostName(host, port)} ${blobKeyType(key)} ${key.toString('base64')}`;
}

/** Whether the entry's host field names `host` on `port`. */
export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostName(host, port);
  if (entry.hosts.startsWith('|1|')) return hashedNameMatches(entry.hosts, name);
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    const negated = pattern.startsWith('!');
    if (!wildcardMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    // A matching negation rules the line out whatever else matches (OpenSSH match_hostname).
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`: OpenSSH's HashKnownHosts form. */
function hashedNameMatches(hashed: string, name: string): boolean {
  const [, , salt, hash] = hashed.split('|');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** `*` any run of characters, `?` one character; case-insensitive, as OpenSSH's match_pattern. */
function wildcardMatches(pattern: string, name: string): boolean {
  const regex = pattern
    .toLowerCase()
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`).test(name);
}

/** `SHA256:` and the unpadded base64 of the blob's SHA-256, exactly as `ssh-keygen -lf` prints it. */
export function sshFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a public key blob names first (RFC 4253 §6.6): `ssh-ed25519`, `ssh-rsa`… */
export function blobKeyType(key: Buffer): string {
  if (key.length < 4) return '';
  const length = key.readUInt32BE(0);
  if (length > 64 || key.length < 4 + length) return '';
  return key.subarray(4, 4 + length).toString('latin1');
}

export type HostKeyCheck =
  | { status: 'trusted' }
  | { status: 'unknown' }
  /** The host is known with other keys: `known` are the entries naming it. */
  | { status: 'changed'; known: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

/**
 * OpenSSH's decision for a host key: revoked beats everything; a key listed for the host is
 * trusted; a host listed only with other keys has changed its key; otherwise it is unknown.
 * `@cert-authority` lines are not used (Porthole does not accept OpenSSH certificates).
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  key: Buffer,
): HostKeyCheck {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const known = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, host, port));
  if (known.some((e) => e.key.equals(key))) return { status: 'trusted' };
  return known.length > 0 ? { status: 'changed', known } : { status: 'unknown' };
}

/** ssh2's own order of host-key algorithms (lib/protocol/constants.js DEFAULT_SERVER_HOST_KEY). */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** The signature algorithms that prove a key of each type (RFC 8332 for RSA). */
const ALGORITHMS_OF_KEY_TYPE: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * The host-key algorithms to offer, those of the keys already known for the host first (as
 * OpenSSH orders them), so a server with several keys proves the one we know.
 */
export function preferredHostKeyAlgorithms(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
): string[] {
  const known = entries
    .filter((e) => e.marker === undefined && entryMatchesHost(e, host, port))
    .flatMap((e) => ALGORITHMS_OF_KEY_TYPE[e.keyType] ?? [e.keyType])
    .filter((algorithm) => HOST_KEY_ALGORITHMS.includes(algorithm));
  return [...new Set([...known, ...HOST_KEY_ALGORITHMS])];
}
