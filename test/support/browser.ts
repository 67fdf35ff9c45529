import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encode } from 'fast-png';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startWebServer } from '../../main/web/server.ts';
import { stopAllServers } from './servers.ts';
import type { Image } from './truth.ts';

/**
 * End-to-end helpers: browser mode served in-process, Debian's Chromium driven by
 * playwright-core (never a downloaded browser), and the remote screen read back from the
 * page's canvas for pixel-exact comparisons with the server's own picture.
 */

const ROOT = resolve(import.meta.dirname, '../..');
export const RENDERER_DIR = join(ROOT, 'out/renderer');
export const CHROMIUM = '/usr/bin/chromium';
/** Where failing tests leave page screenshots and pictures for people to look at. */
export const SHOTS_DIR = '/tmp/e2e-shots';

/** Builds main, preload and renderer into out/ with electron-vite (offline). */
export function runRendererBuild(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  if (!existsSync(join(RENDERER_DIR, 'index.html')))
    throw new Error(`electron-vite build left no ${RENDERER_DIR}/index.html`);
}

let built = false;

/** Builds the renderer once per process, and only if out/renderer/index.html is missing. */
export function buildRenderer(): void {
  if (built || existsSync(join(RENDERER_DIR, 'index.html'))) return;
  runRendererBuild();
  built = true;
}

export interface BrowserMode {
  /** The address to open, with its token. */
  url: string;
  close(): Promise<void>;
}

/** Starts browser mode's web server in this process on a free port of 127.0.0.1. */
export async function startBrowserMode(dataDir: string): Promise<BrowserMode> {
  buildRenderer();
  const server = await startWebServer({ port: 0, rendererDir: RENDERER_DIR, dataDir });
  return { url: server.url, close: () => server.close() };
}

export interface ViewerEnvironment {
  /** Browser mode's data directory (recent connections), fresh for the file. */
  readonly dataDir: string;
  readonly web: BrowserMode;
  readonly browser: Browser;
  /** A new page on the viewer (its own context). */
  openPage(): Promise<Page>;
}

/**
 * Browser mode on a fresh data directory and Chromium for one test file: started before its
 * tests, stopped after them together with every VNC server the file started.
 */
export function useViewerEnvironment(): ViewerEnvironment {
  const env = { dataDir: tempDataDir() } as {
    -readonly [K in keyof ViewerEnvironment]: ViewerEnvironment[K];
  };
  env.openPage = () => openViewer(env.browser, env.web.url);
  beforeAll(async () => {
    env.web = await startBrowserMode(env.dataDir);
    env.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await env.browser?.close();
    await env.web?.close();
    await stopAllServers();
    rmSync(env.dataDir, { recursive: true, force: true });
  });
  return env;
}

/** A fresh empty directory for browser mode's recent connections and settings. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'porthole-e2e-data-'));
}

/**
 * Debian's Chromium, headless. Playwright hides scrollbars in headless mode; `showScrollbars`
 * keeps them, as a desktop window has them. `args` are added to the command line.
 */
export function launchChromium(
  options: { showScrollbars?: boolean; args?: string[] } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: options.showScrollbars ? ['--hide-scrollbars'] : undefined,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--force-device-scale-factor=1',
      ...(options.args ?? []),
    ],
  });
}

/** Opens the viewer in a new context: 1400×1000, scale factor 1, clipboard allowed. */
export async function openViewer(browser: Browser, url: string): Promise<Page> {
  const context: BrowserContext = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  // Actions fail after 15 s, well inside each test's time, so a missing control is reported
  // with its evidence rather than as a test timeout.
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.set(page, [...(pageErrors.get(page) ?? []), error.message]));
  page.on('console', (message) => {
    if (message.type() === 'error')
      pageErrors.set(page, [...(pageErrors.get(page) ?? []), `console: ${message.text()}`]);
  });
  await page.goto(url);
  return page;
}

const pageErrors = new WeakMap<Page, string[]>();

/** Uncaught errors and console errors the page reported so far. */
export function errorsOf(page: Page): string[] {
  return pageErrors.get(page) ?? [];
}

export interface CanvasPixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** The visible remote screen (`<canvas data-porthole-screen>`), or the first one. */
export function screenCanvas(page: Page): Locator {
  return page.locator('canvas[data-porthole-screen]:visible').first();
}

