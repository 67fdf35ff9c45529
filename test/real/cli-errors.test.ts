import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPorthole, tempDir } from '../support/cli.ts';
import { freePort } from '../support/servers.ts';

async function waitForPort(port: number, child: ChildProcess, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((done) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listened on port ${port} within ${deadlineMs} ms`);
}

const children: ChildProcess[] = [];
function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}

afterAll(() => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

describe('porthole reports what went wrong, with the right exit code', () => {
  let httpPort = 0;
  let sshPort = 0;

  beforeAll(async () => {
    httpPort = await freePort();
    const http = start('/usr/bin/python3', ['-m', 'http.server', String(httpPort), '--bind', '127.0.0.1']);
    sshPort = await freePort();
    const dir = tempDir('porthole-sshd-');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    mkdirSync('/run/sshd', { recursive: true });
    const sshd = start('/usr/sbin/sshd', [
      '-D',
      '-e',
      '-f',
      '/dev/null',
      '-h',
      join(dir, 'host_key'),
      '-p',
      String(sshPort),
      '-o',
      'ListenAddress=127.0.0.1',
      '-o',
      'PidFile=none',
    ]);
    await waitForPort(httpPort, http);
    await waitForPort(sshPort, sshd);
  });

  it('closed port: exit 2, "nothing is listening", and what to check', async () => {
    const port = await freePort();
    const r = await runPorthole(['snapshot', `127.0.0.1::${port}`, join(tempDir(), 'x.png')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing is listening on 127\.0\.0\.1 port \d+ \(connection refused\)/);
    expect(r.stderr).toMatch(/5900\+N/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an SSH server on the port: exit 4, "not a VNC server" with what it sent', async () => {
    const r = await runPorthole(['snapshot', `127.0.0.1::${sshPort}`, join(tempDir(), 'x.png')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/this is not a VNC server: it sent "SSH-2\.0-/);
  });

  it('a web server on the port (silent until asked): exit 5 after --timeout, saying so', async () => {
    const r = await runPorthole([
      'snapshot',
      `127.0.0.1::${httpPort}`,
      join(tempDir(), 'x.png'),
      '--timeout',
      '1.5',
    ]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/no VNC greeting within 1\.5 s/);
  });

  it('usage errors: exit 1 with the reason', async () => {
    const cases: [string[], RegExp][] = [
      [[], /no command given/],
      [['snapshot', 'host:1'], /takes <target> <out\.png>/],
      [['snapshot', 'host:abc', 'x.png'], /not a display or port number/],
      [['snapshot', 'host:1', 'x.png', '--encodings', 'raw,tightish'], /unknown encoding "tightish"/],
      [['snapshot', 'host:1', 'x.png', '--color-level', 'pal16'], /unknown colour level "pal16"/],
      [
        ['snapshot', 'host:1', 'x.png', '--timeout', 'soon'],
        /--timeout needs a positive number of seconds, not "soon"/,
      ],
      [
        ['snapshot', 'host:1', 'x.png', '--password-file', '/nonexistent/pw'],
        /cannot read the password file/,
      ],
      [['record', 'host:1', 'x.fbs'], /record needs --seconds N/],
      [['replay', '/nonexistent.fbs'], /cannot read the recording/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['snapshot', 'host:1', 'x.png', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await runPorthole(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('a file that is not a recording: exit 1 naming what it starts with', async () => {
    const path = join(tempDir(), 'not.fbs');
    writeFileSync(path, 'hello world, not a recording\n');
    const r = await runPorthole(['replay', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not an FBS 001\.000 recording: it starts with "hello world,"/);
  });
});
