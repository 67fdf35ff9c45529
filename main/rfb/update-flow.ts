import * as msg from './client-messages.ts';
import { PixelConverter } from './pixel-converter.ts';
import {
  PIXEL_FORMAT_LENGTH,
  type PixelFormat,
  readPixelFormat,
  samePixelFormat,
  writePixelFormat,
} from './pixel-format.ts';

/** What the session has learned about the server as the stream went on (TigerVNC's ServerParams). */
export interface ServerTraits {
  /** The server sent a Fence request (rfbproto "Fence"): it answers ours. */
  fence: boolean;
  /** The server offers continuous updates (it sent EndOfContinuousUpdates; rfbproto "ContinuousUpdates"). */
  continuousUpdates: boolean;
  /** The server sent ExtendedDesktopSize: SetDesktopSize may be asked. */
  extendedDesktopSize: boolean;
  /** …before the first picture: it answers every full update request with one (the rfbproto rule). */
  edsOnFullRequest: boolean;
  /** The server confirmed ExtendedMouseButtons: back and forward reach it. */
  extendedMouseButtons: boolean;
  /** The server acknowledged QEMU Extended Key Event: keys may travel with scancodes. */
  extendedKeys: boolean;
  /** The server is QEMU (its ServerInit name, `isQemuName`): requests and changes follow `UpdateFlow`'s QEMU rule. */
  qemu: boolean;
}

/**
 * QEMU names its desktop "QEMU", or "QEMU (name)" when the VM has a name (ui/vnc.c
 * protocol_client_init), whatever the machine, the display and the QEMU version.
 */
export function isQemuName(name: string): boolean {
  return /^QEMU( \(.*\))?$/s.test(name);
}

export function unknownServerTraits(): ServerTraits {
  return {
    fence: false,
    continuousUpdates: false,
    extendedDesktopSize: false,
    edsOnFullRequest: false,
    extendedMouseButtons: false,
    extendedKeys: false,
    qemu: false,
  };
}

/** How updates flow (rfbproto "ContinuousUpdates", "Fence"). */
export interface StreamMode {
  /** The server answers fences: pixel-format changes are synchronised with Fence SyncNext. */
  fence: boolean;
  /** The server offers continuous updates (it sent EndOfContinuousUpdates). */
  continuousSupported: boolean;
  /** Continuous updates are on now (off while the viewer has no draw credit left). */
  continuous: boolean;
}