/** Reads the remote screen's pixels (getImageData of the whole canvas). */
export async function readCanvas(page: Page): Promise<CanvasPixels> {
  const result = await page.evaluate(() => {
    const all = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-porthole-screen]'));
    const canvas = all.find((c) => c.checkVisibility()) ?? all[0];
    if (!canvas) return undefined;
    const { width, height } = canvas;
    const context = canvas.getContext('2d');
    if (!context || width === 0 || height === 0) return { width, height, base64: '' };
    const data = context.getImageData(0, 0, width, height).data;
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000)
      binary += String.fromCharCode(...data.subarray(i, Math.min(i + 0x8000, data.length)));
    return { width, height, base64: btoa(binary) };
  });
  if (!result) throw new Error('the page has no canvas with data-porthole-screen');
  return {
    width: result.width,
    height: result.height,
    rgba: new Uint8Array(Buffer.from(result.base64, 'base64')),
  };
}

export interface PictureDifference {
  different: number;
  first?: { x: number; y: number; canvas: number[]; truth: number[] };
  sizes?: string;
}

/** Compares canvas and truth exactly, alpha included (the truth's alpha is 255). */
export function compareWithTruth(canvas: CanvasPixels, truth: Image): PictureDifference {
  if (canvas.width !== truth.width || canvas.height !== truth.height)
    return {
      different: Math.max(canvas.width * canvas.height, truth.width * truth.height),
      sizes: `canvas ${canvas.width}x${canvas.height}, truth ${truth.width}x${truth.height}`,
    };
  let different = 0;
  let first: PictureDifference['first'];
  for (let i = 0; i < truth.data.length; i += 4) {
    const a = canvas.rgba;
    const b = truth.data;
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2] || a[i + 3] !== b[i + 3]) {
      if (different === 0) {
        const pixel = i / 4;
        first = {
          x: pixel % truth.width,
          y: Math.floor(pixel / truth.width),
          canvas: [...a.subarray(i, i + 4)],
          truth: [...b.subarray(i, i + 4)],
        };
      }
      different++;
    }
  }
  return { different, first };
}

function describeDifference(d: PictureDifference): string {
  if (d.sizes) return `different sizes: ${d.sizes}`;
  const f = d.first;
  return `${d.different} pixels differ; first at (${f?.x}, ${f?.y}): canvas rgba(${f?.canvas}) truth rgba(${f?.truth})`;
}

function writePng(path: string, width: number, height: number, rgba: Uint8Array): void {
  if (width > 0 && height > 0 && rgba.length === width * height * 4)
    writeFileSync(path, encode({ width, height, data: rgba, channels: 4, depth: 8 }));
}

/** Saves a screenshot of the page (and optionally pictures) under /tmp/e2e-shots; returns its path. */
export async function saveShot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const path = join(SHOTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  try {
    await page.screenshot({ path, fullPage: true, timeout: 10_000 });
  } catch (error) {
    return `(no screenshot: ${(error as Error).message.split('\n')[0]})`;
  }
  return path;
}

/** The accessible page as Playwright's ARIA snapshot (YAML), for failure messages. */
export async function ariaSnapshot(page: Page): Promise<string> {
  try {
    return await page.locator('body').ariaSnapshot({ timeout: 5000 });
  } catch (error) {
    return `(no ARIA snapshot: ${(error as Error).message.split('\n')[0]})`;
  }
}

