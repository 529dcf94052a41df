import { quietAwsSdkNodeVersionWarning } from '../src/sdk-warnings';

// The same switch serve and the CLI flip (src/main.ts), so test output is not interleaved with the AWS
// SDK's Node 22 notice. test/reconcile/process.test.ts runs the CLI with a clean environment to check that.
quietAwsSdkNodeVersionWarning();
