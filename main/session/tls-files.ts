import { readFileSync } from 'node:fs';
import { RfbError } from '../../shared/rfb-error.ts';
import type { TlsFiles } from '../../shared/session-protocol.ts';
import type { SecurityOptions } from '../rfb/security/handler.ts';

/** The text of a PEM file (certificate authorities, a client certificate or its key); `what` names it in the error. */
export function readPemFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new RfbError('usage', `cannot read the ${what} file ${file}: ${(error as Error).message}`);
  }
}

/** A bookmark's TLS files as security options; a client certificate needs its key and the other way round. */
export function readTlsFiles(
  files: TlsFiles | undefined,
): Pick<SecurityOptions, 'ca' | 'clientCert' | 'clientKey'> {
  if (!files) return {};
  if (!files.clientCert !== !files.clientKey) {
    throw new RfbError(
      'usage',
      'the bookmark has a client certificate without its key, or a key without its certificate',
      'Give both files in the bookmark’s security settings, or neither',
    );
  }
  return {
    ...(files.ca && { ca: readPemFile(files.ca, 'bookmark’s CA') }),
    ...(files.clientCert && { clientCert: readPemFile(files.clientCert, 'bookmark’s client certificate') }),
    ...(files.clientKey && { clientKey: readPemFile(files.clientKey, 'bookmark’s client key') }),
  };
}
