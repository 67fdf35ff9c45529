/*
 * Over 400 lines on purpose: the .vnc file format as TigerVNC, RealVNC, UltraVNC and TightVNC
 * write it, read and written in one place, because every key has a reader and a writer that
 * must agree (names, spellings, obfuscated passwords, which keys each viewer understands).
 */
import { type ColourLevel, isColourLevel } from '../../shared/colour-level.ts';
import { isEncodingName, splitEncodingList } from '../../shared/encodings.ts';
import { isPictureQuality, type PictureQuality } from '../../shared/picture-quality.ts';
import { SECURITY_TYPE_CLI_NAMES, SecurityType, securityTypeShortName } from '../../shared/security-types.ts';
import {
  type Bookmark,
  type BookmarkFields,
  newBookmarkFields,
  type Scaling,
} from '../../shared/settings.ts';
import { formatTarget, parseTarget } from '../../shared/target.ts';
import { deobfuscateVncPassword } from '../rfb/security/vnc-auth.ts';

/**
 * `.vnc` connection files as the common viewers write them:
 *
 * - TigerVNC (vncviewer's "Save as"): a first line `TigerVNC Configuration file Version 1.0`,
 *   then `Name=Value` lines without sections: `ServerName=host:N`, `SecurityTypes`,
 *   `AutoSelect`, `FullColor`, `LowColorLevel` (0: 8 colours, 1: 64, 2: 256),
 *   `PreferredEncoding`, `NoJPEG`, `QualityLevel` (0–9), `Shared`, `ViewOnly`, `FullScreen`…
 * - RealVNC Viewer (and VNC 4, UltraVNC): INI sections `[Connection]` (`Host`, `Port`,
 *   `Password` as 16 hex digits of the DES-obfuscated password, `UserName`) and `[Options]`
 *   (`ColourLevel`/`ColorLevel` = pal8|rgb111|rgb222|full, `Quality` = Auto|High|Medium|Low,
 *   `PreferredEncoding`, `Shared`, `ViewOnly`, `Scaling` = None|AspectFit|Fit, `Encryption`…),
 *   or the same keys with no section at all.
 *
 * Keys are case-insensitive and sections do not matter (a key means the same wherever it
 * is); `#` and `;` start comments; CRLF, CR and LF line ends and a UTF-8 BOM are accepted.
 */

export const MAX_VNC_FILE_BYTES = 1 << 20;
const MAX_WARNINGS = 50;
const TIGERVNC_HEADER = /^TigerVNC Configuration file Version (\S+)$/i;

export interface VncFileContents {
  fields: BookmarkFields;
  /** The password the file carries (de-obfuscated), if any. */
  password?: string;
  /** Settings that were skipped, one line each; the import still succeeded. */
  warnings: string[];
}

/** Documented keys of TigerVNC and RealVNC that have no Porthole setting: ignored quietly. */
const IGNORED_KEYS = new Set(
  [
    'FullScreen',
    'FullScreenMode',
    'FullScreenAllMonitors',
    'FullScreenSelectedMonitors',
    'FullscreenSystemKeys',
    'Maximize',
    'DesktopSize',
    'RemoteResize',
    'MenuKey',
    'EnableMenuKey',
    'AcceptClipboard',
    'SendClipboard',
    'SendPrimary',
    'SetPrimary',
    'AcceptCutText',
    'SendCutText',
    'AcceptBell',
    'DotWhenNoCursor',
    'AlwaysCursor',
    'CursorType',
    'EmulateMiddleButton',
    'Emulate3',
    'PointerEventInterval',
    'UseLocalCursor',
    'UseDesktopResize',
    'SendPtrEvents',
    'SendKeyEvents',
    'SendSpecialKeys',
    'DisableWinKeys',
    'Monitor',
    'AutoReconnect',
    'ReconnectOnError',
    'AlertOnFatalError',
    'CustomCompressLevel',
    'CompressLevel',
    'X509CRL',
    'PasswordFile',
    'Via',
    'Log',
    'ConnMethod',
    'ProxyServer',
    'ProxyType',
    'Protocol3.3',
    'SelectDesktop',
    'ClientCutText',
    'ServerCutText',
    'ShareFiles',
    'EnableChat',
    'EnableRemotePrinting',
    'ChangeServerDefaultPrinter',
    'VerifyId',
    'Identities',
    'WarnUnencrypted',
    'UserNameFromSystem',
    'SingleSignOn',
    'Toolbar',
    'HideCloseAlert',
    'KeepAliveInterval',
    'ShowToolbar',
    'RelativePtr',
    'ScaleMode',
    'Scale',
    'ViewerScale',
    'LocalCursor',
    'AutoScaling',
    'UIPrefix',
    'UuidHost',
    'FriendlyName',
  ].map((key) => key.toLowerCase()),
);

