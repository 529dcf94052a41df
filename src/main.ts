import { runCli } from './cli/program';
import { quietAwsSdkNodeVersionWarning } from './sdk-warnings';

quietAwsSdkNodeVersionWarning();

// The exit code is set rather than forced, so piped stdout drains and `serve` keeps running.
void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
});
