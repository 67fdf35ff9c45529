import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseOption,
  launchChromium,
  saveShot,
  step,
  toolbar,
  useViewerEnvironment,
  waitForStatus,
  waitOnPage,
  watchXEvents,
  type XEventWatcher,
  xPointer,
} from '../support/browser.ts';
import { startServer, type XServer } from '../support/servers.ts';
import { type Image, psnr } from '../support/truth.ts';

/**
 * What a person meets beyond the picture, in Chromium on browser mode against a real Xvnc
 * larger than the page: 1:1 panning by edge scrolling (the click lands on the remote pixel
 * under it, seen by xev), tabs named after bookmarks, thumbnails of a bookmark's last screen
 * (files in the data directory, gone with the bookmark and with the setting), colour levels
 * named for people, the dark theme, and the UI at 800×600 and at 200% zoom with nothing cut
 * off or overlapping. Screenshots are kept in /tmp/e2e-shots (ux-*.png).
 */
describe('panning, thumbnails, colour names, theme and small windows (Xvnc 1920×1080, Chromium)', () => {
  let server: XServer;
  let small: XServer;
  let page: Page;
  let xev: XEventWatcher;
  const viewer = useViewerEnvironment();
  const contexts: BrowserContext[] = [];
  /** Chromium with scrollbars, as a desktop window shows them. */
  let browser: Browser;

  /** A page on the viewer in its own context (`colorScheme`, size and zoom as given). */
  const openPage = async (options: {
    width: number;
    height: number;
    zoom?: number;
    colorScheme?: 'light' | 'dark';
  }) => {
    const context = await browser.newContext({
      viewport: { width: options.width, height: options.height },
      deviceScaleFactor: options.zoom ?? 1,
      colorScheme: options.colorScheme ?? 'light',
    });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const opened = await context.newPage();
    await opened.goto(viewer.web.url);
    await opened.getByRole('heading', { name: 'Bookmarks', exact: true }).waitFor();
    return opened;
  };
  const thumbnailDir = () => join(viewer.dataDir, 'thumbnails');
  const thumbnailFiles = () => (existsSync(thumbnailDir()) ? readdirSync(thumbnailDir()) : []);
  const bookmarks = () => page.getByRole('region', { name: 'Bookmarks' }).first();
  const thumbnail = (name: string) => bookmarks().getByRole('img', { name: `Last screen of ${name}` });

  const createBookmark = (name: string, address: string, scaling: string) =>
    step(page, `bookmark-${name}`, async () => {
      await page.getByRole('button', { name: 'New bookmark' }).click();
      const editor = page.getByRole('dialog', { name: 'New bookmark' });
      await editor.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
      await editor.getByRole('textbox', { name: 'Address' }).fill(address);
      await chooseOption(editor.getByRole('combobox', { name: 'Scaling' }), scaling);
      await editor.getByRole('button', { name: 'Save bookmark' }).click();
      await editor.waitFor({ state: 'detached' });
    });

  beforeAll(async () => {
    [server, small] = (await Promise.all([
      startServer('xvnc', { security: 'none', geometry: [1920, 1080] }),
      startServer('xvnc', { security: 'none', geometry: [640, 480] }),
    ])) as [XServer, XServer];
    xev = await watchXEvents(server.display);
    browser = await launchChromium({ showScrollbars: true });
    page = await openPage({ width: 800, height: 600 });
  }, 120_000);

  afterAll(async () => {
    xev?.stop();
    for (const context of contexts) await context.close();
    await browser?.close();
  });

  it('names colour levels for people, with the technical name as the hint', async () => {
    const level = page.getByRole('combobox', { name: 'Colour level' });
    const options = await level
      .locator('option')
      .evaluateAll((list) => list.map((o) => [o.textContent, (o as HTMLOptionElement).title]));
    expect(options.map(([label]) => label)).toEqual([
      'Full colour',
      '65,536 colours',
      '256 colours',
      '64 colours',
      '8 colours',
      '256-colour palette',
    ]);
    expect(options.map(([, hint]) => hint.split(':')[0])).toEqual([
      'full',
      'rgb565',
      'rgb332',
      'rgb222',
      'rgb111',
      'pal8',
    ]);
    await chooseOption(level, 'rgb565');
    expect(await level.getAttribute('title')).toBe('rgb565: 16 bits per pixel, true colour');
    await chooseOption(level, 'full');
  });

  it('at 1:1 a screen larger than the window scrolls at its edges, and a click lands on the pixel under it', async () => {
    await createBookmark('Big desktop', server.target, '1:1');
    await step(page, 'connect-big', () =>
      bookmarks().getByRole('button', { name: 'Connect to Big desktop', exact: true }).click(),
    );
    await waitForStatus(page, /Connected to .+\(1920×1080\)/, 30_000, 'ux-big-connected');
    await step(page, 'tab-title', async () => {
      const tab = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab', { selected: true });
      expect(await tab.innerText()).toBe('Big desktop');
    });
    // The session's own colour choice shows the same names.
    expect(
      await toolbar(page)
        .getByRole('combobox', { name: 'Colour level' })
        .locator('option:checked')
        .innerText(),
    ).toBe('Full colour');

    const area = page.locator('.screen:visible');
    const geometry = () =>
      area.evaluate((element: HTMLElement) => {
        const rect = element.getBoundingClientRect();
        return {
          left: rect.left + element.clientLeft,
          top: rect.top + element.clientTop,
          width: element.clientWidth,
          height: element.clientHeight,
          scrollbarWidth: element.offsetWidth - element.clientWidth,
          scrollbarHeight: element.offsetHeight - element.clientHeight,
          scrollLeft: element.scrollLeft,
          scrollTop: element.scrollTop,
          maxLeft: element.scrollWidth - element.clientWidth,
          maxTop: element.scrollHeight - element.clientHeight,
        };
      });
    const view = await geometry();
    // Both scrollbars are shown, and the screen is wider and taller than the view.
    expect(view.scrollbarWidth).toBeGreaterThan(0);
    expect(view.scrollbarHeight).toBeGreaterThan(0);
    expect(view.maxLeft).toBeGreaterThan(1000);
    expect(view.scrollLeft).toBe(0);

    // The pointer held 3 px from the right edge: the view scrolls to the right end by itself.
    const atEdge = { x: view.left + view.width - 3, y: view.top + Math.round(view.height / 2) };
    await page.mouse.move(atEdge.x - 100, atEdge.y);
    await page.mouse.move(atEdge.x, atEdge.y);
    await waitOnPage(page, 'the view scrolled to the right end', 15_000, async () => {
      const now = await geometry();
      return now.scrollLeft === now.maxLeft ? true : undefined;
    });
    // The remote pointer followed the scroll: it is under the local one.
    const expectedX = view.maxLeft + (atEdge.x - view.left);
    const expectedY = atEdge.y - view.top;
    await waitOnPage(page, `the X pointer at (${expectedX},${expectedY})`, 15_000, async () => {
      const at = await xPointer(server.display);
      return at.x === expectedX && at.y === expectedY ? true : undefined;
    });

    // Then the bottom edge.
    const atBottom = { x: view.left + 300, y: view.top + view.height - 2 };
    await page.mouse.move(atBottom.x, atBottom.y - 60);
    await page.mouse.move(atBottom.x, atBottom.y);
    await waitOnPage(page, 'the view scrolled to the bottom', 15_000, async () => {
      const now = await geometry();
      return now.scrollTop === now.maxTop ? true : undefined;
    });
    const scrolled = await geometry();
    expect(scrolled.scrollLeft).toBe(scrolled.maxLeft);
    await saveShot(page, 'ux-panning-800x600');

    // A click away from the edges lands on the remote pixel under the pointer.
    const click = { x: view.left + 200, y: view.top + 150 };
    const remote = { x: scrolled.scrollLeft + 200, y: scrolled.scrollTop + 150 };
    xev.clear();
    await page.mouse.click(click.x, click.y);
    await waitOnPage(
      page,
      () => `button 1 at (${remote.x},${remote.y}); the server saw:\n${xev.describe()}`,
      15_000,
      async () => (xev.events.some((e) => e.type === 'ButtonRelease' && e.button === 1) ? true : undefined),
    );
    const press = xev.events.find((e) => e.type === 'ButtonPress' && e.button === 1);
    expect(press, xev.describe()).toMatchObject({ x: remote.x, y: remote.y });
    expect((await geometry()).scrollLeft).toBe(scrolled.scrollLeft);
  }, 180_000);

  it('after the session a thumbnail of its screen is in the bookmark list, kept as a file', async () => {
    const truth = await server.truth();
    await step(page, 'disconnect', () => toolbar(page).getByRole('button', { name: 'Disconnect' }).click());
    await waitForStatus(page, /Disconnected/, 15_000, 'ux-disconnected');
    await step(page, 'close-tab', () => page.getByRole('button', { name: 'Close Big desktop' }).click());
    await page.getByRole('heading', { name: 'Bookmarks', exact: true }).waitFor();
    await thumbnail('Big desktop').waitFor();
    await saveShot(page, 'ux-thumbnail-800x600');

    const files = thumbnailFiles();
    expect(files).toHaveLength(1);
    const picture = jpeg.decode(readFileSync(join(thumbnailDir(), files[0])), { useTArray: true });
    expect([picture.width, picture.height]).toEqual([240, 135]);
    // The thumbnail is the remote screen made small: close to the server's own picture, shrunk.
    const shrunk = shrink(truth, 8);
    expect(psnr(picture.data, shrunk.data)).toBeGreaterThan(20);
    // What the list shows is that file.
    const shown = await thumbnail('Big desktop').getAttribute('src');
    expect(shown).toBe(
      `data:image/jpeg;base64,${readFileSync(join(thumbnailDir(), files[0])).toString('base64')}`,
    );
  }, 120_000);

  it('a deleted bookmark takes its thumbnail file with it (Undo brings both back)', async () => {
    const row = bookmarks()
      .getByRole('listitem')
      .filter({ has: page.getByRole('button', { name: 'Delete Big desktop' }) });
    await step(page, 'delete', () => row.getByRole('button', { name: 'Delete Big desktop' }).click());
    await waitOnPage(page, 'the thumbnail file removed', 15_000, async () =>
      thumbnailFiles().length === 0 ? true : undefined,
    );
    await step(page, 'undo', () => page.getByRole('button', { name: 'Undo' }).click());
    await thumbnail('Big desktop').waitFor();
    expect(thumbnailFiles()).toHaveLength(1);
    await step(page, 'delete-again', () => row.getByRole('button', { name: 'Delete Big desktop' }).click());
    await waitOnPage(page, 'the thumbnail file removed', 15_000, async () =>
      thumbnailFiles().length === 0 ? true : undefined,
    );
  });

  it('with thumbnails turned off, none is taken and the kept ones are deleted', async () => {
    await createBookmark('Small desktop', small.target, 'fit');
    const connectSmall = () =>
      step(page, 'connect-small', () =>
        bookmarks().getByRole('button', { name: 'Connect to Small desktop', exact: true }).click(),
      );
    const endSession = async () => {
      await toolbar(page).getByRole('button', { name: 'Disconnect' }).click();
      await waitForStatus(page, /Disconnected/, 15_000, 'ux-small-disconnected');
      await page.getByRole('button', { name: 'Close Small desktop' }).click();
      await page.getByRole('heading', { name: 'Bookmarks', exact: true }).waitFor();
    };
    await connectSmall();
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'ux-small-connected');
    await endSession();
    await thumbnail('Small desktop').waitFor();
    expect(thumbnailFiles()).toHaveLength(1);

    await step(page, 'thumbnails-off', async () => {
      await page.getByRole('button', { name: 'Settings' }).click();
      const settings = page.getByRole('dialog', { name: 'Settings' });
      const box = settings.getByRole('checkbox', { name: /thumbnail of each bookmark/ });
      expect(await box.isChecked()).toBe(true);
      await box.uncheck();
      await saveShot(page, 'ux-settings-800x600');
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await settings.waitFor({ state: 'detached' });
    });
    expect(thumbnailFiles()).toEqual([]);
    expect(await bookmarks().getByRole('img').count()).toBe(0);

    await connectSmall();
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'ux-small-again');
    // Long enough for the first picture a connected session would take.
    await page.waitForTimeout(6_000);
    await endSession();
    await page.waitForTimeout(1_000);
    expect(thumbnailFiles()).toEqual([]);
    expect(await bookmarks().getByRole('img').count()).toBe(0);
  }, 120_000);

  it('follows the system’s dark theme', async () => {
    const dark = await openPage({ width: 800, height: 600, colorScheme: 'dark' });
    const colours = await dark.evaluate(() => {
      const body = getComputedStyle(document.body);
      const button = getComputedStyle(document.querySelector('button')!);
      return { background: body.backgroundColor, text: body.color, button: button.backgroundColor };
    });
    expect(luminance(colours.background)).toBeLessThan(0.05);
    expect(luminance(colours.text)).toBeGreaterThan(0.7);
    expect(luminance(colours.button)).toBeLessThan(0.05);
    await saveShot(dark, 'ux-dark-800x600');
    await dark.getByRole('button', { name: 'Settings' }).click();
    await saveShot(dark, 'ux-dark-settings-800x600');
    const light = await openPage({ width: 800, height: 600, colorScheme: 'light' });
    expect(
      luminance(await light.evaluate(() => getComputedStyle(document.body).backgroundColor)),
    ).toBeGreaterThan(0.8);
  });

  it('at 800×600 and at 200% zoom nothing is cut off or overlapping', async () => {
    for (const [name, size] of [
      ['800x600', { width: 800, height: 600 }],
      // A 1400×1000 window at 200%: 700×500 CSS pixels.
      ['zoom200', { width: 700, height: 500, zoom: 2 }],
    ] as const) {
      const shown = await openPage(size);
      expect(await shown.evaluate(() => window.devicePixelRatio)).toBe('zoom' in size ? 2 : 1);
      await expectTidy(shown, `ux-connect-${name}`);
      await shown.getByRole('button', { name: 'New bookmark' }).click();
      await expectTidy(shown, `ux-editor-${name}`, 'dialog');
      await shown.keyboard.press('Escape');
      await shown.getByRole('button', { name: 'Settings' }).click();
      await expectTidy(shown, `ux-settings-${name}`, 'dialog');
      await shown.keyboard.press('Escape');
      await shown.getByRole('textbox', { name: 'Server address' }).fill(small.target);
      await shown.getByRole('button', { name: 'Connect', exact: true }).click();
      await waitForStatus(shown, /Connected to .+\(640×480\)/, 30_000, `ux-session-${name}`);
      await expectTidy(shown, `ux-session-${name}`);
    }
  }, 180_000);
});

