import { RfbError } from '../../../shared/rfb-error.ts';
import { clientCutText } from '../client-messages.ts';
import {
  buildCaps,
  buildNotify,
  buildProvideText,
  buildProvideWire,
  buildRequest,
  ClipboardAction,
  ClipboardFormat,
  parseClipboardPayload,
  type ServerClipboardCaps,
  serverCaps,
  textToWire,
  VIEWER_CLIPBOARD_ACTIONS,
} from './extended-clipboard.ts';
import {
  type AudioServerMessage,
  buildAudioDisable,
  buildAudioEnable,
  buildAudioSetFormat,
  parseAudioServerMessage,
  VIEWER_AUDIO_FORMAT,
} from './qemu-audio.ts';
import { buildXvp, type PowerAction, parseXvp, powerFailureText } from './xvp.ts';

/** What the extensions tell the session's owner. */
export type ExtensionEvent =
  /** The server's Extended Clipboard Caps arrived: clipboard text travels as UTF-8 from now on. */
  | { kind: 'extended-clipboard' }
  /** Something about the clipboard the user should know (text not sent, not received). */
  | { kind: 'clipboard-notice'; message: string }
  /** XVP_INIT: the server lets the viewer shut down, reboot or reset the machine. */
  | { kind: 'power-available' }
  | { kind: 'power-failed'; action: PowerAction | undefined; message: string }
  /** The server acknowledged QEMU Audio. */
  | { kind: 'audio-available' }
  | { kind: 'audio-state'; playing: boolean }
  /**
   * Samples in the format asked for (S16 little-endian, stereo, 44100 Hz), interleaved. A view
   * into the receive queue, valid only during the event: a listener that keeps them copies them.
   */
  | { kind: 'audio-data'; samples: Uint8Array };

/** Legacy ClientCutText above this is not sent: QEMU disconnects a viewer that sends more. */
export const LEGACY_CUT_TEXT_LIMIT = 1 << 20;
/** The largest audio block accepted (QEMU sends a few KiB at a time). */
export const MAX_AUDIO_BLOCK = 1 << 20;

/**
 * The state of the extensions during one connection: the negotiated clipboard, power control
 * and audio. The session feeds it the messages it reads; it writes replies through `send`.
 */
export class SessionExtensions {
  private readonly send: (bytes: Uint8Array) => void;
  private readonly emit: (event: ExtensionEvent) => void;
  private readonly clipboardOut: (text: string) => void;
  private readonly maxText: number;

  private clipboardCaps: ServerClipboardCaps | undefined;
  /** Our clipboard text, kept to answer the server's Request. */
  private localText: string | undefined;
  private powerOffered = false;
  private lastPowerAction: PowerAction | undefined;
  private audioAcked = false;
  private audioWanted = false;
  private audioOn = false;

  constructor(options: {
    send(bytes: Uint8Array): void;
    emit(event: ExtensionEvent): void;
    /** Text the server's clipboard now holds. */
    clipboard(text: string): void;
    /** The most clipboard text accepted from the server (after inflating). */
    maxText: number;
  }) {
    this.send = options.send;
    this.emit = options.emit;
    this.clipboardOut = options.clipboard;
    this.maxText = options.maxText;
  }

  get extendedClipboard(): boolean {
    return this.clipboardCaps !== undefined;
  }

  get powerAvailable(): boolean {
    return this.powerOffered;
  }

  get audioAvailable(): boolean {
    return this.audioAcked;
  }

  // ---- clipboard ----

  /** One extended ServerCutText payload (|length| bytes). Bad data is reported, never fatal. */
  serverClipboard(payload: Uint8Array): void {
    let message: ReturnType<typeof parseClipboardPayload>;
    try {
      message = parseClipboardPayload(payload, this.maxText);
    } catch (error) {
      const detail = error instanceof RfbError ? error.detail : String(error);
      this.emit({ kind: 'clipboard-notice', message: `The server's clipboard was not received: ${detail}` });
      return;
    }
    switch (message.action) {
      case 'caps': {
        const first = this.clipboardCaps === undefined;
        this.clipboardCaps = serverCaps(message);
        // Our Caps answer the server's: text only, every action, our size limit.
        this.send(buildCaps(ClipboardFormat.Text, VIEWER_CLIPBOARD_ACTIONS, [this.maxText]));
        if (first) this.emit({ kind: 'extended-clipboard' });
        return;
      }
      case 'notify':
        if (message.formats & ClipboardFormat.Text && this.serverDoes(ClipboardAction.Request)) {
          this.send(buildRequest(ClipboardFormat.Text));
        }
        return;
      case 'request':
        if (message.formats & ClipboardFormat.Text && this.localText !== undefined) {
          this.send(buildProvideText(this.localText));
        }
        return;
      case 'peek':
        this.send(buildNotify(this.localText !== undefined ? ClipboardFormat.Text : 0));
        return;
      case 'provide':
        if (message.text !== undefined) this.clipboardOut(message.text);
        return;
    }
  }

