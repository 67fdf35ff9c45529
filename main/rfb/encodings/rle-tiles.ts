import type { PixelConverter } from '../pixel-converter.ts';

/*
 * Over 400 lines on purpose: hot decoding loops written out per subencoding (the run fills in
 * plain and palette RLE look alike but stay apart: a shared helper would have to return two
 * positions per run, which costs an allocation or a state write in the innermost loop).
 *
 * The tiles that TRLE (RFC 6143 §7.7.5) and ZRLE (§7.7.6) share. A tile starts with a
 * subencoding byte; its pixels are CPIXELs (§7.7.5), read through the PixelConverter.
 * Tiles decode straight into a rectangle's RGBA words: `off` is the tile's first word and
 * `stride` the rectangle's width.
 *
 * `decodeTile` returns the position after the tile, or one of the negative codes below; the
 * caller turns a code into a message naming the encoding and the tile (`describeTileError`).
 */

/** The tile's data goes past `end`. */
export const TILE_TRUNCATED = -1;
/** An unknown subencoding (17–126, or 127/129 where the previous palette cannot be reused); `detail` holds it. */
export const TILE_BAD_SUBENCODING = -2;
/** A run goes past the end of the tile; `detail` holds the pixels left before it. */
export const TILE_RUN_OVERFLOW = -3;
/** A palette index at or past the palette's size; `detail` holds the index. */
export const TILE_BAD_INDEX = -4;
/** Subencoding 127 or 129 with no palette to reuse, or one too large to pack; `detail` holds the subencoding. */
export const TILE_NO_PALETTE = -5;

/** Per-connection state of the tile decoder: the palette survives tiles and, for TRLE, rectangles. */
export class TileState {
  /** The last palette sent, as RGBA words. */
  readonly palette = new Uint32Array(128);
  /** Entries in `palette`; 0 before any palette arrives. */
  paletteSize = 0;
  /** Whether subencodings 127 and 129 may reuse the previous palette (TRLE only). */
  readonly reusePalette: boolean;
  /** What a negative result was about (see the codes). */
  detail = 0;
  /** TRLE resumption: bytes and pixels of the current run-length tile already scanned. */
  scannedBytes = 0;
  scannedPixels = 0;

  constructor(reusePalette: boolean) {
    this.reusePalette = reusePalette;
  }
}

/** Bits per packed index for a palette of `size` colours (§7.7.5): 1, 2 or 4. */
function packedBits(size: number): number {
  return size <= 2 ? 1 : size <= 4 ? 2 : 4;
}

/** Bytes of packed indices in a tile; each row is padded to whole bytes. */
function packedBytes(size: number, tw: number, th: number): number {
  return ((tw * packedBits(size) + 7) >> 3) * th;
}

/** Reads `count` CPIXELs at `pos` into `s.palette` and makes it the current palette. */
function readPalette(s: TileState, px: PixelConverter, src: Uint8Array, pos: number, count: number): void {
  const bpc = px.bytesPerCPixel;
  const pal = s.palette;
  for (let i = 0; i < count; i++, pos += bpc) pal[i] = px.readCPixel(src, pos);
  s.paletteSize = count;
}

/** Decodes the tile whose subencoding byte is at `src[pos]`; see the file comment for the result. */
export function decodeTile(
  s: TileState,
  px: PixelConverter,
  src: Uint8Array,
  pos: number,
  end: number,
  dst: Uint32Array,
  off: number,
  stride: number,
  tw: number,
  th: number,
): number {
  if (pos >= end) return TILE_TRUNCATED;
  const bpc = px.bytesPerCPixel;
  const sub = src[pos++];
  const n = tw * th;

  if (sub === 0) {
    const rowBytes = tw * bpc;
    if (pos + rowBytes * th > end) return TILE_TRUNCATED;
    for (let row = 0; row < th; row++, pos += rowBytes, off += stride)
      px.convertCompact(src, pos, dst, off, tw);
    return pos;
  }

  if (sub === 1) {
    if (pos + bpc > end) return TILE_TRUNCATED;
    const colour = px.readCPixel(src, pos);
    fillTile(dst, off, stride, tw, th, colour);
    return pos + bpc;
  }

  if (sub <= 16 || sub === 127) {
    let size = sub;
    if (sub === 127) {
      size = s.paletteSize;
      if (!s.reusePalette) return badSubencoding(s, sub);
      if (size < 2 || size > 16) return noPalette(s, sub);
    } else {
      if (pos + sub * bpc > end) return TILE_TRUNCATED;
      readPalette(s, px, src, pos, sub);
      pos += sub * bpc;
    }
    if (pos + packedBytes(size, tw, th) > end) return TILE_TRUNCATED;
    return decodePacked(s, src, pos, dst, off, stride, tw, th, size);
  }

  if (sub < 128) return badSubencoding(s, sub);

  if (sub === 128) return decodePlainRle(s, px, src, pos, end, dst, off, stride, tw, n);

  let size: number;
  if (sub === 129) {
    if (!s.reusePalette) return badSubencoding(s, sub);
    size = s.paletteSize;
    if (size === 0) return noPalette(s, sub);
  } else {
    size = sub - 128;
    if (pos + size * bpc > end) return TILE_TRUNCATED;
    readPalette(s, px, src, pos, size);
    pos += size * bpc;
  }
  return decodePaletteRle(s, src, pos, end, dst, off, stride, tw, n, size);
}

