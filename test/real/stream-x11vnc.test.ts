import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding } from '../../main/rfb/constants.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import { startX11vnc, type XServer } from '../support/servers.ts';
import { closeLiveSessions, connectLive, waitForPicture } from './stream-live.ts';

/**
 * x11vnc (libvncserver) has neither Fence nor continuous updates: live colour-level and
 * encoding switches take the request-synchronised path, and must neither desynchronise nor
 * stall (whatever the server does with ExtendedDesktopSize), ending exact at each level.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live switches on x11vnc', () => {
  let server: XServer;

  beforeAll(async () => {
    server = await startX11vnc({ security: 'none', geometry: [640, 480] });
  }, 120_000);

  afterAll(async () => {
    closeLiveSessions();
    await server?.stop();
  });

  it('12 switches, each level ending exact, no Fence sent', async () => {
    const l = connectLive(server, { colourLevel: 'full', encodings: [Encoding.ZRLE] });
    await waitForPicture(l, () => server.truth(), 'full', 'x11vnc');
    expect(l.session.streamMode).toEqual({ fence: false, continuousSupported: false, continuous: false });
    const levels: ColourLevel[] = ['rgb565', 'full', 'rgb222'];
    const encodings = [Encoding.Tight, Encoding.Hextile, Encoding.ZRLE];
    for (let i = 0; i < 12; i++) {
      l.session.setColourLevel(levels[i % 3]);
      l.session.setEncodings([encodings[(i >> 1) % 3]]);
      await sleep(30);
      if (i % 4 === 3) await waitForPicture(l, () => server.truth(), levels[i % 3], 'x11vnc');
      expect(l.error, `after switch ${i}`).toBeUndefined();
    }
    l.session.setColourLevel('full');
    await waitForPicture(l, () => server.truth(), 'full', 'x11vnc');
    expect(l.sent.some(([type]) => type === 248)).toBe(false);
  }, 90_000);
});
