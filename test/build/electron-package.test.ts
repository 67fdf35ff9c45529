import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/cli.ts';

// electron-builder's own dependencies, used as they are: ajv and js-yaml (its schema check and
// its YAML reader) and @electron/asar (its archive format).
const require = createRequire(import.meta.url);
const { Ajv } = require('ajv') as typeof import('ajv');
const yaml = require('js-yaml') as { load(text: string): unknown };
const asar = require('@electron/asar') as typeof import('@electron/asar');

const ROOT = resolve('.');
const CONFIG_FILE = join(ROOT, 'electron-builder.yml');
const SCHEMA_FILE = join(ROOT, 'node_modules/app-builder-lib/scheme.json');

interface BuilderConfig {
  appId?: string;
  files?: string[];
  protocols?: Array<{ name: string; schemes: string[] }>;
  electronFuses?: Record<string, boolean>;
  linux?: { target?: unknown; icon?: string; mimeTypes?: string[] };
  win?: { target?: unknown; icon?: string };
  mac?: { target?: unknown; icon?: string };
}

function loadConfig(): BuilderConfig {
  return yaml.load(readFileSync(CONFIG_FILE, 'utf8')) as BuilderConfig;
}

function targets(target: unknown): string[] {
  const list = Array.isArray(target) ? target : [target];
  return list.map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
}

const FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
};

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own JSON schema", () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const config = loadConfig();
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The check has teeth: an unknown key or a mistyped fuse fails it.
    expect(validate({ ...config, fusesTypo: true })).toBe(false);
    expect(validate({ ...config, electronFuses: { ...FUSES, runAsNode: 'no' } })).toBe(false);
  });

  it('builds AppImage and deb on Linux, NSIS on Windows, dmg on macOS, with the icon from assets/', () => {
    const config = loadConfig();
    expect(targets(config.linux?.target).sort()).toEqual(['AppImage', 'deb']);
    expect(targets(config.win?.target)).toEqual(['nsis']);
    expect(targets(config.mac?.target)).toEqual(['dmg']);
    for (const platform of [config.linux, config.win, config.mac]) {
      expect(platform?.icon).toMatch(/^assets\//);
      expect(existsSync(join(ROOT, platform?.icon ?? 'missing'))).toBe(true);
    }
  });

  it('registers the vnc: scheme and sets the fuses', () => {
    const config = loadConfig();
    expect(config.protocols?.flatMap((p) => p.schemes)).toContain('vnc');
    expect(config.linux?.mimeTypes).toContain('x-scheme-handler/vnc');
    expect(config.electronFuses).toMatchObject(FUSES);
  });
});

// The sentinel @electron/fuses looks for in the Electron binary, followed by the wire version
// (1), the wire length and one byte per fuse ('0' off, '1' on).
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_ORDER = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
];
// Electron's defaults, the opposite of ours wherever it matters.
const DEFAULT_WIRE = '10110001';

/**
 * A stand-in for an unpacked Linux Electron: a tiny executable carrying a fuse wire (so that
 * electron-builder's real fuse flipping runs on it), its version file and licence. That is all
 * `--dir -c.electronDist` needs; electron-builder copies it, renames the executable and adds
 * resources/app.asar.
 */
function fakeElectronDist(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const binary = Buffer.concat([
    Buffer.from(`#!/bin/sh\nexit 0\n# ${FUSE_SENTINEL}`),
    Buffer.from([1, FUSE_ORDER.length]),
    Buffer.from(DEFAULT_WIRE),
    Buffer.from('\n'),
  ]);
  writeFileSync(join(dir, 'electron'), binary);
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'version'), '45.4.1');
  writeFileSync(join(dir, 'LICENSE'), 'MIT');
}

function readFuses(binaryPath: string): Record<string, boolean> {
  const binary = readFileSync(binaryPath);
  const at = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
  expect(binary[at]).toBe(1);
  const wire = binary.subarray(at + 2, at + 2 + binary[at + 1]).toString('latin1');
  return Object.fromEntries(FUSE_ORDER.map((name, i) => [name, wire[i] === '1']));
}

