/**
 * Browser mode's page stream: everything the page's sessions send it, in order, as one streamed
 * HTTP response body (one for the whole page: Chromium opens at most 6 HTTP connections to a
 * host, and a page may hold more sessions). Chromium takes a fetch body several times faster
 * than binary WebSocket messages (README, "Benchmarks"), and decoded pictures are most of what
 * a session sends. The page's own messages go over each session's WebSocket.
 *
 *   frame: u32 payload bytes · u32 kind (0 JSON text, 1 draw batch, 2 audio chunk) ·
 *          u32 session (0: the stream itself) · payload
 *
 * (all little-endian). The stream's first frame is JSON for session 0: `{"stream": ID}`, the id
 * a session's WebSocket names to have its messages sent down this stream.
 */
export const STREAM_FRAME_KINDS = ['json', 'draw', 'audio'] as const;
export type StreamFrameKind = (typeof STREAM_FRAME_KINDS)[number];

const HEADER_BYTES = 12;

export function streamFrameHeader(kind: StreamFrameKind, session: number, payloadBytes: number): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, payloadBytes, true);
  view.setUint32(4, STREAM_FRAME_KINDS.indexOf(kind), true);
  view.setUint32(8, session, true);
  return header;
}

export interface StreamFrame {
  kind: StreamFrameKind;
  session: number;
  /** The payload in an ArrayBuffer of its own and exactly its size. */
  payload: ArrayBuffer;
}

/**
 * Cuts a byte stream arriving in chunks of any size into frames. Each payload is copied once,
 * into an exact-size buffer; a header that is not one of ours throws, so a confused stream is
 * never painted.
 */
export class StreamFrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private header: { kind: StreamFrameKind; session: number; bytes: number } | undefined;

  constructor(private readonly maxPayloadBytes: number) {}

  /** Takes a chunk; returns the frames it completed, in order. */
  push(chunk: Uint8Array): StreamFrame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: StreamFrame[] = [];
    for (;;) {
      if (!this.header) {
        if (this.buffered < HEADER_BYTES) return frames;
        const view = new DataView(this.take(HEADER_BYTES));
        const bytes = view.getUint32(0, true);
        const kind = STREAM_FRAME_KINDS[view.getUint32(4, true)];
        if (!kind || bytes > this.maxPayloadBytes) {
          throw new Error(
            `the session stream is corrupt (frame kind ${view.getUint32(4, true)}, ${bytes} bytes)`,
          );
        }
        this.header = { kind, session: view.getUint32(8, true), bytes };
      }
      if (this.buffered < this.header.bytes) return frames;
      const { kind, session, bytes } = this.header;
      frames.push({ kind, session, payload: this.take(bytes) });
      this.header = undefined;
    }
  }

  /** Removes the next `bytes` buffered bytes into a new exact-size buffer. */
  private take(bytes: number): ArrayBuffer {
    const out = new Uint8Array(bytes);
    let at = 0;
    while (at < bytes) {
      const first = this.chunks[0];
      const used = Math.min(first.length, bytes - at);
      out.set(first.subarray(0, used), at);
      at += used;
      if (used === first.length) this.chunks.shift();
      else this.chunks[0] = first.subarray(used);
    }
    this.buffered -= bytes;
    return out.buffer;
  }
}