/** TigerVNC's SecurityTypes names with one RFB security type number each. */
const SECURITY_TYPE_NUMBERS: Record<string, number> = {
  none: 1,
  vncauth: 2,
  ra2: 5,
  ra2ne: 6,
  dh: 30,
  mslogonii: 113,
  ra2_256: 129,
  ra2ne_256: 130,
};
/** TigerVNC's VeNCrypt sub-types (RFB security type 19), each with its own number (256…). */
const VENCRYPT_NAMES = new Set([
  'plain',
  'tlsnone',
  'tlsvnc',
  'tlsplain',
  'x509none',
  'x509vnc',
  'x509plain',
]);
const VENCRYPT = 19;

/** RealVNC's Quality values; "Custom" has no Porthole equivalent. */
const QUALITY_NAMES: Record<string, PictureQuality> = {
  auto: 'auto',
  high: 'high',
  medium: 'medium',
  low: 'low',
};
const SCALING_NAMES: Record<string, Scaling> = { none: '1:1', aspectfit: 'fit', fit: 'fill' };
const SCALING_WRITTEN: Record<Scaling, string> = { '1:1': 'None', fit: 'AspectFit', fill: 'Fit' };
const LOW_COLOUR_LEVELS: readonly ColourLevel[] = ['rgb111', 'rgb222', 'rgb332'];

interface Setting {
  /** The key as written (for messages). */
  key: string;
  value: string;
  line: number;
}

/**
 * Reads a `.vnc` file. Throws an Error naming the file and line for anything that is not a
 * connection file: no host, a bad port, colour level or password, binary data, over 1 MiB.
 */
