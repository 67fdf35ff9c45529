import { join } from 'node:path';
import { record } from '../../main/cli/commands.ts';
import { parseEncodingList } from '../../main/cli/options.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import { type ServerKind, startQemu, startX11vnc, startXvnc, stopAllServers } from '../support/servers.ts';

/** The encodings each server sends (and so can be recorded with). */
const ENCODINGS: Record<ServerKind, string[]> = {
  xvnc: ['raw', 'rre', 'hextile', 'zrle', 'tight'],
  x11vnc: ['raw', 'rre', 'corre', 'hextile', 'zlib', 'zrle', 'tight'],
  qemu: ['raw', 'hextile', 'zlib', 'zrle', 'tight'],
};

/** Raw is all pixel data, and large: one colour level is enough of it. */
const levels = (encoding: string): ColourLevel[] =>
  encoding === 'raw' ? ['pal8'] : ['full', 'rgb565', 'pal8'];

const SECONDS = 1;
/** Small screens keep the recordings small (QEMU's firmware screen has its own size). */
const GEOMETRY: [number, number] = [320, 240];

/**
 * Recordings made at once per server. QEMU leaves connections beyond a few ungreeted, and on a
 * busy 2-core machine (Chromium and other servers running beside) x11vnc and Xvnc can take
 * over 20 s to greet the last of 16 simultaneous viewers.
 */
const AT_ONCE: Record<ServerKind, number> = { xvnc: 4, x11vnc: 4, qemu: 2 };

/** Runs `tasks` with at most `limit` of them at a time. */
async function inBatches<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += limit)
    results.push(...(await Promise.all(tasks.slice(i, i + limit).map((t) => t()))));
  return results;
}

/**
 * Starts Xvnc, x11vnc and QEMU and records ~1 s from each with each encoding it sends and
 * several colour levels, as `porthole record` does. Returns the FBS files, written to `dir`.
 */
export async function recordServers(dir: string): Promise<string[]> {
  try {
    // One after the other: started together on a busy machine, QEMU's picture can take too long to settle.
    const servers = [
      await startXvnc({ security: 'none', geometry: GEOMETRY }),
      await startX11vnc({ security: 'none', geometry: GEOMETRY }),
      await startQemu({ security: 'none' }),
    ];
    const perServer = servers.map((server) => {
      const tasks = ENCODINGS[server.kind].flatMap((encoding) =>
        levels(encoding).map((colourLevel) => async () => {
          const path = join(dir, `${server.kind}-${encoding}-${colourLevel}.fbs`);
          const options = {
            target: server.target,
            password: undefined,
            encodings: parseEncodingList(encoding),
            colourLevel,
            timeoutSeconds: 20,
          };
          try {
            await record(options, path, SECONDS);
          } catch (error) {
            throw new Error(
              `recording ${server.kind} ${encoding} ${colourLevel}: ${(error as Error).message}`,
            );
          }
          return path;
        }),
      );
      return inBatches(tasks, AT_ONCE[server.kind]);
    });
    return (await Promise.all(perServer)).flat();
  } finally {
    await stopAllServers();
  }
}