/** Runs a Node script, failing with its output so that a broken pack explains itself. */
function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

describe('packing the app offline', () => {
  let work: string;
  let unpacked: string;
  let archive: string;
  let entries: string[];

  beforeAll(() => {
    // A copy of the project with its own out/, so the pack never touches the working tree's
    // build; node_modules is the real one, linked.
    work = tempDir('porthole-pack-');
    const project = join(work, 'project');
    const dist = join(work, 'electron-dist');
    const output = join(work, 'dist');
    mkdirSync(project);
    for (const file of ['package.json', 'package-lock.json', 'electron-builder.yml']) {
      cpSync(join(ROOT, file), join(project, file));
    }
    cpSync(join(ROOT, 'assets'), join(project, 'assets'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    fakeElectronDist(dist);

    const env = {
      ...process.env,
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      CSC_IDENTITY_AUTO_DISCOVERY: 'false',
      ELECTRON_BUILDER_DISABLE_BUILD_CACHE: 'true',
    };
    runNode(
      [
        join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'),
        'build',
        '--outDir',
        join(project, 'out'),
      ],
      ROOT,
      env,
    );
    runNode(
      [
        join(ROOT, 'node_modules/electron-builder/cli.js'),
        '--linux',
        'dir',
        '--dir',
        '--projectDir',
        project,
        `-c.electronDist=${dist}`,
        `-c.directories.output=${output}`,
        // Nothing native to rebuild, and rebuilding would look for Electron's headers online.
        '-c.npmRebuild=false',
        '--publish',
        'never',
      ],
      project,
      env,
    );
    unpacked = join(output, 'linux-unpacked');
    archive = join(unpacked, 'resources', 'app.asar');
    entries = asar.listPackage(archive, { isPack: false }).map((p) => p.replaceAll('\\', '/'));
  }, 240_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('produces the renamed executable with our fuses flipped', () => {
    expect(existsSync(join(unpacked, 'porthole'))).toBe(true);
    expect(existsSync(join(unpacked, 'electron'))).toBe(false);
    expect(readFuses(join(unpacked, 'porthole'))).toEqual({
      ...FUSES,
      loadBrowserProcessSpecificV8Snapshot: false,
    });
  });

  it('app.asar holds package.json pointing at the main bundle, and every built part', () => {
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string };
    expect(pkg.main).toBe('out/main/index.js');
    for (const file of [
      'out/main/index.js',
      'out/main/session-process.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
    ]) {
      expect(entries, file).toContain(`/${file}`);
    }
    expect(entries.some((e) => e.endsWith('.map'))).toBe(false);
    expect(entries.some((e) => /^\/(main|renderer|shared|test)\//.test(e))).toBe(false);
  });

  it('app.asar carries the runtime dependencies and no development ones', () => {
    const packages = new Set(
      entries
        .filter((e) => /^\/node_modules\/(@[^/]+\/)?[^/@]+\/package\.json$/.test(e))
        .map((e) => e.slice('/node_modules/'.length, -'/package.json'.length)),
    );
    for (const name of ['pako', 'des.js', 'ws']) expect(packages, name).toContain(name);
    const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    for (const name of [...Object.keys(own.devDependencies), 'vitest', 'electron', 'tsx', 'esbuild']) {
      expect(packages, name).not.toContain(name);
    }
  });

  it('every package the main and session bundles import is in the archive', () => {
    const packages = new Set<string>();
    for (const file of ['out/main/index.js', 'out/main/session-process.js']) {
      const code = asar.extractFile(archive, file).toString('utf8');
      for (const [, spec] of code.matchAll(/^import .* from "([^"]+)";?$/gm)) {
        if (spec.startsWith('node:') || spec === 'electron' || spec.startsWith('.')) continue;
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    expect(packages.size).toBeGreaterThan(0);
    for (const name of packages) expect(entries, name).toContain(`/node_modules/${name}/package.json`);
  });
});