function badSubencoding(s: TileState, sub: number): number {
  s.detail = sub;
  return TILE_BAD_SUBENCODING;
}

function noPalette(s: TileState, sub: number): number {
  s.detail = sub;
  return TILE_NO_PALETTE;
}

/** Fills a tile with one colour. */
export function fillTile(
  dst: Uint32Array,
  off: number,
  stride: number,
  tw: number,
  th: number,
  colour: number,
): void {
  if (tw === stride) {
    dst.fill(colour, off, off + tw * th);
    return;
  }
  for (let row = 0; row < th; row++, off += stride) dst.fill(colour, off, off + tw);
}

function decodePacked(
  s: TileState,
  src: Uint8Array,
  pos: number,
  dst: Uint32Array,
  off: number,
  stride: number,
  tw: number,
  th: number,
  size: number,
): number {
  const pal = s.palette;
  const bits = packedBits(size);
  const mask = (1 << bits) - 1;
  const first = 8 - bits;
  // Sizes 3 and 5–15 leave index values that name no colour.
  const checked = size !== 1 << bits;
  for (let row = 0; row < th; row++, off += stride) {
    let o = off;
    const rowEnd = off + tw;
    if (bits === 4 && !checked) {
      // The common 16-colour case: two pixels a byte.
      const pairsEnd = off + (tw & ~1);
      while (o < pairsEnd) {
        const v = src[pos++];
        dst[o++] = pal[v >> 4];
        dst[o++] = pal[v & 15];
      }
      if (o < rowEnd) dst[o++] = pal[src[pos++] >> 4];
      continue;
    }
    while (o < rowEnd) {
      const v = src[pos++];
      for (let shift = first; shift >= 0 && o < rowEnd; shift -= bits) {
        const index = (v >> shift) & mask;
        if (checked && index >= size) {
          s.detail = index;
          return TILE_BAD_INDEX;
        }
        dst[o++] = pal[index];
      }
    }
  }
  return pos;
}

/**
 * Plain RLE (subencoding 128): CPIXEL then run length. A run length is bytes summed plus one,
 * every byte but the last being 255 (§7.7.5); runs continue from one row to the next.
 */
function decodePlainRle(
  s: TileState,
  px: PixelConverter,
  src: Uint8Array,
  pos: number,
  end: number,
  dst: Uint32Array,
  off: number,
  stride: number,
  tw: number,
  n: number,
): number {
  const bpc = px.bytesPerCPixel;
  let left = n;
  let x = 0;
  let rowOff = off;
  while (left > 0) {
    if (pos + bpc >= end) return TILE_TRUNCATED;
    const colour = px.readCPixel(src, pos);
    pos += bpc;
    let len = 1;
    let b: number;
    do {
      if (pos >= end) return TILE_TRUNCATED;
      b = src[pos++];
      len += b;
    } while (b === 255);
    if (len > left) {
      s.detail = left;
      return TILE_RUN_OVERFLOW;
    }
    left -= len;
    while (len > 0) {
      let count = tw - x;
      if (count > len) count = len;
      let o = rowOff + x;
      len -= count;
      x += count;
      if (count > 16) {
        dst.fill(colour, o, o + count);
      } else {
        const e = o + count;
        while (o < e) dst[o++] = colour;
      }
      if (x === tw) {
        x = 0;
        rowOff += stride;
      }
    }
  }
  return pos;
}

/**
 * Palette RLE (subencodings 129–255): a byte below 128 is one pixel of that palette index;
 * with the top bit set the low seven bits are the index and a run length follows (§7.7.5).
 */
function decodePaletteRle(
  s: TileState,
  src: Uint8Array,
  pos: number,
  end: number,
  dst: Uint32Array,
  off: number,
  stride: number,
  tw: number,
  n: number,
  size: number,
): number {
  const pal = s.palette;
  let left = n;
  let x = 0;
  let rowOff = off;
  while (left > 0) {
    if (pos >= end) return TILE_TRUNCATED;
    let index = src[pos++];
    if (index < 128) {
      if (index >= size) {
        s.detail = index;
        return TILE_BAD_INDEX;
      }
      dst[rowOff + x] = pal[index];
      left--;
      if (++x === tw) {
        x = 0;
        rowOff += stride;
      }
      continue;
    }
    index &= 127;
    if (index >= size) {
      s.detail = index;
      return TILE_BAD_INDEX;
    }
    let len = 1;
    let b: number;
    do {
      if (pos >= end) return TILE_TRUNCATED;
      b = src[pos++];
      len += b;
    } while (b === 255);
    if (len > left) {
      s.detail = left;
      return TILE_RUN_OVERFLOW;
    }
    left -= len;
    const colour = pal[index];
    while (len > 0) {
      let count = tw - x;
      if (count > len) count = len;
      let o = rowOff + x;
      len -= count;
      x += count;
      if (count > 16) {
        dst.fill(colour, o, o + count);
      } else {
        const e = o + count;
        while (o < e) dst[o++] = colour;
      }
      if (x === tw) {
        x = 0;
        rowOff += stride;
      }
    }
  }
  return pos;
}