/**
 * Where the update requests stand.
 *
 * | state             | meaning                                                                 |
 * |-------------------|-------------------------------------------------------------------------|
 * | `idle`            | nothing asked that is not answered                                      |
 * | `requested`       | an update request (or continuous updates the viewer wants) is open      |
 * | `nudged`          | requested, and a 1×1 full request went out so a change gets an idle moment |
 * | `awaiting-marker` | a 1×1 full request went out alone; its ExtendedDesktopSize rect is due   |
 * | `awaiting-pixels` | the marker came; the next update with pixels answers everything before |
 *
 * | event                                   | from                  | to                 | sends                      |
 * |-----------------------------------------|-----------------------|--------------------|----------------------------|
 * | `request()`                             | idle, requested       | requested          | FramebufferUpdateRequest   |
 * | `request()`                             | nudged                | nudged             | FramebufferUpdateRequest   |
 * | `request()`                             | awaiting-*            | (ignored)          |                            |
 * | change, server with Fence               | any                   | requested          | Fence, formats, full request |
 * | change, server sends updates unasked¹   | idle, requested, nudged | awaiting-marker  | 1×1 full request           |
 * | change, no Fence                        | requested             | nudged             | 1×1 full request           |
 * | change, no Fence                        | nudged, awaiting-*    | (waits)            |                            |
 * | change, no Fence                        | idle                  | requested          | format, encodings, full request |
 * | ExtendedDesktopSize, reason 0           | awaiting-marker       | awaiting-pixels    |                            |
 * | update with pixels ends                 | awaiting-pixels       | requested          | format, encodings, full request |
 * | update ends (asked, or continuous)      | requested, nudged     | idle (→ requested when asking on) |         |
 * | update ends (an unasked WMVi)           | nudged                | requested          |                            |
 * | server ends continuous updates          | requested             | idle (→ requested) |                            |
 *
 * QEMU (`ServerTraits.qemu`) follows its own rows instead of the "no Fence" ones above:
 *
 * | event                                   | from                  | to                 | sends                      |
 * |-----------------------------------------|-----------------------|--------------------|----------------------------|
 * | `request()`                             | idle                  | requested          | non-incremental request, 1×1 for an incremental one |
 * | `request()`                             | requested             | (a full one waits for the answer) |             |
 * | change                                  | requested             | (waits)            |                            |
 * | change                                  | idle                  | requested          | format, encodings, full request |
 * | update with pixels ends                 | requested             | idle (→ requested when asking on) |         |
 * | update without pixels ends              | any                   | (unchanged)        |                            |
 * | `probe()`                               | requested             | requested          | SetEncodings (answered at once) |
 *
 * ¹ Servers that sent ExtendedDesktopSize before the first picture: they may send updates
 * nobody asked for, so an update's end does not prove that no request is open.
 * No change goes out in the middle of an update; it waits for the update's end.
 *
 * Why QEMU has its own rule (QEMU 7.2 ui/vnc.c, ui/vnc-jobs.c): pixels reach the viewer only
 * through encoding jobs. The main loop makes one (vnc_update_client) while a request is pending
 * and no other job is out, and it answers every request read until then; a worker thread
 * encodes it later, in the pixel format and encoding it copies when it starts
 * (vnc_async_encoding_start), and its bytes join the stream when it is done. Everything else —
 * acknowledgements, LED state, pointer mode, cursor, WMVi, the ExtendedDesktopSize it writes
 * while reading a non-incremental request — is written at once, in the order QEMU reads our
 * messages, and the only pixels among it, a cursor shape, come as Cursor With Alpha (RGBA
 * whatever the pixel format) since QEMU 6.0. So no
 * pseudo-update tells which request the next pixels answer: a job made before a format change
 * can arrive after any marker (the stream desynchronised under CPU load). The rule: at most
 * one request open; only an update with pixels answers it; a change goes out only when none is
 * open, when no job exists and none can start before QEMU has read the change. QEMU answers a
 * non-incremental request with everything that changed, not only the area asked (its whole
 * dirty map), and at once even when nothing changed: a non-incremental 1×1 request is as good
 * as an incremental one and never stays unanswered on a still screen (QEMU answers within its
 * refresh interval, at most 3 s when idle), so a change never waits for the screen to change.
 */
export type RequestState = 'idle' | 'requested' | 'nudged' | 'awaiting-marker' | 'awaiting-pixels';

/** What one FramebufferUpdate turned out to be, once it ended. */
export interface UpdateSummary {
  /** It carried a WMVi rect, which QEMU sends unasked (not an answer to a request). */
  unasked: boolean;
  /** It had a rectangle of pixels (not only pseudo-rectangles). */
  hasPixels: boolean;
}

/** What the flow needs of the session it serves. */
export interface UpdateFlowHost {
  send(bytes: Uint8Array): void;
  /** The session is connected (requests go out only then). */
  connected(): boolean;
  /** An update is being read (a change must wait for its end). */
  inUpdate(): boolean;
  size(): { width: number; height: number };
  /** Decode what follows in this converter's format. */
  switchFormat(converter: PixelConverter): void;
  /** SetEncodings with the session's current encodings. */
  sendEncodings(): void;
  /** SetEncodings with the encodings last sent again (nothing changes at the server). */
  repeatEncodings(): void;
  /** SetPixelFormat (the session notes which colour level it asked for). */
  sendPixelFormat(format: PixelFormat): void;
  onStreamMode(mode: StreamMode): void;
}

/**
 * Update requests, continuous updates, and format and encoding changes with their
 * synchronisation — the one place they go out (TigerVNC's CConnection::requestNewUpdate).
 * A format change while an update is in flight would be decoded in the wrong format by a
 * server without Fence (the "invalid message type" failure), so changes wait for a moment
 * when nothing is in flight, or are fenced (rfbproto "Fence", SyncNext).
 */
