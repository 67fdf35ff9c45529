import { readFileSync } from 'node:fs';
import { COLOUR_LEVELS, type ColourLevel, isColourLevel } from '../../shared/colour-level.ts';
import { checkEncodingNames, splitEncodingList } from '../../shared/encodings.ts';
import { isPictureQuality, PICTURE_QUALITIES, type PictureQuality } from '../../shared/picture-quality.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import { SECURITY_TYPE_CLI_NAMES, securityTypeName } from '../../shared/security-types.ts';
import { encodingNumbers } from '../rfb/constants.ts';
import { SPOKEN_SECURITY_TYPES, speaksSecurityType } from '../rfb/security/index.ts';

export const usageError = (message: string) => new RfbError('usage', message);

/** `--encodings raw,Hextile,zrle` → encoding numbers, in the order given. */
export function parseEncodingList(list: string): number[] {
  const names = splitEncodingList(list);
  if (names.length === 0) throw usageError('--encodings needs at least one encoding name');
  try {
    return encodingNumbers(checkEncodingNames(names));
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

export function parseColourLevel(value: string): ColourLevel {
  const level = value.trim().toLowerCase();
  if (!isColourLevel(level))
    throw usageError(`unknown colour level "${value}"; choose one of ${COLOUR_LEVELS.join(', ')}`);
  return level;
}

/** `--quality auto|high|medium|low` (the viewer's Picture quality presets). */
export function parseQuality(value: string): PictureQuality {
  const quality = value.trim().toLowerCase();
  if (!isPictureQuality(quality))
    throw usageError(`unknown picture quality "${value}"; choose one of ${PICTURE_QUALITIES.join(', ')}`);
  return quality;
}

export function parseSeconds(value: string, option: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw usageError(`${option} needs a positive number of seconds, not "${value}"`);
  return seconds;
}

/** The password from --password-file (its first line) or VNC_PASSWORD; undefined if neither. */
export function readPassword(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw usageError(`cannot read the password file ${file}: ${(error as Error).message}`);
    }
    return text.split(/\r?\n/)[0];
  }
  return env.VNC_PASSWORD || undefined;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535)
    throw usageError(`--port needs a port number 0–65535, not "${value}"`);
  return port;
}

/** `--security x509vnc,TLSVnc,vnc` → security type numbers, in the order given. */
export function parseSecurityList(list: string): number[] {
  const names = list
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) throw usageError('--security needs at least one security type name');
  return names.map((name) => {
    const type = SECURITY_TYPE_CLI_NAMES[name];
    if (type === undefined) {
      throw usageError(
        `unknown security type "${name}"; known: ${Object.keys(SECURITY_TYPE_CLI_NAMES).join(', ')}`,
      );
    }
    if (!speaksSecurityType(type)) {
      throw usageError(
        `Porthole does not speak ${securityTypeName(type)} yet; it speaks ${SPOKEN_SECURITY_TYPES} and the VeNCrypt subtypes`,
      );
    }
    return type;
  });
}
