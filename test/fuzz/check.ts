import { createHash } from 'node:crypto';
import { ByteQueue } from '../../main/rfb/byte-queue.ts';
import { DEFAULT_ENCODINGS } from '../../main/rfb/constants.ts';
import {
  DEFAULT_LIMITS,
  RfbSession,
  type SessionOptions,
  type SessionState,
} from '../../main/rfb/session.ts';
import { UpdateBuilder } from '../../main/rfb/update-builder.ts';
import { COLOUR_LEVELS } from '../../shared/colour-level.ts';
import type { DrawBatch, DrawOp } from '../../shared/draw-ops.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';
import { RfbError } from '../../shared/rfb-error.ts';
import type { Prng } from './prng.ts';

/** How a stream is handed to `receive`: in one piece, in random pieces of 1 B–64 KiB, or byte by byte. */
export type Chunking = 'whole' | 'random' | 'bytes';

export interface CaseInput {
  bytes: Uint8Array;
  options: SessionOptions;
  chunking: Chunking;
  /** Also call the viewer's API (colour level, encodings, input) between chunks. */
  apiCalls: boolean;
  /** Sample the process's ArrayBuffer memory while feeding (slow; for the hostile inputs). */
  sampleMemory?: boolean;
  /** Paint the draw ops into a Framebuffer and return what was decoded, for comparisons. */
  paint?: boolean;
}

/** Everything a stream decoded to; two chunkings of one stream must give equal ones. */
export interface Decoded {
  error: string | undefined;
  updates: number;
  rects: Record<string, number>;
  pixels: number;
  /** SHA-1 of the painted framebuffer, its size, the cursor and the desktop name. */
  screen: string;
}

export interface CaseOutcome {
  /** Broken rules of the engine's boundary; empty when it behaved. */
  problems: string[];
  /** The error the stream ended the session with; undefined if it was still open at its end. */
  error: { kind: string; message: string } | undefined;
  state: SessionState;
  ms: number;
  /** The largest receive queue and pixel arena seen, in bytes. */
  queueBytes: number;
  arenaBytes: number;
  updates: number;
  ops: Record<string, number>;
  /** The most ArrayBuffer memory the process held while the case ran, if sampled. */
  arrayBuffersPeak: number;
  decoded?: Decoded;
}

/**
 * A single case taking longer than this (wall time) is a hang. FUZZ_WATCHDOG_MS raises it for
 * long runs at low priority on a busy machine, where a case may wait seconds for a CPU.
 */
export const CASE_WATCHDOG_MS = Number(process.env.FUZZ_WATCHDOG_MS ?? 2000);

/** Error kinds a stream may end a session with ('timeout' comes only from the caller's clock). */
const STREAM_ERROR_KINDS = new Set(['protocol', 'auth', 'usage', 'network']);
const MAX_PROBLEMS = 8;

/**
 * The session's receive queue and pixel arena are private; they are read here only to measure
 * how far a stream made them grow (an arena holding an unfinished rectangle is in no batch yet).
 */
function privateField<T>(session: RfbSession, name: string, type: abstract new (...args: never[]) => T): T {
  const value: unknown = Reflect.get(session, name);
  if (!(value instanceof type)) {
    throw new Error(`RfbSession no longer keeps its ${type.name} in \`${name}\`; update test/fuzz/check.ts`);
  }
  return value;
}

const queueCapacity = (session: RfbSession) => privateField(session, 'queue', ByteQueue).capacity;
const arenaCapacity = (session: RfbSession) => privateField(session, 'out', UpdateBuilder).words.byteLength;

/** Problems with an error that ended a session. */
export function judgeError(error: unknown, kinds: ReadonlySet<string> = STREAM_ERROR_KINDS): string[] {
  if (!(error instanceof RfbError)) return [`ended with a non-RfbError: ${String(error)}`];
  const problems: string[] = [];
  if (!kinds.has(error.kind))
    problems.push(`ended with an RfbError of kind '${error.kind}': ${error.message}`);
  if (!error.message.trim()) problems.push(`ended with an empty ${error.kind} error message`);
  if (/^internal error/i.test(error.message)) problems.push(`engine bug: ${error.message}`);
  if (hasControlCharacters(error.message)) {
    problems.push(
      `the error message carries control characters: ${JSON.stringify(error.message.slice(0, 100))}`,
    );
  }
  return problems;
}

