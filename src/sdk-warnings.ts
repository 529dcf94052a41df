/**
 * The AWS SDK for JavaScript v3 warns (process.emitWarning, 8 lines, once per process) that its releases
 * after January 2027 will need Node 22. The bridge runs on Node 20.19+ with the SDK version it locks, so
 * on Node 20 the warning only lands in the middle of CLI, demo and serve output. The SDK's own switch turns
 * off just this warning; an operator who set the variable keeps their choice.
 */
export function quietAwsSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
