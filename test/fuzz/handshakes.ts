import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { RfbSession, type SessionOptions, type SessionState } from '../../main/rfb/session.ts';
import { runSessionOverSocket } from '../../main/rfb/transports/tcp.ts';
import type { RfbError } from '../../shared/rfb-error.ts';
import type { TestPki } from '../support/certificates.ts';
import { rsaAesServer } from '../support/rsa-aes-server.ts';
import { SERVER_FORMAT, serverInit } from '../support/scripted-server.ts';
import { type ServerIo, u32 } from '../support/security-front.ts';
import { judgeError } from './check.ts';
import { caseSeed, hex32, Prng } from './prng.ts';

/*
 * Fuzzing of the handshakes that need a live peer: RSA-AES (each case makes a key, and the
 * server's answers depend on it) and VeNCrypt X509None (the TLS records). A scripted server
 * runs the handshake for real, and one mutation (a flipped bit, a changed, inserted or dropped
 * run of bytes, or a cut) is made at a random offset of what it sends to the client. The
 * boundary's rules: the session ends at most once, with a clear RfbError, within the watchdog
 * (no hang); an unmutated case connects.
 */

/** A session that has not ended this long after its server stopped is a hang. */
export const HANDSHAKE_WATCHDOG_MS = Number(process.env.FUZZ_WATCHDOG_MS ?? 10_000);
/** How long a scripted server waits for bytes before it stops. */
const SERVER_PATIENCE_MS = 1000;

export interface HandshakeOutcome {
  problems: string[];
  /** 'connected', or the error's kind and message. */
  result: string;
  mutation: string;
}

/** What a case does to the server's bytes: at `offset`, one change, or none. */
class Mutator {
  readonly description: string;
  readonly mutated: boolean;
  private sent = 0;
  private done = false;
  private readonly apply: (rest: Uint8Array) => Uint8Array | 'cut';
  private readonly offset: number;

  constructor(prng: Prng, span: number) {
    this.offset = prng.int(span);
    const kind = prng.pick(['none', 'flip', 'byte', 'insert', 'drop', 'cut'] as const);
    const bit = 1 << prng.int(8);
    const value = prng.int(256);
    const inserted = prng.bytes(prng.range(1, 16));
    const dropped = prng.range(1, 64);
    this.mutated = kind !== 'none';
    this.description = this.mutated ? `${kind} at byte ${this.offset}` : 'no mutation';
    this.apply = (rest) => {
      switch (kind) {
        case 'none':
          return rest;
        case 'flip':
          return Uint8Array.of(rest[0] ^ bit, ...rest.subarray(1));
        case 'byte':
          return Uint8Array.of(value, ...rest.subarray(1));
        case 'insert':
          return Buffer.concat([inserted, rest]);
        case 'drop':
          return rest.subarray(dropped);
        case 'cut':
          return 'cut';
      }
    };
    if (kind === 'none') this.done = true;
  }

  /** The bytes to pass on for `chunk`, or 'cut' to close the connection instead. */
  pass(chunk: Uint8Array): Uint8Array | 'cut' {
    const start = this.sent;
    this.sent += chunk.length;
    if (this.done || this.sent <= this.offset) return chunk;
    this.done = true;
    const at = this.offset - start;
    const changed = this.apply(chunk.subarray(at));
    return changed === 'cut' ? 'cut' : Buffer.concat([chunk.subarray(0, at), changed]);
  }
}

/** Watches a session for the boundary's rules until it ends. */
class Watch {
  readonly problems: string[] = [];
  state: SessionState = 'protocol-version';
  /** Whether ServerInit was read: an unmutated case must get there. */
  connected = false;
  private closes = 0;
  private error: RfbError | undefined;
  private resolveEnded!: () => void;
  readonly ended = new Promise<void>((resolve) => {
    this.resolveEnded = resolve;
  });

  events = {
    onState: (state: SessionState) => {
      this.state = state;
      if (state === 'connected') this.connected = true;
    },
    onClose: (error: RfbError | undefined) => {
      this.closes++;
      if (this.closes > 1) this.problems.push('the session ended twice');
      this.error = error;
      if (error) this.problems.push(...judgeError(error, new Set(['protocol', 'auth', 'network'])));
      this.resolveEnded();
    },
  };

  get result(): string {
    return this.error ? `${this.error.kind}: ${this.error.message}` : 'connected';
  }

  /**
   * Waits for the end after the server stopped; a session still running after the watchdog is
   * a hang. An unmutated case must have connected.
   */
  async settle(session: RfbSession, mutated: boolean): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), HANDSHAKE_WATCHDOG_MS);
    });
    const outcome = await Promise.race([this.ended.then(() => 'ended' as const), hang]);
    clearTimeout(timer);
    if (outcome === 'hang')
      this.problems.push(`no end within ${HANDSHAKE_WATCHDOG_MS} ms (stuck at ${this.state})`);
    if (!mutated && !this.connected)
      this.problems.push(`an unmutated handshake did not connect: ${this.result}`);
    session.close();
  }
}

const SERVER_KEYS = { ...generateKeyPairSync('rsa', { modulusLength: 1024 }), bits: 1024 };
const PASSWORD = 'fuzz';

/** The server's reply after the security step: SecurityResult OK, ServerInit, one update. */
function afterSecurity(): Uint8Array {
  const update = [0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, ...new Array(8).fill(0x7f)];
  return Buffer.concat([u32(0), serverInit(2, 1, SERVER_FORMAT, 'fuzz').build(), Uint8Array.from(update)]);
}

