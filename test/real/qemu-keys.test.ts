import { afterAll, describe, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import { MemoryChannel } from '../support/memory-channel.ts';
import { type QemuServer, startQemuInBootMenu, stopAllServers, waitFor } from '../support/servers.ts';
import { differingPixels, type Image } from '../support/truth.ts';

afterAll(() => stopAllServers());

/** The keysym of the letter a (X11 keysymdef.h: Latin-1 keysyms equal their code points). */
const XK_a = 0x61;

/** Waits until the firmware's screen stops changing (but for a blinking cursor). */
async function stillScreen(server: QemuServer): Promise<Image> {
  let previous = await server.truth();
  return waitFor('the firmware screen to stop changing', 30_000, async () => {
    await new Promise((r) => setTimeout(r, 700));
    const now = await server.truth();
    const still = differingPixels(now, previous) < 200;
    previous = now;
    return still ? now : undefined;
  });
}

describe('QEMU Extended Key Event reaches the guest', () => {
  it('a key sent as an XT scancode opens the firmware boot menu, whatever its keysym says', async () => {
    // SeaBIOS waits for Esc with "Press ESC for boot menu." for a minute.
    const server = await startQemuInBootMenu();
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target } });
    await channel.untilPhase('connected');
    await channel.until('QEMU to acknowledge Extended Key Event', (r) =>
      r.some((m) => m.type === 'capabilities' && m.capabilities.extendedKeys),
    );
    const before = await stillScreen(server);

    // The keysym says "a"; only the scancode (0x01, Esc) can open the menu.
    channel.post({ type: 'key', keysym: XK_a, down: true, scancode: 0x01 });
    channel.post({ type: 'key', keysym: XK_a, down: false, scancode: 0x01 });
    await waitFor('the boot menu to be drawn (over 1000 pixels changed)', 15_000, async () => {
      const n = differingPixels(before, await server.truth());
      return n > 1000 ? n : undefined;
    });
    channel.close();
  }, 90_000);
});
