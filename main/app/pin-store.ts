import { join } from 'node:path';
import type { CertificatePin } from '../../shared/security-types.ts';
import type { PinStore } from '../rfb/security/identity.ts';
import { readJsonOrSetAside, writeJsonAtomic } from './json-file.ts';

/**
 * Pinned server public keys (trust on first use), one per `host:port`, in `pins.json` in the
 * data directory. The file is read afresh on every look-up, so a pin made by `porthole
 * snapshot --accept-new` is seen by a viewer already running on the same directory, and the
 * reverse. A file that cannot be read is moved aside (never overwritten): no pin is then known,
 * so every certificate is asked about again rather than trusted.
 */
export class CertificatePinStore implements PinStore {
  private readonly path: string;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'pins.json');
  }

  async list(): Promise<CertificatePin[]> {
    await this.writing.catch(() => undefined);
    return this.read();
  }

  async get(server: string): Promise<CertificatePin | undefined> {
    return (await this.list()).find((pin) => pin.server === server);
  }

  set(pin: CertificatePin): Promise<void> {
    return this.update((pins) => [...pins.filter((p) => p.server !== pin.server), pin]);
  }

  remove(server: string): Promise<void> {
    return this.update((pins) => pins.filter((p) => p.server !== server));
  }

  private update(change: (pins: CertificatePin[]) => CertificatePin[]): Promise<void> {
    const next = this.writing
      .catch(() => undefined)
      .then(async () => {
        const pins = change(await this.read());
        pins.sort((a, b) => a.server.localeCompare(b.server));
        await writeJsonAtomic(this.path, { version: 1, pins });
      });
    this.writing = next;
    return next;
  }

  private async read(): Promise<CertificatePin[]> {
    const data = await readJsonOrSetAside(this.path);
    const pins = (data as { pins?: unknown } | undefined)?.pins;
    if (!Array.isArray(pins)) return [];
    return pins.filter(
      (pin): pin is CertificatePin =>
        typeof pin?.server === 'string' &&
        typeof pin.publicKeySha256 === 'string' &&
        typeof pin.subject === 'string' &&
        typeof pin.issuer === 'string' &&
        typeof pin.pinnedAt === 'string',
    );
  }
}
