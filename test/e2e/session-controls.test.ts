import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseOption,
  connectTo,
  saveShot,
  scaleOneToOne,
  screenCanvas,
  step,
  toolbar,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
  waitOnPage,
  watchXEvents,
  type XEventWatcher,
} from '../support/browser.ts';
import { startChangingTerminal, startXvnc, type XServer } from '../support/servers.ts';

/**
 * The session's controls in Chromium against a real Xvnc: the toolbar in one row at 800 px,
 * the F8 menu (groups, at its anchor, never taller than the window), full screen with the
 * pull-down bar, connection info, and sticky modifier keys observed on the X server.
 * Screenshots land in /tmp/e2e-shots.
 */
describe('session controls (Chromium, real Xvnc)', () => {
  let server: XServer;
  let page: Page;
  let screen: Locator;
  const viewer = useViewerEnvironment();

  beforeAll(async () => {
    server = await startXvnc({ security: 'none', geometry: [1024, 768] });
    page = await viewer.openPage();
    await connectTo(page, server.target, { quality: 'High', level: 'full' });
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'controls-connected');
    screen = screenCanvas(page);
  }, 120_000);

  afterAll(async () => {
    await page?.context().close();
  });

  it('at 800×600 the toolbar is one row and the F8 menu has every group, fits the window and scrolls', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    // One row: every control overlaps every other vertically, and nothing overflows to the side.
    const rows = await toolbar(page).evaluate((bar) => {
      const boxes = Array.from(bar.children).map((c) => c.getBoundingClientRect());
      const lowestTop = Math.max(...boxes.map((b) => b.top));
      const highestBottom = Math.min(...boxes.map((b) => b.bottom));
      return { oneRow: lowestTop < highestBottom, overflow: bar.scrollWidth - bar.clientWidth };
    });
    expect(rows).toEqual({ oneRow: true, overflow: 0 });
    for (const button of await toolbar(page).getByRole('button').all())
      expect(
        await button.getAttribute('title'),
        (await button.getAttribute('aria-label')) ?? '',
      ).toBeTruthy();

    await screen.focus();
    await page.keyboard.press('F8');
    const menu = page.getByRole('menu', { name: 'Session menu' });
    await menu.waitFor({ state: 'visible' });
    const groups = await menu
      .getByRole('group')
      .evaluateAll((all) => all.map((g) => g.getAttribute('aria-label')));
    expect(groups).toEqual([
      'Session',
      'Picture quality',
      'Colour level',
      'Scaling',
      'Hold keys down',
      'Send keys',
    ]);
    for (const name of ['Full screen', 'Screenshot', 'Clipboard', 'Connection info', 'View only'])
      expect(await menu.locator('[role^="menuitem"]', { hasText: name }).count(), name).toBeGreaterThan(0);
    expect(await menu.getByRole('menuitemradio', { name: 'High' }).getAttribute('aria-checked')).toBe('true');
    const box = (await menu.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(600);
    expect(box.y).toBeGreaterThanOrEqual(0);
    // At its anchor: the remote screen's top-left corner (moved up to fit: it is taller than the window).
    expect(Math.abs(box.x - ((await screenArea(page)).x + 8))).toBeLessThanOrEqual(1);
    const scroll = await menu.evaluate((m) => ({ scroll: m.scrollHeight, client: m.clientHeight }));
    expect(scroll.scroll).toBeGreaterThan(scroll.client);
    await saveShot(page, 'session-controls-f8-menu-800x600');

    // A choice from the menu applies: Picture quality Medium.
    await menu.getByRole('menuitemradio', { name: 'Medium' }).click();
    await waitOnPage(page, 'the toolbar to show Medium', 10_000, async () =>
      (await toolbar(page).getByRole('combobox', { name: 'Picture quality' }).inputValue()) === 'medium'
        ? true
        : undefined,
    );
    await saveShot(page, 'session-controls-toolbar-800x600');
    await page.setViewportSize({ width: 1400, height: 1000 });
  }, 120_000);

  it('Connection info shows the server, protocol, security, pixel format, encodings, size, bytes and round trip', async () => {
    await toolbar(page).getByRole('button', { name: 'Connection info' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connection info' });
    await dialog.waitFor({ state: 'visible' });
    const text = await waitOnPage(page, 'the connection info to arrive', 10_000, async () => {
      const t = await dialog.innerText();
      return /Protocol/.test(t) ? t : undefined;
    });
    expect(text).toMatch(/Desktop name\s+root@\S+/);
    expect(text).toMatch(new RegExp(`Address\\s+127\\.0\\.0\\.1 port ${server.port}`));
    expect(text).toMatch(/Protocol\s+3\.8/);
    expect(text).toMatch(/Security\s+None · not encrypted/);
    expect(text).toMatch(/Pixel format\s+32 bpp depth 24 little-endian true colour/);
    expect(text).toMatch(/Encodings in use\s+.*\b(zrle|tight)\b \([\d,]+ rectangles\)/i);
    expect(text).toMatch(/Desktop size\s+1024×768/);
    expect(text).toMatch(/Received\s+[\d.]+ (KiB|MiB) in [\d,]+ updates/);
    expect(text).toMatch(/Round trip\s+\d+ ms/);
    await saveShot(page, 'session-controls-connection-info');
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 60_000);

  it('the statistics overlay shows frame rate, bandwidth, encodings and timings that move with a busy screen and match the session', async () => {
    // A terminal that never stops scrolling keeps the server sending.
    const busy = server.run('xterm', [
      '-geometry',
      '80x20+0+0',
      '-e',
      'sh',
      '-c',
      'while :; do ls -lR /usr/share; done',
    ]);
    const overlay = page.getByRole('region', { name: 'Statistics' });
    try {
      await toolbar(page).getByRole('button', { name: 'Statistics' }).click();
      expect(
        await toolbar(page).getByRole('button', { name: 'Statistics' }).getAttribute('aria-pressed'),
      ).toBe('true');
      await overlay.waitFor({ state: 'visible' });
      const value = async (term: string) =>
        (await overlay.locator(`dt:text-is("${term}") + dd`).innerText()).trim();
      const updatesReceived = async () => Number((await value('Received')).match(/^([\d]+) updates/)?.[1]);
      const first = await waitOnPage(page, 'frames and bandwidth above zero', 20_000, async () => {
        if (!(await overlay.locator('dt').count())) return undefined;
        const frames = Number.parseFloat(await value('Frames'));
        const bandwidth = await value('Bandwidth');
        return frames > 0 && /[1-9]/.test(bandwidth) ? await updatesReceived() : undefined;
      });
      expect(await value('Updates')).toMatch(/^[\d.]+ \/s$/);
      expect(await value('Encodings')).toMatch(/\b(ZRLE|Tight|Hextile|CopyRect|Raw)\b \d+%/i);
      expect(await value('Decode')).toMatch(/^[\d.]+ ms$/);
      expect(await value('Paint')).toMatch(/^[\d.]+ ms$/);
      expect(await value('Round trip')).toMatch(/^[\d.]+ ms$/);
      expect(await value('Security')).toBe('None · not encrypted');
      expect(await value('Picture')).toMatch(/^(High|Medium|Low|Auto), Full colour/);
      // The totals are the session's own: they only grow, and Connection info, asked afterwards,
      // counts at least as many updates.
      const later = await waitOnPage(page, 'the counters to move', 10_000, async () => {
        const n = await updatesReceived();
        return n > first ? n : undefined;
      });
      await toolbar(page).getByRole('button', { name: 'Connection info' }).click();
      const dialog = page.getByRole('dialog', { name: 'Connection info' });
      const infoUpdates = await waitOnPage(page, 'the connection info', 10_000, async () => {
        const match = (await dialog.innerText()).match(/in ([\d,]+) updates/);
        return match ? Number(match[1].replace(/,/g, '')) : undefined;
      });
      expect(infoUpdates).toBeGreaterThanOrEqual(later);
      await dialog.getByRole('button', { name: 'Close' }).click();
      // A minute's sparklines fill from the left as seconds pass.
      await waitOnPage(page, 'sparkline points', 10_000, async () => {
        const points = await overlay
          .getByRole('img', { name: 'Bandwidth over the last minute' })
          .locator('polyline')
          .getAttribute('points');
        return (points?.split(' ').length ?? 0) >= 2 ? true : undefined;
      });
      await saveShot(page, 'session-controls-statistics');
      await toolbar(page).getByRole('button', { name: 'Statistics' }).click();
      await overlay.waitFor({ state: 'detached' });
    } finally {
      busy.kill();
    }
  }, 90_000);

  it('a sticky Ctrl from the F8 menu is held for the next key, shown in the toolbar, and released on blur', async () => {
    await scaleOneToOne(page);
    const xev: XEventWatcher = await watchXEvents(server.display);
    try {
      // With no window manager, X keyboard focus follows the pointer: keep it over the background.
      await screen.hover({ position: { x: 700, y: 500 } });
      await screen.focus();
      await page.keyboard.press('F8');
      const menu = page.getByRole('menu', { name: 'Session menu' });
      await menu.getByRole('menuitemcheckbox', { name: 'Ctrl' }).click();
      const held = toolbar(page).getByRole('button', { name: 'Ctrl held' });
      await held.waitFor({ state: 'visible' });
      await page.keyboard.press('x');
      await waitOnPage(
        page,
        () => `x pressed with Control held; the server saw:\n${xev.describe()}`,
        15_000,
        async () => (xev.events.some((e) => e.type === 'KeyRelease' && e.keysym === 'x') ? true : undefined),
      );
      const x = xev.events.find((e) => e.type === 'KeyPress' && e.keysym === 'x');
      expect(x && x.state & 0x4, xev.describe()).toBe(0x4);
      expect(
        xev.events.some((e) => e.type === 'KeyRelease' && e.keysym === 'Control_L'),
        xev.describe(),
      ).toBe(false);
      await saveShot(page, 'session-controls-sticky-ctrl');

      // Focus leaves the remote screen: Ctrl is released there and the toolbar says so.
      await step(page, 'blur', () => toolbar(page).getByRole('button', { name: 'Clipboard' }).focus());
      await waitOnPage(
        page,
        () => `Control released; the server saw:\n${xev.describe()}`,
        15_000,
        async () =>
          xev.events.some((e) => e.type === 'KeyRelease' && e.keysym === 'Control_L') ? true : undefined,
      );
      await held.waitFor({ state: 'detached' });
    } finally {
      xev.stop();
    }
  }, 120_000);

  it('full screen hides the tab strip, status and toolbar, offers a pull-down bar at the top edge, and tells how to leave once', async () => {
    const tabs = page.getByRole('tablist', { name: 'Sessions' });
    await toolbar(page).getByRole('button', { name: 'Full screen' }).click();
    await waitOnPage(page, 'the tab strip to hide', 10_000, async () =>
      (await tabs.isVisible()) ? undefined : true,
    );
    expect(await page.getByRole('status').first().isVisible()).toBe(false);
    const hint = page.getByRole('note', { name: 'Leaving full screen' });
    expect(await hint.innerText()).toMatch(/press and hold Esc to leave/);
    // The toolbar waits above the top edge, a few pixels of the bar showing.
    await page.mouse.move(700, 500);
    await waitOnPage(page, 'the toolbar to tuck away above the top edge', 5_000, async () => {
      const box = (await toolbar(page).boundingBox())!;
      return box.y + box.height <= 0 ? true : undefined;
    });
    expect(await page.evaluate(() => document.fullscreenElement !== null)).toBe(true);
    await saveShot(page, 'session-controls-full-screen');

    await page.mouse.move(700, 2);
    await waitOnPage(page, 'the bar to pull down', 5_000, async () =>
      ((await toolbar(page).boundingBox())?.y ?? -1) >= 0 ? true : undefined,
    );
    await saveShot(page, 'session-controls-full-screen-bar');
    await toolbar(page).getByRole('button', { name: 'Leave full screen' }).click();
    await tabs.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => document.fullscreenElement)).toBe(null);

    // The hint is shown once.
    await toolbar(page).getByRole('button', { name: 'Full screen' }).click();
    await waitOnPage(page, 'the tab strip to hide again', 10_000, async () =>
      (await tabs.isVisible()) ? undefined : true,
    );
    expect(await hint.count()).toBe(0);
    await screen.focus();
    await page.keyboard.press('F8');
    await page
      .getByRole('menu', { name: 'Session menu' })
      .getByRole('menuitemcheckbox', { name: 'Full screen' })
      .click();
    await tabs.waitFor({ state: 'visible' });
  }, 120_000);

  it('a terminal scrolling (CopyRect from Xvnc) leaves the picture exact', async () => {
    // Lossless again after the Medium chosen above; the pointer over the screen, so Xvnc does
    // not draw it into the picture (it does for a viewer that sent no pointer event).
    await chooseOption(toolbar(page).getByRole('combobox', { name: 'Picture quality' }), 'High');
    await screen.hover({ position: { x: 900, y: 700 } });
    const copiesBefore = await copyRectsSoFar(page);
    const terminal = server.run('xterm', [
      ...['-geometry', '80x20+100+300', '-e', 'sh', '-c'],
      'for i in $(seq 1 400); do echo line $i of the scrolling test; sleep 0.005; done; sleep 60',
    ]);
    await new Promise((r) => setTimeout(r, 5000));
    await waitForCanvasToEqual(page, () => server.truth(), 30_000, 'controls-scrolled');
    expect(await copyRectsSoFar(page)).toBeGreaterThan(copiesBefore);
    terminal.kill();
  }, 120_000);

  it('a session whose tab is behind another draws about once a second, and keeps up again in front', async () => {
    startChangingTerminal(server);
    // Counts the animation frames in which this session's canvas was drawn on.
    await page.evaluate(() => {
      const canvas = document.querySelector('[role=tabpanel]:not([hidden]) canvas[data-porthole-screen]');
      const w = window as unknown as { framesDrawn: number };
      w.framesDrawn = 0;
      let dirty = false;
      const proto = CanvasRenderingContext2D.prototype as unknown as Record<
        string,
        (...a: unknown[]) => unknown
      >;
      for (const name of ['putImageData', 'drawImage', 'fillRect']) {
        const original = proto[name];
        proto[name] = function (this: CanvasRenderingContext2D, ...args: unknown[]) {
          if (this.canvas === canvas) dirty = true;
          return original.apply(this, args);
        };
      }
      const tick = () => {
        if (dirty) w.framesDrawn++;
        dirty = false;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const framesOver = async (ms: number) => {
      const before = await page.evaluate(() => (window as unknown as { framesDrawn: number }).framesDrawn);
      await new Promise((r) => setTimeout(r, ms));
      return (await page.evaluate(() => (window as unknown as { framesDrawn: number }).framesDrawn)) - before;
    };
    await framesOver(1500);
    const inFront = await framesOver(3000);
    const tabs = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
    await page.getByRole('button', { name: 'New connection' }).click();
    await framesOver(1000); // what was already on its way
    const behind = await framesOver(4000);
    await tabs.first().click();
    const back = await framesOver(2000);
    console.log(
      `frames drawn: in front ${inFront} in 3 s, behind ${behind} in 4 s, in front again ${back} in 2 s`,
    );
    expect(inFront).toBeGreaterThanOrEqual(15);
    expect(behind).toBeGreaterThanOrEqual(2);
    expect(behind).toBeLessThanOrEqual(10);
    expect(back).toBeGreaterThanOrEqual(10);
    // The connection tab opened for this goes again.
    await page
      .getByRole('tablist', { name: 'Sessions' })
      .getByRole('button', { name: /^Close / })
      .last()
      .click();
    expect(await tabs.count()).toBe(1);
  }, 120_000);
});

/** CopyRect rectangles the session has had, from Connection info's encodings line. */
async function copyRectsSoFar(page: Page): Promise<number> {
  await toolbar(page).getByRole('button', { name: 'Connection info' }).click();
  const dialog = page.getByRole('dialog', { name: 'Connection info' });
  const text = await waitOnPage(page, 'the connection info to arrive', 10_000, async () => {
    const t = await dialog.innerText();
    return /Protocol/.test(t) ? t : undefined;
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
  return Number((/copyrect \(([\d,]+) rectangles\)/i.exec(text)?.[1] ?? '0').replaceAll(',', ''));
}

/** Where the remote screen's area starts (the F8 menu hangs from its corner). */
async function screenArea(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => {
    const box = document.querySelector('.screen-box:not([hidden])')!.getBoundingClientRect();
    return { x: box.left, y: box.top };
  });
}
