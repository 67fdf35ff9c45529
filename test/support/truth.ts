import { readFileSync } from 'node:fs';
import { decode } from 'fast-png';

/** A picture as the servers themselves see it: RGBA bytes, alpha 255. */
export interface Image {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Parses an X Window Dump (`xwd -root`), file version 7: a big-endian header of 25 u32
 * fields, the window name, `ncolors` 12-byte colour entries, then ZPixmap rows of
 * `bytes_per_line`. Pixels are read in the dump's byte order and split with its masks.
 */
export function parseXwd(file: Uint8Array): Image {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const field = (i: number) => view.getUint32(i * 4);
  const headerSize = field(0);
  if (field(1) !== 7) throw new Error(`XWD file version ${field(1)}, expected 7`);
  if (field(2) !== 2) throw new Error(`XWD pixmap format ${field(2)}, expected ZPixmap (2)`);
  const width = field(4);
  const height = field(5);
  const littleEndian = field(7) === 0;
  const bitsPerPixel = field(11);
  const bytesPerLine = field(12);
  const masks = [field(14), field(15), field(16)];
  const ncolors = field(19);
  const bytesPerPixel = bitsPerPixel / 8;
  if (![2, 3, 4].includes(bytesPerPixel))
    throw new Error(`XWD with ${bitsPerPixel} bits per pixel is not supported`);
  const channels = masks.map((mask) => {
    const shift = mask === 0 ? 0 : 31 - Math.clz32(mask & -mask);
    const max = mask >>> shift;
    return { mask, shift, max };
  });
  const start = headerSize + ncolors * 12;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = start + y * bytesPerLine + x * bytesPerPixel;
      let pixel = 0;
      for (let b = 0; b < bytesPerPixel; b++) {
        const byte = file[at + b];
        pixel = littleEndian ? pixel | (byte << (8 * b)) : (pixel << 8) | byte;
      }
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const { mask, shift, max } = channels[c];
        data[o + c] = Math.round((((pixel & mask) >>> shift) * 255) / max);
      }
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Parses a binary PPM (P6, maxval 255), as QEMU's `screendump` writes. */
export function parsePpm(file: Uint8Array): Image {
  let pos = 0;
  const tokens: string[] = [];
  while (tokens.length < 4) {
    while (/\s/.test(String.fromCharCode(file[pos]))) pos++;
    if (file[pos] === 0x23) {
      while (file[pos] !== 0x0a) pos++;
      continue;
    }
    let token = '';
    while (pos < file.length && !/\s/.test(String.fromCharCode(file[pos])))
      token += String.fromCharCode(file[pos++]);
    tokens.push(token);
  }
  pos++; // the single whitespace byte after maxval
  const [magic, w, h, maxval] = tokens;
  if (magic !== 'P6' || maxval !== '255') throw new Error(`unsupported PPM: ${magic} maxval ${maxval}`);
  const width = Number(w);
  const height = Number(h);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = file[pos + i * 3];
    data[i * 4 + 1] = file[pos + i * 3 + 1];
    data[i * 4 + 2] = file[pos + i * 3 + 2];
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** Reads a PNG file (such as the CLI's snapshots) as RGBA, alpha 255. */
export function readPng(path: string): Image {
  const png = decode(readFileSync(path));
  const data = new Uint8Array(png.width * png.height * 4);
  for (let i = 0, j = 0; i < data.length; i += 4, j += png.channels) {
    data[i] = png.data[j];
    data[i + 1] = png.data[j + 1];
    data[i + 2] = png.data[j + 2];
    data[i + 3] = 255;
  }
  return { width: png.width, height: png.height, data };
}

/** How many pixels differ in R, G or B; every pixel when the sizes differ. */
export function differingPixels(a: Image, b: Image): number {
  if (a.width !== b.width || a.height !== b.height) return Math.max(a.width * a.height, b.width * b.height);
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2]) n++;
  }
  return n;
}

export function sameImage(a: Image, b: Image): boolean {
  return a.width === b.width && a.height === b.height && Buffer.compare(a.data, b.data) === 0;
}

/** PSNR in dB over the R, G and B bytes of two RGBA pictures; Infinity when they are equal. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`pictures of ${a.length} and ${b.length} bytes`);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) sum += (a[i + c] - b[i + c]) ** 2;
  }
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * (a.length / 4) * 3) / sum);
}
