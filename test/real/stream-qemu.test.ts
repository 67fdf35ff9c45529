import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding, encodingName } from '../../main/rfb/constants.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import {
  freePort,
  type QemuServer,
  readBanner,
  settle,
  startQemu,
  startQemuInBootMenu,
  type VncServer,
  waitFor,
} from '../support/servers.ts';
import { type Image, parsePpm } from '../support/truth.ts';
import { closeLiveSessions, connectLive, differences, waitForPicture } from './stream-live.ts';

/**
 * QEMU's side of the stream extensions: TightPNG and the other encodings it sends, pixel-exact
 * against `screendump`; SetDesktopSize answered "request forwarded"; the pointer mode (-257);
 * LED state (-261); and a VMware display-mode change (WMVi) on a display switch.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('streaming from QEMU', () => {
  let server: QemuServer;
  let truth: Image;

  beforeAll(async () => {
    server = await startQemu({ security: 'none' });
    truth = await server.truth();
  }, 120_000);

  afterAll(async () => {
    closeLiveSessions();
    await server?.stop();
  });

  for (const encoding of [
    Encoding.TightPng,
    Encoding.Tight,
    Encoding.ZRLE,
    Encoding.Hextile,
    Encoding.Zlib,
  ]) {
    const name = encodingName(encoding);
    it(`${name} is pixel-exact against screendump`, async () => {
      const live = connectLive(server, { colourLevel: 'full', encodings: [encoding] });
      await waitFor('a complete picture', 20_000, async () => {
        if (live.error) throw live.error;
        return live.coverage.complete ? true : undefined;
      });
      expect(live.session.stats.rects[name], `QEMU sent ${name} rectangles`).toBeGreaterThan(0);
      const { different, first } = differences(live, truth, 'full', 'qemu');
      expect(different, `${different} pixels differ; first at ${first}`).toBe(0);
      live.session.close();
    }, 40_000);
  }

  it('40 live colour-level and encoding switches without Fence (QEMU has none): no desync, ending exact', async () => {
    const live = connectLive(server, { colourLevel: 'full', encodings: [Encoding.ZRLE] });
    await waitForPicture(live, () => server.truth(), 'full', 'qemu');
    const levels: ColourLevel[] = ['full', 'rgb565', 'rgb332'];
    const encodings = [Encoding.TightPng, Encoding.ZRLE, Encoding.Hextile, Encoding.Tight];
    for (let i = 0; i < 40; i++) {
      live.session.setColourLevel(levels[i % 3]);
      live.session.setEncodings([encodings[(i >> 1) % 4]]);
      await sleep(i % 3 === 0 ? 0 : 40);
      expect(live.error, `after switch ${i}`).toBeUndefined();
    }
    live.session.setColourLevel('full');
    await waitForPicture(live, () => server.truth(), 'full', 'qemu');
    // Without Fence a change waits for an idle moment: no fence was ever sent.
    expect(live.sent.some(([type]) => type === 248)).toBe(false);
    expect(live.error).toBeUndefined();
    live.session.close();
  }, 60_000);

  it('reports the pointer mode (-257): relative, the default PS/2 mouse', async () => {
    const live = connectLive(server, { colourLevel: 'full', encodings: [Encoding.ZRLE] });
    await waitFor('the pointer mode', 15_000, async () => live.pointerModes[0]);
    expect(live.pointerModes[0]).toBe('relative');
    expect(live.session.streamMode).toEqual({ fence: false, continuousSupported: false, continuous: false });
    live.session.close();
  }, 30_000);

  it('LED state (-261) arrives when the viewer asks for it', async () => {
    const live = connectLive(server, { colourLevel: 'full', encodings: [Encoding.ZRLE] });
    await waitFor('the LED state', 15_000, async () => live.leds[0]);
    expect(live.leds[0]).toEqual({ scrollLock: false, numLock: false, capsLock: false });
    live.session.close();
  }, 30_000);
});

/**
 * With a virtio-gpu display (`-vga virtio`) QEMU forwards size requests to the guest
 * (dpy_set_ui_info) and answers status 4; with the default VGA it answers 3, invalid layout
 * (measured with QEMU 7.2). A paused or idle firmware never sets the keyboard lights.
 */