export class UpdateFlow {
  state: RequestState = 'idle';
  private readonly host: UpdateFlowHost;
  private readonly traits: ServerTraits;
  private readonly autoRequest: boolean;
  /** 'paused': supported and off because the viewer wants no update now. */
  private continuous: 'off' | 'on' | 'paused' = 'off';
  /** EnableContinuousUpdates(false) sent whose EndOfContinuousUpdates has not arrived. */
  private continuousStopsInFlight = 0;
  private pendingFormat: PixelFormat | undefined;
  private pendingEncodings = false;
  /** Colours already painted used an old colour map: the next request asks for everything. */
  private needFullUpdate = false;
  /** Formats sent after a SyncNext fence, in order, applied when each fence's answer arrives. */
  private readonly fencedFormats: PixelConverter[] = [];
  /** An update with pixels has ended. */
  private pixelsSeen = false;

  constructor(host: UpdateFlowHost, traits: ServerTraits, autoRequest: boolean) {
    this.host = host;
    this.traits = traits;
    this.autoRequest = autoRequest;
  }

  /** True while an update request has not been answered: the next request would queue behind it. */
  get outstanding(): boolean {
    return this.state !== 'idle';
  }

  get streamMode(): StreamMode {
    return {
      fence: this.traits.fence,
      continuousSupported: this.traits.continuousUpdates,
      continuous: this.continuous === 'on',
    };
  }

  /**
   * Asks for an update. With continuous updates an incremental request is implied: it only
   * turns them back on if they were paused for lack of draw credits.
   */
  request(incremental: boolean): void {
    if (!this.host.connected()) return;
    if (this.traits.qemu) {
      this.requestFromQemu(incremental);
      return;
    }
    // Waiting for a change's sync point: no request may follow the 1×1 one (the full
    // request sent with the change answers everything).
    if (this.state === 'awaiting-marker' || this.state === 'awaiting-pixels') return;
    if (this.continuous === 'paused') this.resumeContinuous();
    if (this.continuous === 'off' || !incremental) {
      const { width, height } = this.host.size();
      this.host.send(msg.framebufferUpdateRequest(incremental, 0, 0, width, height));
    }
    if (this.state === 'idle') this.state = 'requested';
  }

  /**
   * Asks the server for an answer now, to learn whether it still listens: an empty Fence where
   * the server answers fences, else a non-incremental request for one pixel, which every server
   * must answer (RFC 6143 §7.5.3). While a change waits for its sync point, that answer is the
   * probe: no request may follow the 1×1 one.
   */
  probe(): void {
    if (!this.host.connected()) return;
    if (this.traits.fence) {
      this.host.send(msg.fence(msg.FenceFlag.Request));
    } else if (this.traits.qemu) {
      // A second request would make the pairing of requests and answers ambiguous. QEMU
      // answers SetEncodings at once (ui/vnc.c set_encodings: the QEMU Extended Key Event and
      // Pointer Motion Change acknowledgements) and opens no request; the pixel format and
      // the encodings in effect stay as they are.
      if (this.state === 'idle') this.request(true);
      else this.host.repeatEncodings();
    } else if (this.state !== 'awaiting-marker' && this.state !== 'awaiting-pixels') {
      this.host.send(msg.framebufferUpdateRequest(false, 0, 0, 1, 1));
      if (this.state === 'idle') this.state = 'requested';
    }
  }

  /** Asks for what changed since the last update (the whole screen after a colour-map change). */
  requestNext(): void {
    const full = this.needFullUpdate;
    this.needFullUpdate = false;
    this.request(!full);
  }

  /** A new pixel format, sent when it is safe (see the class comment). */
  changeFormat(format: PixelFormat): void {
    this.pendingFormat = format;
    this.applyPendingIfIdle();
  }

  /** New encodings (the host's), sent when it is safe. */
  changeEncodings(): void {
    this.pendingEncodings = true;
    this.applyPendingIfIdle();
  }

  /** The server switched format by itself (WMVi); ours goes out again at the update's end. */
  restoreFormatAfterUpdate(format: PixelFormat): void {
    this.pendingFormat = format;
  }

  /** SetColourMapEntries arrived: a fenced format on its way gets them too; painted colours are stale. */
  colourMapChanged(first: number, rgb: Uint16Array, stale: boolean): void {
    for (const pending of this.fencedFormats) pending.setColourMapEntries(first, rgb);
    if (stale) this.needFullUpdate = true;
  }

