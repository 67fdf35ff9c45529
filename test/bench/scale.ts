/**
 * Several sessions at once: 8 Xvnc at 1280×800, each playing a 640×400 video (ffplay of
 * testsrc2, 30 frames/s), in 8 tabs of one browser-mode page. The active tab's frame rate
 * (animation frames in which its canvas was drawn on) with one session, then with all 8 open
 * and the first tab in front again; the CPU of every process of ours (browser mode's server and
 * every Chromium process) and their memory (RSS) at idle, with 1 session and with 8. Hidden
 * tabs ask for an update about once a second (README, "The viewer"), so the active one keeps
 * the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { connectTo, launchChromium, waitForStatus } from '../support/browser.ts';
import { startXvnc, stopProcess, type XvncServer } from '../support/servers.ts';
import {
  comm,
  cpuSeconds,
  descendants,
  openProbedPage,
  probeOf,
  sleep,
  startWeb,
  totalRssBytes,
} from './end-to-end.ts';
import { ffplay } from './recordings.ts';

const SESSIONS = 8;
const GEOMETRY = [1280, 800] as const;

export interface ScaleFigures {
  sessions: number;
  width: number;
  height: number;
  windowSeconds: number;
  single: { framesPerSecond: number; cpuLoad: number };
  all: { framesPerSecond: number; cpuLoad: number };
  /** RSS of every process of ours: before connecting, with one session, with all of them. */
  rssBytes: { idle: number; one: number; all: number };
  error?: string;
}

/** Points the page's probe at the canvas of the tab in front. */
async function probeActiveTab(page: Page): Promise<void> {
  await page.evaluate(() => {
    const probe = (window as unknown as { __bench: { only: Element | null; reset(): void } }).__bench;
    probe.only = document.querySelector('[role=tabpanel]:not([hidden]) canvas[data-porthole-screen]');
    probe.reset();
  });
}

export async function measureScale(seconds: number, log: (text: string) => void): Promise<ScaleFigures> {
  const servers: XvncServer[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'porthole-bench-scale-'));
  const web = await startWeb(dataDir, join(dataDir, 'event-loop.json'));
  const browser = await launchChromium();
  const ours = () => [web.child.pid!, ...descendants(process.pid).filter((pid) => /chrom/.test(comm(pid)))];
  const rss = () => totalRssBytes(ours());
  /** The active tab's frames per second and our CPU load over the window. */
  const measureWindow = async (page: Page) => {
    await probeActiveTab(page);
    const cpuStart = cpuSeconds(ours());
    const start = performance.now();
    await sleep(seconds * 1000);
    const probe = await probeOf(page);
    const measured = (performance.now() - start) / 1000;
    return { framesPerSecond: probe.frames / measured, cpuLoad: (cpuSeconds(ours()) - cpuStart) / measured };
  };
  try {
    log(`bench: ${SESSIONS} sessions: servers…`);
    for (let i = 0; i < SESSIONS; i++) {
      const server = await startXvnc({ security: 'none', geometry: [...GEOMETRY] });
      ffplay(server, ['-f', 'lavfi', '-i', 'testsrc2=size=640x400:rate=30'], 640, 400, 100, 100);
      servers.push(server);
    }
    await sleep(3000);
    const page = await openProbedPage(browser, web.url);
    await sleep(1000);
    const idle = rss();
    log(' one…');
    await connectTo(page, servers[0].target);
    await waitForStatus(page, /Connected to/, 60_000, 'bench-scale-1');
    await sleep(3000);
    const single = await measureWindow(page);
    const one = rss();
    log(' all…');
    for (const server of servers.slice(1)) {
      await page.getByRole('button', { name: 'New connection' }).click();
      await connectTo(page, server.target);
      await waitForStatus(page, /Connected to/, 60_000, 'bench-scale-n');
    }
    await page.getByRole('tablist', { name: 'Sessions' }).getByRole('tab').first().click();
    await sleep(3000);
    const all = await measureWindow(page);
    const allRss = rss();
    log(' done\n');
    return {
      sessions: SESSIONS,
      width: GEOMETRY[0],
      height: GEOMETRY[1],
      windowSeconds: seconds,
      single,
      all,
      rssBytes: { idle, one, all: allRss },
    };
  } catch (error) {
    log(` failed: ${(error as Error).message}\n`);
    return {
      sessions: SESSIONS,
      width: GEOMETRY[0],
      height: GEOMETRY[1],
      windowSeconds: seconds,
      single: { framesPerSecond: 0, cpuLoad: 0 },
      all: { framesPerSecond: 0, cpuLoad: 0 },
      rssBytes: { idle: 0, one: 0, all: 0 },
      error: (error as Error).message,
    };
  } finally {
    await browser.close();
    await stopProcess(web.child);
    for (const server of servers) await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function scaleTable(s: ScaleFigures): string {
  if (s.error) return `${s.sessions} sessions at once: not measured (${s.error}).\n`;
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const perSession = (s.rssBytes.all - s.rssBytes.one) / (s.sessions - 1);
  return [
    `${s.sessions} sessions at once (${s.sessions} Xvnc at ${s.width}×${s.height}, each playing a 640×400 video, in tabs of one browser-mode page; ${s.windowSeconds} s windows; CPU and RSS of browser mode's server and every Chromium process):`,
    '',
    '| | active tab frames/s | CPU (cores) | RSS (MiB) |',
    '|---|--:|--:|--:|',
    `| idle page | – | – | ${mib(s.rssBytes.idle)} |`,
    `| 1 session | ${s.single.framesPerSecond.toFixed(1)} | ${s.single.cpuLoad.toFixed(2)} | ${mib(s.rssBytes.one)} |`,
    `| ${s.sessions} sessions, the first tab in front | ${s.all.framesPerSecond.toFixed(1)} | ${s.all.cpuLoad.toFixed(2)} | ${mib(s.rssBytes.all)} |`,
    '',
    `The active tab keeps ${((s.all.framesPerSecond / Math.max(s.single.framesPerSecond, 1e-9)) * 100).toFixed(0)}% of its single-session frame rate (target ≥ 80%); each further session adds ${mib(perSession)} MiB (the first: ${mib(s.rssBytes.one - s.rssBytes.idle)} MiB).`,
    '',
  ].join('\n');
}
