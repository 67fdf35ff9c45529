import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPorthole, tempDir } from '../support/cli.ts';
import { comparePictures, reduceTruth } from '../support/colour-model.ts';
import { freePort, startServer, stopAllServers, type VncServer } from '../support/servers.ts';
import { readPng } from '../support/truth.ts';

const PASSWORD = 'sesame';

afterAll(() => stopAllServers());

describe('porthole CLI against live servers', () => {
  let xvnc: VncServer;
  let qemu: VncServer;
  const dir = tempDir();

  beforeAll(async () => {
    xvnc = await startServer('xvnc', { security: 'vncauth', password: PASSWORD, geometry: [800, 600] });
    qemu = await startServer('qemu', { security: 'none' });
  });

  it('snapshot with --password-file writes the server picture', async () => {
    const passwordFile = join(dir, 'pw');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    const out = join(dir, 'xvnc.png');
    const r = await runPorthole(['snapshot', xvnc.target, out, '--password-file', passwordFile]);
    expect(r.stderr).toBe(`porthole: wrote 800x600 to ${out}\n`);
    expect(r.code).toBe(0);
    const truth = await xvnc.truth();
    expect(comparePictures(readPng(out).data, truth.data, truth.width).different).toBe(0);
  });

  it('a wrong password: exit 3 with the server reason', async () => {
    const r = await runPorthole(['snapshot', xvnc.target, join(dir, 'no.png')], { VNC_PASSWORD: 'wrong' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^porthole: authentication failed: .+\. Check the password/);
  });

  it('no password for a server that wants one: exit 3 saying how to give one', async () => {
    const r = await runPorthole(['snapshot', xvnc.target, join(dir, 'no.png')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/asks for a VNC password.*--password-file FILE or the VNC_PASSWORD/);
  });

  for (const [name, encodings, level] of [
    ['zrle, full colour', 'zrle', 'full'],
    ['hextile, rgb565', 'hextile', 'rgb565'],
    ['raw, pal8 (colour map)', 'raw', 'pal8'],
  ] as const) {
    it(`record then replay --png gives the snapshot's picture (QEMU, ${name})`, async () => {
      const fbs = join(dir, `${encodings}.fbs`);
      const recorded = await runPorthole([
        'record',
        qemu.target,
        fbs,
        '--seconds',
        '1',
        '--encodings',
        encodings,
        '--color-level',
        level,
      ]);
      expect(recorded.code, recorded.stderr).toBe(0);
      expect(readFileSync(fbs).subarray(0, 12).toString()).toBe('FBS 001.000\n');
      const replayed = join(dir, `${encodings}-replay.png`);
      const r = await runPorthole(['replay', fbs, '--png', replayed, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const stats = JSON.parse(r.stdout);
      expect(Object.keys(stats)).toEqual(
        expect.arrayContaining(['bytes', 'updates', 'rects', 'pixels', 'seconds', 'mpixelPerSec']),
      );
      expect(stats.rects[encodings]).toBeGreaterThan(0);
      const snap = join(dir, `${encodings}-snap.png`);
      const s = await runPorthole([
        'snapshot',
        qemu.target,
        snap,
        '--encodings',
        encodings,
        '--color-level',
        level,
      ]);
      expect(s.code, s.stderr).toBe(0);
      const a = readPng(replayed);
      const b = readPng(snap);
      expect(comparePictures(a.data, b.data, b.width).different).toBe(0);
      const truth = await qemu.truth();
      expect(comparePictures(a.data, reduceTruth(truth.data, level, 'qemu'), truth.width).different).toBe(0);
    });
  }

  it('replay --bench prints the figures', async () => {
    const fbs = join(dir, 'zrle.fbs');
    const r = await runPorthole(['replay', fbs, '--bench']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^bytes +\d+\nupdates +\d+\nrectangles +zrle \d+.*\npixels +\d+\nseconds +[\d.]+\nMpixel\/s +[\d.]+\n$/,
    );
  });

  it('a server killed in the middle of an update: exit 2, saying so', async () => {
    const victim = await startServer('xvnc', { security: 'none', geometry: [1920, 1080] });
    // A relay counts the server's bytes and kills the server 1 MB into the first (8 MB) Raw update.
    const relayPort = await freePort();
    let forwarded = 0;
    const relay = net.createServer((client) => {
      const upstream = net.connect(victim.port, victim.host);
      client.pipe(upstream);
      upstream.on('data', (chunk) => {
        forwarded += chunk.length;
        client.write(chunk);
        if (forwarded > 1 << 20) victim.kill();
      });
      upstream.on('close', () => client.destroy());
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((done) => relay.listen(relayPort, '127.0.0.1', done));
    try {
      const r = await runPorthole([
        'snapshot',
        `127.0.0.1::${relayPort}`,
        join(dir, 'killed.png'),
        '--encodings',
        'raw',
      ]);
      expect(forwarded).toBeGreaterThan(1 << 20);
      expect(forwarded).toBeLessThan(1920 * 1080 * 4);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^porthole: the server closed the connection in the middle of a screen update/,
      );
    } finally {
      relay.close();
      await victim.stop();
    }
  });
});
