import { type ChildProcess, spawn } from 'node:child_process';
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

/** A `porthole web` or `porthole connect` serving the viewer: its address and process. */
export interface ServingPorthole {
  url: string;
  child: ChildProcess;
  stderr(): string;
}

/** Starts a serving `porthole` command and waits for the address it prints first. */
export function startServingPorthole(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServingPorthole> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...withoutPassword(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((done, fail) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`no address printed in 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      const lines = stdout.split('\n');
      if (lines.length > 1) {
        clearTimeout(timer);
        done({ url: lines[0], child, stderr: () => stderr });
      }
    });
    child.on('exit', (code) => fail(new Error(`porthole ${args[0]} exited (${code}): ${stderr}`)));
  });
}