/**
 * Fails unless the page (or its open dialog) has no horizontal overflow, no control cut off
 * at the sides or clipping its own text, and no two controls overlapping; saves a screenshot.
 */
async function expectTidy(page: Page, shot: string, within: 'page' | 'dialog' = 'page'): Promise<void> {
  if (within === 'dialog') await page.getByRole('dialog').waitFor();
  await saveShot(page, shot);
  if (within === 'dialog') {
    // The rest of a dialog taller than the window, scrolled into view.
    await page.getByRole('dialog').evaluate((dialog) => {
      dialog.scrollTop = dialog.scrollHeight;
    });
    await saveShot(page, `${shot}-end`);
  }
  const problems = await page.evaluate((scope) => {
    const root: ParentNode =
      scope === 'dialog' ? document.querySelector('[role="dialog"]')! : document.querySelector('.app')!;
    const found: string[] = [];
    const name = (e: Element) =>
      `${e.tagName.toLowerCase()} "${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 40)}"`;
    if (document.documentElement.scrollWidth > window.innerWidth)
      found.push(
        `the page is ${document.documentElement.scrollWidth} px wide in a ${window.innerWidth} px window`,
      );
    const controls = Array.from(
      root.querySelectorAll<HTMLElement>(
        'button, select, textarea, input:not([type="file"]):not([type="hidden"]), [role="tab"]',
      ),
    ).filter((e) => e.checkVisibility() && e.getBoundingClientRect().width > 0);
    // Controls inside a dialog when the page behind it is checked: covered, not overlapping.
    const open = scope === 'page' ? document.querySelector('[role="dialog"]') : null;
    const checked = controls.filter((e) => !open?.contains(e));
    for (const e of checked) {
      const r = e.getBoundingClientRect();
      if (r.left < -0.5 || r.right > window.innerWidth + 0.5) found.push(`${name(e)} is cut off at the side`);
      if (e.tagName === 'BUTTON' && e.scrollWidth > e.clientWidth + 1)
        found.push(`${name(e)} clips its text`);
    }
    for (let i = 0; i < checked.length; i++) {
      for (let j = i + 1; j < checked.length; j++) {
        const a = checked[i];
        const b = checked[j];
        if (a.contains(b) || b.contains(a)) continue;
        const p = a.getBoundingClientRect();
        const q = b.getBoundingClientRect();
        const overlapX = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const overlapY = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (overlapX > 1 && overlapY > 1) found.push(`${name(a)} overlaps ${name(b)}`);
      }
    }
    return found;
  }, within);
  expect(problems, `see /tmp/e2e-shots/${shot}.png`).toEqual([]);
}

/** Relative luminance (0 black … 1 white) of a CSS `rgb(r, g, b)` colour. */
function luminance(colour: string): number {
  const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The picture made `factor` times smaller, each pixel the mean of its block. */
function shrink(image: Image, factor: number): Image {
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++)
          for (let dx = 0; dx < factor; dx++)
            sum += image.data[((y * factor + dy) * image.width + x * factor + dx) * 4 + c];
        data[(y * width + x) * 4 + c] = Math.round(sum / (factor * factor));
      }
  return { width, height, data };
}
