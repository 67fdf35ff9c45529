import net from 'node:net';

/**
 * A loopback proxy in front of a real server that drops the viewer the moment it asks for a
 * colour-map pixel format, as neatvnc (wayvnc) does; every other connection passes unchanged.
 * It reads only the start of the viewer's stream, for security None over RFB 3.8: the version
 * (12 bytes), the security type (1), ClientInit (1), then the viewer's first message, which is
 * SetPixelFormat (RFC 6143 §7.5.1: type 0, 3 padding bytes, the format; true-colour-flag at
 * offset 3 of the format).
 */
export interface PaletteRefusingProxy {
  port: number;
  /** Connections dropped for asking for a colour map. */
  refused: number;
  close(): Promise<void>;
}

const FIRST_MESSAGE = 12 + 1 + 1;
const TRUE_COLOUR_FLAG = FIRST_MESSAGE + 4 + 3;

export async function startPaletteRefusingProxy(targetPort: number): Promise<PaletteRefusingProxy> {
  const sockets = new Set<net.Socket>();
  const proxy = { port: 0, refused: 0, close: async () => undefined } as PaletteRefusingProxy;
  const server = net.createServer((viewer) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(viewer).add(upstream);
    let head = Buffer.alloc(0);
    let checked = false;
    viewer.on('data', (chunk: Buffer) => {
      if (!checked) {
        head = Buffer.concat([head, chunk]);
        if (head.length <= TRUE_COLOUR_FLAG) {
          upstream.write(chunk);
          return;
        }
        checked = true;
        if (head[FIRST_MESSAGE] === 0 && head[TRUE_COLOUR_FLAG] === 0) {
          proxy.refused++;
          viewer.destroy();
          upstream.destroy();
          return;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => viewer.write(chunk));
    const end = () => {
      viewer.destroy();
      upstream.destroy();
    };
    viewer.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as net.AddressInfo).port;
  proxy.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
