import { execFile } from 'node:child_process';
import { RfbError, serverText } from '../../shared/rfb-error.ts';
import type { SshConnection } from '../ssh/tunnel.ts';

/** How a `virsh` run ended. */
export interface CommandResult {
  /** The exit code; 127: the command was not found. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `virsh` with these arguments on the VM host, and where that is (`alice@kvm1`, `this machine`). */
export interface Virsh {
  where: string;
  run(args: readonly string[]): Promise<CommandResult>;
}

/** The most output one run may print (a domain's XML is a few KiB) and how long it may take. */
const MAX_OUTPUT = 4 << 20;
const RUN_TIMEOUT_MS = 30_000;
/** POSIX shells' exit code for a command not found. */
const NOT_FOUND = 127;

/** virsh on this machine, started without a shell; C locale so that its words are libvirt's own. */
export function localVirsh(env: NodeJS.ProcessEnv = process.env): Virsh {
  return {
    where: 'this machine',
    run: (args) =>
      new Promise((resolve) => {
        execFile(
          'virsh',
          [...args],
          { env: { ...env, LC_ALL: 'C' }, maxBuffer: MAX_OUTPUT, timeout: RUN_TIMEOUT_MS, encoding: 'utf8' },
          (error, stdout, stderr) => {
            const code = (error as (Error & { code?: unknown }) | null)?.code;
            if (code === 'ENOENT')
              return resolve({ code: NOT_FOUND, stdout: '', stderr: 'virsh: not found' });
            resolve({
              code: error ? (typeof code === 'number' ? code : 1) : 0,
              stdout,
              stderr: stderr || (error && typeof code !== 'number' ? error.message : ''),
            });
          },
        );
      }),
  };
}

/** A word for a POSIX shell, in single quotes (a quote inside becomes '\''). */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * virsh on the SSH host, through an `exec` channel of the logged-in connection (RFC 4254
 * §6.5): nothing is installed there. The command line goes through the user's shell, so
 * every word is quoted; `env` sets the C locale in any login shell.
 */
export function sshVirsh(connection: SshConnection): Virsh {
  return {
    where: connection.label,
    run: async (args) => {
      const command = ['env', 'LC_ALL=C', 'virsh', ...args].map(shellQuote).join(' ');
      const channel = await connection.exec(command);
      return new Promise((resolve) => {
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let size = 0;
        let failure: string | undefined;
        const timer = setTimeout(() => {
          failure = `virsh did not finish within ${RUN_TIMEOUT_MS / 1000} s`;
          channel.close();
        }, RUN_TIMEOUT_MS);
        const collect = (into: Buffer[]) => (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_OUTPUT) {
            failure ??= `virsh printed more than ${MAX_OUTPUT >> 20} MiB`;
            channel.close();
            return;
          }
          into.push(chunk);
        };
        channel.on('data', collect(out));
        channel.stderr.on('data', collect(err));
        let code: number | undefined;
        channel.on('exit', (exitCode: number | null) => {
          code = exitCode ?? undefined;
        });
        channel.on('close', () => {
          clearTimeout(timer);
          const stderr = Buffer.concat(err).toString('utf8');
          resolve({
            code: failure ? 1 : (code ?? 1),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: failure ?? stderr,
          });
        });
      });
    },
  };
}

/** virsh's own error lines (`error: …`), joined, made safe to print. */
function virshMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const errors = lines.filter((line) => line.startsWith('error:')).map((line) => line.slice(6).trim());
  return serverText((errors.length ? errors : lines).join('; ') || 'no message', 600);
}

/**
 * What a failed virsh run means, in words the user can act on: virsh missing, libvirt not
 * open to this user, libvirt not answering at the URI, or virsh's own message.
 */
export function virshFailure(virsh: Virsh, uri: string, result: CommandResult): RfbError {
  const where = virsh.where;
  const message = virshMessage(result.stderr);
  if (result.code === NOT_FOUND) {
    return new RfbError(
      'protocol',
      `virsh is not installed on ${where} (${message})`,
      'Install libvirt-clients there (apt install libvirt-clients), or connect to a console by its port',
    );
  }
  if (
    /permission denied|access denied|authentication (failed|unavailable)|polkit|not authori[sz]ed/i.test(
      message,
    )
  ) {
    return new RfbError(
      'auth',
      `${where} may not use libvirt at ${uri}: ${message}`,
      'Add the user to the libvirt group there (sudo adduser USER libvirt, then log in again), or use qemu:///session for the user’s own VMs',
    );
  }
  if (
    /failed to connect|no such file or directory|connection refused|cannot recv data|no connection driver/i.test(
      message,
    )
  ) {
    return new RfbError(
      'network',
      `libvirt does not answer at ${uri} on ${where}: ${message}`,
      'Check the URI (--uri) and that libvirtd (or virtqemud) runs there',
    );
  }
  return new RfbError('protocol', `virsh failed on ${where}: ${message}`);
}