/** Screenshot, ARIA snapshot and page errors, as a block of text for a failure message. */
export async function evidence(page: Page, name: string): Promise<string> {
  const shot = await saveShot(page, name);
  const aria = await ariaSnapshot(page);
  const errors = errorsOf(page);
  return [
    `screenshot: ${shot}`,
    `ARIA snapshot:\n${aria.slice(0, 6000)}`,
    errors.length ? `page errors:\n${errors.slice(-10).join('\n')}` : 'page errors: none',
  ].join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until the canvas equals the server's own picture exactly (alpha 255), fetching both
 * afresh each time; fails with the count of differing pixels and the first difference, leaving
 * the canvas, the truth and a page screenshot under /tmp/e2e-shots.
 */
export async function waitForCanvasToEqual(
  page: Page,
  truth: () => Promise<Image>,
  timeoutMs: number,
  name = 'canvas',
): Promise<{ canvas: CanvasPixels; truth: Image }> {
  const end = Date.now() + timeoutMs;
  let last = 'no comparison made';
  let lastCanvas: CanvasPixels | undefined;
  let lastTruth: Image | undefined;
  while (true) {
    try {
      const canvas = await readCanvas(page);
      const picture = await truth();
      lastCanvas = canvas;
      lastTruth = picture;
      const difference = compareWithTruth(canvas, picture);
      if (difference.different === 0) return { canvas, truth: picture };
      last = describeDifference(difference);
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= end) break;
    await sleep(250);
  }
  mkdirSync(SHOTS_DIR, { recursive: true });
  const base = join(SHOTS_DIR, name.replace(/[^\w.-]+/g, '-'));
  if (lastCanvas) writePng(`${base}-canvas.png`, lastCanvas.width, lastCanvas.height, lastCanvas.rgba);
  if (lastTruth) writePng(`${base}-truth.png`, lastTruth.width, lastTruth.height, lastTruth.data);
  throw new Error(
    `the canvas did not equal the server's picture within ${timeoutMs} ms: ${last}\n` +
      `canvas/truth pictures: ${base}-canvas.png, ${base}-truth.png\n${await evidence(page, `${name}-page`)}`,
  );
}

/** Polls `check` until it returns a value, or fails with `what` and the page's evidence. */
export async function waitOnPage<T>(
  page: Page,
  what: string | (() => string),
  ms: number,
  check: () => Promise<T | undefined>,
  name?: string,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (true) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= end) break;
    await sleep(150);
  }
  const text = typeof what === 'string' ? what : what();
  name ??= `wait-${text.slice(0, 48)}`;
  throw new Error(
    `${text} within ${ms} ms${last ? ` (${(last as Error).message.split('\n')[0]})` : ''}\n${await evidence(page, name)}`,
  );
}

/** The session's status line (role "status") text, visible ones only. */
export async function statusText(page: Page): Promise<string> {
  const statuses = page.getByRole('status');
  const texts: string[] = [];
  for (const status of await statuses.all()) texts.push((await status.innerText()).trim());
  return texts.join(' | ');
}

/** Waits until the status line matches `pattern`; fails showing what it said instead. */
export async function waitForStatus(
  page: Page,
  pattern: RegExp,
  ms = 30_000,
  name = 'status',
): Promise<string> {
  let seen = '';
  return waitOnPage(
    page,
    () => `the status to match ${pattern} (last seen: "${seen}")`,
    ms,
    async () => {
      seen = await statusText(page);
      return pattern.test(seen) ? seen : undefined;
    },
    name,
  );
}

/**
 * Chooses an option of a native select by its value or, failing that, by the start of its
 * label (case-insensitive), as a person picks the entry that reads so.
 */
export async function chooseOption(select: Locator, wanted: string): Promise<void> {
  const options = await select
    .locator('option')
    .evaluateAll((list) =>
      list.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })),
    );
  const lower = wanted.toLowerCase();
  const match =
    options.find((o) => o.value === wanted) ??
    options.find((o) => o.value.toLowerCase() === lower) ??
    options.find((o) => o.label.trim().toLowerCase().startsWith(lower));
  if (!match)
    throw new Error(`no option "${wanted}" in ${JSON.stringify(options)} (the combobox should offer it)`);
  await select.selectOption({ value: match.value });
}

/** Characters a US keyboard types with Shift held. */
const SHIFTED = new Set('~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ');

/**
 * Keys a German or French keyboard has for Latin-1 letters a US layout lacks: what Chromium
 * reports for them (key, code, Windows virtual key code).
 */
const LATIN1_KEYS: Record<string, { code: string; keyCode: number }> = {
  é: { code: 'Digit2', keyCode: 50 }, // French AZERTY
  à: { code: 'Digit0', keyCode: 48 }, // French AZERTY
  è: { code: 'Digit7', keyCode: 55 }, // French AZERTY
  ç: { code: 'Digit9', keyCode: 57 }, // French AZERTY
  ü: { code: 'BracketLeft', keyCode: 186 }, // German QWERTZ
  ö: { code: 'Semicolon', keyCode: 192 }, // German QWERTZ
  ä: { code: 'Quote', keyCode: 222 }, // German QWERTZ
  ß: { code: 'Minus', keyCode: 219 }, // German QWERTZ
};