/** One RSA-AES case in memory: the session and the scripted server, the server's bytes mutated. */
export async function rsaAesCase(prng: Prng): Promise<HandshakeOutcome> {
  const type = prng.pick([5, 6, 129, 130] as const);
  const mutator = new Mutator(prng, 900);
  const watch = new Watch();
  const toServer = new Pipe();
  let session!: RfbSession;
  let serverClosed = false;
  const toClient = (bytes: Uint8Array) => {
    if (serverClosed) return;
    const passed = mutator.pass(bytes);
    if (passed === 'cut') {
      serverClosed = true;
      setImmediate(() => session.transportClosed());
      return;
    }
    setImmediate(() => receiveChecked(session, passed, watch));
  };
  const options: SessionOptions = {
    credentials: { username: 'fuzz', password: PASSWORD },
    security: { preferences: [type], checkIdentity: async () => 'pinned' },
  };
  session = new RfbSession(
    { write: (bytes) => toServer.push(bytes), close: () => toServer.close() },
    options,
    watch.events,
  );
  const server = rsaAesServer({
    type,
    keys: SERVER_KEYS,
    username: type === 5 || type === 6 ? 'fuzz' : undefined,
    password: PASSWORD,
  });
  const io: ServerIo = { read: (n) => toServer.read(n), write: toClient };
  toClient(new TextEncoder().encode('RFB 003.008\n'));
  toClient(Uint8Array.of(1, type));
  const serving = (async () => {
    await toServer.read(13);
    const { cipher } = await server.run(io);
    toClient(cipher ? cipher.seal(afterSecurity()) : afterSecurity());
  })();
  // The server stops after its script, or after a second waiting for bytes a mutation kept back.
  await Promise.race([serving.catch(() => undefined), sleep(SERVER_PATIENCE_MS)]);
  setImmediate(() => {
    serverClosed = true;
    session.transportClosed();
  });
  await watch.settle(session, mutator.mutated);
  return { problems: watch.problems, result: watch.result, mutation: mutator.description };
}

/** One VeNCrypt X509None case over loopback TCP: the TLS records to the client mutated by a proxy. */
export async function tlsCase(prng: Prng, pki: TestPki): Promise<HandshakeOutcome> {
  const mutator = new Mutator(prng, 2500);
  const watch = new Watch();
  const server = await listen((socket) => serveX509None(socket, pki));
  const proxy = await listen((client) => {
    const upstream = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      const passed = mutator.pass(data);
      if (passed === 'cut') {
        client.destroy();
        upstream.destroy();
      } else client.write(passed);
    });
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.end());
    // The server stops after a while, whatever a mutation kept back.
    setTimeout(() => client.destroy(), SERVER_PATIENCE_MS * 2);
  });
  const socket = net.connect((proxy.address() as net.AddressInfo).port, '127.0.0.1');
  const { session } = runSessionOverSocket(
    socket,
    false,
    {
      security: {
        preferences: [260],
        server: { host: '127.0.0.1', port: 1 },
        checkIdentity: async () => 'pinned',
      },
    },
    watch.events,
  );
  await watch.settle(session, mutator.mutated);
  server.close();
  proxy.close();
  return { problems: watch.problems, result: watch.result, mutation: mutator.description };
}

/** A VeNCrypt server offering X509None (260), then TLS, then the rest inside it, then the end. */
function serveX509None(socket: net.Socket, pki: TestPki): void {
  socket.on('error', () => undefined);
  socket.write('RFB 003.008\n');
  socket.write(Uint8Array.of(1, 19, 0, 2));
  let preamble = 0;
  const want = 12 + 1 + 2 + 4;
  const onData = (data: Buffer) => {
    preamble += data.length;
    if (preamble === 12 + 1 + 2) socket.write(Uint8Array.of(0, 1, 0, 0, 1, 4));
    if (preamble < want) return;
    socket.removeListener('data', onData);
    socket.write(Uint8Array.of(1));
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
    });
    secure.on('error', () => socket.destroy());
    secure.once('secure', () => secure.end(afterSecurity()));
  };
  socket.on('data', onData);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function receiveChecked(session: RfbSession, bytes: Uint8Array, watch: Watch): void {
  try {
    session.receive(bytes);
  } catch (error) {
    watch.problems.push(`receive threw: ${(error as Error).message}`);
  }
}

function listen(handler: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Bytes the client sent, read by exact counts. */
class Pipe {
  private buffered = new Uint8Array(0);
  private wake: (() => void) | undefined;
  private closed = false;

  push(bytes: Uint8Array): void {
    this.buffered = Buffer.concat([this.buffered, bytes]);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async read(n: number): Promise<Uint8Array> {
    while (this.buffered.length < n) {
      if (this.closed) throw new Error('the client closed');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    const bytes = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return bytes;
  }
}

/** Runs `count` seeded cases of one kind: the findings (naming each case's seed) and how the sessions ended. */
export async function runHandshakeCases(
  runSeed: number,
  count: number,
  one: (prng: Prng) => Promise<HandshakeOutcome>,
): Promise<{ failures: string[]; results: Map<string, number> }> {
  const failures: string[] = [];
  const results = new Map<string, number>();
  for (let index = 0; index < count; index++) {
    const seed = caseSeed(runSeed, index);
    const outcome = await one(new Prng(seed));
    const result = outcome.result.replace(/\d+/g, 'N');
    results.set(result, (results.get(result) ?? 0) + 1);
    if (outcome.problems.length > 0) {
      failures.push(
        `case ${index} (seed ${hex32(seed)}, ${outcome.mutation}): ${outcome.problems.join('; ')}`,
      );
    }
  }
  return { failures, results };
}
