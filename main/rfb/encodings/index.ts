import { Encoding } from '../constants.ts';
import { CopyRectDecoder } from './copyrect.ts';
import type { Decoder } from './decoder.ts';
import { HextileDecoder } from './hextile.ts';
import { RawDecoder } from './raw.ts';
import { CoRreDecoder, RreDecoder } from './rre.ts';
import { TightDecoder } from './tight.ts';
import { TrleDecoder } from './trle.ts';
import { ZlibDecoder } from './zlib.ts';
import { ZrleDecoder } from './zrle.ts';

/** A fresh set of decoders for one session, by encoding number. */
export function createDecoders(): Map<number, Decoder> {
  return new Map<number, Decoder>([
    [Encoding.Raw, new RawDecoder()],
    [Encoding.CopyRect, new CopyRectDecoder()],
    [Encoding.RRE, new RreDecoder()],
    [Encoding.CoRRE, new CoRreDecoder()],
    [Encoding.Hextile, new HextileDecoder()],
    [Encoding.Zlib, new ZlibDecoder()],
    [Encoding.Tight, new TightDecoder()],
    [Encoding.TightPng, new TightDecoder(true)],
    [Encoding.TRLE, new TrleDecoder()],
    [Encoding.ZRLE, new ZrleDecoder()],
  ]);
}
