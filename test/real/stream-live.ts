import net from 'node:net';
import { Coverage } from '../../main/cli/coverage.ts';
import type { PixelFormat } from '../../main/rfb/pixel-format.ts';
import type {
  DesktopSizeResult,
  LedState,
  RfbSession,
  SessionEvents,
  SessionOptions,
  StreamMode,
} from '../../main/rfb/session.ts';
import { runSessionOverSocket } from '../../main/rfb/transports/tcp.ts';
import type { ColourLevel } from '../../shared/colour-level.ts';
import { Framebuffer } from '../../shared/framebuffer.ts';
import type { RfbError } from '../../shared/rfb-error.ts';
import { comparePictures, reduceTruth } from '../support/colour-model.ts';
import { type VncServer, waitFor } from '../support/servers.ts';
import type { Image } from '../support/truth.ts';

/** A session on a real server, with everything it painted and reported, and what it sent. */
export interface Live {
  session: RfbSession;
  fb: Framebuffer;
  coverage: Coverage;
  /** Every client message sent, as [type, second byte] (one transport write is one message). */
  sent: [number, number][];
  modes: StreamMode[];
  sizeResults: DesktopSizeResult[];
  leds: LedState[];
  pointerModes: string[];
  displayModes: { width: number; height: number; format: PixelFormat }[];
  updates: number;
  error: RfbError | undefined;
  ended: Promise<RfbError | undefined>;
}

/** Sessions `connectLive` opened that have not ended yet. */
const opened = new Set<Live>();

/** Closes every session `connectLive` opened that is still going (for an `afterAll`). */
export function closeLiveSessions(): void {
  for (const live of opened) live.session.close();
  opened.clear();
}

/** Connects to `server` and applies every batch to a framebuffer. `events` are called too. */
export function connectLive(server: VncServer, options: SessionOptions, events: SessionEvents = {}): Live {
  const socket = net.connect({ host: server.host, port: server.port });
  const live = {
    fb: new Framebuffer(),
    coverage: new Coverage(),
    sent: [],
    modes: [],
    sizeResults: [],
    leds: [],
    pointerModes: [],
    displayModes: [],
    updates: 0,
    error: undefined,
  } as unknown as Live;
  const write = socket.write.bind(socket);
  socket.write = ((bytes: Uint8Array) => {
    live.sent.push([bytes[0], bytes[1]]);
    return write(bytes);
  }) as typeof socket.write;
  const tcp = runSessionOverSocket(
    socket,
    false,
    { credentials: { password: server.password }, ...options },
    {
      ...events,
      onDraw: (batch) => {
        live.fb.apply(batch);
        live.coverage.apply(batch);
        events.onDraw?.(batch);
      },
      onUpdateEnd: () => {
        live.updates++;
        events.onUpdateEnd?.();
      },
      onStreamMode: (mode) => live.modes.push(mode),
      onDesktopSizeResult: (result) => live.sizeResults.push(result),
      onLedState: (state) => live.leds.push(state),
      onPointerMode: (mode) => live.pointerModes.push(mode),
      onDisplayMode: (width, height, format) => live.displayModes.push({ width, height, format }),
      onClose: (error) => {
        live.error = error;
      },
    },
  );
  live.session = tcp.session;
  live.ended = tcp.ended;
  opened.add(live);
  void tcp.ended.finally(() => opened.delete(live));
  return live;
}

/** How many pixels of the live picture differ from the server's (reduced to the colour level). */
export function differences(
  live: Live,
  truth: Image,
  level: ColourLevel,
  kind: VncServer['kind'],
): { different: number; first: string } {
  if (live.fb.width !== truth.width || live.fb.height !== truth.height) {
    return {
      different: truth.width * truth.height,
      first: `the sizes differ: ${live.fb.width}x${live.fb.height}, expected ${truth.width}x${truth.height}`,
    };
  }
  return comparePictures(live.fb.data, reduceTruth(truth.data, level, kind), truth.width);
}

/** Waits until the live picture equals the server's, failing with the session's error if it ended. */
export async function waitForPicture(
  live: Live,
  truth: () => Promise<Image>,
  level: ColourLevel,
  kind: VncServer['kind'],
  ms = 20_000,
): Promise<void> {
  let last = { different: -1, first: '' };
  try {
    await waitFor('the live picture to equal the server’s', ms, async () => {
      if (live.error) throw live.error;
      last = differences(live, await truth(), level, kind);
      return last.different === 0 ? true : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message} (${last.different} pixels differ; first at ${last.first})`);
  }
}
