import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Encoding, VIEWER_PSEUDO_ENCODINGS } from '../../../main/rfb/constants.ts';
import { runSessionHost } from '../../../main/session/session-host.ts';
import { MemoryChannel } from '../../support/memory-channel.ts';
import { SERVER_FORMAT, serverInit, updateHeader } from '../../support/scripted-server.ts';

/** What a viewer told the scripted server on one connection. */
interface Seen {
  encodings: number[];
  bitsPerPixel: number[];
}

/**
 * A real TCP server speaking RFB 3.8 with security None. `misbehave(n)` says whether
 * connection n (from 1) answers its first update request with an unknown message type.
 */
async function scriptedServer(misbehave: (connection: number) => boolean) {
  const connections: Seen[] = [];
  const server = net.createServer((socket) => {
    const n = connections.length + 1;
    const seen: Seen = { encodings: [], bitsPerPixel: [] };
    connections.push(seen);
    let buffer = Buffer.alloc(0);
    let stage = 0;
    socket.write('RFB 003.008\n');
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (stage === 0 && buffer.length >= 12) {
          buffer = buffer.subarray(12);
          socket.write(Uint8Array.of(1, 1));
          stage = 1;
        } else if (stage === 1 && buffer.length >= 1) {
          buffer = buffer.subarray(1);
          socket.write(Uint8Array.of(0, 0, 0, 0));
          stage = 2;
        } else if (stage === 2 && buffer.length >= 1) {
          buffer = buffer.subarray(1);
          socket.write(serverInit(16, 8, SERVER_FORMAT, 'scripted').build());
          stage = 3;
        } else if (stage === 3 && buffer.length >= 1) {
          const type = buffer[0];
          const need =
            type === 0
              ? 20
              : type === 2
                ? 4 + 4 * (buffer.length >= 4 ? buffer.readUInt16BE(2) : 0)
                : type === 3
                  ? 10
                  : type === 4
                    ? 8
                    : type === 5
                      ? 6
                      : 12;
          if (buffer.length < need || (type === 2 && buffer.length < 4)) return;
          if (type === 0) seen.bitsPerPixel.push(buffer[4]);
          if (type === 2) for (let i = 4; i < need; i += 4) seen.encodings.push(buffer.readInt32BE(i));
          if (type === 3) {
            if (misbehave(n)) socket.write(Uint8Array.of(0x77, 1, 2, 3));
            else socket.write(updateHeader(0).build());
          }
          buffer = buffer.subarray(need);
        } else {
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { target: `127.0.0.1::${port}`, connections, close: () => server.close() };
}

/** The encodings asked for, without pseudo-encodings (some, like VMware's 0x574d5669, are positive). */
const realEncodings = (seen: Seen) =>
  seen.encodings.filter((e) => e >= 0 && !(VIEWER_PSEUDO_ENCODINGS as readonly number[]).includes(e));

/** Waits until the scripted server has read the viewer's SetEncodings on connection `n`. */
async function encodingsOf(connections: Seen[], n: number): Promise<Seen> {
  const end = Date.now() + 5000;
  while (!(connections[n - 1]?.encodings.length > 0)) {
    if (Date.now() > end) throw new Error(`connection ${n} sent no SetEncodings`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return connections[n - 1];
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('recovery in safe mode', () => {
  it('after an unknown message type, reconnects once by itself with full colour and four encodings, and says so', async () => {
    const server = await scriptedServer((n) => n === 1);
    stop = server.close;
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target, colourLevel: 'rgb222', quality: 'low' } });
    await channel.untilPhase('connected');
    const connected = await channel.untilPhase(
      'connected',
      channel.received.findIndex((m) => m.type === 'status' && m.status.phase === 'connected') + 1,
    );
    expect(server.connections).toHaveLength(2);
    expect(connected.safeMode).toMatch(/message type 119 \(0x77\)/);
    expect(connected.safeMode).toMatch(/full colour, encodings Raw, CopyRect, Hextile and ZRLE only/);
    const first = await encodingsOf(server.connections, 1);
    const second = await encodingsOf(server.connections, 2);
    expect(first.bitsPerPixel).toEqual([8]);
    expect(realEncodings(first)[0]).toBe(Encoding.CopyRect);
    expect(realEncodings(first)).toContain(Encoding.Tight);
    expect(second.bitsPerPixel).toEqual([32]);
    expect(realEncodings(second)).toEqual([Encoding.CopyRect, Encoding.ZRLE, Encoding.Hextile, Encoding.Raw]);
    expect(channel.received.filter((m) => m.type === 'settings').at(-1)).toMatchObject({
      colourLevel: 'full',
    });

    // A colour level chosen by hand ends safe mode: that level and the quality's encodings again.
    const encodingsBefore = second.encodings.length;
    channel.post({ type: 'colour-level', level: 'rgb565' });
    const end = Date.now() + 5000;
    // The encodings go out at once; the pixel format only once no update is outstanding.
    while (
      (second.encodings.length === encodingsBefore || second.bitsPerPixel.length < 2) &&
      Date.now() < end
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(second.bitsPerPixel).toEqual([32, 16]);
    expect(second.encodings.slice(encodingsBefore).filter((e) => e >= 0)[1]).toBe(Encoding.Tight);
    channel.close();
  });

  it('when not allowed to do it by itself, offers it; the user’s reconnect in safe mode gets past', async () => {
    const server = await scriptedServer((n) => n === 1);
    stop = server.close;
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target, safeModeReconnect: false } });
    const closed = await channel.untilPhase('closed');
    expect(closed.safeModeOffered).toBe(true);
    expect(closed.error?.kind).toBe('protocol');
    expect(closed.error?.message).toMatch(/message type 119/);
    expect(closed.error?.hint).toMatch(/safe mode/);
    const mark = channel.received.length;
    channel.post({ type: 'reconnect', safeMode: true });
    const connected = await channel.untilPhase('connected', mark);
    expect(connected.safeMode).toMatch(/asked for by the user/);
    expect(realEncodings(await encodingsOf(server.connections, 2))).toEqual([
      Encoding.CopyRect,
      Encoding.ZRLE,
      Encoding.Hextile,
      Encoding.Raw,
    ]);
    channel.close();
  });

  it('does not loop: a server that fails in safe mode too ends with its error after two connections', async () => {
    const server = await scriptedServer(() => true);
    stop = server.close;
    const channel = new MemoryChannel();
    runSessionHost(channel);
    channel.post({ type: 'open', request: { target: server.target } });
    const closed = await channel.untilPhase('closed');
    expect(closed.error?.message).toMatch(/message type 119/);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.connections).toHaveLength(2);
  });
});