export function parseVncFile(fileName: string, text: string): VncFileContents {
  const label = baseName(fileName) || 'the file';
  if (Buffer.byteLength(text, 'utf8') > MAX_VNC_FILE_BYTES) {
    throw new Error(`${label}: the file is larger than 1 MiB; a .vnc file is a few lines of text`);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const settings = new Map<string, Setting>();
  const warnings: string[] = [];
  const warn = (message: string) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
    else if (warnings.length === MAX_WARNINGS) warnings.push('(further warnings left out)');
  };
  const fail = (line: number, message: string): never => {
    throw new Error(`${label} line ${line}: ${message}`);
  };

  for (let index = 0; index < lines.length; index++) {
    const number = index + 1;
    const raw = lines[index];
    // biome-ignore lint/suspicious/noControlCharactersInRegex: binary data is what this looks for
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(raw)) {
      fail(number, 'holds binary data; this is not a .vnc connection file');
    }
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (index === 0 && TIGERVNC_HEADER.test(line)) {
      const version = TIGERVNC_HEADER.exec(line)?.[1];
      if (version !== '1.0') warn(`line 1: TigerVNC file version ${version} (read as 1.0)`);
      continue;
    }
    if (/^\[[^\]]*\]$/.test(line)) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) fail(number, `"${shorten(line)}" is not a Name=Value setting`);
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    const name = key.toLowerCase();
    if (KNOWN_KEYS.has(name)) settings.set(canonical(name), { key, value, line: number });
    else if (!IGNORED_KEYS.has(name)) warn(`line ${number}: unknown setting ${shorten(key)} ignored`);
  }

  const get = (name: string) => settings.get(name);
  const bool = (name: string): boolean | undefined => {
    const setting = get(name);
    return setting && parseBoolean(setting, fail);
  };

  // Address: Host/ServerName as written, or host with Port.
  const host = get('host');
  if (!host || host.value === '') {
    throw new Error(`${label}: no server address (a Host= or ServerName= line) in the file`);
  }
  let target: { host: string; port: number };
  try {
    target = parseTarget(host.value);
  } catch (error) {
    return fail(
      host.line,
      `${host.key}=${shorten(host.value)} is not a server address: ${(error as Error).message}`,
    );
  }
  let address = host.value;
  const port = get('port');
  if (port) {
    if (!/^\d{1,5}$/.test(port.value) || Number(port.value) < 1 || Number(port.value) > 65535) {
      fail(port.line, `${port.key}=${shorten(port.value)} is not a port number (1–65535)`);
    }
    if (Number(port.value) !== target.port)
      address = formatTarget({ host: target.host, port: Number(port.value) });
  }

  let password: string | undefined;
  const stored = get('password');
  if (stored && stored.value !== '') {
    if (!/^[0-9a-f]{16}$/i.test(stored.value)) {
      fail(stored.line, `${stored.key}= is not 16 hex digits (an obfuscated VNC password)`);
    }
    password = deobfuscateVncPassword(Buffer.from(stored.value, 'hex'));
  }

  const fields = newBookmarkFields(nameFromFile(fileName, target.host), address);
  const username = get('username');
  if (username) fields.username = username.value.slice(0, 255);
  const shared = bool('shared');
  if (shared !== undefined) fields.shared = shared;
  const viewOnly = bool('viewonly');
  if (viewOnly !== undefined) fields.viewOnly = viewOnly;

  fields.colourLevel = readColourLevel(get, bool, fail) ?? fields.colourLevel;
  const autoSelect = bool('autoselect');
  fields.quality = readQuality(get, bool, autoSelect, fail, warn) ?? fields.quality;

  // TigerVNC honours PreferredEncoding only when it is not choosing by itself.
  const encoding = get('preferredencoding');
  if (encoding && autoSelect === false) {
    const name = encoding.value.toLowerCase();
    if (isEncodingName(name)) fields.encodings = name;
    else
      warn(`line ${encoding.line}: encoding ${shorten(encoding.value)} is not one Porthole knows; ignored`);
  }

  const scaling = get('scaling');
  if (scaling) {
    const value = SCALING_NAMES[scaling.value.toLowerCase()];
    if (value) fields.scaling = value;
    else
      warn(
        `line ${scaling.line}: Scaling=${shorten(scaling.value)} is not None, AspectFit or Fit; fit to window used`,
      );
  }

  const security = get('securitytypes');
  if (security) fields.security = { ...fields.security, types: readSecurityTypes(security, warn) };
  // TigerVNC's X509CA: the file of authorities its viewer trusts beside the system's.
  const ca = get('x509ca');
  if (ca?.value) fields.security = { ...fields.security, caFile: ca.value };
  const encryption = get('encryption');
  if (encryption) {
    fields.security = {
      ...fields.security,
      requireEncryption: encryption.value.toLowerCase() === 'alwayson',
    };
  }
  return password === undefined ? { fields, warnings } : { fields, password, warnings };
}

/**
 * Writes a bookmark as a `.vnc` file, without its password.
 *
 * The format is TigerVNC's, because TigerVNC refuses any file that does not start with its
 * header line, while RealVNC Viewer reads plain `Name=Value` lines without sections. Each
 * setting is written under TigerVNC's name and, where RealVNC's differs, under RealVNC's
 * too (`ServerName` and `Host`, `FullColor`/`LowColorLevel` and `ColorLevel`,
 * `NoJPEG`/`QualityLevel` and `Quality`); each viewer skips the names it does not know.
 * What no viewer can say is left out: `rgb565` is written as full colour, and of an
 * encoding list only the first (preferred) encoding is kept.
 */
