import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENCODINGS, Encoding } from '../../main/rfb/constants.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import { DRAW_CREDITS } from '../../shared/session-protocol.ts';
import { settle, startXvnc, waitFor, type XServer } from '../support/servers.ts';
import { closeLiveSessions, connectLive, type Live, waitForPicture } from './stream-live.ts';

/**
 * Continuous updates, Fence, live format switches and SetDesktopSize against TigerVNC's Xvnc,
 * checked against the X server's own picture (`xwd`) and size (`xdpyinfo`).
 */
const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Client message types (rfbproto). */
const FBUR = 3;
const ENABLE_CU = 150;

describe('streaming from Xvnc (TigerVNC)', () => {
  let server: XServer;

  beforeAll(async () => {
    server = await startXvnc({ security: 'none', geometry: [800, 600] });
  }, 120_000);

  afterAll(async () => {
    closeLiveSessions();
    await server?.stop();
  });

  /**
   * Prints numbered lines in a small xterm for `seconds`: a screen that keeps changing. Kept
   * away from the pointer at the screen's centre: a window under it makes Xvnc draw the
   * pointer into its framebuffer (measured: 176 pixels), which `xwd` does not show.
   */
  function busyXterm(seconds: number, at: string): void {
    server.run('xterm', [
      '-geometry',
      `50x12${at}`,
      '-e',
      'sh',
      '-c',
      `end=$(($(date +%s) + ${seconds})); i=0; while [ $(date +%s) -lt $end ]; do i=$((i+1)); echo "stream line $i"; sleep 0.02; done`,
    ]);
  }

  it('Fence and continuous updates become active, and the picture follows the screen without requests', async () => {
    const live = connectLive(server, { colourLevel: 'full' });
    await waitFor('continuous updates', 15_000, async () =>
      live.session.streamMode.continuous ? true : undefined,
    );
    expect(live.session.streamMode).toEqual({ fence: true, continuousSupported: true, continuous: true });
    expect(live.modes.at(-1)?.continuous).toBe(true);
    await waitForPicture(live, () => server.truth(), 'full', 'xvnc');
    const requestsBefore = live.sent.filter(([type]) => type === FBUR).length;
    const updatesBefore = live.updates;
    busyXterm(2, '+40+40');
    await sleep(2500);
    await settle(() => server.truth());
    await waitForPicture(live, () => server.truth(), 'full', 'xvnc');
    expect(live.updates).toBeGreaterThan(updatesBefore);
    // Every change arrived without one more FramebufferUpdateRequest.
    expect(live.sent.filter(([type]) => type === FBUR).length).toBe(requestsBefore);
    live.session.close();
  }, 60_000);

  it('draw credits: a viewer that paints slowly pauses and resumes the flow, and ends exact', async () => {
    let unpainted = 0;
    let wanted = false;
    let live!: Live;
    const askIfReady = () => {
      if (!wanted || live.session.requestOutstanding || unpainted >= DRAW_CREDITS) return;
      wanted = false;
      live.session.requestNextUpdate();
    };
    live = connectLive(
      server,
      { colourLevel: 'full', autoRequest: false },
      {
        // As the session host does: one credit per update, given back when "painted" 30 ms later.
        onUpdateEnd: () => {
          unpainted++;
          wanted = true;
          askIfReady();
          setTimeout(() => {
            unpainted--;
            askIfReady();
          }, 30);
        },
      },
    );
    await waitFor('continuous updates', 15_000, async () =>
      live.session.streamMode.continuousSupported ? true : undefined,
    );
    busyXterm(3, '+450+380');
    await sleep(3500);
    await settle(() => server.truth());
    await waitForPicture(live, () => server.truth(), 'full', 'xvnc');
    const pauses = live.sent.filter(([type, on]) => type === ENABLE_CU && on === 0).length;
    const resumes = live.sent.filter(([type, on]) => type === ENABLE_CU && on === 1).length;
    expect(pauses).toBeGreaterThan(0);
    expect(resumes).toBeGreaterThan(pauses - 1);
    live.session.close();
  }, 60_000);

  it('40 live colour-level and encoding switches while the screen changes: no desync, ending exact', async () => {
    const live = connectLive(server, { colourLevel: 'full' });
    await waitFor('continuous updates', 15_000, async () =>
      live.session.streamMode.continuous ? true : undefined,
    );
    const levels: ColourLevel[] = ['full', 'rgb565', 'rgb332'];
    const encodings = [Encoding.Tight, Encoding.ZRLE, Encoding.Hextile];
    busyXterm(4, '+20+400');
    for (let i = 0; i < 40; i++) {
      live.session.setColourLevel(levels[i % 3]);
      live.session.setEncodings([encodings[(i >> 1) % 3], ...DEFAULT_ENCODINGS]);
      await sleep(i % 4 === 0 ? 0 : 60);
      expect(live.error, `after switch ${i}`).toBeUndefined();
    }
    live.session.setColourLevel('full');
    await sleep(1000);
    await settle(() => server.truth());
    await waitForPicture(live, () => server.truth(), 'full', 'xvnc');
    expect(live.error).toBeUndefined();
    // Each format change went behind a SyncNext fence.
    expect(live.sent.filter(([type]) => type === 248).length).toBeGreaterThanOrEqual(27);
    const rects = live.session.stats.rects;
    expect(Object.keys(rects)).toEqual(expect.arrayContaining(['tight', 'zrle', 'hextile']));
    live.session.close();
  }, 90_000);

  it('SetDesktopSize to 1024×768 resizes Xvnc (xdpyinfo) and reports success', async () => {
    const live = connectLive(server, { colourLevel: 'full' });
    await waitFor('the screen layout', 15_000, async () =>
      live.session.screenLayout.length > 0 ? true : undefined,
    );
    expect(live.session.requestDesktopSize(1024, 768)).toBe(true);
    await waitFor('the SetDesktopSize result', 15_000, async () => live.sizeResults[0]);
    expect(live.sizeResults[0]).toMatchObject({ status: 0, ok: true, width: 1024, height: 768 });
    expect(live.sizeResults[0].message).toMatch(/1024×768/);
    const { stdout } = await execFileAsync('xdpyinfo', ['-display', `:${server.display}`]);
    expect(stdout).toMatch(/dimensions:\s+1024x768 pixels/);
    expect(live.session.info).toMatchObject({ width: 1024, height: 768 });
    await settle(() => server.truth());
    await waitForPicture(live, () => server.truth(), 'full', 'xvnc');
    live.session.close();
  }, 60_000);
});