const isControl = (c: number) => (c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f);

/**
 * C0 (but tab) and C1 controls and DEL. Server text (refusal and authentication reasons) ends up
 * in messages the CLI prints to a terminal, where ESC sequences would be obeyed.
 */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}

/** `text` with control characters escaped, safe to print to a terminal or a CI log. */
export function printable(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += isControl(c) ? `\\u${c.toString(16).padStart(4, '0')}` : text[i];
  }
  return out;
}

/**
 * Checks draw operations the way a renderer would trip over them: every op inside the
 * framebuffer as resized so far, and every pixel op inside its batch's pixels.
 */
class DrawChecker {
  private width = 0;
  private height = 0;
  readonly counts: Record<string, number> = {};
  arenaBytes = 0;

  constructor(private readonly report: (problem: string) => void) {}

  batch(batch: DrawBatch): void {
    this.arenaBytes = Math.max(this.arenaBytes, batch.pixels.buffer.byteLength);
    for (const op of batch.ops) {
      this.counts[op.kind] = (this.counts[op.kind] ?? 0) + 1;
      const problem = this.check(op, batch.pixels.length);
      if (problem) this.report(`bad draw op ${JSON.stringify(op)}: ${problem}`);
    }
  }

  private check(op: DrawOp, pixelBytes: number): string | undefined {
    const values = Object.values(op).filter((v) => typeof v === 'number');
    if (values.some((v) => !Number.isInteger(v) || v < 0)) return 'a field is not a non-negative integer';
    switch (op.kind) {
      case 'resize':
        this.width = op.width;
        this.height = op.height;
        if (op.width * op.height > DEFAULT_LIMITS.maxPixels) return 'larger than the pixel limit';
        return undefined;
      case 'fill':
      case 'pixels':
      case 'copy':
      case 'jpeg':
        if (op.x + op.width > this.width || op.y + op.height > this.height) {
          return `outside the ${this.width}x${this.height} framebuffer`;
        }
        if (op.kind === 'copy' && (op.srcX + op.width > this.width || op.srcY + op.height > this.height)) {
          return `source outside the ${this.width}x${this.height} framebuffer`;
        }
        if (op.kind === 'pixels' && op.offset + op.width * op.height * 4 > pixelBytes) {
          return `pixels past the ${pixelBytes} bytes of its batch`;
        }
        if (op.kind === 'jpeg' && (op.length === 0 || op.offset + op.length > pixelBytes)) {
          return `JPEG bytes past the ${pixelBytes} bytes of its batch`;
        }
        return undefined;
      case 'cursor':
        if (op.offset + op.width * op.height * 4 > pixelBytes)
          return `image past the ${pixelBytes} bytes of its batch`;
        if (op.width > 0 && op.height > 0 && (op.hotX >= op.width || op.hotY >= op.height)) {
          return 'hotspot outside the cursor image';
        }
        return undefined;
      default:
        return undefined;
    }
  }
}

/** The viewer's own calls, made between chunks as a user would. */
function callApi(session: RfbSession, prng: Prng): void {
  switch (prng.int(6)) {
    case 0:
      session.setColourLevel(prng.pick(COLOUR_LEVELS));
      break;
    case 1:
      session.setEncodings(DEFAULT_ENCODINGS.filter(() => prng.chance(0.6)));
      break;
    case 2:
      session.requestUpdate(prng.chance(0.5));
      break;
    case 3:
      session.sendKey(prng.u32(), prng.chance(0.5));
      break;
    case 4:
      session.sendPointer(prng.range(-10, 70000), prng.range(-10, 70000), prng.int(256));
      break;
    default:
      session.sendClipboard(prng.chance(0.5) ? 'fuzz' : 'caf\u00e9 \u2603\r\n');
  }
}

function chunkSize(chunking: Chunking, prng: Prng, left: number): number {
  if (chunking === 'whole') return left;
  if (chunking === 'bytes') return 1;
  return Math.min(left, prng.logSize(65536));
}

/**
 * Feeds one stream to a fresh session and checks the boundary: `receive` never throws, the
 * session ends at most once, with a clear RfbError, closes its transport and then ignores
 * everything; draw ops stay inside the framebuffer. A session still open at the end of the
 * stream must then take a transport close cleanly.
 */