describe('streaming from QEMU with a virtio-gpu display, waiting in its boot menu', () => {
  let server: QemuServer;

  beforeAll(async () => {
    // Waiting in SeaBIOS's boot menu prompt (up to 65 s), the firmware polls the keyboard
    // through INT 16h, which sets the keyboard's lights from the lock keys.
    server = await startQemuInBootMenu();
  }, 120_000);

  afterAll(async () => {
    closeLiveSessions();
    await server?.stop();
  });

  it('SetDesktopSize is answered "request forwarded" (status 4) and changes nothing here', async () => {
    const live = connectLive(server, { colourLevel: 'full', encodings: [Encoding.ZRLE] });
    await waitFor('the screen layout', 15_000, async () =>
      live.session.screenLayout.length > 0 ? true : undefined,
    );
    const { width, height } = live.session.info!;
    expect(live.session.requestDesktopSize(1024, 768)).toBe(true);
    await waitFor('the SetDesktopSize result', 15_000, async () => live.sizeResults[0]);
    expect(live.sizeResults[0]).toMatchObject({ status: 4, ok: false, width: 1024, height: 768 });
    expect(live.sizeResults[0].message).toMatch(/forwarded to the guest/);
    expect(live.session.info).toMatchObject({ width, height });
    live.session.close();
  }, 30_000);

  it('LED state follows Caps Lock pressed in the guest (monitor sendkey)', async () => {
    const live = connectLive(server, { colourLevel: 'full', encodings: [Encoding.ZRLE] });
    await waitFor('the LED state', 15_000, async () => live.leds[0]);
    expect(live.leds[0].capsLock).toBe(false);
    await server.monitor('sendkey caps_lock');
    await waitFor('Caps Lock on', 15_000, async () => (live.leds.at(-1)?.capsLock ? true : undefined));
    await server.monitor('sendkey caps_lock');
    await waitFor('Caps Lock off', 15_000, async () =>
      live.leds.at(-1)?.capsLock === false ? true : undefined,
    );
    live.session.close();
  }, 45_000);
});

/**
 * QEMU sends WMVi on a display switch that changes the surface's size or format (ui/vnc.c
 * vnc_dpy_switch → vnc_colordepth; a same-size switch is a "pageflip" without it) and then uses
 * its own default format. A VM started paused (-S) shows a 640×480 placeholder; when it runs,
 * the firmware's 720×400 text mode replaces it: that switch is watched here. The monitor is on
 * stdin; the process is this test's own, stopped by its PID.
 */
describe('VMware display-mode change (WMVi) from QEMU', () => {
  let qemu: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'porthole-wmvi-'));

  afterAll(() => {
    if (qemu?.pid !== undefined && qemu.exitCode === null) process.kill(qemu.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('arrives on the switch from the placeholder to the firmware; the viewer restores its format and ends exact', async () => {
    const port = await freePort();
    qemu = spawn(
      'qemu-system-x86_64',
      [
        '-S',
        '-display',
        'none',
        '-vnc',
        `127.0.0.1:${port - 5900}`,
        '-nic',
        'none',
        '-m',
        '64',
        '-monitor',
        'stdio',
      ],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    const monitor = (command: string) => qemu!.stdin!.write(`${command}\n`);
    let dumps = 0;
    const truth = async (): Promise<Image> => {
      const file = join(dir, `screen-${dumps++}.ppm`);
      monitor(`screendump ${file}`);
      return waitFor('the screendump file', 5000, async () => {
        try {
          return parsePpm(readFileSync(file));
        } catch {
          return undefined;
        }
      });
    };
    await waitFor('QEMU to answer with an RFB banner', 15_000, () => readBanner(port));
    const live = connectLive({ host: '127.0.0.1', port, kind: 'qemu' } as VncServer, {
      colourLevel: 'full',
      encodings: [Encoding.ZRLE],
    });
    await waitFor('the placeholder picture', 15_000, async () => (live.coverage.complete ? true : undefined));
    expect(live.session.info).toMatchObject({ width: 640, height: 480 });
    monitor('cont');
    await waitFor('a WMVi rectangle', 20_000, async () => {
      if (live.error) throw live.error;
      return live.displayModes[0];
    });
    // QEMU's default format (red in bits 16–23), announced by WMVi; the viewer's goes back after.
    expect(live.displayModes[0].format).toMatchObject({ bitsPerPixel: 32, redShift: 16, blueShift: 0 });
    await sleep(5000);
    monitor('stop');
    await settle(truth);
    await waitForPicture(live, truth, 'full', 'qemu');
    expect(live.session.info).toMatchObject({ width: 720, height: 400 });
    expect(live.session.info?.format).toMatchObject({ redShift: 0, greenShift: 8, blueShift: 16 });
    expect(live.error).toBeUndefined();
    live.session.close();
  }, 90_000);
});
