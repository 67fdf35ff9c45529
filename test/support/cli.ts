import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BIN = resolve('bin/porthole.js');

/** Runs the real `porthole` command as a user would, with its exit code and output. */
export function runPorthole(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCommand(process.execPath, [BIN, ...args], { ...withoutPassword(process.env), ...env });
}

/** Runs a command to its end, with its exit code and output. */
export function runCommand(command: string, args: string[], env = process.env): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

export function tempDir(prefix = 'porthole-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

function withoutPassword(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { VNC_PASSWORD: _, ...rest } = env;
  return rest;
}
