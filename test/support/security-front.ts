import net from 'node:net';
import type { StreamCipher } from '../../main/rfb/security/handler.ts';

/** Reads exact byte counts from a socket, for a server written as straight-line async code. */
export class SocketReader {
  private buffered = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private ended = false;
  private readonly socket: net.Socket;
  private readonly onData = (data: Buffer) => {
    this.buffered = Buffer.concat([this.buffered, data]);
    this.wake?.();
  };

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.buffered.length < n) {
      if (this.ended)
        throw new Error(`the client closed the connection while the server waited for ${n} bytes`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const bytes = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return new Uint8Array(bytes);
  }

  /** Stops reading; what arrived beyond the last read. */
  detach(): Buffer {
    this.socket.removeListener('data', this.onData);
    return this.buffered;
  }
}

export interface ServerIo {
  read(n: number): Promise<Uint8Array>;
  write(bytes: Uint8Array): void;
}

/** The server side of one security type, as a scripted front runs it after the client chose it. */
export interface ServerSecurity {
  type: number;
  /** Whether the credentials were right, and the cipher for the rest of the session, if any. */
  run(io: ServerIo): Promise<{ accepted: boolean; cipher?: StreamCipher }>;
}

export interface SecurityFront {
  port: number;
  target: string;
  /** What each connection's security step ended with ('accepted', 'rejected', or the error). */
  outcomes: string[];
  close(): Promise<void>;
}

/**
 * A scripted VNC server (on `port`, any free one by default) for security types no server on this machine speaks: it runs the RFB
 * 3.8 handshake with `security` itself, then connects to a real server offering None
 * (`backend`, e.g. Xvnc) and relays the rest of the session, through the type's cipher if it
 * has one. The picture the client gets is the real server's.
 */
export function startSecurityFront(
  security: ServerSecurity,
  backend: { host: string; port: number },
  port = 0,
): Promise<SecurityFront> {
  const outcomes: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    serve(client, security, backend).then(
      (outcome) => outcomes.push(outcome),
      (error: Error) => {
        outcomes.push(error.message);
        client.destroy();
      },
    );
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const listening = (server.address() as net.AddressInfo).port;
      resolve({
        port: listening,
        target: `127.0.0.1::${listening}`,
        outcomes,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

async function serve(
  client: net.Socket,
  security: ServerSecurity,
  backend: { host: string; port: number },
): Promise<string> {
  const reader = new SocketReader(client);
  const io: ServerIo = { read: (n) => reader.read(n), write: (bytes) => client.write(bytes) };
  client.write('RFB 003.008\n');
  await reader.read(12);
  client.write(Uint8Array.of(1, security.type));
  const chosen = (await reader.read(1))[0];
  if (chosen !== security.type) throw new Error(`the client chose type ${chosen}`);
  const { accepted, cipher } = await security.run(io);
  const seal = (bytes: Uint8Array) => (cipher ? cipher.seal(bytes) : bytes);
  if (!accepted) {
    const reason = Buffer.from('Authentication failed');
    client.end(seal(Buffer.concat([u32(1), u32(reason.length), reason])));
    return 'rejected';
  }
  const upstream = await connectNone(backend);
  client.write(seal(u32(0)));
  const early = reader.detach();
  const fromClient = (data: Uint8Array) => {
    const plain = cipher ? cipher.open(data) : data;
    if (plain.length > 0) upstream.socket.write(plain);
  };
  if (early.length > 0) fromClient(early);
  if (upstream.early.length > 0) client.write(seal(upstream.early));
  client.on('data', (data) => {
    try {
      fromClient(data);
    } catch {
      client.destroy();
      upstream.socket.destroy();
    }
  });
  upstream.socket.on('data', (data) => client.write(seal(data)));
  upstream.socket.on('close', () => client.destroy());
  upstream.socket.on('error', () => client.destroy());
  client.on('close', () => upstream.socket.destroy());
  return 'accepted';
}

/** Connects to the real server and goes through its None handshake (3.8) up to ClientInit. */
async function connectNone(backend: {
  host: string;
  port: number;
}): Promise<{ socket: net.Socket; early: Buffer }> {
  const socket = net.connect(backend.port, backend.host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const reader = new SocketReader(socket);
  await reader.read(12);
  socket.write('RFB 003.008\n');
  const count = (await reader.read(1))[0];
  const types = await reader.read(count);
  if (!types.includes(1)) throw new Error(`the backend offers ${[...types]}, not None`);
  socket.write(Uint8Array.of(1));
  const result = await reader.read(4);
  if (Buffer.from(result).readUInt32BE(0) !== 0) throw new Error('the backend refused None');
  return { socket, early: reader.detach() };
}

export function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}
