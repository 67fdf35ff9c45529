import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { answerCall, type Call } from '../../shared/pending-replies.ts';
import { type ControlService, createControlService, openSettingsStore } from '../app/control-service.ts';
import { KnownHostsStore } from '../app/known-hosts-store.ts';
import { type LaunchRegistry, storedPasswordLookup } from '../app/launches.ts';
import { BROWSER_MODE_CIPHER_REASON, unavailableCipher } from '../app/password-vault.ts';
import { CertificatePinStore } from '../app/pin-store.ts';
import { CONTENT_SECURITY_POLICY, CONTENT_TYPES } from '../app/renderer-files.ts';
import { runSessionHost } from '../session/session-host.ts';
import { PageStream } from './session-stream.ts';
import { resolveStaticFile } from './static-files.ts';

export interface WebServerOptions {
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Where recent connections and settings are kept. */
  dataDir: string;
  /** Connections to open at start (`porthole connect`), taken by the viewer with `launch:take`. */
  launches?: LaunchRegistry;
}

export interface WebServer {
  /** The address to open, with its token: http://127.0.0.1:PORT/TOKEN/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Clipboard text is at most 16 MiB; nothing else the viewer sends comes close. */
const MAX_MESSAGE_BYTES = 17 << 20;

/**
 * Browser mode: serves the renderer and runs sessions in this Node process, carrying the
 * same contract as Electron's IPC: the page's messages over WebSockets, the sessions' down one
 * streamed response per page (shared/stream-frames.ts). Bound to 127.0.0.1 only; every request
 * must carry the random token as the first path segment, so relative asset URLs carry it too.
 * Host and Origin are checked so another web page cannot reach it through DNS rebinding.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = randomBytes(24).toString('base64url');
  const prefix = `/${token}/`;
  const launches = options.launches;
  // No keyring in browser mode: passwords are not stored, and the snapshot says why.
  const settings = openSettingsStore(options.dataDir, unavailableCipher(BROWSER_MODE_CIPHER_REASON));
  const pins = new CertificatePinStore(options.dataDir);
  const control = createControlService(options.dataDir, { launches, settings, pins });
  // A launch's password (porthole connect FILE.vnc) is kept by the launch registry.
  const lookupPassword = storedPasswordLookup(settings, launches);
  const knownHosts = new KnownHostsStore(options.dataDir);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Each open page's stream, by id (shared/stream-frames.ts). */
  const streams = new Map<string, PageStream>();
  let port = 0;

  const allowedHost = (host: string | undefined) =>
    host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  const allowedOrigin = (origin: string | undefined) =>
    origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  const hasToken = (path: string) =>
    path.length >= prefix.length &&
    timingSafeEqual(Buffer.from(path.slice(0, prefix.length)), Buffer.from(prefix));

  const server = createServer((request, response) => {
    void serveFile(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
    });
  });

  async function serveFile(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (!allowedHost(request.headers.host) || !hasToken(path)) {
      response
        .writeHead(403, { 'Content-Type': 'text/plain' })
        .end('Forbidden: open the address Porthole printed\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    if (path.slice(prefix.length) === 'stream') {
      if (request.method !== 'GET') response.writeHead(405).end();
      else {
        const stream = new PageStream(response, (ended) => streams.delete(ended.id));
        streams.set(stream.id, stream);
      }
      return;
    }
    const file = await resolveStaticFile(options.rendererDir, path.slice(prefix.length - 1));
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
      return;
    }
    const body = await readFile(file);
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)],
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const [path, query] = (request.url ?? '').split('?');
    const kind = hasToken(path) ? path.slice(prefix.length) : '';
    // A session's messages go down its page's stream, which the page opened first.
    const stream = streams.get(new URLSearchParams(query ?? '').get('stream') ?? '');
    if (
      !allowedHost(request.headers.host) ||
      !allowedOrigin(request.headers.origin) ||
      (kind !== 'ws/control' && !(kind === 'ws/session' && stream))
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      if (kind === 'ws/control') serveControl(ws, control);
      else if (stream) runSessionHost(stream.addSession(ws), { lookupPassword, knownHosts, pins });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        for (const stream of streams.values()) stream.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Pending writes land; bookmarks deleted in this run are deleted for good.
      await settings.close();
    },
  };
}

/** Control requests as JSON calls (shared/pending-replies.ts), one reply per call. */
function serveControl(ws: WebSocket, control: ControlService): void {
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return;
    let call: Call;
    try {
      call = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (typeof call?.id !== 'number') return;
    const handler = Object.hasOwn(control, call.name)
      ? (control[call.name as keyof ControlService] as (params: unknown) => Promise<unknown>)
      : undefined;
    answerCall(
      call.id,
      async () => {
        if (!handler) throw new Error(`"${call.name}" is not available in browser mode`);
        return handler(call.params ?? {});
      },
      (reply) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(reply));
      },
    );
  });
}