/**
 * The byte length of the tile at `src[pos]` once all of it lies before `end`, else
 * TILE_TRUNCATED. Lets TRLE, which has no length prefix, wait for a whole tile before
 * painting it. Run-length tiles are scanned run by run; the progress is kept in `s`
 * (set `scannedBytes` to 0 for each new tile) so that data arriving
 * a byte at a time is still scanned only once. Malformed tiles get a length that lets
 * `decodeTile` report what is wrong with them.
 */
export function tileLength(
  s: TileState,
  bpc: number,
  src: Uint8Array,
  pos: number,
  end: number,
  tw: number,
  th: number,
): number {
  if (pos >= end) return TILE_TRUNCATED;
  const sub = src[pos];
  const avail = end - pos;
  let len: number;
  if (sub === 0) len = 1 + tw * th * bpc;
  else if (sub === 1) len = 1 + bpc;
  else if (sub <= 16) len = 1 + sub * bpc + packedBytes(sub, tw, th);
  else if (sub === 127) {
    const size = s.paletteSize;
    len = s.reusePalette && size >= 2 && size <= 16 ? 1 + packedBytes(size, tw, th) : 1;
  } else if (sub < 128) len = 1;
  else return scanRle(s, bpc, src, pos, end, tw * th, sub);
  return len <= avail ? len : TILE_TRUNCATED;
}

function scanRle(
  s: TileState,
  bpc: number,
  src: Uint8Array,
  start: number,
  end: number,
  n: number,
  sub: number,
): number {
  if (s.scannedBytes === 0) {
    let header = 1;
    if (sub > 129) header += (sub - 128) * bpc;
    else if (sub === 129 && (!s.reusePalette || s.paletteSize === 0)) return 1;
    if (start + header > end) return TILE_TRUNCATED;
    s.scannedBytes = header;
    s.scannedPixels = 0;
  }
  let pos = start + s.scannedBytes;
  let pixels = s.scannedPixels;
  while (pixels < n) {
    let p = pos;
    let len = 1;
    if (sub === 128) {
      p += bpc;
    } else {
      if (p >= end) break;
      if (src[p++] < 128) {
        pos = p;
        pixels++;
        continue;
      }
    }
    let b = 255;
    while (b === 255 && p < end) {
      b = src[p++];
      len += b;
    }
    if (b === 255) break;
    pos = p;
    pixels += len;
  }
  s.scannedBytes = pos - start;
  s.scannedPixels = pixels;
  return pixels < n ? TILE_TRUNCATED : pos - start;
}

/** A message for a negative `decodeTile` result (not TILE_TRUNCATED, which the caller words). */
export function describeTileError(code: number, s: TileState, tw: number, th: number): string {
  const d = s.detail;
  switch (code) {
    case TILE_BAD_SUBENCODING:
      return `has subencoding ${d}, which is not defined`;
    case TILE_RUN_OVERFLOW:
      return `has a run longer than the ${d} pixels left in its ${tw}x${th} tile`;
    case TILE_BAD_INDEX:
      return `uses palette index ${d} outside its ${s.paletteSize}-colour palette`;
    case TILE_NO_PALETTE:
      return s.paletteSize === 0
        ? `has subencoding ${d}, reusing a palette when none has been sent`
        : `has subencoding ${d}, reusing a ${s.paletteSize}-colour palette for packed pixels (at most 16)`;
    default:
      return `could not be decoded (code ${code})`;
  }
}

/**
 * Paints what the tiles before tile (tx, ty) of a rectangle would have painted had they not
 * been skipped while all of them were solid in one colour: rows above the tile row, and the
 * tiles to the left in it.
 */
export function fillSkippedTiles(
  dst: Uint32Array,
  base: number,
  width: number,
  tx: number,
  ty: number,
  th: number,
  colour: number,
): void {
  dst.fill(colour, base, base + ty * width);
  if (tx > 0) fillTile(dst, base + ty * width, width, tx, th, colour);
}

/**
 * An upper bound on a ZRLE rectangle's inflated size (§7.7.6), so a hostile stream cannot grow
 * memory: a tile is at most a subencoding byte, a 127-colour palette and, per pixel, a CPIXEL
 * and a run-length byte (plain RLE with runs of one pixel, the costliest encoding).
 */
export function maxTilesBytes(width: number, height: number, tileSize: number, bpc: number): number {
  const tiles = Math.ceil(width / tileSize) * Math.ceil(height / tileSize);
  return tiles * (1 + 127 * bpc) + width * height * (bpc + 1);
}
