import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runSessionHost } from '../../main/session/session-host.ts';
import { MemoryChannel } from '../support/memory-channel.ts';

/*
 * A server that trickles its handshake (one byte a second, the slowloris of VNC) must not hold a
 * viewer forever: the handshake time-out ends it with a clear message, however many bytes
 * arrive. Real TCP on 127.0.0.1 through the session host, as the viewer runs it.
 */

let server: net.Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** A TCP server sending `bytes` one at a time, `everyMs` apart, to each viewer. */
async function tricklingServer(bytes: Uint8Array, everyMs: number): Promise<number> {
  server = net.createServer((socket) => {
    let at = 0;
    const timer = setInterval(() => {
      if (at < bytes.length) socket.write(bytes.subarray(at, ++at));
    }, everyMs);
    socket.on('close', () => clearInterval(timer)).on('error', () => {});
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return (server.address() as net.AddressInfo).port;
}

describe('a server sending its handshake a byte a second', () => {
  it('ends with a time-out saying the server did not finish the connection, and is not retried', async () => {
    // The banner, the security types (None), the security result: 22 bytes, 22 s at this pace.
    const handshake = new Uint8Array([...new TextEncoder().encode('RFB 003.008\n'), 1, 1, 0, 0, 0, 0]);
    const port = await tricklingServer(handshake, 1000);
    const channel = new MemoryChannel();
    runSessionHost(channel, { handshakeTimeout: 3 });
    channel.post({ type: 'open', request: { target: `127.0.0.1::${port}` } });
    const closed = await channel.untilPhase('closed', 0, 20_000);
    expect(closed.error?.kind).toBe('timeout');
    expect(closed.error?.message).toBe('the server did not finish the connection within 3 s');
    expect(channel.statuses().some((s) => s.phase === 'reconnecting')).toBe(false);
  });
});
