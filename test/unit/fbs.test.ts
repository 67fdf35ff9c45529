import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEVEL_FORMATS } from '../../main/rfb/pixel-format.ts';
import { encodeFbsBlock, FBS_HEADER, FbsRecorder, readFbs } from '../../main/rfb/recording/fbs.ts';
import type { ServerInfo } from '../../main/rfb/session.ts';

describe('FBS 001.000', () => {
  it('blocks are [u32 length][data padded to 4][u32 ms]', () => {
    expect(Array.from(encodeFbsBlock(Uint8Array.from([1, 2, 3, 4, 5]), 258))).toEqual([
      0, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 1, 2,
    ]);
  });

  it('reads what it writes and rejects bad headers and truncation', () => {
    const header = new TextEncoder().encode(FBS_HEADER);
    const a = encodeFbsBlock(Uint8Array.from([9, 8, 7]), 1);
    const b = encodeFbsBlock(Uint8Array.from([6]), 70000);
    const file = new Uint8Array([...header, ...a, ...b]);
    const blocks = readFbs(file);
    expect(blocks.map((x) => [Array.from(x.data), x.ms])).toEqual([
      [[9, 8, 7], 1],
      [[6], 70000],
    ]);
    expect(() => readFbs(file.subarray(0, file.length - 2))).toThrow(/truncated/);
    expect(() => readFbs(new TextEncoder().encode('RFB 003.008\n'))).toThrow(/not an FBS 001.000 recording/);
  });

  it('the recorder replaces the live handshake with None + the ServerInit in effect', () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-fbs-'));
    const path = join(dir, 'r.fbs');
    const recorder = new FbsRecorder(path);
    // live: 3.8 banner, VNC auth offered, challenge, result, ServerInit (12+2+16+4+24+1), then a Bell
    const live = new Uint8Array(12 + 2 + 16 + 4 + 25 + 1);
    live[live.length - 1] = 2;
    recorder.inbound(live.subarray(0, 20));
    recorder.inbound(live.subarray(20));
    const info: ServerInfo = {
      version: '3.8',
      securityType: 2,
      security: { type: 'VNC Authentication', encrypted: false, identity: 'unverified' },
      width: 640,
      height: 480,
      name: 'x',
      serverFormat: LEVEL_FORMATS.full,
      format: LEVEL_FORMATS.rgb565,
      initEndStreamOffset: live.length - 1,
    };
    recorder.serverInit(info);
    recorder.inbound(Uint8Array.from([2, 2]));
    recorder.close();
    const blocks = readFbs(readFileSync(path));
    const stream = blocks.flatMap((block) => Array.from(block.data));
    const text = String.fromCharCode(...stream.slice(0, 12));
    expect(text).toBe('RFB 003.008\n');
    expect(stream.slice(12, 18)).toEqual([1, 1, 0, 0, 0, 0]);
    expect(stream.slice(18, 22)).toEqual([2, 128, 1, 224]);
    expect(stream.slice(22, 26)).toEqual([16, 16, 0, 1]);
    expect(stream.slice(38, 43)).toEqual([0, 0, 0, 1, 'x'.charCodeAt(0)]);
    expect(stream.slice(43)).toEqual([2, 2, 2]);
  });
});
