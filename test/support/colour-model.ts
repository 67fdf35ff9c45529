import type { ColourLevel } from '../../shared/colour-level.ts';

/**
 * How each real server reduces 8-bit channels to a colour level, and what colours its
 * colour map (pal8) holds — measured against `xwd`/screendump truth, and matching the servers'
 * sources: TigerVNC rounds with (v·max + 128) / 255 and fills its fake BGR233 colour map with
 * floor(c·255 / max); libvncserver rounds to nearest and its map expands to nearest; QEMU
 * truncates ((v << bits) >> 8) and sends map entries c << (16 − bits).
 */
export type ServerKind = 'xvnc' | 'x11vnc' | 'qemu';

interface Model {
  reduce(v: number, max: number): number;
  /** The 8-bit colour a pal8 map entry for channel value c of 0..max shows. */
  mapColour(c: number, max: number): number;
}

const bitsOf = (max: number) => Math.log2(max + 1);

const MODELS: Record<ServerKind, Model> = {
  xvnc: {
    reduce: (v, max) => Math.floor((v * max + 128) / 255),
    mapColour: (c, max) => Math.floor((c * 255) / max),
  },
  x11vnc: {
    reduce: (v, max) => Math.round((v * max) / 255),
    mapColour: (c, max) => Math.round((c * 255) / max),
  },
  qemu: {
    reduce: (v, max) => v >> (8 - bitsOf(max)),
    mapColour: (c, max) => Math.round((c << (16 - bitsOf(max))) / 257),
  },
};

/** Channel maxima per level; pal8 is BGR233 (red and green 3 bits, blue 2) on all three servers. */
const LEVEL_MAX: Record<ColourLevel, [number, number, number]> = {
  full: [255, 255, 255],
  rgb565: [31, 63, 31],
  rgb332: [7, 7, 3],
  rgb222: [3, 3, 3],
  rgb111: [1, 1, 1],
  pal8: [7, 7, 3],
};

/** Porthole's own expansion of a true-colour channel (documented in pixel-converter.ts). */
const expand = (c: number, max: number) => Math.round((c * 255) / max);

/** The RGBA picture a client at `level` should show for the server's 8-bit `truth`. */
export function reduceTruth(truth: Uint8Array, level: ColourLevel, server: ServerKind): Uint8Array {
  if (level === 'full') return truth;
  const model = MODELS[server];
  const out = new Uint8Array(truth.length);
  const maxima = LEVEL_MAX[level];
  const tables = maxima.map((max) => {
    const table = new Uint8Array(256);
    for (let v = 0; v < 256; v++) {
      const c = model.reduce(v, max);
      table[v] = level === 'pal8' ? model.mapColour(c, max) : expand(c, max);
    }
    return table;
  });
  for (let i = 0; i < truth.length; i += 4) {
    out[i] = tables[0][truth[i]];
    out[i + 1] = tables[1][truth[i + 1]];
    out[i + 2] = tables[2][truth[i + 2]];
    out[i + 3] = 255;
  }
  return out;
}

/** Counts differing pixels and describes the first, for a readable failure. */
export function comparePictures(
  actual: Uint8Array,
  expected: Uint8Array,
  width: number,
): { different: number; first: string } {
  if (actual.length !== expected.length) {
    const rows = (bytes: Uint8Array) => bytes.length / 4 / width;
    return {
      different: Math.max(actual.length, expected.length) / 4,
      first: `the sizes differ: ${width}x${rows(actual)}, expected ${width}x${rows(expected)}`,
    };
  }
  let different = 0;
  let first = '';
  for (let i = 0; i < expected.length; i += 4) {
    if (actual[i] !== expected[i] || actual[i + 1] !== expected[i + 1] || actual[i + 2] !== expected[i + 2]) {
      if (different === 0) {
        const p = i / 4;
        first = `(${p % width},${Math.floor(p / width)}) is ${actual.subarray(i, i + 3).join(',')}, expected ${expected.subarray(i, i + 3).join(',')}`;
      }
      different++;
    }
  }
  return { different, first };
}