/**
 * Types text as a person does: Shift held for shifted characters, and Latin-1 letters as the
 * key events of a keyboard that has them (Playwright's own `type` would insert those as text
 * without any key event, which a canvas never sees).
 */
export async function typeLikeAPerson(page: Page, text: string): Promise<void> {
  let cdp: Awaited<ReturnType<BrowserContext['newCDPSession']>> | undefined;
  for (const char of text) {
    const latin = LATIN1_KEYS[char];
    if (latin) {
      cdp ??= await page.context().newCDPSession(page);
      const common = {
        key: char,
        code: latin.code,
        windowsVirtualKeyCode: latin.keyCode,
        nativeVirtualKeyCode: latin.keyCode,
      };
      await cdp.send('Input.dispatchKeyEvent', {
        type: 'keyDown',
        text: char,
        unmodifiedText: char,
        ...common,
      });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...common });
    } else if (SHIFTED.has(char)) {
      await page.keyboard.down('Shift');
      await page.keyboard.press(char);
      await page.keyboard.up('Shift');
    } else {
      await page.keyboard.press(char === ' ' ? 'Space' : char);
    }
  }
  await cdp?.detach();
}

/**
 * Runs one step of a test; when it fails, the error carries a screenshot path, the page's
 * ARIA snapshot and its errors, so the failure says what the UI showed.
 */
export async function step<T>(page: Page, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    if (!e.message.includes('ARIA snapshot:'))
      e.message = `${name}: ${e.message}\n${await evidence(page, name)}`;
    throw e;
  }
}

export interface ConnectOptions {
  /** "Auto", "High", "Medium" or "Low". */
  quality?: string;
  /** A colour level value: full, rgb565, rgb332, rgb222, rgb111, pal8. */
  level?: string;
  /** Press Enter in the address field instead of clicking Connect. */
  enter?: boolean;
}

/** Fills the visible connect screen and connects, as a person does. */
export async function connectTo(page: Page, target: string, options: ConnectOptions = {}): Promise<void> {
  await step(page, 'connect-screen', async () => {
    const address = page.getByRole('textbox', { name: 'Server address' });
    await address.fill(target);
    if (options.quality)
      await chooseOption(page.getByRole('combobox', { name: 'Picture quality' }), options.quality);
    if (options.level)
      await chooseOption(page.getByRole('combobox', { name: 'Colour level' }), options.level);
    if (options.enter) await address.press('Enter');
    else await page.getByRole('button', { name: 'Connect', exact: true }).click();
  });
}

/** The session toolbar of the visible session. */
export function toolbar(page: Page): Locator {
  return page.getByRole('toolbar', { name: 'Session controls' });
}

/** Waits for the password dialog (optionally showing `text`), types the password and logs in. */
export async function logIn(page: Page, password: string, text?: RegExp): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Password required' });
  await waitOnPage(
    page,
    `the "Password required" dialog${text ? ` saying ${text}` : ''}`,
    30_000,
    async () => {
      if (!(await dialog.isVisible())) return undefined;
      if (text && !text.test(await dialog.innerText())) return undefined;
      return true;
    },
    'password-dialog',
  );
  await step(page, 'password-dialog-fill', async () => {
    await dialog.getByLabel('Password').fill(password);
    await dialog.getByRole('button', { name: 'Log in' }).click();
  });
}

/** Sets the toolbar's Scaling to 1:1, so canvas-relative clicks land on the same remote pixel. */
export async function scaleOneToOne(page: Page): Promise<void> {
  await step(page, 'scaling', () =>
    chooseOption(toolbar(page).getByRole('combobox', { name: 'Scaling' }), '1:1'),
  );
}

