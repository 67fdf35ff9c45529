/**
 * The benchmark's recordings: one FBS file per encoding of a busy 1920x1080 desktop on a real
 * Xvnc (the test pattern, a photo-like picture in ImageMagick's `display`, terminals scrolling
 * `ls -lR`, a terminal moved about with xdotool), recorded with Porthole's `record`. Cached in
 * .tmp/bench/ under the content version; bump it when the desktop or the lengths change.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { record } from '../../main/cli/commands.ts';
import { parseEncodingList } from '../../main/cli/options.ts';
import { startXvnc, type XServer } from '../support/servers.ts';

export const CONTENT_VERSION = 2;
export const BENCH_DIR = join('.tmp', 'bench');
export const GEOMETRY: [number, number] = [1920, 1080];

/** Every encoding the bench knows, with vncviewer's name for it and seconds recorded (Raw is large). */
export const ENCODINGS: Record<string, { tigervnc: string; seconds: number }> = {
  raw: { tigervnc: 'Raw', seconds: 3 },
  hextile: { tigervnc: 'Hextile', seconds: 6 },
  zrle: { tigervnc: 'ZRLE', seconds: 6 },
  tight: { tigervnc: 'Tight', seconds: 6 },
};

export const recordingPath = (encoding: string) => join(BENCH_DIR, `${encoding}-v${CONTENT_VERSION}.fbs`);

/** Makes the desktop busy the way people use it: terminals scrolling, a photo, a window moving. */
function busyDesktop(server: XServer): void {
  const photo = join(BENCH_DIR, 'photo.png');
  if (!existsSync(photo))
    execFileSync('convert', ['-size', '900x600', 'plasma:fractal', '-blur', '0x1', photo]);
  server.run('display', ['-geometry', '+960+80', photo]);
  for (const [x, y] of [
    [40, 300],
    [520, 560],
  ]) {
    server.run('xterm', [
      '-fn',
      'fixed',
      '-geometry',
      `90x30+${x}+${y}`,
      '-e',
      'sh',
      '-c',
      'while :; do ls -lR /usr/share; done',
    ]);
  }
  server.run('sh', [
    '-c',
    'sleep 1; while :; do for x in 100 300 500 700 500 300; do xdotool search --class xterm windowmove %1 $x 200 2>/dev/null; sleep 0.2; done; done',
  ]);
}

/** Records what is missing (or everything, with `fresh`); returns each encoding's file. */
export async function ensureRecordings(encodings: string[], fresh: boolean): Promise<Map<string, string>> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const paths = new Map(encodings.map((e) => [e, recordingPath(e)]));
  const wanted = encodings.filter((e) => fresh || !existsSync(recordingPath(e)));
  if (wanted.length === 0) return paths;
  process.stderr.write(`bench: recording ${wanted.join(', ')} from a busy 1920x1080 Xvnc session…\n`);
  const server = await startXvnc({ security: 'none', geometry: GEOMETRY });
  try {
    busyDesktop(server);
    await new Promise((r) => setTimeout(r, 2000));
    for (const encoding of wanted) {
      const path = recordingPath(encoding);
      // Written under another name first, so an interrupted run leaves no half recording.
      await record(
        {
          target: server.target,
          password: undefined,
          encodings: parseEncodingList(encoding),
          colourLevel: 'full',
          timeoutSeconds: 30,
        },
        `${path}.part`,
        ENCODINGS[encoding].seconds,
      );
      renameSync(`${path}.part`, path);
    }
  } finally {
    await server.stop();
  }
  return paths;
}
