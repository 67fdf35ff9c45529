import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  chooseOption,
  logIn,
  saveShot,
  step,
  toolbar,
  useViewerEnvironment,
  waitForCanvasToEqual,
  waitForStatus,
  waitOnPage,
} from '../support/browser.ts';
import { startServer, type VncServer } from '../support/servers.ts';

/**
 * Bookmarks through the UI only, in Chromium on browser mode, against real Xvnc servers:
 * create, search, edit, connect (the exact picture), duplicate, delete with Undo, delete for
 * good, keyboard-only use, a .vnc file imported through the file input, a host scan whose
 * "Bookmark" pre-fills the editor, and "Save as bookmark" from a live session.
 */
const PASSWORD = 'k7Qz2xWp';

describe('bookmarks in the viewer (Xvnc, Chromium)', () => {
  let locked: VncServer;
  let open: VncServer;
  let page: Page;
  const viewer = useViewerEnvironment();

  beforeAll(async () => {
    [locked, open] = await Promise.all([
      startServer('xvnc', { security: 'vncauth', password: PASSWORD, geometry: [800, 600] }),
      startServer('xvnc', { security: 'none', geometry: [640, 480] }),
    ]);
    page = await viewer.openPage();
  }, 120_000);

  const editor = () => page.getByRole('dialog', { name: /bookmark$/ });
  /** The bookmarks section of the visible connect screen. */
  const bookmarks = () => page.getByRole('region', { name: 'Bookmarks' });
  const connectButton = (name: string | RegExp) =>
    typeof name === 'string'
      ? bookmarks().getByRole('button', { name: `Connect to ${name}`, exact: true })
      : bookmarks().getByRole('button', { name });
  const row = (name: string) =>
    bookmarks()
      .getByRole('listitem')
      .filter({ has: page.getByRole('button', { name: `Connect to ${name}`, exact: true }) });
  /** A fresh connect screen in a new tab (a bookmark connects in the tab it was opened from). */
  const newConnectScreen = () =>
    step(page, 'new-connect-screen', async () => {
      await page.getByRole('button', { name: 'New connection', exact: true }).click();
      await page.getByRole('heading', { name: 'Bookmarks', exact: true }).waitFor();
    });

  it('creates a bookmark with every kind of field in the editor', async () => {
    await step(page, 'open-editor', async () => {
      await page.getByRole('button', { name: 'New bookmark' }).click();
      await editor().waitFor();
      expect(await editor().getByRole('heading').first().innerText()).toBe('New bookmark');
    });
    await step(page, 'validation', async () => {
      // Nothing filled in: the editor says what is missing, next to the fields.
      await editor().getByRole('button', { name: 'Save bookmark' }).click();
      await editor().getByText('Give the bookmark a name.').waitFor();
      expect(await editor().getByRole('textbox', { name: 'Address' }).getAttribute('aria-invalid')).toBe(
        'true',
      );
    });
    await step(page, 'fill', async () => {
      const d = editor();
      await d.getByRole('textbox', { name: 'Name', exact: true }).fill('Test desktop');
      await d.getByRole('textbox', { name: 'Address' }).fill(locked.target);
      await d.getByRole('combobox', { name: 'Group' }).fill('Lab');
      await d.getByRole('textbox', { name: 'Tags' }).fill('linux, xvnc');
      await d.getByRole('textbox', { name: 'Notes' }).fill('the rack in room 4');
      await chooseOption(d.getByRole('combobox', { name: 'Picture quality' }), 'High');
      await chooseOption(d.getByRole('combobox', { name: 'Colour level' }), 'full');
    });
    const storage = await step(page, 'password', async () => {
      const field = editor().getByLabel('Password', { exact: true });
      if (await field.isDisabled()) {
        // Browser mode without secure storage: the editor says why.
        expect(await editor().innerText()).toMatch(/Passwords cannot be stored: \S/);
        return 'unavailable' as const;
      }
      await field.fill(PASSWORD);
      return 'available' as const;
    });
    await step(page, 'save', async () => {
      await editor().getByRole('button', { name: 'Save bookmark' }).click();
      await editor().waitFor({ state: 'detached' });
      await connectButton('Test desktop').waitFor();
      const details = await row('Test desktop').innerText();
      expect(details).toContain(locked.target);
      expect(details).toMatch(/last connected Never/);
      if (storage === 'available') expect(details).toContain('password stored');
    });
  }, 60_000);

  it('finds it by typing part of its name, address, group, tags or notes', async () => {
    const search = page.getByRole('searchbox', { name: 'Search bookmarks' });
    for (const query of ['test desk', String(locked.port), 'lab', 'xvnc', 'room 4']) {
      await step(page, `search-${query}`, async () => {
        await search.fill(query);
        expect(await connectButton('Test desktop').isVisible()).toBe(true);
      });
    }
    await step(page, 'search-miss', async () => {
      await search.fill('no such server');
      await page.getByText('No bookmark matches "no such server".').waitFor();
      expect(await connectButton('Test desktop').count()).toBe(0);
      await search.fill('');
    });
  });

  it('edits it: a new name and Medium quality are kept', async () => {
    await step(page, 'edit', async () => {
      await bookmarks().getByRole('button', { name: 'Edit Test desktop', exact: true }).click();
      await editor().waitFor();
      expect(await editor().getByRole('textbox', { name: 'Address' }).inputValue()).toBe(locked.target);
      expect(await editor().getByRole('textbox', { name: 'Tags' }).inputValue()).toBe('linux, xvnc');
      await editor().getByRole('textbox', { name: 'Name', exact: true }).fill('Lab desktop');
      await chooseOption(editor().getByRole('combobox', { name: 'Picture quality' }), 'Medium');
      await editor().getByRole('button', { name: 'Save bookmark' }).click();
      await editor().waitFor({ state: 'detached' });
      await connectButton('Lab desktop').waitFor();
      expect(await connectButton('Test desktop').count()).toBe(0);
    });
    await step(page, 'edit-back-to-high', async () => {
      await bookmarks().getByRole('button', { name: 'Edit Lab desktop', exact: true }).click();
      expect(await editor().getByRole('combobox', { name: 'Picture quality' }).inputValue()).toBe('medium');
      await chooseOption(editor().getByRole('combobox', { name: 'Picture quality' }), 'High');
      await editor().getByRole('button', { name: 'Save bookmark' }).click();
      await editor().waitFor({ state: 'detached' });
    });
  });

  it('connects from it with its settings: the canvas shows the desktop exactly, and the bookmark records the time', async () => {
    const storageUnavailable = await step(page, 'connect', async () => {
      const details = await row('Lab desktop').innerText();
      // A click selects the bookmark; a double click connects.
      const entry = bookmarks().getByRole('button', { name: 'Lab desktop', exact: true });
      await entry.click();
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Lab desktop',
      );
      expect(await toolbar(page).count()).toBe(0);
      await entry.dblclick();
      return !details.includes('password stored');
    });
    if (storageUnavailable) await logIn(page, PASSWORD);
    await waitForStatus(page, /Connected to .+\(800×600\)/, 30_000, 'bookmark-connected');
    if (!storageUnavailable)
      expect(await page.getByRole('dialog', { name: 'Password required' }).count()).toBe(0);
    await step(page, 'bookmark-quality', async () => {
      expect(await toolbar(page).getByRole('combobox', { name: 'Picture quality' }).inputValue()).toBe(
        'high',
      );
    });
    await waitForCanvasToEqual(page, () => locked.truth(), 30_000, 'bookmark-canvas');
    await newConnectScreen();
    await waitOnPage(page, 'the bookmark to show when it was last connected', 15_000, async () => {
      const details = await row('Lab desktop').innerText();
      return /last connected Never/.test(details) ? undefined : details;
    });
  }, 120_000);

  it('duplicates it, deletes the copy and brings it back with Undo, then deletes it for good', async () => {
    const all = connectButton(/^Connect to .*Lab desktop/);
    await step(page, 'duplicate', async () => {
      await bookmarks().getByRole('button', { name: 'Duplicate Lab desktop', exact: true }).click();
      await waitOnPage(page, 'two "Lab desktop" bookmarks', 10_000, async () =>
        (await all.count()) === 2 ? true : undefined,
      );
    });
    const copyName = await step(page, 'copy-name', async () => {
      const names = await all.evaluateAll((list) => list.map((b) => b.getAttribute('aria-label') ?? ''));
      const copy = names.find((n) => n !== 'Connect to Lab desktop');
      expect(copy).toBeDefined();
      return (copy as string).replace(/^Connect to /, '');
    });
    await step(page, 'delete-undo', async () => {
      await bookmarks()
        .getByRole('button', { name: `Delete ${copyName}`, exact: true })
        .click();
      await page
        .getByRole('status')
        .filter({ hasText: `Deleted "${copyName}".` })
        .waitFor();
      expect(await all.count()).toBe(1);
      await page.getByRole('button', { name: 'Undo' }).click();
      await connectButton(copyName).waitFor();
      expect(await all.count()).toBe(2);
    });
    await step(page, 'delete-for-good', async () => {
      await bookmarks()
        .getByRole('button', { name: `Delete ${copyName}`, exact: true })
        .click();
      await page.getByRole('button', { name: 'Close this message' }).click();
      expect(await all.count()).toBe(1);
      // The deletion is kept by the main side: a fresh page shows one bookmark.
      await page.reload();
      await connectButton('Lab desktop').waitFor();
      expect(await all.count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Undo' }).count()).toBe(0);
    });
  }, 60_000);

  it('imports a TigerVNC .vnc file through the file input, with its warnings shown', async () => {
    const file = [
      'TigerVNC Configuration file Version 1.0',
      '',
      `ServerName=127.0.0.1::${open.port}`,
      'ViewOnly=0',
      'Shared=1',
      'NoSuchSettingAnywhere=1',
      '',
    ].join('\n');
    await step(page, 'import', async () => {
      await page.getByLabel('Import .vnc files').setInputFiles({
        name: 'open-desktop.vnc',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(file),
      });
      const report = page.getByRole('alert').filter({ hasText: 'from open-desktop.vnc' });
      await report.waitFor();
      const text = await report.innerText();
      expect(text).toMatch(/Imported ".+" \(127\.0\.0\.1::\d+\) from open-desktop\.vnc\./);
      expect(text).toMatch(/NoSuchSettingAnywhere/);
      await report.getByRole('button', { name: 'Dismiss' }).click();
    });
    await step(page, 'imported-row', async () => {
      const imported = bookmarks()
        .getByRole('listitem')
        .filter({ hasText: `127.0.0.1::${open.port}` });
      await imported.waitFor();
      expect(await imported.count()).toBe(1);
    });
  });

  it('is usable with the keyboard alone: arrows move between bookmarks and Enter connects', async () => {
    const importedName = await step(page, 'imported-name', async () => {
      const imported = bookmarks()
        .getByRole('listitem')
        .filter({ hasText: `127.0.0.1::${open.port}` });
      const label = await imported.getByRole('button', { name: /^Connect to / }).getAttribute('aria-label');
      return (label ?? '').replace(/^Connect to /, '');
    });
    await step(page, 'keyboard', async () => {
      // Sorted by name: the imported bookmark and "Lab desktop" sit in different groups
      // ("Lab", then bookmarks without a group), so the order is Lab desktop, then the import.
      await page.getByRole('searchbox', { name: 'Search bookmarks' }).focus();
      await page.keyboard.press('ArrowDown');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Lab desktop',
      );
      await page.keyboard.press('ArrowDown');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        importedName,
      );
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    });
    await waitForStatus(page, /Connected to .+\(640×480\)/, 30_000, 'keyboard-connected');
    await waitForCanvasToEqual(page, () => open.truth(), 30_000, 'keyboard-canvas');
  }, 120_000);

  it('"Save as bookmark" in a live session pre-fills the address, quality and colour level', async () => {
    await step(page, 'live-settings', async () => {
      await chooseOption(toolbar(page).getByRole('combobox', { name: 'Colour level' }), 'rgb565');
      await chooseOption(toolbar(page).getByRole('combobox', { name: 'Picture quality' }), 'Low');
    });
    await step(page, 'save-as-bookmark', async () => {
      await toolbar(page).getByRole('button', { name: 'Save as bookmark' }).click();
      await editor().waitFor();
      const d = editor();
      expect(await d.getByRole('textbox', { name: 'Address' }).inputValue()).toBe(`127.0.0.1::${open.port}`);
      expect(await d.getByRole('combobox', { name: 'Picture quality' }).inputValue()).toBe('low');
      expect(await d.getByRole('combobox', { name: 'Colour level' }).inputValue()).toBe('rgb565');
      await d.getByRole('button', { name: 'Cancel' }).click();
      await editor().waitFor({ state: 'detached' });
    });
  }, 60_000);

  it('a scan of the host lists the running server, and "Bookmark" pre-fills the editor', async () => {
    await newConnectScreen();
    const panel = page.getByRole('region', { name: 'Find servers on a host' });
    const table = panel.getByRole('table', { name: 'Servers found' });
    const rowOf = (port: number) =>
      table.getByRole('row').filter({ has: page.getByRole('cell', { name: String(port), exact: true }) });
    const scan = async (first: number, last: number) => {
      await panel.getByRole('textbox', { name: 'Host to scan' }).fill('127.0.0.1');
      await panel.getByRole('textbox', { name: 'First port' }).fill(String(first));
      await panel.getByRole('textbox', { name: 'Last port' }).fill(String(last));
      await panel.getByRole('button', { name: 'Scan' }).click();
    };
    await step(page, 'scan-locked', async () => {
      await scan(locked.port, locked.port);
      await rowOf(locked.port).waitFor({ timeout: 30_000 });
      const text = await rowOf(locked.port).innerText();
      expect(text).toContain('VNC Authentication (2)');
      expect(text).not.toContain('None (1)');
    });
    await step(page, 'scan-open', async () => {
      // A range of ports around the server: only the server answers as VNC.
      await scan(Math.max(1, open.port - 5), Math.min(65535, open.port + 5));
      await rowOf(open.port).waitFor({ timeout: 30_000 });
      expect(await rowOf(locked.port).count()).toBe(Math.abs(locked.port - open.port) <= 5 ? 1 : 0);
      const text = await rowOf(open.port).innerText();
      expect(text).toMatch(/\b3\.8\b/);
      expect(text).toContain('None (1)');
      expect(text).toContain('(640×480)');
      await saveShot(page, 'bookmarks-scan');
    });
    await step(page, 'bookmark-from-scan', async () => {
      await rowOf(open.port)
        .getByRole('button', { name: `Bookmark port ${open.port}` })
        .click();
      await editor().waitFor();
      expect(await editor().getByRole('textbox', { name: 'Address' }).inputValue()).toBe(
        `127.0.0.1::${open.port}`,
      );
      const name = await editor().getByRole('textbox', { name: 'Name', exact: true }).inputValue();
      expect(name.length).toBeGreaterThan(0);
      expect(await rowOf(open.port).innerText()).toContain(name);
      await saveShot(page, 'bookmarks-editor-from-scan');
      await editor().getByRole('button', { name: 'Save bookmark' }).click();
      await editor().waitFor({ state: 'detached' });
      await connectButton(name).waitFor();
    });
  }, 90_000);

  it('exports a bookmark as a .vnc file, and all of them as JSON that imports back', async () => {
    const download = async (click: () => Promise<void>) => {
      const [file] = await Promise.all([page.waitForEvent('download'), click()]);
      const stream = await file.createReadStream();
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return { name: file.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
    };
    await step(page, 'export-vnc', async () => {
      const file = await download(() =>
        bookmarks().getByRole('button', { name: 'Export Lab desktop as a .vnc file', exact: true }).click(),
      );
      expect(file.name).toMatch(/\.vnc$/);
      expect(file.text).toContain(String(locked.port));
      expect(file.text).not.toContain(PASSWORD);
    });
    const before = await bookmarks()
      .getByRole('button', { name: /^Connect to / })
      .count();
    const json = await step(page, 'export-json', async () => {
      const file = await download(() =>
        bookmarks().getByRole('button', { name: 'Export all (JSON)' }).click(),
      );
      expect(file.name).toMatch(/\.json$/);
      expect(file.text).toContain('Lab desktop');
      expect(file.text).not.toContain(PASSWORD);
      return file;
    });
    await step(page, 'import-json', async () => {
      await page
        .getByLabel('Import bookmarks (JSON)')
        .setInputFiles({ name: json.name, mimeType: 'application/json', buffer: Buffer.from(json.text) });
      const report = page.getByRole('alert').filter({ hasText: `bookmarks from ${json.name}` });
      await report.waitFor();
      expect(await report.innerText()).toContain(`Imported ${before} bookmarks from ${json.name}.`);
      await report.getByRole('button', { name: 'Dismiss' }).click();
      expect(
        await bookmarks()
          .getByRole('button', { name: /^Connect to / })
          .count(),
      ).toBe(2 * before);
    });
  }, 60_000);

  it('a .vnc file dropped onto the window becomes a bookmark', async () => {
    await step(page, 'drop', async () => {
      const text = `[Connection]\r\nHost=127.0.0.1:${open.port}\r\n[Options]\r\nViewOnly=1\r\n`;
      const transfer = await page.evaluateHandle((content) => {
        const data = new DataTransfer();
        data.items.add(new File([content], 'dropped-server.vnc', { type: 'application/octet-stream' }));
        return data;
      }, text);
      await page.locator('main, .app').first().dispatchEvent('dragover', { dataTransfer: transfer });
      await page.locator('main, .app').first().dispatchEvent('drop', { dataTransfer: transfer });
      const report = page.getByRole('alert').filter({ hasText: 'from dropped-server.vnc' });
      await report.waitFor();
      const said = await report.innerText();
      const name = /Imported "(.+)" \(127\.0\.0\.1[^)]*\) from dropped-server\.vnc\./.exec(said)?.[1];
      expect(name, said).toBeDefined();
      await report.getByRole('button', { name: 'Dismiss' }).click();
      const dropped = row(name as string);
      await dropped.waitFor();
      expect(await dropped.innerText()).toContain(String(open.port));
    });
  }, 60_000);

  it('a vnc:// link to a stranger is confirmed first; a link to a bookmark connects with it', async () => {
    const openLink = (url: string) =>
      page.evaluate(
        (hash) => {
          location.hash = hash;
        },
        `open=${encodeURIComponent(url)}`,
      );
    // A server none of the bookmarks points at.
    const stranger = await startServer('xvnc', { security: 'none', geometry: [320, 240] });
    const confirm = page.getByRole('dialog', { name: 'Open this link?' });
    const tabs = page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab');
    await step(page, 'link-cancel', async () => {
      const before = await tabs.count();
      await openLink(`vnc://127.0.0.1:${stranger.port}?viewOnly=1`);
      await confirm.waitFor();
      expect(await confirm.innerText()).toContain(
        `Connect to 127.0.0.1::${stranger.port}? This link is not one of your bookmarks`,
      );
      await saveShot(page, 'bookmarks-link-confirm');
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'detached' });
      expect(await tabs.count()).toBe(before);
    });
    await step(page, 'link-confirm', async () => {
      await openLink(`vnc://127.0.0.1:${stranger.port}?viewOnly=1`);
      await confirm.getByRole('button', { name: 'Connect' }).click();
    });
    await waitForStatus(page, /Connected to .+\(320×240\)/, 30_000, 'link-connected');
    await step(page, 'link-view-only', async () => {
      // The link's viewOnly option is honoured.
      expect(
        await toolbar(page).getByRole('button', { name: 'View only' }).getAttribute('aria-pressed'),
      ).toBe('true');
    });
    await step(page, 'bookmark-link', async () => {
      const before = await tabs.count();
      await openLink(`vnc://127.0.0.1:${locked.port}`);
      // The Lab desktop bookmark: no question asked, a new session with the bookmark's name.
      await waitOnPage(page, 'a new tab for the bookmarked link', 10_000, async () =>
        (await tabs.count()) === before + 1 ? true : undefined,
      );
      expect(await confirm.count()).toBe(0);
    });
    // Browser mode stores no passwords, so the server's password is asked for.
    await logIn(page, PASSWORD);
    await waitForStatus(page, /Connected to .+\(800×600\)/, 30_000, 'bookmark-link-connected');
    await step(page, 'bookmark-link-quality', async () => {
      expect(await toolbar(page).getByRole('combobox', { name: 'Picture quality' }).inputValue()).toBe(
        'high',
      );
    });
  }, 90_000);

  it('Delete on the focused bookmark deletes it, and Undo brings it back', async () => {
    await newConnectScreen();
    const all = bookmarks().getByRole('button', { name: /^Connect to / });
    const count = await all.count();
    const name = await step(page, 'delete-key', async () => {
      await bookmarks().getByRole('searchbox', { name: 'Search bookmarks' }).focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
      expect(focused).not.toBe('');
      await page.keyboard.press('Delete');
      await page
        .getByRole('status')
        .filter({ hasText: `Deleted "${focused}".` })
        .waitFor();
      await saveShot(page, 'bookmarks-undo-toast');
      expect(await all.count()).toBe(count - 1);
      // Focus stays in the list, on a neighbour.
      expect(await page.evaluate(() => document.activeElement?.closest('.bookmark-list') !== null)).toBe(
        true,
      );
      return focused;
    });
    await step(page, 'undo', async () => {
      await page.getByRole('button', { name: 'Undo' }).click();
      await waitOnPage(page, `${count} bookmarks again after Undo`, 10_000, async () =>
        (await all.count()) === count ? true : undefined,
      );
      expect(await bookmarks().getByRole('button', { name, exact: true }).count()).toBeGreaterThan(0);
    });
  }, 60_000);
});
