import { isColourLevel } from '../../shared/colour-level.ts';
import { isPictureQuality } from '../../shared/picture-quality.ts';
import { MAX_SECURITY_TYPE } from '../../shared/security-types.ts';
import type {
  OpenSessionRequest,
  SshTunnelRequest,
  TlsFiles,
  ToSession,
} from '../../shared/session-protocol.ts';

/**
 * Checks a message from the viewer against the contract. The viewer is our own code, but a
 * session trusts nothing it did not make: anything malformed is dropped (undefined).
 */
export function parseToSession(raw: unknown): ToSession | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'open': {
      const request = parseOpenRequest(m.request);
      return request && { type: 'open', request };
    }
    case 'password':
      return isString(m.password, 1024) ? { type: 'password', password: m.password } : undefined;
    case 'certificate':
      return typeof m.trust === 'boolean' ? { type: 'certificate', trust: m.trust } : undefined;
    case 'ssh-answer':
      return typeof m.answer === 'boolean' || m.answer === null || isString(m.answer, 1024)
        ? { type: 'ssh-answer', answer: m.answer }
        : undefined;
    case 'painted':
    case 'refresh':
    case 'connection-info':
    case 'check-connection':
    case 'disconnect':
      return { type: m.type };
    case 'reconnect':
      if (m.safeMode === undefined) return { type: 'reconnect' };
      return typeof m.safeMode === 'boolean' ? { type: 'reconnect', safeMode: m.safeMode } : undefined;
    case 'key':
      return isUint(m.keysym, 0xffffffff) && typeof m.down === 'boolean' && isUint(m.scancode, 0xffff)
        ? { type: 'key', keysym: m.keysym, down: m.down, scancode: m.scancode }
        : undefined;
    case 'pointer':
      return isUint(m.x, 0xffff) && isUint(m.y, 0xffff) && isUint(m.buttons, 0x1ff)
        ? { type: 'pointer', x: m.x, y: m.y, buttons: m.buttons }
        : undefined;
    case 'clipboard':
      return isString(m.text, 16 << 20) ? { type: 'clipboard', text: m.text } : undefined;
    case 'power':
      return m.action === 'shutdown' || m.action === 'reboot' || m.action === 'reset'
        ? { type: 'power', action: m.action }
        : undefined;
    case 'audio':
      return typeof m.on === 'boolean' ? { type: 'audio', on: m.on } : undefined;
    case 'resize-remote':
      return isUint(m.width, 0xffff) && isUint(m.height, 0xffff) && m.width > 0 && m.height > 0
        ? { type: 'resize-remote', width: m.width, height: m.height }
        : undefined;
    case 'view-only':
      return typeof m.on === 'boolean' ? { type: 'view-only', on: m.on } : undefined;
    case 'colour-level':
      return typeof m.level === 'string' && isColourLevel(m.level)
        ? { type: 'colour-level', level: m.level }
        : undefined;
    case 'quality':
      return typeof m.quality === 'string' && isPictureQuality(m.quality)
        ? { type: 'quality', quality: m.quality }
        : undefined;
    default:
      return undefined;
  }
}

function parseSshTunnel(raw: unknown): SshTunnelRequest | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const t = raw as Record<string, unknown>;
  if (!isString(t.host, 255) || !isString(t.user, 255)) return undefined;
  if (!isUint(t.port, 65535) || t.port === 0) return undefined;
  if (t.identityFile !== undefined && !isString(t.identityFile, 4096)) return undefined;
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    ...(t.identityFile ? { identityFile: t.identityFile } : {}),
  };
}

function parseTlsFiles(raw: unknown): TlsFiles | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const t = raw as Record<string, unknown>;
  const files: TlsFiles = {};
  for (const name of ['ca', 'clientCert', 'clientKey'] as const) {
    if (t[name] === undefined) continue;
    if (!isString(t[name], 4096)) return undefined;
    files[name] = t[name];
  }
  return files;
}

function parseOpenRequest(raw: unknown): OpenSessionRequest | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (!isString(r.target, 1024)) return undefined;
  const request: OpenSessionRequest = { target: r.target };
  if (r.listenPort !== undefined) {
    if (!isUint(r.listenPort, 65535) || r.listenPort === 0) return undefined;
    request.listenPort = r.listenPort;
  }
  if (r.password !== undefined) {
    if (!isString(r.password, 1024)) return undefined;
    request.password = r.password;
  }
  if (r.bookmarkId !== undefined) {
    if (!isString(r.bookmarkId, 128) || r.bookmarkId === '') return undefined;
    request.bookmarkId = r.bookmarkId;
  }
  if (r.encodings !== undefined) {
    if (!isString(r.encodings, 512)) return undefined;
    request.encodings = r.encodings;
  }
  if (r.maxReconnectAttempts !== undefined) {
    if (!isUint(r.maxReconnectAttempts, 1000)) return undefined;
    request.maxReconnectAttempts = r.maxReconnectAttempts;
  }
  if (r.username !== undefined) {
    if (!isString(r.username, 255)) return undefined;
    request.username = r.username;
  }
  if (r.securityTypes !== undefined) {
    const types = r.securityTypes;
    if (!Array.isArray(types) || types.length > 32 || !types.every((t) => isUint(t, MAX_SECURITY_TYPE)))
      return undefined;
    request.securityTypes = types;
  }
  if (r.stallSeconds !== undefined) {
    if (!isUint(r.stallSeconds, 3600)) return undefined;
    request.stallSeconds = r.stallSeconds;
  }
  for (const flag of [
    'shared',
    'viewOnly',
    'reconnect',
    'safeModeReconnect',
    'audio',
    'requireEncryption',
    'allowPlainUnencrypted',
  ] as const) {
    if (r[flag] === undefined) continue;
    if (typeof r[flag] !== 'boolean') return undefined;
    request[flag] = r[flag];
  }
  if (r.tlsFiles !== undefined) {
    const files = parseTlsFiles(r.tlsFiles);
    if (!files) return undefined;
    request.tlsFiles = files;
  }
  if (r.ssh !== undefined) {
    const ssh = parseSshTunnel(r.ssh);
    if (!ssh) return undefined;
    request.ssh = ssh;
  }
  if (r.quality !== undefined) {
    if (typeof r.quality !== 'string' || !isPictureQuality(r.quality)) return undefined;
    request.quality = r.quality;
  }
  if (r.colourLevel !== undefined) {
    if (typeof r.colourLevel !== 'string' || !isColourLevel(r.colourLevel)) return undefined;
    request.colourLevel = r.colourLevel;
  }
  return request;
}

function isString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

function isUint(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}
