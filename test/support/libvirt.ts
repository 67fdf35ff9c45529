import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, tempDir } from './cli.ts';
import { settle, stopProcess, waitFor } from './servers.ts';
import { ensureTestUser, SSH_USER } from './sshd.ts';
import { type Image, readPng } from './truth.ts';

/**
 * A libvirt daemon of the tests' own: `libvirtd` in session mode run as SSH_USER (the user the
 * test sshd lets in), with its configuration, state and socket under a temporary directory,
 * so it never meets the machine's own libvirt. Its URI names the socket:
 * `qemu+unix:///session?socket=…`. QEMU runs its domains with TCG (no /dev/kvm needed).
 */
export interface LibvirtDaemon {
  uri: string;
  /** Runs virsh against it as SSH_USER. */
  virsh(...args: string[]): Promise<CliResult>;
  /**
   * Defines a diskless, networkless TCG domain with VNC on 127.0.0.1 (autoport), or with
   * SPICE only, or with no graphics at all.
   */
  define(name: string, graphics?: 'vnc' | 'spice' | 'none'): Promise<void>;
  /** libvirt's own picture of a domain's screen (`virsh screenshot`, converted with ImageMagick). */
  screenshot(name: string): Promise<Image>;
  /** Starts a domain, lets its firmware print, pauses it and returns the still picture. */
  startStill(name: string): Promise<Image>;
  /** Stops every domain, then the daemon and the virtlogd it started, by their PIDs. */
  stop(): Promise<void>;
  log(): string;
}

export async function startLibvirt(): Promise<LibvirtDaemon> {
  ensureTestUser();
  const uid = Number(execFileSync('id', ['-u', SSH_USER], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', SSH_USER], { encoding: 'utf8' }));
  const dir = tempDir('porthole-libvirt-');
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  const run = join(home, 'run');
  for (const sub of [home, run]) {
    mkdirSync(sub, { recursive: true });
    chownSync(sub, uid, gid);
  }
  chmodSync(run, 0o700);
  const env = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: home,
    XDG_RUNTIME_DIR: run,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_DATA_HOME: join(home, 'data'),
    LC_ALL: 'C',
  };
  const uri = `qemu+unix:///session?socket=${join(run, 'libvirt', 'libvirt-sock')}`;
  const libvirtd: ChildProcess = spawn('libvirtd', [], {
    uid,
    gid,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  libvirtd.stderr?.on('data', (d) => {
    log = (log + d).slice(-16_000);
  });
  const virsh = (...args: string[]) =>
    new Promise<CliResult>((done) => {
      execFile('virsh', ['-c', uri, ...args], { uid, gid, env, cwd: home }, (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  /** Every process libvirt started (virtlogd, QEMU) by the PID files under its runtime directory. */
  const pidFiles = () => {
    const found: string[] = [];
    const walk = (at: string) => {
      for (const entry of readdirSync(at, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(at, entry.name));
        else if (entry.name.endsWith('.pid')) found.push(join(at, entry.name));
      }
    };
    walk(run);
    return found;
  };
  const stop = async () => {
    const listed = await virsh('list', '--name');
    for (const name of listed.stdout.split('\n').filter(Boolean)) await virsh('destroy', name);
    await stopProcess(libvirtd);
    const pids = pidFiles()
      .map((file) => Number(readFileSync(file, 'utf8').trim()))
      .filter((pid) => pid > 1 && pid !== process.pid);
    const signal = (pid: number, name: NodeJS.Signals | 0) => {
      try {
        process.kill(pid, name);
        return true;
      } catch {
        return false;
      }
    };
    for (const pid of pids) signal(pid, 'SIGTERM');
    await waitFor('libvirt helpers to exit', 5000, async () =>
      pids.some((pid) => signal(pid, 0)) ? undefined : true,
    ).catch(() => {
      for (const pid of pids) signal(pid, 'SIGKILL');
    });
  };
  try {
    await waitFor(
      'libvirtd to answer',
      20_000,
      async () => ((await virsh('version')).code === 0 ? true : undefined),
      () => log,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const daemon: LibvirtDaemon = {
    uri,
    virsh,
    define: async (name, graphics = 'vnc') => {
      const devices = {
        vnc: `<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>`,
        spice: `<graphics type='spice' autoport='yes' listen='127.0.0.1'/>
    <video><model type='vga'/></video>`,
        none: `<video><model type='none'/></video>`,
      }[graphics];
      const file = join(home, `${name}.xml`);
      writeFileSync(
        file,
        `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    ${devices}
  </devices>
</domain>
`,
        { mode: 0o644 },
      );
      const result = await virsh('define', file);
      if (result.code !== 0) throw new Error(`virsh define ${name}: ${result.stderr}`);
    },
    screenshot: async (name) => {
      const raw = join(home, `${name}-${Date.now()}.screen`);
      const result = await virsh('screenshot', name, raw);
      if (result.code !== 0) throw new Error(`virsh screenshot ${name}: ${result.stderr}`);
      const png = `${raw}.png`;
      execFileSync('convert', [raw, `png24:${png}`]);
      return readPng(png);
    },
    startStill: async (name) => {
      const started = await virsh('start', name);
      if (started.code !== 0) throw new Error(`virsh start ${name}: ${started.stderr}`);
      await waitFor('the firmware to print its messages', 60_000, async () => {
        const image = await daemon.screenshot(name);
        let light = 0;
        for (let i = 0; i < image.data.length; i += 4) if (image.data[i] > 128) light++;
        return light > 2000 ? true : undefined;
      });
      await virsh('suspend', name);
      return settle(() => daemon.screenshot(name), 20_000);
    },
    stop,
    log: () => log,
  };
  return daemon;
}
