import { type ChildProcess, execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseOption,
  connectTo,
  readCanvas,
  scaleOneToOne,
  step,
  toolbar,
  typeLikeAPerson,
  useViewerEnvironment,
  waitForStatus,
  waitOnPage,
  watchXEvents,
  type XEventWatcher,
  type XInputEvent,
  xPointer,
} from '../support/browser.ts';
import { startServer, type XServer } from '../support/servers.ts';

/**
 * Keyboard and mouse through the browser reach a real Xvnc: what X delivers is observed on
 * the server (xev on the root window, xdotool's pointer position, a terminal writing what it
 * receives to a file), with Scaling 1:1 so a canvas pixel is a remote pixel.
 */
describe('keyboard, mouse, Send keys and View only reach the server (Xvnc, Chromium)', () => {
  let server: XServer;
  let page: Page;
  let xev: XEventWatcher;
  let screen: Locator;
  const viewer = useViewerEnvironment();

  /** Waits until the events seen since the last clear satisfy `ready`. */
  const waitForXEvents = (what: string, ready: (events: XInputEvent[]) => boolean, ms = 15_000) =>
    waitOnPage(
      page,
      () => `${what}; the server saw:\n${xev.describe()}`,
      ms,
      async () => (ready(xev.events) ? true : undefined),
    );
  const isButton = (e: XInputEvent, type: XInputEvent['type'], button: number, x: number, y: number) =>
    e.type === type && e.button === button && e.x === x && e.y === y;

  beforeAll(async () => {
    server = (await startServer('xvnc', { security: 'none', geometry: [1024, 768] })) as XServer;
    xev = await watchXEvents(server.display);
    page = await viewer.openPage();
    await connectTo(page, server.target, { enter: true });
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'input-connected');
    await scaleOneToOne(page);
    screen = page.getByRole('application', { name: /^Remote screen/ });
  }, 120_000);

  afterAll(async () => {
    xev?.stop();
  });

  it('left, right and middle clicks and the wheel reach the server where they were made', async () => {
    xev.clear();
    await step(page, 'left-click', () => screen.click({ position: { x: 700, y: 500 } }));
    await waitForXEvents('button 1 pressed and released at (700,500)', (events) =>
      events.some((e) => isButton(e, 'ButtonRelease', 1, 700, 500)),
    );
    expect(xev.events.filter((e) => e.button === 1).map((e) => e.type)).toEqual([
      'ButtonPress',
      'ButtonRelease',
    ]);
    expect(isButton(xev.events[0], 'ButtonPress', 1, 700, 500)).toBe(true);

    xev.clear();
    await step(page, 'right-click', () => screen.click({ position: { x: 650, y: 450 }, button: 'right' }));
    await waitForXEvents('button 3 pressed and released at (650,450)', (events) =>
      events.some((e) => isButton(e, 'ButtonRelease', 3, 650, 450)),
    );
    expect(isButton(xev.events[0], 'ButtonPress', 3, 650, 450)).toBe(true);

    xev.clear();
    await step(page, 'middle-click', () => screen.click({ position: { x: 600, y: 420 }, button: 'middle' }));
    await waitForXEvents('button 2 pressed and released at (600,420)', (events) =>
      events.some((e) => isButton(e, 'ButtonRelease', 2, 600, 420)),
    );

    // The pointer follows a plain move, with no button.
    await step(page, 'hover', () => screen.hover({ position: { x: 555, y: 383 } }));
    await waitOnPage(page, 'the X pointer at (555,383) after a move', 15_000, async () => {
      const at = await xPointer(server.display);
      return at.x === 555 && at.y === 383 ? true : undefined;
    });

    // One notch down, then one up: buttons 5 then 4 at the pointer (a viewer may turn a notch
    // into more than one click, so the count is at least one each, in that order).
    xev.clear();
    await page.mouse.wheel(0, 120);
    await waitForXEvents('the wheel turned down: button 5 at (555,383)', (events) =>
      events.some((e) => isButton(e, 'ButtonRelease', 5, 555, 383)),
    );
    await page.mouse.wheel(0, -120);
    await waitForXEvents('the wheel turned up: button 4 at (555,383)', (events) =>
      events.some((e) => isButton(e, 'ButtonRelease', 4, 555, 383)),
    );
    const buttons = xev.events.map((e) => e.button);
    expect(buttons.indexOf(4), xev.describe()).toBeGreaterThan(buttons.lastIndexOf(5));
    expect(
      xev.events.every((e) => (e.button === 4 || e.button === 5) && e.x === 555 && e.y === 383),
      xev.describe(),
    ).toBe(true);
  }, 120_000);

  it('typed text with shifted symbols and Latin-1 letters arrives exactly (xterm writing to a file)', async () => {
    const file = join(viewer.dataDir, 'typed.txt');
    writeFileSync(file, '');
    const title = `porthole-typing-${process.pid}`;
    const xterm: ChildProcess = server.run('env', [
      'LC_ALL=C.UTF-8',
      'xterm',
      '-T',
      title,
      '-fn',
      'fixed',
      '-geometry',
      '80x10+0+300',
      '-e',
      'sh',
      '-c',
      `exec cat > '${file}'`,
    ]);
    const env = { ...process.env, DISPLAY: `:${server.display}` };
    await waitOnPage(page, 'the typing xterm to appear', 30_000, async () => {
      const found = await new Promise<string>((done) =>
        execFile('xdotool', ['search', '--onlyvisible', '--name', title], { env }, (_e, out) => done(out)),
      );
      return found.trim() ? true : undefined;
    });
    // Click into the terminal (the keyboard focus follows the pointer), then type.
    await step(page, 'click-xterm', () => screen.click({ position: { x: 200, y: 360 } }));
    await waitOnPage(page, 'the X pointer in the xterm at (200,360)', 15_000, async () => {
      const at = await xPointer(server.display);
      return at.x === 200 && at.y === 360 ? true : undefined;
    });
    const text = 'Hello World! @#$%^&*() éàü ß';
    // A typo mended with Backspace (the terminal's line editing receives the erase key).
    await typeLikeAPerson(page, `${text.slice(0, -1)}x`);
    await page.keyboard.press('Backspace');
    await typeLikeAPerson(page, text.slice(-1));
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+d');
    let content = '';
    await waitOnPage(
      page,
      () =>
        `the xterm to receive ${JSON.stringify(`${text}\n`)} then Ctrl+D (file holds ${JSON.stringify(content)}, xterm ${xterm.exitCode === null ? 'still running' : 'exited'})`,
      20_000,
      async () => {
        content = readFileSync(file, 'utf8');
        return content === `${text}\n` && xterm.exitCode !== null ? true : undefined;
      },
      'typing',
    );
    expect(content).toBe(`${text}\n`);
  }, 120_000);

  it('named keys and modifiers arrive as their keysyms (Tab, Escape, arrows, Home, F5, Ctrl+a)', async () => {
    await step(page, 'hover-root-keys', () => screen.hover({ position: { x: 690, y: 490 } }));
    await waitOnPage(page, 'the X pointer over the background at (690,490)', 15_000, async () => {
      const at = await xPointer(server.display);
      return at.x === 690 && at.y === 490 ? true : undefined;
    });
    await screen.focus();
    xev.clear();
    for (const key of [
      'Tab',
      'Escape',
      'ArrowLeft',
      'ArrowUp',
      'Home',
      'PageDown',
      'F5',
      'Backspace',
      'Control+a',
    ])
      await page.keyboard.press(key);
    const expected = ['Tab', 'Escape', 'Left', 'Up', 'Home', 'Next', 'F5', 'BackSpace', 'Control_L', 'a'];
    await waitForXEvents('every key pressed and released', (events) => {
      const presses = events.filter((e) => e.type === 'KeyPress').length;
      return presses >= expected.length && events.filter((e) => e.type === 'KeyRelease').length === presses;
    });
    const pressed = xev.events.filter((e) => e.type === 'KeyPress');
    expect(
      pressed.map((e) => e.keysym),
      xev.describe(),
    ).toEqual(expected);
    // Control is held while a goes down.
    expect((pressed[pressed.length - 1].state & 0x4) !== 0, xev.describe()).toBe(true);
  }, 120_000);

  it('Send keys sends Ctrl+Alt+Del; F8 opens the session menu without sending F8', async () => {
    await step(page, 'hover-root', () => screen.hover({ position: { x: 700, y: 500 } }));
    await waitOnPage(page, 'the X pointer over the background at (700,500)', 15_000, async () => {
      const at = await xPointer(server.display);
      return at.x === 700 && at.y === 500 ? true : undefined;
    });
    xev.clear();
    await step(page, 'send-keys-menu', async () => {
      await toolbar(page).getByRole('button', { name: 'Send keys' }).click();
      const items = page.getByRole('menuitem');
      await items.first().waitFor({ state: 'visible' });
      const names = await items.allInnerTexts();
      const wanted = ['Ctrl+Alt+Del', ...Array.from({ length: 12 }, (_, i) => `Ctrl+Alt+F${i + 1}`)];
      wanted.push('Win', 'Alt+Tab', 'PrintScreen', 'SysRq');
      for (const name of wanted)
        expect(
          await page.getByRole('menuitem', { name, exact: true }).count(),
          `menu items: ${names.join(', ')}`,
        ).toBe(1);
      await page.getByRole('menuitem', { name: 'Ctrl+Alt+Del' }).click();
    });
    await waitForXEvents('Ctrl+Alt+Del pressed and every key released', (events) => {
      const presses = events.filter((e) => e.type === 'KeyPress').length;
      const releases = events.filter((e) => e.type === 'KeyRelease').length;
      return events.some((e) => e.keysym === 'Delete') && presses >= 3 && releases === presses;
    });
    const delPress = xev.events.find((e) => e.type === 'KeyPress' && e.keysym === 'Delete');
    expect(delPress, xev.describe()).toBeDefined();
    // Control (0x4) and Mod1/Alt (0x8) are held while Delete goes down.
    expect((delPress?.state ?? 0) & 0xc, xev.describe()).toBe(0xc);
    const presses = xev.events.filter((e) => e.type === 'KeyPress').length;
    const releases = xev.events.filter((e) => e.type === 'KeyRelease').length;
    expect(releases, xev.describe()).toBe(presses);

    xev.clear();
    await step(page, 'f8-menu', async () => {
      await screen.focus();
      await page.keyboard.press('F8');
      const menu = page.getByRole('menu', { name: 'Session menu' });
      await menu.waitFor({ state: 'visible' });
      await menu.getByRole('menuitem', { name: 'Win' }).click();
    });
    await waitForXEvents('the Win key (Super) pressed and released', (events) =>
      events.some((e) => e.type === 'KeyRelease' && /^Super/.test(e.keysym ?? '')),
    );
    expect(
      xev.events.some((e) => e.keysym === 'F8'),
      xev.describe(),
    ).toBe(false);
  }, 120_000);

  it('Scaling "fit" keeps the canvas at the remote size and maps clicks to remote pixels', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    try {
      await step(page, 'scaling-fit', () =>
        chooseOption(toolbar(page).getByRole('combobox', { name: 'Scaling' }), 'fit'),
      );
      const box = await waitOnPage(
        page,
        'the canvas to be drawn smaller than 1024x768 with Scaling fit',
        10_000,
        async () => {
          const b = await screen.boundingBox();
          return b && b.width < 1000 && b.height < 750 ? b : undefined;
        },
      );
      const canvas = await readCanvas(page);
      expect({ width: canvas.width, height: canvas.height }).toEqual({ width: 1024, height: 768 });
      // The aspect ratio is kept.
      expect(Math.abs(box.width / box.height - 1024 / 768)).toBeLessThan(0.01);
      const scale = box.width / 1024;
      xev.clear();
      await step(page, 'fit-click', () => screen.click({ position: { x: 640 * scale, y: 480 * scale } }));
      await waitForXEvents('a click at remote (640,480) ±1 with Scaling fit', (events) =>
        events.some(
          (e) => e.type === 'ButtonRelease' && Math.abs(e.x - 640) <= 1 && Math.abs(e.y - 480) <= 1,
        ),
      );
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await scaleOneToOne(page);
    }
  }, 120_000);

  it('View only: clicks, wheel and keys do not reach the server; toggled back they do', async () => {
    const viewOnly = toolbar(page).getByRole('button', { name: 'View only' });
    await step(page, 'view-only-on', async () => {
      await viewOnly.click();
      await waitOnPage(page, 'View only pressed (aria-pressed=true)', 5000, async () =>
        (await viewOnly.getAttribute('aria-pressed')) === 'true' ? true : undefined,
      );
    });
    const before = await xPointer(server.display);
    xev.clear();
    await step(page, 'view-only-input', async () => {
      await screen.click({ position: { x: 800, y: 600 } });
      await page.mouse.wheel(0, 120);
      await screen.click({ position: { x: 300, y: 200 }, button: 'right' });
      await page.keyboard.press('a');
      await typeLikeAPerson(page, 'Xé!');
    });
    await step(page, 'view-only-off', async () => {
      await viewOnly.click();
      await waitOnPage(page, 'View only released (aria-pressed=false)', 5000, async () =>
        (await viewOnly.getAttribute('aria-pressed')) === 'false' ? true : undefined,
      );
    });
    // The pointer stayed where it was while the view was view-only.
    expect(await xPointer(server.display)).toEqual(before);
    // A marker click after View only is off: events arrive in order, so anything sent while
    // View only was on would be seen before it.
    await step(page, 'marker-click', () => screen.click({ position: { x: 710, y: 510 } }));
    await waitForXEvents('the marker click at (710,510) after View only was turned off', (events) =>
      events.some((e) => isButton(e, 'ButtonRelease', 1, 710, 510)),
    );
    expect(xev.describe()).toBe(
      ['ButtonPress (710,510) state 0x0 1', 'ButtonRelease (710,510) state 0x100 1'].join('\n'),
    );
    await page.keyboard.press('b');
    await waitForXEvents('the key b after View only was turned off', (events) =>
      events.some((e) => e.type === 'KeyRelease' && e.keysym === 'b'),
    );
  }, 120_000);

  it("the connect screen's View only checkbox opens a session in view-only mode", async () => {
    await step(page, 'new-connection-view-only', async () => {
      await page.getByRole('button', { name: 'New connection' }).click();
      await page.getByRole('checkbox', { name: 'View only' }).check();
    });
    await connectTo(page, server.target);
    await waitForStatus(page, /Connected to .+\(1024×768\)/, 30_000, 'view-only-session');
    await scaleOneToOne(page);
    const viewOnly = toolbar(page).getByRole('button', { name: 'View only' });
    expect(await viewOnly.getAttribute('aria-pressed')).toBe('true');
    xev.clear();
    await step(page, 'view-only-session-input', async () => {
      await screen.click({ position: { x: 800, y: 600 } });
      await page.keyboard.press('a');
      await viewOnly.click();
    });
    await step(page, 'view-only-session-marker', () => screen.click({ position: { x: 720, y: 520 } }));
    await waitForXEvents('the marker click at (720,520) once View only is off', (events) =>
      events.some((e) => isButton(e, 'ButtonRelease', 1, 720, 520)),
    );
    expect(xev.describe()).toBe(
      ['ButtonPress (720,520) state 0x0 1', 'ButtonRelease (720,520) state 0x100 1'].join('\n'),
    );
  }, 120_000);
});
