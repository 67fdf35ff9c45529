import net from 'node:net';
import type { Duplex } from 'node:stream';

/** What one port told us: its RFB banner, its security types and, with None, its ServerInit. */
export interface VncProbe {
  host: string;
  port: number;
  /** The version the server announced, as `major.minor` ("3.8", "3.889"). */
  version: string;
  /** Offered security types (RFB 3.3: the one the server chose); empty if it refused or stalled. */
  securityTypes: number[];
  /** Desktop name and size, known only where security None let the handshake finish. */
  name?: string;
  width?: number;
  height?: number;
}

export interface ProbeTimeouts {
  /** Limit for the TCP connection to be accepted. */
  connectMs: number;
  /** Limit for the whole exchange after connecting, banner through ServerInit. */
  handshakeMs: number;
}

export const DEFAULT_PROBE_TIMEOUTS: ProbeTimeouts = { connectMs: 1000, handshakeMs: 1500 };

export const MAX_NAME_LENGTH = 64 * 1024;
const SECURITY_NONE = 1;
/** More than a handshake ever needs; a server sending more is flooding and is cut off. */
const MAX_BUFFERED = MAX_NAME_LENGTH + 4096;

/** Hands out exact byte counts from a socket's chunks; `undefined` once the socket has closed. */
class ByteReader {
  private buffered = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;

  /** False when the peer has sent more than a handshake can need. */
  push(chunk: Buffer): boolean {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.notify();
    return this.buffered.length <= MAX_BUFFERED;
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  async read(n: number): Promise<Buffer | undefined> {
    while (this.buffered.length < n) {
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const bytes = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return bytes;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

interface Connection {
  socket: Duplex;
  reader: ByteReader;
}

/**
 * Opens the byte stream to a port, or undefined when nothing accepts it within `timeoutMs`:
 * TCP by default, a forwarded channel through an SSH tunnel when scanning through one.
 */
export type PortOpener = (host: string, port: number, timeoutMs: number) => Promise<Duplex | undefined>;

export const openTcpPort: PortOpener = (host, port, timeoutMs) =>
  new Promise((done) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('error', () => {}); // 'close' follows
    socket.once('connect', () => {
      clearTimeout(timer);
      done(socket);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      done(undefined); // a no-op once connected
    });
  });

async function connect(host: string, port: number, timeoutMs: number, open: PortOpener) {
  const socket = await open(host, port, timeoutMs);
  if (socket === undefined) return undefined;
  const reader = new ByteReader();
  socket.on('data', (chunk: Buffer) => {
    if (!reader.push(chunk)) socket.destroy();
  });
  socket.on('error', () => {}); // 'close' follows and ends the reader
  socket.once('close', () => reader.end());
  return { socket, reader };
}

/**
 * Probes one port: reads the RFB banner and the security types and, where None is offered,
 * finishes the handshake as a shared viewer to read the desktop name and size, then closes.
 * Undefined when the port is closed, silent, or not speaking RFB; never rejects.
 */
export async function probeVncPort(
  host: string,
  port: number,
  timeouts: ProbeTimeouts = DEFAULT_PROBE_TIMEOUTS,
  open: PortOpener = openTcpPort,
): Promise<VncProbe | undefined> {
  const connection = await connect(host, port, timeouts.connectMs, open);
  if (connection === undefined) return undefined;
  const timer = setTimeout(() => connection.socket.destroy(), timeouts.handshakeMs);
  try {
    return await handshake(connection, host, port);
  } finally {
    clearTimeout(timer);
    connection.socket.destroy();
  }
}

async function handshake({ socket, reader }: Connection, host: string, port: number) {
  // ProtocolVersion, RFC 6143 §7.1.1: exactly "RFB xxx.yyy\n".
  const banner = await reader.read(12);
  const match = banner && /^RFB (\d{3})\.(\d{3})\n$/.exec(banner.toString('latin1'));
  if (!match) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const probe: VncProbe = { host, port, version: `${major}.${minor}`, securityTypes: [] };
  if (major < 3) return probe;
  // As the session does: 3.3–3.6 speak 3.3, 3.7 is itself, 3.8 and anything newer get 3.8.
  const spoken = major === 3 && minor < 7 ? 3 : major === 3 && minor === 7 ? 7 : 8;
  socket.write(`RFB 003.00${spoken}\n`);

  if (spoken === 3) {
    // RFB 3.3 (RFC 6143 Appendix A.1): the server chooses; 0 means refused, a reason follows.
    const type = await reader.read(4);
    if (type === undefined || type.readUInt32BE(0) === 0) return probe;
    probe.securityTypes = [type.readUInt32BE(0)];
  } else {
    // RFC 6143 §7.1.2: a count and that many types; a count of 0 means refused.
    const count = await reader.read(1);
    if (count === undefined || count[0] === 0) return probe;
    const types = await reader.read(count[0]);
    if (types === undefined) return probe;
    probe.securityTypes = [...types];
    if (probe.securityTypes.includes(SECURITY_NONE)) socket.write(Uint8Array.of(SECURITY_NONE));
  }
  if (!probe.securityTypes.includes(SECURITY_NONE)) return probe;

  // SecurityResult (§7.1.3) follows None only in 3.8 (§7.2.1).
  if (spoken === 8) {
    const result = await reader.read(4);
    if (result === undefined || result.readUInt32BE(0) !== 0) return probe;
  }
  // ClientInit (§7.3.1) with shared-flag 1: the server keeps its other viewers connected.
  socket.write(Uint8Array.of(1));
  // ServerInit (§7.3.2): width, height, 16-byte pixel format, name length, name.
  const init = await reader.read(24);
  if (init === undefined) return probe;
  probe.width = init.readUInt16BE(0);
  probe.height = init.readUInt16BE(2);
  const nameLength = init.readUInt32BE(20);
  if (nameLength > MAX_NAME_LENGTH) return probe;
  const name = await reader.read(nameLength);
  if (name !== undefined) probe.name = new TextDecoder().decode(name);
  return probe;
}
