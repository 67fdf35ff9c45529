/**
 * `npm run bench`: decoding speed of Porthole and noVNC side by side on the same recordings of
 * a real 1920x1080 session, with ratios. TigerVNC's C++ decoders are shown as the anchor the
 * field notes measured on this kind of machine (see the note printed with the table).
 *
 *   npm run bench [-- --fresh] [-- --only zrle]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { record, replay } from '../../main/cli/commands.ts';
import { parseEncodingList } from '../../main/cli/options.ts';
import { readFbs } from '../../main/rfb/recording/fbs.ts';
import { startXvnc, stopAllServers, type XServer } from '../support/servers.ts';
import { loadNoVnc, replayWithNoVnc } from './novnc-driver.ts';
import { replayWithTigerVnc } from './tigervnc.ts';

/** Field-notes figures for TigerVNC's C++ decoders alone (its decoder benchmark), 1080p, one core (Mpixel/s). */
const TIGERVNC_ANCHOR: Record<string, number> = { raw: 384, hextile: 665, zrle: 314, tight: 392 };
const ENCODINGS = ['raw', 'hextile', 'zrle', 'tight'];
/** vncviewer's names for the encodings. */
const TIGERVNC_NAMES: Record<string, string> = {
  raw: 'Raw',
  hextile: 'Hextile',
  zrle: 'ZRLE',
  tight: 'Tight',
};
/** Seconds recorded per encoding; Raw is large, so shorter. */
const SECONDS: Record<string, number> = { raw: 2, hextile: 4, zrle: 4, tight: 4 };
const CONTENT_VERSION = 1;
const DIR = join('.tmp', 'bench');
const RUNS = 3;

const { values } = parseArgs({ options: { fresh: { type: 'boolean' }, only: { type: 'string' } } });
const encodings = values.only ? values.only.split(',') : ENCODINGS;

/** Makes the desktop busy the way people use it: terminals scrolling, a photo, a window moving. */
function busyDesktop(server: XServer): void {
  const env = { ...process.env, DISPLAY: `:${server.display}` };
  const photo = join(DIR, 'photo.png');
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
  void env;
}

async function makeRecordings(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const stamp = join(DIR, 'content-version');
  const wanted = encodings.filter((e) => values.fresh || !existsSync(join(DIR, `${e}.fbs`)));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') !== String(CONTENT_VERSION)) wanted.push(...encodings);
  if (wanted.length === 0) return;
  process.stderr.write(`recording ${[...new Set(wanted)].join(', ')} from a 1920x1080 Xvnc session…\n`);
  const server = await startXvnc({ security: 'none', geometry: [1920, 1080] });
  try {
    busyDesktop(server);
    await new Promise((r) => setTimeout(r, 2000));
    for (const encoding of new Set(wanted)) {
      await record(
        {
          target: server.target,
          password: undefined,
          encodings: parseEncodingList(encoding),
          colourLevel: 'full',
          timeoutSeconds: 30,
        },
        join(DIR, `${encoding}.fbs`),
        SECONDS[encoding] ?? 4,
      );
    }
    writeFileSync(stamp, String(CONTENT_VERSION));
  } finally {
    await stopAllServers();
  }
}

const best = (xs: number[]) => Math.max(...xs);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  await makeRecordings();
  const novncModules = await loadNoVnc();
  const rows: string[] = [];
  for (const encoding of encodings) {
    const path = join(DIR, `${encoding}.fbs`);
    const porthole: number[] = [];
    const novnc: number[] = [];
    let rssPorthole = 0;
    let rssNoVnc = 0;
    let same = true;
    let info = '';
    for (let run = 0; run < RUNS; run++) {
      const ours = replay(path, run === 0 ? join(DIR, `${encoding}-porthole.png`) : undefined);
      porthole.push(ours.mpixelPerSec);
      rssPorthole = Math.max(rssPorthole, process.memoryUsage().rss);
      info = `${ours.updates} updates, ${(ours.pixels / 1e6).toFixed(0)} Mpixel, ${mb(ours.bytes)} MiB`;
      const blocks = readFbs(readFileSync(path));
      const theirs = replayWithNoVnc(novncModules, blocks);
      novnc.push(theirs.pixels / theirs.seconds / 1e6);
      rssNoVnc = Math.max(rssNoVnc, process.memoryUsage().rss);
      // Both must end on the same picture, or they did not do the same work.
      if (run === 0) same = sameRgb(ours.framebuffer.data, theirs.framebuffer);
    }
    const p = best(porthole);
    const n = best(novnc);
    const t = TIGERVNC_ANCHOR[encoding];
    const viewerRuns: number[] = [];
    let pixels = 0;
    for (let run = 0; run < RUNS; run++) {
      try {
        pixels = replay(path).pixels;
        const { cpuSeconds } = await replayWithTigerVnc(path, TIGERVNC_NAMES[encoding]);
        viewerRuns.push(pixels / cpuSeconds / 1e6);
      } catch (error) {
        process.stderr.write(`bench: vncviewer run failed: ${(error as Error).message}\n`);
      }
    }
    const v = viewerRuns.length ? best(viewerRuns) : undefined;
    const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '–');
    rows.push(
      `| ${encoding} | ${info} | ${p.toFixed(0)} | ${n.toFixed(0)} | ${ratio(p, n)} | ${v?.toFixed(0) ?? '–'} | ${ratio(p, v)} | ${t ?? '–'} | ${ratio(p, t)} | ${same ? 'yes' : 'NO'} | ${mb(rssPorthole)} / ${mb(rssNoVnc)} |`,
    );
  }
  const table = [
    '| recording (1920x1080) | content | Porthole Mpixel/s | noVNC 1.7 Mpixel/s | Porthole / noVNC | TigerVNC vncviewer, measured | Porthole / vncviewer | TigerVNC decoders, anchor | Porthole / anchor | same final picture | peak RSS MiB (after Porthole / after noVNC) |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|',
    ...rows,
  ].join('\n');
  const note =
    `Best of ${RUNS} runs each, decoding only (file reading excluded), one core, both engines in this process on the same recordings. ` +
    'TigerVNC vncviewer 1.12 is measured in this run: the same recording played to it over loopback, its CPU time pinned to one core (socket reads, decoding and drawing into Xvfb). ' +
    "The anchor is the field notes' figure for TigerVNC's decoders alone on this kind of machine. " +
    'Targets: Porthole/noVNC ≥ 2, Porthole/TigerVNC ≥ 0.5.';
  const report = `${table}\n\n${note}\n`;
  process.stdout.write(report);
  writeFileSync(join(DIR, 'results.md'), report);
}

/** Whether two RGBA pictures show the same colours (alpha aside). */
function sameRgb(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) return false;
  }
  return true;
}

main().catch((error) => {
  process.stderr.write(`bench: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