/** Decodes a PNG file to RGBA (alpha 255 where the PNG has none). */
export function pngToRgba(png: {
  width: number;
  height: number;
  data: ArrayLike<number>;
  channels: number;
}): CanvasPixels {
  const rgba = new Uint8Array(png.width * png.height * 4);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += png.channels) {
    rgba[i] = png.data[j];
    rgba[i + 1] = png.data[j + (png.channels >= 3 ? 1 : 0)];
    rgba[i + 2] = png.data[j + (png.channels >= 3 ? 2 : 0)];
    rgba[i + 3] = png.channels === 4 ? png.data[j + 3] : png.channels === 2 ? png.data[j + 1] : 255;
  }
  return { width: png.width, height: png.height, rgba };
}

/** One X input event as `xev` reports it on the root window. */
export interface XInputEvent {
  type: 'ButtonPress' | 'ButtonRelease' | 'KeyPress' | 'KeyRelease';
  x: number;
  y: number;
  state: number;
  button?: number;
  keysym?: string;
}

export interface XEventWatcher {
  /** Events seen since the start or the last `clear()`, in order. */
  events: XInputEvent[];
  clear(): void;
  /** The events, one per line, for failure messages. */
  describe(): string;
  stop(): void;
}

function parseXevBlock(block: string): XInputEvent | undefined {
  const type = /^(ButtonPress|ButtonRelease|KeyPress|KeyRelease) event/m.exec(block)?.[1];
  const at = /\((-?\d+),(-?\d+)\), root:/.exec(block);
  const state = /state 0x([0-9a-f]+)/.exec(block);
  if (!type || !at || !state) return undefined;
  const event: XInputEvent = {
    type: type as XInputEvent['type'],
    x: Number(at[1]),
    y: Number(at[2]),
    state: Number.parseInt(state[1], 16),
  };
  const button = /button (\d+)/.exec(block);
  if (button) event.button = Number(button[1]);
  const keysym = /keysym 0x[0-9a-f]+, (\w+)\)/.exec(block);
  if (keysym) event.keysym = keysym[1];
  return event;
}

/**
 * Watches the buttons and keys the X server delivers to its root window (`xev -root`), so a
 * test sees what reached the server: with no window manager the keyboard focus follows the
 * pointer, so keys reach the root while the pointer is over the background. Resolves once xev
 * demonstrably receives events (a Shift press sent with xdotool), with the list cleared.
 */