  /** An ExtendedDesktopSize rect with this reason (rfbproto: 0 server, 1 this client, 2 another). */
  extendedDesktopSize(reason: number): void {
    this.traits.extendedDesktopSize = true;
    // Sent in answer to the first (full) request: the server follows the rfbproto rule.
    if (!this.pixelsSeen) this.traits.edsOnFullRequest = true;
    if (this.state === 'awaiting-marker' && reason === 0) this.state = 'awaiting-pixels';
  }

  /** The framebuffer changed size: continuous updates cover the whole of it (as TigerVNC does). */
  resized(width: number, height: number): void {
    if (this.continuous === 'on') this.host.send(msg.enableContinuousUpdates(true, 0, 0, width, height));
  }

  /**
   * A FramebufferUpdate ended. Servers merge the requests they hold and answer them all with
   * one update (RFC 6143 §7.5.3 allows it; QEMU keeps one update state, Xvnc and libvncserver
   * one requested region), so after an update nothing is outstanding — except after QEMU's
   * WMVi update, which it sends unasked on a display switch. With continuous updates,
   * `requested` means the viewer wants more; it says so again.
   */
  updateEnded(update: UpdateSummary): void {
    if (this.traits.qemu) {
      if (this.state === 'requested' && update.hasPixels) this.state = 'idle';
      if (update.hasPixels) this.pixelsSeen = true;
      this.applyPendingIfIdle();
      if (this.autoRequest && this.state === 'idle') this.requestNext();
      return;
    }
    const answered = !update.unasked || this.continuous !== 'off';
    if (this.state === 'requested' || this.state === 'nudged') this.state = answered ? 'idle' : 'requested';
    if (update.hasPixels) this.pixelsSeen = true;
    if (!this.host.connected()) return;
    if (this.state === 'awaiting-pixels' && update.hasPixels) {
      // The answer to the 1×1 request: everything the server sends from now on follows our next messages.
      this.state = 'idle';
      this.apply(false);
    }
    this.applyPendingIfIdle();
    if (this.autoRequest && this.state === 'idle') this.requestNext();
  }

  /**
   * After the viewer heard of the update's end: if it did not ask for more (out of draw
   * credits), continuous updates stop until it does (rfbproto "EnableContinuousUpdates").
   */
  pauseIfUnwanted(): void {
    if (this.host.connected() && this.continuous === 'on' && this.state === 'idle') this.pauseContinuous();
  }

  /** The server sent its first Fence request: changes can be fenced, continuous updates used. */
  serverFence(): void {
    if (this.traits.fence) return;
    this.traits.fence = true;
    this.host.onStreamMode(this.streamMode);
    this.startContinuous();
    // A change waiting for an idle moment can now go at once, synchronised.
    this.applyPendingIfIdle();
  }

  /** The answer to one of our fences: each carries the pixel format sent after it. Returns false if none matches. */
  fenceAnswered(payload: Uint8Array): boolean {
    // The answer to a probe: the only fence this viewer sends without a payload.
    if (payload.length === 0) return true;
    const next = this.fencedFormats[0];
    if (
      !next ||
      payload.length !== PIXEL_FORMAT_LENGTH ||
      !samePixelFormat(readPixelFormat(payload, 0), next.format)
    )
      return false;
    this.fencedFormats.shift();
    this.host.switchFormat(next);
    return true;
  }

  /** EndOfContinuousUpdates (rfbproto, server message 150). */
  endOfContinuousUpdates(): void {
    if (!this.traits.continuousUpdates) {
      // The first one announces support (sent after SetEncodings asked for -313).
      this.traits.continuousUpdates = true;
      this.host.onStreamMode(this.streamMode);
      this.startContinuous();
      return;
    }
    if (this.continuousStopsInFlight > 0) {
      this.continuousStopsInFlight--;
      return;
    }
    if (this.continuous === 'on') {
      // The server stopped them by itself: back to requests, and no second try.
      this.continuous = 'off';
      this.traits.continuousUpdates = false;
      this.host.onStreamMode(this.streamMode);
      if (this.state === 'requested') this.state = 'idle';
      if (this.autoRequest && !this.host.inUpdate()) this.requestNext();
    }
  }

