import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVncPort, type VncProbe } from '../../main/discovery/probe.ts';
import { scanHost } from '../../main/discovery/scan.ts';
import type { ServerInfo } from '../../main/rfb/session.ts';
import { openTcpSession, type TcpSession } from '../../main/rfb/transports/tcp.ts';
import { runPorthole } from '../support/cli.ts';
import { startServer, stopAllServers, type VncServer, waitFor } from '../support/servers.ts';

const HOST = '127.0.0.1';
const listeners: net.Server[] = [];
const pids: number[] = [];

afterAll(async () => {
  for (const server of listeners) server.close();
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await stopAllServers();
});

function listen(onConnection: (socket: net.Socket) => void, port = 0): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer(onConnection);
    server.once('error', fail);
    server.listen(port, HOST, () => {
      listeners.push(server);
      done((server.address() as net.AddressInfo).port);
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = net.createServer();
    server.once('error', () => done(false));
    server.listen(port, HOST, () => server.close(() => done(true)));
  });
}

/** A block of `n` consecutive free ports below the ephemeral range, so nothing else is in it. */
async function freeBlock(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await Promise.all(Array.from({ length: n }, (_, i) => portIsFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

describe('porthole scan against real servers', () => {
  // The block: Xvnc, x11vnc, QEMU, an SSH-like banner, a silent web server, a closed port.
  let base = 0;
  let xvnc: VncServer;
  let x11vnc: VncServer;
  let qemu: VncServer;
  const range = () => `${base}-${base + 5}`;

  beforeAll(async () => {
    base = await freeBlock(6);
    [xvnc, x11vnc, qemu] = await Promise.all([
      startServer('xvnc', { security: 'none', geometry: [800, 600], port: base }),
      startServer('x11vnc', { security: 'none', geometry: [640, 480], port: base + 1 }),
      startServer('qemu', { security: 'vncauth', password: 'scan-pw', port: base + 2 }),
    ]);
    await listen((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'), base + 3);
    const http = spawn('/usr/bin/python3', ['-m', 'http.server', String(base + 4), '--bind', HOST], {
      detached: true,
      stdio: 'ignore',
    });
    pids.push(http.pid!);
    await waitFor('the web server to listen', 10_000, async () =>
      (await portIsFree(base + 4)) ? undefined : true,
    );
  }, 240_000);

  const expectFound = (found: Omit<VncProbe, 'host'>[], names: Map<number, string>) => {
    expect(found.map((p) => p.port)).toEqual([base, base + 1, base + 2]);
    const [x, x11, q] = found;
    expect(x).toMatchObject({ version: '3.8', securityTypes: [1], width: 800, height: 600 });
    expect(x11).toMatchObject({ securityTypes: [1], width: 640, height: 480 });
    expect(x11.version).toMatch(/^3\.[378]$/);
    expect(q).toEqual({ host: HOST, port: qemu.port, version: '3.8', securityTypes: [2] });
    // The names a full viewer session is given.
    expect(x.name).toBe(names.get(xvnc.port));
    expect(x11.name).toBe(names.get(x11vnc.port));
    expect(x.name).not.toBe('');
  };

  it('finds exactly the three VNC servers, with versions, security types, names and sizes; viewers stay', async () => {
    // Viewers already connected (shared), as on a host where someone is at a console.
    const names = new Map<number, string>();
    const viewers: TcpSession[] = [];
    for (const server of [xvnc, x11vnc]) {
      viewers.push(
        openTcpSession(
          HOST,
          server.port,
          { colourLevel: 'full' },
          {
            onServerInit: (info: ServerInfo) => names.set(server.port, info.name),
          },
        ),
      );
    }
    try {
      await waitFor('the viewers to connect', 15_000, async () =>
        viewers.every((v) => v.session.state === 'connected') ? true : undefined,
      );
      const started = Date.now();
      const found = await scanHost(HOST, { from: base, to: base + 5 });
      // The silent web server costs one handshake limit (1.5 s), not more.
      expect(Date.now() - started).toBeLessThan(5000);
      expectFound(found, names);

      const r = await runPorthole(['scan', HOST, '--ports', range(), '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      const json = JSON.parse(r.stdout) as VncProbe[];
      expectFound(json, names);
      for (const p of json) expect(p.host).toBe(HOST);

      const table = await runPorthole(['scan', HOST, '--ports', range()]);
      expect(table.code, table.stderr).toBe(0);
      const lines = table.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^PORT\s+VERSION\s+SECURITY\s+NAME\s+SIZE$/);
      expect(lines.slice(1).map((l) => Number(l.split(/\s+/)[0]))).toEqual([base, base + 1, base + 2]);
      expect(lines[1]).toMatch(/\s3\.8\s+None \(1\)\s.*\s800x600$/);
      expect(lines[3]).toMatch(/\s3\.8\s+VNC Authentication \(2\)\s+-\s+-$/);

      // The probes connected with shared-flag 1: the viewers are still there, still served.
      await new Promise((r) => setTimeout(r, 500));
      for (const v of viewers) expect(v.session.state).toBe('connected');
    } finally {
      for (const v of viewers) v.session.close();
    }
  });

  it('nothing found: exit 0, an empty array with --json, a message on stderr otherwise', async () => {
    const json = await runPorthole(['scan', HOST, '--ports', `${base + 3}-${base + 5}`, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    const table = await runPorthole(['scan', HOST, '--ports', `${base + 5}`]);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe('');
    expect(table.stderr).toBe(`porthole: no VNC servers found on ${HOST} ports ${base + 5}–${base + 5}\n`);
  });

  it('usage and resolution errors', async () => {
    const cases: [string[], number, RegExp][] = [
      [['scan'], 1, /"scan" takes <host>/],
      [['scan', HOST, '--ports', '6000-5900'], 1, /first port is greater than the last/],
      [['scan', HOST, '--ports', '1-2000'], 1, /2000 ports, more than the 1024/],
      [['scan', HOST, '--ports', 'vnc'], 1, /--ports needs a range A-B/],
      [['scan', HOST, '--timeout', '0'], 1, /--timeout needs a positive number/],
      [['scan', 'no-such-host.invalid'], 2, /could not be resolved/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runPorthole(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});

/** A scripted server: `script` gets a reader of exact byte counts and the socket. */
async function scripted(
  script: (read: (n: number) => Promise<Buffer>, socket: net.Socket) => Promise<void>,
): Promise<number> {
  return listen((socket) => {
    let buffered = Buffer.alloc(0);
    let wake = () => {};
    socket.on('data', (d) => {
      buffered = Buffer.concat([buffered, d]);
      wake();
    });
    socket.on('error', () => {});
    const read = async (n: number) => {
      while (buffered.length < n) await new Promise<void>((r) => (wake = r));
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      return out;
    };
    script(read, socket).catch(() => socket.destroy());
  });
}

function serverInit(width: number, height: number, name: Buffer, nameLength = name.length): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt16BE(width, 0);
  head.writeUInt16BE(height, 2);
  head.writeUInt32BE(nameLength, 20);
  return Buffer.concat([head, name]);
}

const FAST = { connectMs: 500, handshakeMs: 400 };

describe('probeVncPort on the protocol edges (scripted servers)', () => {
  it('RFB 3.3 with None: answers 3.3, no SecurityResult, ClientInit shared=1, reads ServerInit', async () => {
    const seen: string[] = [];
    const port = await scripted(async (read, socket) => {
      socket.write('RFB 003.003\n');
      seen.push((await read(12)).toString('latin1'));
      socket.write(Buffer.from([0, 0, 0, 1]));
      seen.push(`client-init ${(await read(1))[0]}`);
      socket.write(serverInit(320, 200, Buffer.from('три-three', 'utf8')));
    });
    expect(await probeVncPort(HOST, port, FAST)).toEqual({
      host: HOST,
      port,
      version: '3.3',
      securityTypes: [1],
      name: 'три-three',
      width: 320,
      height: 200,
    });
    expect(seen).toEqual(['RFB 003.003\n', 'client-init 1']);
  });

  it('3.7 with None: chooses None, no SecurityResult; 3.5 is answered as 3.3', async () => {
    const port = await scripted(async (read, socket) => {
      socket.write('RFB 003.007\n');
      expect((await read(12)).toString('latin1')).toBe('RFB 003.007\n');
      socket.write(Buffer.from([2, 2, 1]));
      expect([...(await read(2))]).toEqual([1, 1]); // None, then ClientInit shared=1
      socket.write(serverInit(100, 50, Buffer.from('seven')));
    });
    expect(await probeVncPort(HOST, port, FAST)).toMatchObject({
      version: '3.7',
      securityTypes: [2, 1],
      name: 'seven',
    });

    let reply = '';
    const old = await scripted(async (read, socket) => {
      socket.write('RFB 003.005\n');
      reply = (await read(12)).toString('latin1');
      socket.write(Buffer.from([0, 0, 0, 2]));
    });
    expect(await probeVncPort(HOST, old, FAST)).toEqual({
      host: HOST,
      port: old,
      version: '3.5',
      securityTypes: [2],
    });
    expect(reply).toBe('RFB 003.003\n');
  });

  it("Apple's 3.889 and 5.0 are answered as 3.8; their types are listed, not chosen", async () => {
    for (const banner of ['RFB 003.889\n', 'RFB 005.000\n']) {
      let reply = '';
      let after = 0;
      const port = await scripted(async (read, socket) => {
        socket.write(banner);
        reply = (await read(12)).toString('latin1');
        socket.write(Buffer.from([2, 30, 2]));
        socket.on('data', (d) => {
          after += d.length;
        });
      });
      const probe = await probeVncPort(HOST, port, FAST);
      expect(probe?.securityTypes).toEqual([30, 2]);
      expect(probe?.name).toBeUndefined();
      expect(reply).toBe('RFB 003.008\n');
      expect(after).toBe(0);
    }
  });

  it('refusals, stalls, floods and oversized names yield what is known, within the limits', async () => {
    const refused = await scripted(async (read, socket) => {
      socket.write('RFB 003.008\n');
      await read(12);
      socket.end(Buffer.concat([Buffer.from([0, 0, 0, 0, 4]), Buffer.from('busy')]));
    });
    expect(await probeVncPort(HOST, refused, FAST)).toMatchObject({ version: '3.8', securityTypes: [] });

    const stalls = await scripted(async (_read, socket) => {
      socket.write('RFB 003.008\n');
    });
    let started = Date.now();
    expect(await probeVncPort(HOST, stalls, FAST)).toMatchObject({ version: '3.8', securityTypes: [] });
    expect(Date.now() - started).toBeLessThan(1500);

    const huge = await scripted(async (read, socket) => {
      socket.write('RFB 003.008\n');
      await read(12);
      socket.write(Buffer.from([1, 1]));
      await read(1);
      socket.write(Buffer.from([0, 0, 0, 0]));
      await read(1);
      socket.write(serverInit(1024, 768, Buffer.alloc(0), 100_000_000));
    });
    // The engine refuses a ServerInit announcing a 100 MB name as a whole: no name, no size.
    const probe = await probeVncPort(HOST, huge, FAST);
    expect(probe).toEqual({ host: HOST, port: huge, version: '3.8', securityTypes: [1] });

    const flood = await scripted(async (_read, socket) => {
      socket.write('RFB 003.008\n');
      const junk = Buffer.alloc(1 << 20, 7);
      for (let i = 0; i < 16 && !socket.destroyed; i++) socket.write(junk);
    });
    started = Date.now();
    expect(await probeVncPort(HOST, flood, FAST)).toMatchObject({ securityTypes: [7, 7, 7, 7, 7, 7, 7] });
    expect(Date.now() - started).toBeLessThan(1500);

    const silent = await scripted(async () => {});
    expect(await probeVncPort(HOST, silent, FAST)).toBeUndefined();
    const ssh = await scripted(async (_read, socket) => {
      socket.end('SSH-2.0-OpenSSH_9.2\r\n');
    });
    expect(await probeVncPort(HOST, ssh, FAST)).toBeUndefined();
    const short = await scripted(async (_read, socket) => {
      socket.end('RFB 003.0');
    });
    expect(await probeVncPort(HOST, short, FAST)).toBeUndefined();
  });
});
