/**
 * The connection target a command line carries: a `vnc://` URL (the OS hands links to the
 * registered protocol client this way on Linux and Windows) or a `.vnc` file path.
 */
export function targetFromArgv(argv: readonly string[]): string | null {
  for (const arg of argv.slice(1)) {
    if (arg.startsWith('-')) continue;
    if (isVncLink(arg)) return arg;
    if (/\.vnc$/i.test(arg)) return arg;
  }
  return null;
}

export function isVncLink(argument: string): boolean {
  return /^vnc:\/\//i.test(argument);
}
