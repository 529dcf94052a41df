import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface BridgeProcess {
  child: ChildProcess;
  port: number;
  /** stdout lines so far (JSON log lines for `serve`). */
  lines: string[];
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Runs a one-shot CLI command of the compiled bridge and returns its outcome. */
export function runBuiltCli(main: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Starts `serve` as a child process and waits for its `listening` log line, which carries the port. */
export function startBridge(main: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 15_000): Promise<BridgeProcess> {
  const child = spawn(process.execPath, [main, 'serve', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout!.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(line);
        const port = listeningPort(line);
        if (port !== undefined) {
          clearTimeout(timer);
          resolve({ child, port, lines, exited });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening; stderr: ${stderr}`));
    });
  });
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { message?: string; port?: number };
    return entry.message === 'listening' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}