  /** Sends the local clipboard: announced (Notify) or provided with Extended Clipboard, else legacy. */
  sendClipboard(text: string): void {
    const caps = this.clipboardCaps;
    if (caps?.text) {
      this.localText = text;
      if (this.serverDoes(ClipboardAction.Notify)) {
        this.send(buildNotify(ClipboardFormat.Text));
        return;
      }
      if (this.serverDoes(ClipboardAction.Provide)) {
        // The server's Caps limit counts the wire form: build it once, measure it, send it.
        const wire = textToWire(text);
        if (caps.maxText && wire.length > caps.maxText) {
          this.emit({
            kind: 'clipboard-notice',
            message: `The clipboard (${wire.length} bytes) was not sent: the server accepts at most ${caps.maxText} bytes`,
          });
          return;
        }
        this.send(buildProvideWire(wire));
        return;
      }
    }
    this.sendLegacy(text);
  }

  /** ClientCutText (RFC 6143 §7.5.6): ISO 8859-1, LF line endings. */
  private sendLegacy(text: string): void {
    const plain = text.replace(/\r\n/g, '\n');
    if (plain.length > LEGACY_CUT_TEXT_LIMIT) {
      this.emit({
        kind: 'clipboard-notice',
        message: `The clipboard (${plain.length} characters) was not sent: this server takes at most ${LEGACY_CUT_TEXT_LIMIT} (QEMU disconnects a viewer that sends more)`,
      });
      return;
    }
    let lost = 0;
    for (let i = 0; i < plain.length; i++) if (plain.charCodeAt(i) > 0xff) lost++;
    this.send(clientCutText(plain));
    if (lost > 0) {
      this.emit({
        kind: 'clipboard-notice',
        message: `${lost} character${lost === 1 ? '' : 's'} of the clipboard became "?": this server takes only Latin-1 text`,
      });
    }
  }

  private serverDoes(action: number): boolean {
    return ((this.clipboardCaps?.actions ?? 0) & action) !== 0;
  }

  // ---- power (XVP) ----

  /** The server's 4-byte XVP message. */
  serverXvp(bytes: Uint8Array): void {
    const message = parseXvp(bytes);
    if (!message) return;
    if (message.kind === 'init') {
      if (!this.powerOffered) {
        this.powerOffered = true;
        this.emit({ kind: 'power-available' });
      }
      return;
    }
    const action = this.lastPowerAction;
    this.lastPowerAction = undefined;
    this.emit({ kind: 'power-failed', action, message: powerFailureText(action) });
  }

  /** Asks the server to shut down, reboot or reset the machine; false when it did not offer XVP. */
  requestPower(action: PowerAction): boolean {
    if (!this.powerOffered) return false;
    this.lastPowerAction = action;
    this.send(buildXvp(action));
    return true;
  }

  // ---- audio (QEMU Audio) ----

  /** The server acknowledged the QEMU Audio pseudo-encoding. */
  audioAcknowledged(): void {
    if (this.audioAcked) return;
    this.audioAcked = true;
    this.emit({ kind: 'audio-available' });
    if (this.audioWanted) this.startAudio();
  }

  /** Turns the audio stream on or off (on takes effect once the server acknowledged). */
  setAudio(on: boolean): void {
    this.audioWanted = on;
    if (!this.audioAcked) return;
    if (on && !this.audioOn) this.startAudio();
    else if (!on && this.audioOn) {
      this.audioOn = false;
      this.send(buildAudioDisable());
    }
  }

  private startAudio(): void {
    this.audioOn = true;
    this.send(buildAudioSetFormat(VIEWER_AUDIO_FORMAT));
    this.send(buildAudioEnable());
  }

  /**
   * One server audio message starting at `bytes[0]`; returns the bytes it took, or 0 when more
   * are needed. Throws AudioError for a malformed message (the stream cannot be resynchronised).
   */
  serverAudio(bytes: Uint8Array): number {
    const { message, length } = parseAudioServerMessage(bytes, MAX_AUDIO_BLOCK);
    if (length === 0) return 0;
    this.deliverAudio(message);
    return length;
  }

  private deliverAudio(message: AudioServerMessage): void {
    if (message.kind === 'begin') this.emit({ kind: 'audio-state', playing: true });
    else if (message.kind === 'end') this.emit({ kind: 'audio-state', playing: false });
    // Blocks that arrive after the user turned audio off are dropped.
    else if (message.kind === 'data' && this.audioOn)
      this.emit({ kind: 'audio-data', samples: message.samples });
  }
}
