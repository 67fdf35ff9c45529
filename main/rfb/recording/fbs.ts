import { closeSync, openSync, writeSync } from 'node:fs';
import { RfbError } from '../../../shared/rfb-error.ts';
import { SecurityType } from '../constants.ts';
import { writePixelFormat } from '../pixel-format.ts';
import type { ServerInfo } from '../session.ts';

/**
 * FBS 001.000, the recording format of rfbproxy and vncrec that TigerVNC's performance tools
 * read: the header, then blocks of [u32 BE length][data padded to 4][u32 BE ms since start],
 * the data being the server-to-client stream from ProtocolVersion on.
 */
export const FBS_HEADER = 'FBS 001.000\n';

/** The largest block we accept when reading; real recorders write socket-read-sized blocks. */
const MAX_BLOCK = 64 << 20;

export interface FbsBlock {
  data: Uint8Array;
  ms: number;
}

export function encodeFbsBlock(data: Uint8Array, ms: number): Uint8Array {
  const padded = (data.length + 3) & ~3;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(data, 4);
  view.setUint32(4 + padded, ms >>> 0);
  return out;
}

/** Parses a whole FBS file; a malformed file is an RfbError naming the offset. */
export function readFbs(file: Uint8Array): FbsBlock[] {
  const header = new TextDecoder().decode(file.subarray(0, 12));
  if (header !== FBS_HEADER) {
    throw new RfbError(
      'usage',
      `not an FBS 001.000 recording: it starts with "${header.replace(/[^\x20-\x7e]/g, '.')}"`,
    );
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const blocks: FbsBlock[] = [];
  let off = 12;
  while (off < file.length) {
    if (off + 4 > file.length) throw truncated(off);
    const length = view.getUint32(off);
    if (length > MAX_BLOCK) {
      throw new RfbError(
        'protocol',
        `the recording's block at byte ${off} claims ${length} bytes, more than ${MAX_BLOCK}`,
      );
    }
    const padded = (length + 3) & ~3;
    if (off + 8 + padded > file.length) throw truncated(off);
    blocks.push({ data: file.subarray(off + 4, off + 4 + length), ms: view.getUint32(off + 4 + padded) });
    off += 8 + padded;
  }
  return blocks;
}

function truncated(off: number): RfbError {
  return new RfbError('protocol', `the recording is truncated: the block at byte ${off} is incomplete`);
}

/** The handshake a recording starts with: RFB 3.8, security None, then the ServerInit in effect. */
export function canonicalHandshake(info: ServerInfo): Uint8Array {
  const name = new TextEncoder().encode(info.name);
  const out = new Uint8Array(12 + 2 + 4 + 24 + name.length);
  out.set(new TextEncoder().encode('RFB 003.008\n'), 0);
  out[12] = 1;
  out[13] = SecurityType.None;
  // bytes 14..17: SecurityResult OK (zero)
  const view = new DataView(out.buffer);
  view.setUint16(18, info.width);
  view.setUint16(20, info.height);
  writePixelFormat(info.format, out, 22);
  view.setUint32(38, name.length);
  out.set(name, 42);
  return out;
}

/**
 * Writes what a session receives to an FBS file. The live handshake (which may carry an
 * authentication challenge) is replaced by a canonical one whose ServerInit holds the pixel
 * format actually in effect, so any FBS player decodes the file with no credentials.
 */
export class FbsRecorder {
  private readonly fd: number;
  private readonly start = performance.now();
  private streamOffset = 0;
  private handshakeDone = false;
  private early: { data: Uint8Array; offset: number }[] = [];

  constructor(path: string) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, FBS_HEADER);
  }

  /** Give it every received chunk (SessionEvents.onInbound). */
  inbound(chunk: Uint8Array): void {
    const offset = this.streamOffset;
    this.streamOffset += chunk.length;
    if (this.handshakeDone) this.write(chunk);
    // A copy: socket chunks are Buffers, whose slice() would share memory.
    else this.early.push({ data: new Uint8Array(chunk), offset });
  }

  /** Give it ServerInfo once ServerInit is read (SessionEvents.onServerInit). */
  serverInit(info: ServerInfo): void {
    this.handshakeDone = true;
    const parts = [canonicalHandshake(info)];
    for (const { data, offset } of this.early) {
      const from = Math.max(0, info.initEndStreamOffset - offset);
      if (from < data.length) parts.push(data.subarray(from));
    }
    this.early = [];
    const total = parts.reduce((n, p) => n + p.length, 0);
    const joined = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    this.write(joined, 0);
  }

  private write(data: Uint8Array, ms = Math.round(performance.now() - this.start)): void {
    writeSync(this.fd, encodeFbsBlock(data, ms));
  }

  close(): void {
    closeSync(this.fd);
  }
}
