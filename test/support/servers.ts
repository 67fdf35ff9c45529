import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { obfuscateVncPassword } from '../../main/rfb/security/vnc-auth.ts';
import { testPattern, writeTestPattern, XTERM_TEXT } from './content.ts';
import { type Image, parsePpm, parseXwd, sameImage } from './truth.ts';

/**
 * Real VNC servers for tests, on 127.0.0.1 only, on ports they are given free, stopped by PID.
 * Every server started here is stopped by `stopAllServers` and, failing that, at process exit.
 */
export type ServerKind = 'xvnc' | 'x11vnc' | 'qemu';

export interface VncServer {
  kind: ServerKind;
  host: string;
  port: number;
  /** The address as the CLI takes it. */
  target: string;
  password: string | undefined;
  /** The process serving VNC (Xvnc, x11vnc, qemu). */
  pid: number;
  /** The server's own picture: `xwd -root` for X servers, `screendump` for QEMU. */
  truth(): Promise<Image>;
  /** Stops every process of this server and removes its files. */
  stop(): Promise<void>;
  /** Kills the VNC process at once (SIGKILL), as a crash would. */
  kill(): void;
}

/** What a test needs of an X display with a VNC server, whichever server it is. */
type XDisplay = Omit<XServer, 'kind'>;

/** TightVNC 1.3's Xtightvnc (only the tests of Tight security start one). */
export interface TightVncServer extends XDisplay {
  kind: 'tightvnc';
}

export interface XServer extends VncServer {
  /** The X display number, e.g. 12 for :12. */
  display: number;
  /** Runs an X client on this display (xterm, xdotool…), stopped with the server. */
  run(command: string, args: string[]): ChildProcess;
}

/** TigerVNC's Xvnc, whose log says per viewer, when it leaves, how many updates it was sent. */
export interface XvncServer extends XServer {
  /** The last 4000 characters Xvnc wrote to stderr. */
  log(): string;
}

export interface QemuServer extends VncServer {
  /** Sends a human monitor command and returns its output. */
  monitor(command: string): Promise<string>;
  /** The last 4000 characters QEMU wrote to stderr (where `-trace` events go). */
  log(): string;
}

export interface ServerOptions {
  security: 'none' | 'vncauth';
  password?: string;
  geometry?: [number, number];
  /** x11vnc only: one viewer at a time; later viewers are dropped after ClientInit. */
  exclusive?: boolean;
  /** A fixed port (to restart a server where a viewer reconnects); a free one by default. */
  port?: number;
  /** QEMU only: `lossy=on`, so Tight may use JPEG when the viewer sends a JPEG quality level. */
  lossy?: boolean;
  /** Xvnc only: more arguments, after the defaults (e.g. `-UseBlacklist=1` to test the lockout). */
  xvncArgs?: string[];
  /** QEMU only: more `-vnc` options (e.g. `power-control=on`, `audiodev=a`). */
  vncOptions?: string[];
  /** QEMU only: more command-line arguments (e.g. `-boot menu=on`). */
  qemuArgs?: string[];
  /** QEMU only: leave the VM running once the firmware has drawn (by default it is paused, for a still picture). */
  running?: boolean;
  /**
   * Xvnc only: its `-SecurityTypes` list instead of `security`'s (a VNC password file is set
   * when `password` is given), the X.509 certificate and key, and `-PlainUsers`.
   */
  xvncSecurity?: { types: string; cert?: string; key?: string; plainUsers?: string };
}

const execFileAsync = promisify(execFile);
const HOST = '127.0.0.1';
const live = new Set<{ stop(): Promise<void> }>();
const processes = new Set<ChildProcess>();

