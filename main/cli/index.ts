import { parseArgs } from 'node:util';
import { RfbError, type RfbErrorKind } from '../../shared/rfb-error.ts';
import { defaultDataDir } from '../app/data-dir.ts';
import { CertificatePinStore } from '../app/pin-store.ts';
import { readPemFile } from '../session/tls-files.ts';
import { record, replay, snapshot } from './commands.ts';
import { connect } from './connect.ts';
import type { LiveOptions } from './live.ts';
import {
  parseColourLevel,
  parseEncodingList,
  parsePort,
  parseQuality,
  parseSeconds,
  parseSecurityList,
  readPassword,
  usageError,
} from './options.ts';
import { scanCommand } from './scan.ts';
import { bookmarkTunnel, SSH_OPTIONS, SSH_USAGE, sshTunnelOptions } from './ssh-options.ts';
import { web } from './web.ts';

const USAGE = `Usage:
  porthole snapshot <target> <out.png> [options]     write one complete framebuffer as PNG
  porthole record <target> <out.fbs> --seconds N [options]
                                                     record the server's stream (FBS 001.000)
  porthole replay <in.fbs> [--png OUT] [--bench] [--json]
                                                     decode a recording as fast as possible
  porthole web [--port P] [--data-dir D]             serve the viewer to a browser on 127.0.0.1;
                                                     prints the address (with its token) first
  porthole scan <host> [--ports A-B] [--json]        list the VNC servers on a host's ports
  porthole pins [--remove HOST:PORT] [--data-dir D]  list the pinned server keys, or remove one
  porthole connect <FILE.vnc | vnc://...> [--port P] [--data-dir D]
                                                     browser mode that connects at once with the
                                                     file's settings and password (RealVNC and
                                                     TigerVNC .vnc files); prints the address first

Targets: host (display 0), host:N (display N = port 5900+N), host::port,
         vnc://host[:port], [IPv6]:N
Options:
  --password-file F   read the VNC password from the first line of F (or set VNC_PASSWORD)
  --encodings LIST    comma-separated, in order of preference:
                      raw,copyrect,rre,corre,hextile,zlib,tight,tightpng,trle,zrle
  --color-level L     full (default), rgb565, rgb332, rgb222, rgb111, pal8
  --quality Q         picture quality auto, high (lossless), medium or low (Tight JPEG);
                      --encodings, when given, takes precedence
  --timeout S         give up after S seconds (default 30)
  --username U        the username for Plain, TLSPlain, X509Plain, RA2, ARD and MSLogonII
                      (the password as above)
  --security LIST     acceptable security types in order of preference: none, vnc, ra2,
                      ra2ne, ra2_256, ra2ne_256, tight, tls, vencrypt, plain, tlsnone, tlsvnc,
                      tlsplain, x509none, x509vnc, x509plain, ard, mslogon2
  --require-encryption  refuse a connection whose channel is not encrypted
  --allow-plain-unencrypted  allow Plain (256), Apple Remote Desktop (30) and MSLogonII (113)
                      to send the username and password over an unencrypted connection
  --ca FILE           trust the certificate authorities in FILE (PEM) beside the system's
  --client-cert FILE --client-key FILE
                      present this client certificate (PEM), for servers that verify clients
  --accept-new        trust an unknown server certificate (or RSA-AES key) on first use and
                      pin its key
                      (and an unknown SSH host key, see below)
  --data-dir D        where pinned keys live (default: the viewer's data directory)
Exit codes: 0 ok, 1 usage, 2 network, 3 authentication, 4 protocol, 5 timeout,
            6 the server's identity could not be verified (unknown or changed certificate)
${SSH_USAGE}`;

const EXIT_CODES: Record<RfbErrorKind, number> = {
  usage: 1,
  network: 2,
  auth: 3,
  protocol: 4,
  timeout: 5,
  identity: 6,
};

const LIVE_OPTIONS = {
  'password-file': { type: 'string' },
  encodings: { type: 'string' },
  quality: { type: 'string' },
  'color-level': { type: 'string' },
  'colour-level': { type: 'string' },
  timeout: { type: 'string' },
  seconds: { type: 'string' },
  png: { type: 'string' },
  bench: { type: 'boolean' },
  json: { type: 'boolean' },
  port: { type: 'string' },
  ports: { type: 'string' },
  'data-dir': { type: 'string' },
  security: { type: 'string' },
  username: { type: 'string' },
  ca: { type: 'string' },
  'client-cert': { type: 'string' },
  'client-key': { type: 'string' },
  remove: { type: 'string' },
  'require-encryption': { type: 'boolean' },
  'allow-plain-unencrypted': { type: 'boolean' },
  'accept-new': { type: 'boolean' },
  ...SSH_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    await run(argv, env);
    return 0;
  } catch (error) {
    if (error instanceof RfbError) {
      process.stderr.write(`porthole: ${error.message}\n`);
      if (error.kind === 'usage') process.stderr.write('Run "porthole --help" for usage.\n');
      return EXIT_CODES[error.kind];
    }
    process.stderr.write(`porthole: internal error: ${(error as Error)?.stack ?? error}\n`);
    return 70;
  }
}