export function writeVncFile(bookmark: Pick<Bookmark, keyof BookmarkFields>): string {
  const lines = ['TigerVNC Configuration file Version 1.0'];
  const put = (key: string, value: string | number | boolean) =>
    lines.push(`${key}=${typeof value === 'boolean' ? (value ? 1 : 0) : oneLine(String(value))}`);
  // Both viewers read host, host:N and host::port; a vnc:// URL is written as host::port.
  const target = parseTarget(bookmark.address);
  const address = /^vnc:\/\//i.test(bookmark.address.trim()) ? formatTarget(target) : bookmark.address.trim();
  put('ServerName', address);
  put('Host', address);
  if (bookmark.username) put('UserName', bookmark.username);
  const types = bookmark.security.types.flatMap((type) => {
    const name = Object.keys(SECURITY_TYPE_NUMBERS).find((key) => SECURITY_TYPE_NUMBERS[key] === type);
    if (name) return [SECURITY_TYPE_SPELLING[name]];
    if (type === VENCRYPT) return ['TLSVnc', 'TLSPlain', 'X509Vnc', 'X509Plain'];
    // VeNCrypt subtypes, as TigerVNC spells them.
    return type >= SecurityType.Plain && type <= SecurityType.X509Plain ? [securityTypeShortName(type)] : [];
  });
  if (types.length > 0) put('SecurityTypes', types.join(','));
  if (bookmark.security.requireEncryption) put('Encryption', 'AlwaysOn');
  if (bookmark.security.caFile) put('X509CA', bookmark.security.caFile);

  const firstEncoding = splitEncodingList(bookmark.encodings).find(isEncodingName);
  put('AutoSelect', bookmark.quality === 'auto' && !firstEncoding);
  if (firstEncoding) put('PreferredEncoding', ENCODING_SPELLING[firstEncoding] ?? firstEncoding);
  put('NoJPEG', bookmark.quality === 'high');
  // Porthole's presets: Medium asks for JPEG quality level 7, Low for 2 (main/rfb/quality.ts).
  if (bookmark.quality === 'medium') put('QualityLevel', 7);
  if (bookmark.quality === 'low') put('QualityLevel', 2);
  put('Quality', QUALITY_SPELLING[bookmark.quality]);

  const level = bookmark.colourLevel;
  const lowLevel = LOW_COLOUR_LEVELS.indexOf(level);
  put('FullColor', lowLevel < 0);
  if (lowLevel >= 0) put('LowColorLevel', lowLevel);
  // RealVNC's ColorLevel knows these four; rgb332 is TigerVNC's LowColorLevel=2 alone.
  if (level === 'pal8' || level === 'rgb111' || level === 'rgb222' || level === 'full')
    put('ColorLevel', level);

  put('Shared', bookmark.shared);
  put('ViewOnly', bookmark.viewOnly);
  put('Scaling', SCALING_WRITTEN[bookmark.scaling]);
  return `${lines.join('\n')}\n`;
}