  private applyPendingIfIdle(): void {
    if (!this.host.connected()) return;
    if (!this.pendingFormat && !this.pendingEncodings) return;
    if (this.traits.fence) {
      this.apply(true);
      return;
    }
    if (this.host.inUpdate()) return;
    if (this.traits.qemu) {
      if (this.state === 'idle') this.apply(false);
      return;
    }
    if (this.state === 'awaiting-marker' || this.state === 'awaiting-pixels') return;
    if (this.traits.edsOnFullRequest) {
      // Such servers may send updates nobody asked for (cursor, LED state, desktop size, on
      // SetEncodings and by themselves), so an update's end does not prove that no request
      // is outstanding. Instead: a non-incremental 1×1 request, then nothing more. The
      // rfbproto "ExtendedDesktopSize" rule makes the server answer it with an
      // ExtendedDesktopSize rect; for a server that writes its updates in order (unlike
      // QEMU, above), the first update with pixels after that rect answers it and every
      // request before it.
      this.state = 'awaiting-marker';
      this.host.send(msg.framebufferUpdateRequest(false, 0, 0, 1, 1));
    } else if (this.state === 'requested') {
      // On a still screen the open incremental request may go unanswered for ever; a
      // non-incremental request for one pixel makes the server answer now, after which the
      // change is applied (at the end of that update).
      this.state = 'nudged';
      this.host.send(msg.framebufferUpdateRequest(false, 0, 0, 1, 1));
    } else if (this.state === 'idle') this.apply(false);
  }

  /**
   * Sends the pending format and encodings and asks for the whole picture in them. Without a
   * fence the decoder switches at once (nothing is in flight). With one (rfbproto "Fence",
   * SyncNext; as TigerVNC does): Fence(Request | SyncNext, the format) then SetPixelFormat.
   * The server answers the fence right after it applied SetPixelFormat, so every update
   * before the answer is in the old format and every one after it in the new: the decoder
   * switches when the answer arrives.
   */
  private apply(fenced: boolean): void {
    const format = this.pendingFormat;
    if (format) {
      if (fenced) {
        const payload = new Uint8Array(PIXEL_FORMAT_LENGTH);
        writePixelFormat(format, payload, 0);
        this.fencedFormats.push(new PixelConverter(format));
        this.host.send(msg.fence(msg.FenceFlag.Request | msg.FenceFlag.SyncNext, payload));
      } else this.host.switchFormat(new PixelConverter(format));
      this.host.sendPixelFormat(format);
      this.pendingFormat = undefined;
    }
    this.host.sendEncodings();
    this.pendingEncodings = false;
    // The picture must be sent again in the new format or encodings.
    this.request(false);
    this.needFullUpdate = false;
  }

  /**
   * QEMU's request rule (see the class comment): one request at a time, always
   * non-incremental; an incremental one asks for 1×1, which QEMU answers with every change.
   */
  private requestFromQemu(incremental: boolean): void {
    if (this.state !== 'idle') {
      // The open request's answer comes; the full picture is asked for right after it.
      if (!incremental) this.needFullUpdate = true;
      return;
    }
    const { width, height } = incremental ? { width: 1, height: 1 } : this.host.size();
    this.host.send(msg.framebufferUpdateRequest(false, 0, 0, width, height));
    this.state = 'requested';
  }

  /** Continuous updates need Fence too (TigerVNC's rule: the server measures the link with fences). */
  private startContinuous(): void {
    if (!this.traits.fence || !this.traits.continuousUpdates || this.continuous !== 'off') return;
    this.continuous = 'paused';
    if (this.state !== 'idle' || this.autoRequest) this.resumeContinuous();
    else this.host.onStreamMode(this.streamMode);
  }

  private resumeContinuous(): void {
    const { width, height } = this.host.size();
    this.host.send(msg.enableContinuousUpdates(true, 0, 0, width, height));
    this.continuous = 'on';
    if (this.state === 'idle') this.state = 'requested';
    this.host.onStreamMode(this.streamMode);
  }

  private pauseContinuous(): void {
    const { width, height } = this.host.size();
    this.host.send(msg.enableContinuousUpdates(false, 0, 0, width, height));
    this.continuous = 'paused';
    this.continuousStopsInFlight++;
    this.host.onStreamMode(this.streamMode);
  }
}