export async function watchXEvents(display: number): Promise<XEventWatcher> {
  const env = { ...process.env, DISPLAY: `:${display}` };
  const child = spawn('stdbuf', ['-oL', 'xev', '-root', '-event', 'button', '-event', 'keyboard'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  let stderr = '';
  const watcher: XEventWatcher = {
    events: [],
    clear: () => {
      watcher.events.length = 0;
    },
    describe: () =>
      watcher.events
        .map((e) => `${e.type} (${e.x},${e.y}) state 0x${e.state.toString(16)} ${e.button ?? e.keysym ?? ''}`)
        .join('\n') || '(no events)',
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  // xev starts each event with a blank line, so an event is known complete by its last line:
  // "same_screen YES" for buttons, "XFilterEvent returns: …" for keys.
  child.stdout.on('data', (d) => {
    buffer += d;
    const chunks = buffer.split(/\n(?=\w+ event, serial)/);
    buffer = '';
    for (const [i, chunk] of chunks.entries()) {
      const complete = /same_screen \w+\n|XFilterEvent returns: \w+\n/.test(chunk);
      if (!complete) {
        if (i === chunks.length - 1) buffer = chunk;
        continue;
      }
      const event = parseXevBlock(chunk.trim());
      if (event) watcher.events.push(event);
    }
  });
  const end = Date.now() + 15_000;
  while (!watcher.events.some((e) => e.keysym === 'Shift_L')) {
    if (Date.now() > end || child.exitCode !== null) {
      watcher.stop();
      throw new Error(`xev saw no events on :${display}: ${stderr}`);
    }
    await new Promise<void>((done) =>
      execFile('xdotool', ['key', 'Shift_L'], { env }, () => setTimeout(done, 200)),
    );
  }
  watcher.clear();
  return watcher;
}

/** Runs an X client on `:display` to its end: whether it succeeded, and its output (with stderr on failure). */
export function runOnDisplay(
  display: number,
  command: string,
  args: string[],
): Promise<{ ok: boolean; out: string }> {
  return new Promise((done) =>
    execFile(command, args, { env: { ...process.env, DISPLAY: `:${display}` } }, (error, out, err) =>
      done({ ok: !error, out: error ? `${out}${err}` : out }),
    ),
  );
}

/** Waits for the X server's CLIPBOARD (read with xclip on `:display`) to hold exactly `text`. */
export async function waitForServerClipboard(
  page: Page,
  display: number,
  text: string,
  ms: number,
  name: string,
): Promise<void> {
  let got = '';
  await waitOnPage(
    page,
    () => `xclip -o -selection clipboard to give ${JSON.stringify(text)} (gave ${JSON.stringify(got)})`,
    ms,
    async () => {
      got = (await runOnDisplay(display, 'xclip', ['-o', '-selection', 'clipboard'])).out;
      return got === text ? true : undefined;
    },
    name,
  );
}

/** The session's Clipboard panel text box. */
export function clipboardBox(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Clipboard text' });
}

/** Opens the Clipboard panel if it is closed, puts `text` in its box and presses Send clipboard. */
export async function sendFromClipboardPanel(page: Page, text: string, name: string): Promise<void> {
  await step(page, name, async () => {
    if (!(await clipboardBox(page).isVisible()))
      await toolbar(page).getByRole('button', { name: 'Clipboard' }).click();
    await clipboardBox(page).fill(text);
    await page.getByRole('button', { name: 'Send clipboard' }).click();
  });
}

/** Waits for the Clipboard panel's text box to show exactly `text`. */
export async function waitForClipboardBox(page: Page, text: string, ms: number, name: string): Promise<void> {
  let shown = '';
  await waitOnPage(
    page,
    () => `the Clipboard text box to show ${JSON.stringify(text)} (it shows ${JSON.stringify(shown)})`,
    ms,
    async () => {
      shown = await clipboardBox(page).inputValue();
      return shown === text ? true : undefined;
    },
    name,
  );
}

/** The X pointer position (`xdotool getmouselocation`). */
export function xPointer(display: number): Promise<{ x: number; y: number }> {
  return new Promise((done, fail) =>
    execFile(
      'xdotool',
      ['getmouselocation'],
      { env: { ...process.env, DISPLAY: `:${display}` } },
      (error, out) => {
        const m = /x:(-?\d+) y:(-?\d+)/.exec(out);
        if (error || !m) fail(error ?? new Error(`xdotool said: ${out}`));
        else done({ x: Number(m[1]), y: Number(m[2]) });
      },
    ),
  );
}

/** What a bookmark made through the editor gets beside its name and address. */
export interface BookmarkInput {
  /** Text fields by label ('User name', 'CA file', …). */
  texts?: Record<string, string>;
  /** Check boxes by label. */
  checks?: (string | RegExp)[];
  /** Looks at the filled-in editor before it is saved. */
  beforeSave?: (editor: Locator) => Promise<void>;
}

/** Makes a bookmark through the editor (opening "Advanced" when there is more than name and address). */
export function makeBookmark(
  page: Page,
  name: string,
  address: string,
  input: BookmarkInput = {},
): Promise<void> {
  return step(page, `bookmark-${name}`, async () => {
    await page.getByRole('button', { name: 'New bookmark' }).click();
    const editor = page.getByRole('dialog', { name: /bookmark$/ });
    await editor.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await editor.getByRole('textbox', { name: 'Address' }).fill(address);
    const texts = Object.entries(input.texts ?? {});
    if (texts.length || input.checks?.length)
      await editor.getByText('Advanced: SSH tunnel and security').click();
    for (const [label, text] of texts)
      await editor.getByRole('textbox', { name: label, exact: true }).fill(text);
    for (const box of input.checks ?? []) await editor.getByRole('checkbox', { name: box }).check();
    await input.beforeSave?.(editor);
    await editor.getByRole('button', { name: 'Save bookmark' }).click();
    await editor.waitFor({ state: 'detached' });
  });
}

/** Connects a bookmark from the Bookmarks list. */
export function connectBookmark(page: Page, name: string): Promise<void> {
  return page
    .getByRole('region', { name: 'Bookmarks' })
    .getByRole('button', { name: `Connect to ${name}`, exact: true })
    .click();
}
