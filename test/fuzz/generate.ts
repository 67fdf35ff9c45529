import { Encoding } from '../../main/rfb/constants.ts';
import { LEVEL_FORMATS, type PixelFormat } from '../../main/rfb/pixel-format.ts';
import type { SessionOptions } from '../../main/rfb/session.ts';
import { COLOUR_LEVELS } from '../../shared/colour-level.ts';
import { Bytes } from '../support/decode-harness.ts';
import { rectHeader, SERVER_FORMAT, serverInit } from '../support/scripted-server.ts';
import type { MappedSeed } from './mutate.ts';
import type { Prng } from './prng.ts';
import { handshake, MessageWriter, PASSWORD } from './seeds.ts';

export interface Generated {
  bytes: Uint8Array;
  options: SessionOptions;
  steps: string[];
}

/** Server formats a generated stream may announce (and keep, with colour level 'native'). */
const SERVER_FORMATS: PixelFormat[] = [
  SERVER_FORMAT,
  { ...SERVER_FORMAT, bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 },
  { ...SERVER_FORMAT, depth: 32 },
  { ...LEVEL_FORMATS.rgb565, bigEndian: true },
  LEVEL_FORMATS.rgb332,
  LEVEL_FORMATS.pal8,
];

const TILE_SUBENCODINGS = [0, 1, 2, 3, 4, 5, 8, 15, 16, 17, 126, 127, 128, 129, 130, 131, 143, 200, 255];

/** Damages inflated Zlib/ZRLE data: bit flips, a cut, or extra bytes. */
function corrupt(prng: Prng): (data: Uint8Array) => Uint8Array {
  return (data) => {
    if (!prng.chance(0.4) || data.length === 0) return data;
    switch (prng.int(3)) {
      case 0: {
        const out = data.slice();
        for (let i = prng.logSize(4); i > 0; i--) out[prng.int(out.length)] ^= 1 << prng.int(8);
        return out;
      }
      case 1:
        return data.slice(0, prng.int(data.length));
      default: {
        const out = new Uint8Array(data.length + prng.logSize(64));
        out.set(data);
        out.set(prng.bytes(out.length - data.length), data.length);
        return out;
      }
    }
  };
}

/**
 * A rectangle's x and width (or y and height) in a framebuffer `size` wide: inside it almost
 * always, empty now and then, one past its edge rarely.
 */
function span(prng: Prng, size: number): [number, number] {
  const at = prng.int(size);
  const roll = prng.int(20);
  if (roll === 0) return [at, 0];
  if (roll === 1) return [at, size - at + 1];
  return [at, prng.range(1, Math.min(size - at, 80))];
}

/** A stream that follows the protocol's grammar with random choices: it reaches deep into every decoder. */
export function generatedStream(prng: Prng): Generated {
  const version = prng.pick(['3.3', '3.7', '3.8'] as const);
  const security = prng.pick(['none', 'vnc'] as const);
  const level = prng.pick(['native', ...COLOUR_LEVELS] as const);
  const serverFormat = prng.pick(SERVER_FORMATS);
  const format = level === 'native' ? serverFormat : LEVEL_FORMATS[level];
  const width = prng.pick([1, 16, 64, 100, 333]);
  const height = prng.pick([1, 16, 48, 100, 240]);
  const b = handshake(version, security).raw(serverInit(width, height, serverFormat, 'gen').build());
  const w = new MessageWriter(b, format, prng, corrupt(prng));
  const messages = prng.logSize(24);
  for (let m = 0; m < messages; m++) {
    const kind = prng.int(10);
    if (kind === 0) w.bell();
    else if (kind === 1) w.cutText('x'.repeat(prng.int(40)));
    else if (kind === 2) w.colourMap(prng.int(300), prng.int(20));
    else generatedUpdate(w, prng, width, height);
  }
  return {
    bytes: b.build(),
    options: { colourLevel: level, credentials: security === 'vnc' ? { password: PASSWORD } : undefined },
    steps: [`generated RFB ${version} ${security}, ${level} over ${width}x${height}, ${messages} messages`],
  };
}

function generatedUpdate(w: MessageWriter, prng: Prng, width: number, height: number): void {
  const lastRect = prng.chance(0.2);
  const count = prng.range(1, 5);
  w.update(lastRect ? 0xffff : count);
  for (let i = 0; i < count; i++) {
    const [x, rw] = span(prng, width);
    const [y, rh] = span(prng, height);
    const subs = Array.from({ length: 6 }, () => prng.pick(TILE_SUBENCODINGS));
    switch (prng.int(13)) {
      case 0:
        w.raw(x, y, rw, rh);
        break;
      case 1: {
        const [sx] = span(prng, width - rw + 1);
        const [sy] = span(prng, height - rh + 1);
        w.copyRect(x, y, rw, rh, sx, sy);
        break;
      }
      case 2:
        w.rre(x, y, rw, rh, false);
        break;
      case 3:
        w.rre(x, y, rw, rh, true);
        break;
      case 4:
        w.hextile(x, y, rw, rh);
        break;
      case 5:
        w.zlibRect(x, y, rw, rh);
        break;
      case 6:
        w.trle(x, y, rw, rh, subs);
        break;
      case 7:
        w.zrleRect(x, y, rw, rh, subs);
        break;
      case 8:
        w.cursor(prng.int(20), prng.int(20), prng.int(40), prng.int(40));
        break;
      case 9:
        w.pseudo(prng.pick([Encoding.DesktopSize, Encoding.ExtendedDesktopSize]), 0, 0, rw, rh);
        break;
      case 10:
        w.pseudo(prng.pick([Encoding.DesktopName, -257]), 0, 0, 0, 0);
        break;
      case 11:
        // An encoding number nobody asked for, then junk.
        rectHeader(w.b, x, y, rw, rh, prng.u32() | 0).raw(prng.bytes(prng.int(16)));
        break;
      default:
        w.raw(x, y, Math.min(rw, 4), Math.min(rh, 4));
    }
  }
  if (lastRect) w.pseudo(Encoding.LastRect, 0, 0, 0, 0);
}

/** Random bytes, possibly after a valid banner or a seed's whole handshake. */
export function randomStream(prng: Prng, seeds: readonly MappedSeed[]): Generated {
  const tail = prng.bytes(prng.logSize(16384));
  const roll = prng.int(4);
  if (roll === 0) {
    return { bytes: tail, options: {}, steps: [`${tail.length} random bytes`] };
  }
  if (roll === 1) {
    const version = prng.pick(['003.003', '003.007', '003.008', '003.889', '004.001', '000.000']);
    const bytes = new Bytes()
      .raw(new TextEncoder().encode(`RFB ${version}\n`))
      .raw(tail)
      .build();
    const options = { colourLevel: prng.pick(COLOUR_LEVELS), credentials: { password: PASSWORD } };
    return { bytes, options, steps: [`banner ${version}, then ${tail.length} random bytes`] };
  }
  const seed = prng.pick(seeds.filter((s) => s.initEnd > 0));
  const bytes = new Bytes().raw(seed.bytes.subarray(0, seed.initEnd)).raw(tail).build();
  return {
    bytes,
    options: seed.options,
    steps: [`${seed.name} handshake, then ${tail.length} random bytes`],
  };
}
