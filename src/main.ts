import { runCli } from './cli/program';
import { quietAwsSdkNodeVersionWarning } from './sdk-warnings';

quietAwsSdkNodeVersionWarning();

const argv = process.argv.slice(2);

// `scim-bridge ledger export | head` closes the pipe early: stop quietly, as Unix tools do, not with a stack
// trace. `serve` keeps serving instead (its logger drops lines it cannot write).
if (argv[0] !== 'serve') {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

// The exit code is set rather than forced, so piped stdout drains and `serve` keeps running.
void runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
});