/** `--security`, `--ca`, `--client-cert`/`--client-key`, `--require-encryption`, `--allow-plain-unencrypted`. */
function securityOptions(values: {
  security?: string;
  ca?: string;
  'client-cert'?: string;
  'client-key'?: string;
  'require-encryption'?: boolean;
  'allow-plain-unencrypted'?: boolean;
}): NonNullable<LiveOptions['security']> {
  if ((values['client-cert'] === undefined) !== (values['client-key'] === undefined))
    throw usageError('--client-cert and --client-key go together');
  return {
    ...(values.security !== undefined && { preferences: parseSecurityList(values.security) }),
    ...(values.ca !== undefined && { ca: readPemFile(values.ca, '--ca') }),
    ...(values['client-cert'] !== undefined && {
      clientCert: readPemFile(values['client-cert'], '--client-cert'),
    }),
    ...(values['client-key'] !== undefined && {
      clientKey: readPemFile(values['client-key'], '--client-key'),
    }),
    requireEncryption: values['require-encryption'] ?? false,
    allowPlainUnencrypted: values['allow-plain-unencrypted'] ?? false,
  };
}

/** `porthole pins`: lists the pinned server keys, or removes one. */
async function pinsCommand(remove: string | undefined, dataDir: string | undefined): Promise<void> {
  const store = new CertificatePinStore(dataDir ?? defaultDataDir());
  if (remove !== undefined) {
    if (!(await store.get(remove))) throw usageError(`no pin for ${remove}; "porthole pins" lists them`);
    await store.remove(remove);
    process.stderr.write(`porthole: removed the pin for ${remove}\n`);
    return;
  }
  for (const pin of await store.list()) {
    process.stdout.write(
      `${pin.server}  SHA256 ${pin.publicKeySha256}  ${pin.subject}  pinned ${pin.pinnedAt}\n`,
    );
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof LIVE_OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: LIVE_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || command === 'help' || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    if (command === undefined && !values.help) throw usageError('no command given');
    return;
  }
  const expectArgs = (n: number, names: string) => {
    if (args.length !== n) throw usageError(`"${command}" takes ${names}`);
  };
  const live = (): LiveOptions => ({
    target: args[0],
    password: readPassword(values['password-file'], env),
    encodings: values.encodings === undefined ? undefined : parseEncodingList(values.encodings),
    quality: values.quality === undefined ? undefined : parseQuality(values.quality),
    colourLevel: parseColourLevel(values['color-level'] ?? values['colour-level'] ?? 'full'),
    timeoutSeconds: values.timeout === undefined ? 30 : parseSeconds(values.timeout, '--timeout'),
    username: values.username,
    security: securityOptions(values),
    acceptNew: values['accept-new'] ?? false,
    dataDir: values['data-dir'],
    tunnel: sshTunnelOptions(values, env),
  });
  switch (command) {
    case 'snapshot': {
      expectArgs(2, '<target> <out.png>');
      const { framebuffer } = await snapshot(live(), args[1]);
      process.stderr.write(`porthole: wrote ${framebuffer.width}x${framebuffer.height} to ${args[1]}\n`);
      return;
    }
    case 'record': {
      expectArgs(2, '<target> <out.fbs> --seconds N');
      if (values.seconds === undefined) throw usageError('record needs --seconds N');
      await record(live(), args[1], parseSeconds(values.seconds, '--seconds'));
      return;
    }
    case 'replay': {
      expectArgs(1, '<in.fbs>');
      const { framebuffer: _, ...result } = replay(args[0], values.png);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } else if (values.bench) {
        const rects = Object.entries(result.rects)
          .map(([name, n]) => `${name} ${n}`)
          .join(', ');
        const lines = [
          `bytes        ${result.bytes}`,
          `updates      ${result.updates}`,
          `rectangles   ${rects || 'none'}`,
          `pixels       ${result.pixels}`,
          `seconds      ${result.seconds.toFixed(4)}`,
          `Mpixel/s     ${result.mpixelPerSec.toFixed(1)}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      return;
    }
    case 'web': {
      expectArgs(0, 'no arguments (options: --port P, --data-dir D)');
      await web(values.port === undefined ? 0 : parsePort(values.port), values['data-dir']);
      return;
    }
    case 'scan':
      await scanCommand(args, values, sshTunnelOptions(values, env));
      return;
    case 'connect': {
      expectArgs(1, '<FILE.vnc | vnc://host[:port]> (options: --port P, --data-dir D)');
      await connect(
        args[0],
        values.port === undefined ? 0 : parsePort(values.port),
        values['data-dir'],
        bookmarkTunnel(values),
      );
      return;
    }
    case 'pins':
      expectArgs(0, 'no arguments (options: --remove HOST:PORT, --data-dir D)');
      await pinsCommand(values.remove, values['data-dir']);
      return;
    default:
      throw usageError(`unknown command "${command}"`);
  }
}