export function runCase(input: CaseInput, prng: Prng): CaseOutcome {
  const problems: string[] = [];
  const report = (problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(printable(problem));
  };
  const closes: (RfbError | undefined)[] = [];
  let transportCloses = 0;
  let closed = false;
  const afterClose = (what: string) => {
    if (closed) report(`${what} after the session closed`);
  };
  const draw = new DrawChecker(report);
  const fb = input.paint ? new Framebuffer() : undefined;
  let updates = 0;

  const session = new RfbSession(
    {
      write: () => afterClose('transport write'),
      close: () => {
        transportCloses++;
      },
    },
    input.options,
    {
      onDraw: (batch) => {
        afterClose('onDraw');
        const before = problems.length;
        draw.batch(batch);
        if (fb && problems.length === before) fb.apply(batch);
      },
      onUpdateEnd: () => {
        afterClose('onUpdateEnd');
        updates++;
      },
      onState: (state) => {
        if (state !== 'closed') afterClose(`onState(${state})`);
      },
      onClose: (error) => {
        closes.push(error);
        closed = true;
      },
    },
  );

  const start = performance.now();
  let queueBytes = queueCapacity(session);
  let bytesAtClose = -1;
  let arrayBuffersPeak = 0;
  let arenaBytes = arenaCapacity(session);
  let chunks = 0;
  for (let at = 0; at < input.bytes.length; ) {
    const size = chunkSize(input.chunking, prng, input.bytes.length - at);
    try {
      session.receive(input.bytes.subarray(at, at + size));
    } catch (error) {
      report(`receive threw ${error instanceof Error ? error.stack : String(error)}`);
      break;
    }
    at += size;
    queueBytes = Math.max(queueBytes, queueCapacity(session));
    arenaBytes = Math.max(arenaBytes, arenaCapacity(session));
    // memoryUsage() reads /proc: sampling every chunk of a 16 MiB input would take most of a second.
    if (input.sampleMemory && (++chunks % 32 === 0 || at === input.bytes.length))
      arrayBuffersPeak = Math.max(arrayBuffersPeak, process.memoryUsage().arrayBuffers);
    if (closed && bytesAtClose < 0) bytesAtClose = session.stats.bytes;
    if (input.apiCalls && prng.chance(0.05)) {
      try {
        callApi(session, prng);
      } catch (error) {
        report(`a viewer call threw ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
  }
  const ms = performance.now() - start;
  if (ms > CASE_WATCHDOG_MS) report(`took ${Math.round(ms)} ms (watchdog ${CASE_WATCHDOG_MS} ms)`);

  const state = session.state;
  const streamError = closes[0];
  const decoded = fb && {
    // "Not a VNC server" quotes what had arrived when it could tell, which depends on the pieces.
    error: streamError?.message.replace(/ it sent ".*" where /, ' it sent … where '),
    updates: session.stats.updates,
    rects: session.stats.rects,
    pixels: session.stats.pixels,
    screen: screenHash(fb),
  };
  if (closed) {
    if (state !== 'closed') report(`onClose was called but the state is '${state}'`);
    if (transportCloses === 0) report('the session closed but did not close its transport');
    if (session.stats.bytes !== bytesAtClose) report('the session counted bytes received after it closed');
    if (streamError === undefined) report('the stream closed the session with no error');
    else for (const p of judgeError(streamError)) report(p);
  } else {
    if (state === 'closed') report('the state is closed but onClose was never called');
    session.transportClosed();
    if (closes.length !== 1) report(`transportClosed() led to ${closes.length} onClose calls`);
    else
      for (const p of judgeError(closes[0], new Set(['network', 'auth'])))
        report(`after transportClosed(): ${p}`);
  }
  if (closes.length > 1) report(`onClose was called ${closes.length} times`);

  return {
    problems,
    error: streamError && { kind: streamError.kind, message: streamError.message },
    state,
    ms,
    queueBytes,
    arenaBytes: Math.max(arenaBytes, draw.arenaBytes),
    updates,
    ops: draw.counts,
    arrayBuffersPeak,
    decoded,
  };
}

function screenHash(fb: Framebuffer): string {
  const hash = createHash('sha1').update(`${fb.width}x${fb.height} ${fb.desktopName}\n`).update(fb.data);
  if (fb.cursor)
    hash
      .update(`${fb.cursor.width}x${fb.cursor.height}@${fb.cursor.hotX},${fb.cursor.hotY}`)
      .update(fb.cursor.rgba);
  return hash.digest('hex');
}
