import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.ts';

/**
 * The README's first command on a fresh clone, with Electron's binary fetched through
 * Electron's own download code from a loopback mirror that serves a stub: a script named as
 * Electron's Linux binary that writes down how it was started, then exits.
 *
 * node_modules: a real `npm install` from the registry took 46 s on the project's machine
 * (and needs the network), so the clone gets a copy of the repository's node_modules without
 * Electron's binary (3 s); `npm install` then finds it complete and changes nothing.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const ELECTRON_VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
).version;
const ZIP_NAME = `electron-v${ELECTRON_VERSION}-linux-${process.arch}.zip`;
const README_FIRST_COMMAND = 'npm install && npm start';

/** What the stub writes for each launch. */
interface Launch {
  argv: string[];
  cwd: string;
  rendererUrl: string | null;
  /** For `npm run dev`: what the dev server answered at the URL the stub was given. */
  page: { status: number; body: string } | null;
}

/**
 * The stub binary: Node (by absolute path), so that it can also load the dev server's page
 * while that server is up. One JSON line per launch in $PORTHOLE_STUB_RECORD.
 */
function stubElectron(): string {
  return `#!${process.execPath}
const { appendFileSync } = require('node:fs');
(async () => {
  const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? null;
  let page = null;
  if (rendererUrl) {
    const response = await fetch(rendererUrl);
    page = { status: response.status, body: await response.text() };
  }
  const launch = { argv: process.argv.slice(2), cwd: process.cwd(), rendererUrl, page };
  appendFileSync(process.env.PORTHOLE_STUB_RECORD, JSON.stringify(launch) + '\\n');
})();
`;
}

/** A zip laid out like Electron's release: the executable (mode 755) and its version file. */
function stubZip(): Uint8Array {
  const executable = { os: 3, attrs: (0o100755 << 16) >>> 0 };
  return zipSync({
    electron: [new TextEncoder().encode(stubElectron()), executable],
    version: new TextEncoder().encode(ELECTRON_VERSION),
  });
}

/** A loopback mirror laid out like Electron's GitHub releases: `v<version>/<file>`. */
async function startMirror(zip: Uint8Array, requests: string[]): Promise<Server> {
  const sha256 = createHash('sha256').update(zip).digest('hex');
  const files = new Map<string, string | Uint8Array>([
    [`/v${ELECTRON_VERSION}/${ZIP_NAME}`, zip],
    [`/v${ELECTRON_VERSION}/SHASUMS256.txt`, `${sha256} *${ZIP_NAME}\n`],
  ]);
  const server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.push(path);
    const body = files.get(path);
    response.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return server;
}

function run(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe('npm start and npm run dev on a fresh clone fetch Electron and launch it', () => {
  let work: string;
  let clone: string;
  let record: string;
  let mirror: Server;
  const requests: string[] = [];
  let env: NodeJS.ProcessEnv;

  const launches = (): Launch[] =>
    existsSync(record)
      ? readFileSync(record, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Launch)
      : [];

  beforeAll(async () => {
    work = tempDir('porthole-start-');
    clone = join(work, 'porthole');
    record = join(work, 'launches.jsonl');
    mirror = await startMirror(stubZip(), requests);
    await run(`git clone --quiet "${ROOT}" "${clone}"`, work, process.env);
    // A copy (not a link: Electron's download writes into node_modules/electron) without
    // whatever binary this machine may have fetched.
    await run(
      `cp -a "${realpathSync(join(ROOT, 'node_modules'))}" "${clone}/node_modules"`,
      work,
      process.env,
    );
    rmSync(join(clone, 'node_modules/electron/dist'), { recursive: true, force: true });
    rmSync(join(clone, 'node_modules/electron/path.txt'), { force: true });

    const {
      ELECTRON_SKIP_BINARY_DOWNLOAD: _skip,
      ELECTRON_OVERRIDE_DIST_PATH: _dist,
      ELECTRON_EXEC_PATH: _exec,
      ELECTRON_RENDERER_URL: _url,
      ...inherited
    } = process.env;
    env = {
      ...inherited,
      ELECTRON_MIRROR: `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`,
      // The stub is not the release checksums.json names: take the mirror's SHASUMS256.txt.
      electron_use_remote_checksums: '1',
      electron_config_cache: join(work, 'electron-cache'),
      PORTHOLE_STUB_RECORD: record,
      // Without the internet: npm must not reach the registry either.
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
  }, 60_000);

  afterAll(async () => {
    await new Promise((closed) => mirror?.close(closed));
    rmSync(work, { recursive: true, force: true });
  });

  it(`\`${README_FIRST_COMMAND}\` downloads Electron through its mirror and launches it on the built app`, async () => {
    const readme = readFileSync(join(clone, 'README.md'), 'utf8');
    expect(readme).toContain(`\`\`\`sh\n${README_FIRST_COMMAND}\n\`\`\``);

    const { code, output } = await run(README_FIRST_COMMAND, clone, env);
    expect(code, output).toBe(0);
    expect(output).toContain('Downloading Electron binary...');
    expect([...requests].sort()).toEqual([
      `/v${ELECTRON_VERSION}/SHASUMS256.txt`,
      `/v${ELECTRON_VERSION}/${ZIP_NAME}`,
    ]);
    expect(readFileSync(join(clone, 'node_modules/electron/path.txt'), 'utf8')).toBe('electron');

    const [launch, ...more] = launches();
    expect(more).toEqual([]);
    // Electron is started on the clone's directory, whose package.json names the built main.
    expect(launch).toMatchObject({ argv: ['.'], cwd: clone, rendererUrl: null });
    const pkg = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('out/main/index.js');
    for (const file of [
      pkg.main,
      'out/main/session-process.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
    ]) {
      expect(existsSync(join(clone, file)), file).toBe(true);
    }
  }, 150_000);

  it('`npm run dev` launches the same binary, without downloading it again, on the dev server', async () => {
    const { code, output } = await run('npm run dev', clone, env);
    // The stub exits at once, and the dev server ends with it.
    expect(code, output).toBe(0);
    expect(output).not.toContain('Downloading Electron binary...');
    expect(requests.filter((path) => path.endsWith('.zip'))).toHaveLength(1);

    const [, launch] = launches();
    expect(launch).toMatchObject({ argv: ['.'], cwd: clone });
    expect(launch.rendererUrl).toMatch(/^http:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d+$/);
    // The URL it was given served the renderer's page, with vite's client for hot reload.
    expect(launch.page?.status).toBe(200);
    expect(launch.page?.body).toContain('<title>Porthole</title>');
    expect(launch.page?.body).toContain('/@vite/client');
  }, 120_000);
});
