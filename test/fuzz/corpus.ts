import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readFbs } from '../../main/rfb/recording/fbs.ts';
import { RfbSession, type ServerInfo } from '../../main/rfb/session.ts';
import type { MappedSeed } from './mutate.ts';
import type { Seed } from './seeds.ts';
import { mapStream } from './stream-map.ts';

/** Runs the clean seed once to learn where its message stream starts, then maps it. */
export function mapSeed(seed: Seed): MappedSeed {
  let info: ServerInfo | undefined;
  const session = new RfbSession({ write: () => {}, close: () => {} }, seed.options, {
    onServerInit: (i) => {
      info = i;
    },
  });
  session.receive(seed.bytes);
  if (!info) return { ...seed, initEnd: 0, map: { fields: [], messages: [] } };
  return {
    ...seed,
    initEnd: info.initEndStreamOffset,
    map: mapStream(seed.bytes, info.initEndStreamOffset, info.format),
  };
}

/** An FBS recording's blocks joined into the stream it recorded. */
export function fbsStream(file: Uint8Array): Uint8Array {
  const blocks = readFbs(file);
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.data.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b.data, at);
    at += b.data.length;
  }
  return out;
}

/** Every `.fbs` file in `dir`, by name without the extension. */
export function fbsFiles(dir: string): { name: string; file: Uint8Array }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.fbs'))
    .sort()
    .map((f) => ({ name: basename(f, '.fbs'), file: new Uint8Array(readFileSync(join(dir, f))) }));
}

/** Every `.fbs` file in `dir` as a seed; recordings replay with the format they were made in. */
export function recordingSeeds(dir: string): Seed[] {
  return fbsFiles(dir).map(({ name, file }) => ({
    name,
    bytes: fbsStream(file),
    options: { colourLevel: 'native' as const },
  }));
}
