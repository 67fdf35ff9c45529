import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSettingsStore } from '../../main/app/control-service.ts';
import { BROWSER_MODE_CIPHER_REASON, unavailableCipher } from '../../main/app/password-vault.ts';
import { newBookmarkFields } from '../../shared/settings.ts';
import {
  type BrowserMode,
  launchChromium,
  openViewer,
  startBrowserMode,
  step,
  tempDataDir,
  waitOnPage,
} from '../support/browser.ts';

/**
 * Two browser-mode pages on one data directory editing bookmarks at the same time, and another
 * process's store writing the file in between (as a `porthole` command would): edits to
 * different bookmarks or different fields of one are both kept, the same field changed on both
 * is refused with a message saying so, and each page shows what the other saved.
 */
describe('two pages editing the same bookmarks (Chromium, browser mode)', () => {
  const dataDir = tempDataDir();
  let web: BrowserMode;
  let browser: Browser;
  let a: Page;
  let b: Page;

  /** Writes as another process does: its own store on the same file. */
  async function writeFromElsewhere(name: string, address: string): Promise<void> {
    const store = openSettingsStore(dataDir, unavailableCipher(BROWSER_MODE_CIPHER_REASON));
    await store.saveBookmark(undefined, newBookmarkFields(name, address), { action: 'keep' });
    await store.close();
  }

  beforeAll(async () => {
    await writeFromElsewhere('Alpha', '127.0.0.1::5901');
    await writeFromElsewhere('Beta', '127.0.0.1::5902');
    [web, browser] = await Promise.all([startBrowserMode(dataDir), launchChromium()]);
    a = await openViewer(browser, web.url);
    b = await openViewer(browser, web.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const bookmarks = (page: Page) => page.getByRole('region', { name: 'Bookmarks' });
  const editor = (page: Page) => page.getByRole('dialog', { name: 'Edit bookmark' });
  const field = (page: Page, name: string) => editor(page).getByRole('textbox', { name, exact: true });
  const openEditor = async (page: Page, bookmark: string) => {
    await bookmarks(page)
      .getByRole('button', { name: `Edit ${bookmark}`, exact: true })
      .click();
    await editor(page).waitFor();
  };
  const save = (page: Page) => editor(page).getByRole('button', { name: 'Save bookmark' }).click();
  const shows = (page: Page, bookmark: string, ms = 15_000) =>
    bookmarks(page)
      .getByRole('button', { name: `Connect to ${bookmark}`, exact: true })
      .waitFor({ timeout: ms });
  const savedNames = () =>
    (JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).bookmarks as { name: string }[]).map(
      (x) => x.name,
    );

  it('different bookmarks edited at once: both kept, each page shows the other’s', async () => {
    await step(a, 'different-bookmarks', async () => {
      await Promise.all([shows(a, 'Alpha'), shows(b, 'Beta')]);
      await openEditor(a, 'Alpha');
      await openEditor(b, 'Beta');
      await field(a, 'Name').fill('Alpha one');
      await field(b, 'Name').fill('Beta one');
      await Promise.all([save(a), save(b)]);
      await Promise.all([editor(a).waitFor({ state: 'detached' }), editor(b).waitFor({ state: 'detached' })]);
      await Promise.all([shows(a, 'Beta one'), shows(b, 'Alpha one')]);
    });
    expect(savedNames()).toEqual(['Alpha one', 'Beta one']);
  }, 60_000);

  it('one bookmark, different fields: both changes kept', async () => {
    await step(a, 'different-fields', async () => {
      await openEditor(a, 'Alpha one');
      await openEditor(b, 'Alpha one');
      await field(a, 'Address').fill('127.0.0.1::5911');
      await save(a);
      await editor(a).waitFor({ state: 'detached' });
      // Page B still holds the copy from before A's save.
      await field(b, 'Name').fill('Alpha two');
      await save(b);
      await editor(b).waitFor({ state: 'detached' });
      await shows(a, 'Alpha two');
      await openEditor(a, 'Alpha two');
      expect(await field(a, 'Address').inputValue()).toBe('127.0.0.1::5911');
      await editor(a).getByRole('button', { name: 'Cancel' }).click();
    });
  }, 60_000);

  it('one field changed on both pages: the later save is refused and says why; nothing is overwritten', async () => {
    await step(b, 'same-field', async () => {
      await openEditor(a, 'Alpha two');
      await openEditor(b, 'Alpha two');
      await field(a, 'Name').fill('Named on A');
      await save(a);
      await editor(a).waitFor({ state: 'detached' });
      await field(b, 'Name').fill('Named on B');
      await save(b);
      const alert = editor(b).getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(
        /^The bookmark was not saved: the bookmark "Named on A": changed elsewhere while you were editing \(name\); saving would undo that, so reopen and edit the current version$/,
      );
      await editor(b).getByRole('button', { name: 'Cancel' }).click();
      await shows(b, 'Named on A');
    });
    expect(savedNames()).toEqual(['Named on A', 'Beta one']);
  }, 60_000);

  it('a write from another process in between: both pages show it, and their next saves keep it', async () => {
    await writeFromElsewhere('From the command line', '127.0.0.1::5903');
    await Promise.all([shows(a, 'From the command line'), shows(b, 'From the command line')]);
    await step(a, 'save-after-outside-write', async () => {
      await openEditor(a, 'Beta one');
      await field(a, 'Name').fill('Beta two');
      await save(a);
      await editor(a).waitFor({ state: 'detached' });
    });
    await waitOnPage(b, 'page B to show the rename', 15_000, async () =>
      (await bookmarks(b).getByRole('button', { name: 'Connect to Beta two', exact: true }).count()) > 0
        ? true
        : undefined,
    );
    expect(savedNames()).toEqual(['Named on A', 'Beta two', 'From the command line']);
  }, 60_000);
});
