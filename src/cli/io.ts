/** Where a command reads its environment and writes: stdout is data, stderr is for people and logs. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/**
 * A failure the command explains itself: the message goes to stderr (stdout when it is the command's
 * answer, like a broken ledger's verdict) and the process exits with exitCode.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1, readonly stream: 'stdout' | 'stderr' = 'stderr') {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes: 0 success, 1 the command failed (broken ledger, invalid config, unknown token), 2 bad usage. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}