const SECURITY_TYPE_SPELLING: Record<string, string> = {
  none: 'None',
  vncauth: 'VncAuth',
  ra2: 'RA2',
  ra2ne: 'RA2ne',
  dh: 'DH',
  mslogonii: 'MSLogonII',
  ra2_256: 'RA2_256',
  ra2ne_256: 'RA2ne_256',
};
const ENCODING_SPELLING: Record<string, string> = {
  raw: 'Raw',
  copyrect: 'CopyRect',
  rre: 'RRE',
  corre: 'CoRRE',
  hextile: 'Hextile',
  zlib: 'Zlib',
  tight: 'Tight',
  trle: 'TRLE',
  zrle: 'ZRLE',
};
const QUALITY_SPELLING: Record<PictureQuality, string> = {
  auto: 'Auto',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** Aliases map to one canonical key. */
const KEY_ALIASES: Record<string, string> = {
  servername: 'host',
  user: 'username',
  colorlevel: 'colourlevel',
  fullcolour: 'fullcolor',
  lowcolourlevel: 'lowcolorlevel',
  passwd: 'password',
};
const KNOWN_KEYS = new Set([
  'host',
  'port',
  'x509ca',
  'password',
  'username',
  'shared',
  'viewonly',
  'colourlevel',
  'fullcolor',
  'lowcolorlevel',
  'autoselect',
  'quality',
  'nojpeg',
  'qualitylevel',
  'preferredencoding',
  'scaling',
  'securitytypes',
  'encryption',
  ...Object.keys(KEY_ALIASES),
]);

function canonical(name: string): string {
  return KEY_ALIASES[name] ?? name;
}

type Fail = (line: number, message: string) => never;
type Get = (name: string) => Setting | undefined;

function parseBoolean(setting: Setting, fail: Fail): boolean {
  const value = setting.value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return fail(setting.line, `${setting.key}=${shorten(setting.value)} is not 0 or 1`);
}

function readColourLevel(
  get: Get,
  bool: (name: string) => boolean | undefined,
  fail: Fail,
): ColourLevel | undefined {
  const level = get('colourlevel');
  if (level) {
    const value = level.value.toLowerCase();
    if (!isColourLevel(value)) {
      fail(
        level.line,
        `${level.key}=${shorten(level.value)} is not a colour level (pal8, rgb111, rgb222 or full)`,
      );
    }
    return value as ColourLevel;
  }
  const low = get('lowcolorlevel');
  if (low && !/^[0-2]$/.test(low.value)) {
    fail(low.line, `${low.key}=${shorten(low.value)} is not a low colour level (0, 1 or 2)`);
  }
  const full = bool('fullcolor');
  if (full === true) return 'full';
  if (full === false) return LOW_COLOUR_LEVELS[low ? Number(low.value) : 2];
  return undefined;
}

function readQuality(
  get: Get,
  bool: (name: string) => boolean | undefined,
  autoSelect: boolean | undefined,
  fail: Fail,
  warn: (message: string) => void,
): PictureQuality | undefined {
  const level = get('qualitylevel');
  if (level && !/^[0-9]$/.test(level.value)) {
    fail(level.line, `${level.key}=${shorten(level.value)} is not a quality level (0–9)`);
  }
  const noJpeg = bool('nojpeg');
  const quality = get('quality');
  if (quality) {
    const value = QUALITY_NAMES[quality.value.toLowerCase()];
    if (value && isPictureQuality(value)) return value;
    warn(
      `line ${quality.line}: Quality=${shorten(quality.value)} has no Porthole equivalent; automatic quality used`,
    );
    return 'auto';
  }
  if (autoSelect !== false) return autoSelect === true ? 'auto' : undefined;
  // Porthole's Medium preset asks for JPEG quality level 7, Low for 2 (main/rfb/quality.ts).
  if (noJpeg) return 'high';
  const jpegLevel = level ? Number(level.value) : 8;
  return jpegLevel >= 5 ? 'medium' : 'low';
}

function readSecurityTypes(setting: Setting, warn: (message: string) => void): number[] {
  const types: number[] = [];
  for (const name of setting.value.split(',').map((part) => part.trim().toLowerCase())) {
    if (name === '') continue;
    const type =
      SECURITY_TYPE_NUMBERS[name] ?? (VENCRYPT_NAMES.has(name) ? SECURITY_TYPE_CLI_NAMES[name] : undefined);
    if (type === undefined)
      warn(`line ${setting.line}: security type ${shorten(name)} is not one Porthole knows; ignored`);
    else if (!types.includes(type)) types.push(type);
  }
  return types;
}

/** A bookmark name from the file name ("Office server.vnc" → "Office server"). */
function nameFromFile(fileName: string, host: string): string {
  const name = baseName(fileName)
    .replace(/\.vnc$/i, '')
    .trim()
    .slice(0, 200);
  return name || host;
}

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? '';
}

/** A value on one line (a user name never holds a line break, but a file must not break). */
function oneLine(value: string): string {
  return value.replace(/[\r\n]/g, ' ');
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