process.on('exit', () => {
  for (const child of processes) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function launch(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; fd3?: boolean } = {}) {
  const child = spawn(command, args, {
    detached: true,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe', ...(options.fd3 ? (['pipe'] as const) : [])],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  processes.add(child);
  child.on('exit', () => processes.delete(child));
  return { child, stderr: () => stderr };
}

/** Stops a process started here (a server or a client `run` started): SIGTERM, SIGKILL after 2 s. */
/** An xterm in the top left corner printing the time 30 times a second: a screen that never stops changing. */
export function startChangingTerminal(server: XServer): ChildProcess {
  return server.run('xterm', [
    '-geometry',
    '40x10+0+0',
    '-e',
    'sh',
    '-c',
    'while :; do date +%N; sleep 0.03; done',
  ]);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once('error', fail);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value, or fails after `ms` with `what` and the details. */
export async function waitFor<T>(
  what: string,
  ms: number,
  check: () => Promise<T | undefined>,
  details = () => '',
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`${what} within ${ms} ms${last ? ` (${(last as Error).message})` : ''}\n${details()}`);
}

/** Reads the 12-byte RFB banner from a fresh TCP connection; undefined if none yet. */
export function readBanner(port: number): Promise<string | undefined> {
  return new Promise((done) => {
    const socket = net.connect(port, HOST);
    let data = '';
    const finish = (value: string | undefined) => {
      socket.destroy();
      done(value);
    };
    socket.setTimeout(2000, () => finish(undefined));
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (data.length >= 12) finish(/^RFB \d{3}\.\d{3}\n/.test(data) ? data.slice(0, 12) : undefined);
    });
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
  });
}

/** Reads the display number an X server writes to -displayfd. */
function displayFromFd(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((done, fail) => {
    const pipe = child.stdio[3] as NodeJS.ReadableStream;
    let text = '';
    const timer = setTimeout(
      () => fail(new Error(`the X server gave no display number\n${stderr()}`)),
      15_000,
    );
    pipe.on('data', (d) => {
      text += d;
      if (text.includes('\n')) {
        clearTimeout(timer);
        done(Number(text.trim()));
      }
    });
    child.once('exit', (code) => fail(new Error(`the X server exited with ${code}\n${stderr()}`)));
  });
}

async function xwdTruth(display: number): Promise<Image> {
  const { stdout } = await execFileAsync('xwd', ['-root', '-silent', '-display', `:${display}`], {
    encoding: 'buffer',
    maxBuffer: 256 << 20,
  });
  return parseXwd(stdout);
}

/** Waits until the picture stops changing: two equal truths 300 ms apart. */
export async function settle(truth: () => Promise<Image>, ms = 15_000): Promise<Image> {
  let previous = await truth();
  return waitFor('the picture to stop changing', ms, async () => {
    await sleep(300);
    const current = await truth();
    const same = sameImage(previous, current);
    previous = current;
    return same ? current : undefined;
  });
}

/**
 * Shows the test pattern on the root window and (unless `xterm` is false) an xterm with known
 * text; waits until drawn.
 */
async function showContent(
  server: XDisplay,
  dir: string,
  width: number,
  height: number,
  xterm = true,
): Promise<void> {
  const pattern = writeTestPattern(dir, width, height);
  const env = { DISPLAY: `:${server.display}` };
  // ImageMagick's display sets the root window's background and exits with status 1 even then;
  // success is checked on the picture itself below.
  await execFileAsync('display', ['-window', 'root', pattern], { env: { ...process.env, ...env } }).catch(
    () => {},
  );
  const expected = testPattern(width, height);
  const corner = (width * height - 1) * 4;
  await waitFor('the test pattern on the root window', 15_000, async () => {
    const image = await server.truth();
    return image.data.subarray(corner, corner + 3).every((v, i) => v === expected[corner + i])
      ? true
      : undefined;
  });
  if (!xterm) {
    await settle(() => server.truth());
    return;
  }
  const terminal = server.run('xterm', [
    '+bc',
    '-fn',
    'fixed',
    '-geometry',
    '48x3+40+40',
    '-bg',
    'white',
    '-fg',
    'black',
    '-e',
    'sh',
    '-c',
    `printf '${XTERM_TEXT}'; exec sleep 100000`,
  ]);
  let xtermErrors = '';
  terminal.stderr?.on('data', (d) => {
    xtermErrors += d;
  });
  await waitFor(
    'the xterm to appear',
    30_000,
    async () => {
      const { stdout } = await execFileAsync('xdotool', ['search', '--onlyvisible', '--class', 'xterm'], {
        env: { ...process.env, ...env },
      }).catch(() => ({ stdout: '' }));
      return stdout.trim() ? true : undefined;
    },
    () => `xterm: ${xtermErrors}`,
  );
  await settle(() => server.truth());
}

/** An X display with a VNC server; `owned[0]` is the VNC process once it runs. */
function xServerBase<K extends 'xvnc' | 'x11vnc' | 'tightvnc'>(
  kind: K,
  display: number,
  port: number,
  password: string | undefined,
  owned: ChildProcess[],
  dir: string,
): XDisplay & { kind: K } {
  const clients: ChildProcess[] = [];
  const server: XDisplay & { kind: K } = {
    kind,
    host: HOST,
    port,
    target: `${HOST}::${port}`,
    password,
    pid: owned[0].pid!,
    display,
    truth: () => xwdTruth(display),
    run: (command, args) => {
      const { child } = launch(command, args, { env: { DISPLAY: `:${display}` } });
      clients.push(child);
      return child;
    },
    kill: () => killGroup(owned[0], 'SIGKILL'),
    stop: async () => {
      live.delete(server);
      for (const child of [...clients, ...owned]) await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(server);
  return server;
}

/** TigerVNC's Xvnc: an X server that is its own VNC server. */
export async function startXvnc(options: ServerOptions): Promise<XvncServer> {
  const [width, height] = options.geometry ?? [1024, 768];
  const dir = mkdtempSync(join(tmpdir(), 'porthole-xvnc-'));
  const port = options.port ?? (await freePort());
  const args = [
    '-displayfd',
    '3',
    '-noreset',
    '-rfbport',
    String(port),
    '-interface',
    HOST,
    '-localhost',
    '-geometry',
    `${width}x${height}`,
    '-depth',
    '24',
    '-AlwaysShared',
    '-UseBlacklist=0',
    '-nolisten',
    'tcp',
    '-s',
    '0',
    '-dpms',
    '-SecurityTypes',
    options.xvncSecurity?.types ?? (options.security === 'none' ? 'None' : 'VncAuth'),
  ];
  const tls = options.xvncSecurity;
  if (tls?.cert && tls.key) args.push('-X509Cert', tls.cert, '-X509Key', tls.key);
  if (tls?.plainUsers) args.push('-PlainUsers', tls.plainUsers);
  if (options.security === 'vncauth' || (tls && options.password !== undefined)) {
    const file = join(dir, 'passwd');
    writeFileSync(file, obfuscateVncPassword(options.password ?? ''));
    args.push('-PasswordFile', file);
  }
  args.push(...(options.xvncArgs ?? []));
  const { child, stderr } = launch('Xvnc', args, { fd3: true });
  const display = await displayFromFd(child, stderr);
  const server = { ...xServerBase('xvnc', display, port, options.password, [child], dir), log: stderr };
  try {
    await waitFor('Xvnc to answer with an RFB banner', 15_000, () => readBanner(port), stderr);
    await showContent(server, dir, width, height);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** A display number no X server holds (no lock file), from 60 up. */
function freeDisplay(): number {
  for (let display = 60; display < 200; display++) {
    if (!existsSync(`/tmp/.X${display}-lock`) && !existsSync(`/tmp/.X11-unix/X${display}`)) return display;
  }
  throw new Error('no free X display number between 60 and 199');
}

/** TightVNC 1.3's Xtightvnc (tightvncserver): offers Tight security (16) beside VNC Authentication. */
export async function startTightVnc(options: ServerOptions): Promise<TightVncServer> {
  const [width, height] = options.geometry ?? [1024, 768];
  const dir = mkdtempSync(join(tmpdir(), 'porthole-tightvnc-'));
  const port = options.port ?? (await freePort());
  const display = freeDisplay();
  const args = [
    `:${display}`,
    '-rfbport',
    String(port),
    '-interface',
    HOST,
    '-localhost',
    '-geometry',
    `${width}x${height}`,
    '-depth',
    '24',
    '-alwaysshared',
    '-nolisten',
    'tcp',
    '-s',
    '0',
  ];
  if (options.security === 'vncauth') {
    const file = join(dir, 'passwd');
    writeFileSync(file, obfuscateVncPassword(options.password ?? ''));
    args.push('-rfbauth', file);
  }
  const { child, stderr } = launch('Xtightvnc', args);
  const server = xServerBase('tightvnc', display, port, options.password, [child], dir);
  try {
    await waitFor('Xtightvnc to answer with an RFB banner', 15_000, () => readBanner(port), stderr);
    // xdotool crashes against Xtightvnc, so no xterm (it waits for the window with xdotool).
    await showContent(server, dir, width, height, false);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** x11vnc serving an Xvfb display (libvncserver). */
export async function startX11vnc(options: ServerOptions): Promise<XServer> {
  const [width, height] = options.geometry ?? [1024, 768];
  const dir = mkdtempSync(join(tmpdir(), 'porthole-x11vnc-'));
  // -noreset: otherwise Xvfb resets when its last client leaves, wiping the root background.
  const xvfbArgs = [
    '-displayfd',
    '3',
    '-noreset',
    '-screen',
    '0',
    `${width}x${height}x24`,
    '-nolisten',
    'tcp',
  ];
  const xvfb = launch('Xvfb', xvfbArgs, { fd3: true });
  const display = await displayFromFd(xvfb.child, xvfb.stderr);
  const port = options.port ?? (await freePort());
  const args = [
    '-display',
    `:${display}`,
    '-rfbport',
    String(port),
    '-localhost',
    '-forever',
    ...(options.exclusive ? ['-nevershared', '-dontdisconnect'] : ['-shared']),
    '-nocursor',
    '-noxdamage',
    '-nopw',
    '-quiet',
  ];
  if (options.security === 'vncauth') args.push('-passwd', options.password ?? '');
  const owned = [xvfb.child];
  const server = xServerBase('x11vnc', display, port, options.password, owned, dir);
  try {
    // Content first, so x11vnc's first look at the screen already sees it.
    await showContent(server, dir, width, height);
    const vnc = launch('x11vnc', args);
    owned.unshift(vnc.child);
    server.pid = vnc.child.pid!;
    await waitFor('x11vnc to answer with an RFB banner', 20_000, () => readBanner(port), vnc.stderr);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** ANSI escape sequences the monitor mixes into its echo. */
const TERMINAL_CONTROL = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

/** A human-monitor client over a UNIX socket; each command returns what QEMU printed. */
async function openMonitor(path: string): Promise<(command: string) => Promise<string>> {
  const socket = await waitFor(
    'the QEMU monitor socket',
    15_000,
    () =>
      new Promise<net.Socket | undefined>((done) => {
        const s = net.connect(path);
        s.once('connect', () => done(s));
        s.once('error', () => done(undefined));
      }),
  );
  let buffer = '';
  let waiting: ((text: string) => void) | undefined;
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    const at = buffer.indexOf('(qemu) ');
    if (at >= 0 && waiting) {
      const text = buffer.slice(0, at);
      buffer = buffer.slice(at + 7);
      const w = waiting;
      waiting = undefined;
      w(text);
    }
  });
  const next = () => new Promise<string>((done) => (waiting = done));
  await next(); // the greeting
  let queue = Promise.resolve('');
  return (command: string) => {
    queue = queue.then(async () => {
      const answer = next();
      socket.write(`${command}\n`);
      // The monitor echoes the command line first; drop it and terminal control codes.
      return (await answer).replace(TERMINAL_CONTROL, '').split(/\r?\n/).slice(1).join('\n').trim();
    });
    return queue;
  };
}

/**
 * QEMU's built-in VNC server on a diskless VM (no network either): it shows the firmware's
 * boot messages; once they stop changing the VM is paused so the picture holds still.
 */
export async function startQemu(options: ServerOptions): Promise<QemuServer> {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-qemu-'));
  const monitorPath = join(dir, 'monitor.sock');
  const port = options.port ?? (await freePort());
  const vnc = `${HOST}:${port - 5900}${options.security === 'vncauth' ? ',password=on' : ''}${options.lossy ? ',lossy=on' : ''}${(options.vncOptions ?? []).map((o) => `,${o}`).join('')}`;
  const { child, stderr } = launch('qemu-system-x86_64', [
    '-display',
    'none',
    '-vnc',
    vnc,
    '-nic',
    'none',
    '-m',
    '64',
    '-monitor',
    `unix:${monitorPath},server,nowait`,
    ...(options.qemuArgs ?? []),
  ]);
  let monitor: (command: string) => Promise<string>;
  const server: QemuServer = {
    kind: 'qemu',
    host: HOST,
    port,
    target: `${HOST}::${port}`,
    password: options.password,
    pid: child.pid!,
    monitor: (command) => monitor(command),
    log: stderr,
    truth: async () => {
      const file = join(dir, `screen-${Date.now()}.ppm`);
      await monitor(`screendump ${file}`);
      const image = await waitFor('the screendump file', 5000, async () => {
        try {
          return parsePpm(readFileSync(file));
        } catch {
          return undefined;
        }
      });
      rmSync(file, { force: true });
      return image;
    },
    kill: () => killGroup(child, 'SIGKILL'),
    stop: async () => {
      live.delete(server);
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(server);
  try {
    monitor = await openMonitor(monitorPath);
    if (options.security === 'vncauth') {
      const answer = await monitor(`set_password vnc ${options.password ?? ''}`);
      if (answer) throw new Error(`QEMU refused the VNC password: ${answer}`);
    }
    await waitFor('QEMU to answer with an RFB banner', 15_000, () => readBanner(port), stderr);
    // Let the firmware print its boot messages, pause the VM, then wait for a still picture
    // (the text cursor blinks on the VM's clock, so it stops with it).
    await waitFor('the firmware to print its boot messages', 30_000, async () => {
      const image = await server.truth();
      let light = 0;
      for (let i = 0; i < image.data.length; i += 4) if (image.data[i] > 128) light++;
      // A paused VM shows all of the firmware's messages; a running one may be waiting at its first lines.
      return light > (options.running ? 300 : 2000) ? true : undefined;
    });
    if (!options.running) {
      await sleep(2500);
      await monitor('stop');
      await settle(() => server.truth(), 15_000);
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/**
 * QEMU running and waiting in SeaBIOS's boot menu prompt (for 65 s), with a virtio-gpu display:
 * the firmware polls the keyboard there (so it reacts to keys and sets the lock lights), and
 * virtio-gpu forwards SetDesktopSize to the guest (status 4; the default VGA answers 3).
 */
export function startQemuInBootMenu(): Promise<QemuServer> {
  return startQemu({
    security: 'none',
    running: true,
    qemuArgs: ['-vga', 'virtio', '-boot', 'menu=on,splash-time=65000'],
  });
}

/** Starts a server of `kind`, trying again (up to 3 times) when a start fails, as one can on a busy machine. */
export async function startServer(kind: ServerKind, options: ServerOptions): Promise<VncServer> {
  const start = { xvnc: startXvnc, x11vnc: startX11vnc, qemu: startQemu }[kind];
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await start(options);
    } catch (error) {
      failures.push(`attempt ${attempt}: ${(error as Error).message}`);
    }
  }
  throw new Error(`could not start ${kind}:\n${failures.join('\n')}`);
}

export async function stopAllServers(): Promise<void> {
  for (const server of [...live]) await server.stop();
}
