import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import type { XServer } from './servers.ts';

/**
 * A test pattern with many distinct colours: hue and grey gradients (every level of every
 * channel), one-pixel lines and checkerboards (tile and subrectangle edges), and flat areas
 * (solid tiles, runs). Deterministic, so a failing pixel can be found again.
 */
export function testPattern(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let r: number;
      let g: number;
      let b: number;
      const band = Math.floor((y / height) * 6);
      if (band === 0) {
        [r, g, b] = [x & 255, (x >> 1) & 255, 255 - (x & 255)];
      } else if (band === 1) {
        [r, g, b] = [(y * 7) & 255, x & 255, (x * 3 + y) & 255];
      } else if (band === 2) {
        const on = ((x >> 2) + (y >> 2)) & 1;
        [r, g, b] = on ? [250, 250, 250] : [10, 20, 160];
      } else if (band === 3) {
        [r, g, b] = x % 17 === 0 || y % 13 === 0 ? [255, 255, 0] : [30, 120, 30];
      } else if (band === 4) {
        const v = Math.floor((x / width) * 256);
        [r, g, b] = [v, v, v];
      } else {
        [r, g, b] = x < width / 2 ? [200, 40, 40] : [(x * 13) & 255, (y * 29) & 255, (x ^ y) & 255];
      }
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
      data[o + 3] = 255;
    }
  }
  return data;
}

export function writeTestPattern(dir: string, width: number, height: number): string {
  const path = join(dir, 'pattern.png');
  writeFileSync(path, encode({ width, height, data: testPattern(width, height), channels: 4, depth: 8 }));
  return path;
}

/** The text the xterm on the test desktop shows. */
export const XTERM_TEXT = 'Porthole test: ABC xyz 0123';

/**
 * Random text scrolling through a large xterm: updates of tens of kilobytes, all the time. It
 * stays clear of the screen's centre, where Xvnc draws the pointer into its framebuffer over
 * a window (and `xwd` does not show it).
 */
export function busyScreen(server: XServer): ChildProcess {
  return server.run('xterm', [
    '-geometry',
    '90x25+0+0',
    '-e',
    'sh',
    '-c',
    'while :; do head -c 6000 /dev/urandom | base64; sleep 0.05; done',
  ]);
}
