/**
 * Measures TigerVNC's C++ decoders on a recording: a loopback server plays the recording to a
 * real `vncviewer` (pinned to one core, drawing into Xvfb) as fast as it reads, and the
 * viewer's CPU time from /proc is taken over the stream. That time includes reading the socket
 * and drawing as well as decoding, so it flatters TigerVNC's figure less than it flatters ours.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { readFbs } from '../../main/rfb/recording/fbs.ts';
import { freePort, waitFor } from '../support/servers.ts';

const TICKS_PER_SECOND = 100;

/** utime + stime of a process and its threads, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function startXvfb(width: number, height: number): Promise<{ child: ChildProcess; display: number }> {
  const child = spawn(
    'Xvfb',
    ['-displayfd', '3', '-noreset', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    },
  );
  return new Promise((done, fail) => {
    let text = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      text += d;
      if (text.includes('\n')) done({ child, display: Number(text.trim()) });
    });
    child.once('exit', (code) => fail(new Error(`Xvfb exited with ${code}`)));
  });
}

/** Splits a Porthole recording's stream into its handshake steps and the message stream. */
function splitStream(stream: Uint8Array) {
  const nameLength = new DataView(stream.buffer, stream.byteOffset).getUint32(18 + 20);
  const initEnd = 18 + 24 + nameLength;
  return {
    version: stream.subarray(0, 12),
    securityTypes: stream.subarray(12, 14),
    securityResult: stream.subarray(14, 18),
    serverInit: stream.subarray(18, initEnd),
    messages: stream.subarray(initEnd),
    width: (stream[18] << 8) | stream[19],
    height: (stream[20] << 8) | stream[21],
  };
}

export interface TigerVncResult {
  cpuSeconds: number;
  wallSeconds: number;
}

/** Plays the recording at `path` to vncviewer and returns its CPU time over the message stream. */
export async function replayWithTigerVnc(path: string, encoding: string): Promise<TigerVncResult> {
  const stream = Buffer.concat(readFbs(readFileSync(path)).map((b) => b.data));
  const parts = splitStream(stream);
  const xvfb = await startXvfb(parts.width, parts.height);
  const port = await freePort();
  let viewer: ChildProcess | undefined;
  const server = net.createServer();
  try {
    const result = new Promise<TigerVncResult>((done, fail) => {
      server.on('connection', (socket) => {
        socket.setNoDelay(true);
        let fromClient = Buffer.alloc(0);
        let step = 0;
        let start = 0;
        let cpuStart = 0;
        const pid = viewer!.pid!;
        // The idle polls at the end are not the viewer's work: take the wall time up to the last change.
        const finish = (cpu: number) =>
          done({ cpuSeconds: cpu - cpuStart, wallSeconds: (performance.now() - start) / 1000 - 0.3 });
        socket.write(parts.version);
        socket.on('error', fail);
        socket.on('data', (chunk) => {
          fromClient = Buffer.concat([fromClient, chunk]);
          // The handshake, paced like a server: version, security type, ClientInit.
          if (step === 0 && fromClient.length >= 12) {
            fromClient = fromClient.subarray(12);
            socket.write(parts.securityTypes);
            step = 1;
          }
          if (step === 1 && fromClient.length >= 1) {
            fromClient = fromClient.subarray(1);
            socket.write(parts.securityResult);
            step = 2;
          }
          if (step === 2 && fromClient.length >= 1) {
            fromClient = fromClient.subarray(1);
            socket.write(parts.serverInit);
            step = 3;
            start = performance.now();
            cpuStart = cpuSeconds(pid);
            socket.write(parts.messages);
            // Done when every byte has left our side and the viewer's CPU time stops growing.
            let last = -1;
            let idle = 0;
            const poll = setInterval(() => {
              const now = cpuSeconds(pid);
              idle = socket.writableLength === 0 && now === last ? idle + 1 : 0;
              last = now;
              if (idle >= 3) {
                clearInterval(poll);
                finish(now);
              }
            }, 100);
          }
        });
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    viewer = spawn(
      'taskset',
      [
        '-c',
        '0',
        'vncviewer',
        '-AutoSelect=0',
        `-PreferredEncoding=${encoding}`,
        '-FullColor=1',
        '-Shared=1',
        `127.0.0.1::${port}`,
      ],
      { detached: true, stdio: 'ignore', env: { ...process.env, DISPLAY: `:${xvfb.display}` } },
    );
    return await waitFor('vncviewer to draw every update', 120_000, async () => {
      const settled = await Promise.race([
        result,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 500)),
      ]);
      return settled;
    });
  } finally {
    server.close();
    for (const child of [viewer, xvfb.child]) {
      try {
        if (child?.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}
