// Runs one of the test bed's tools (tool-cache.ts) as a child process and collects its output.
import { type ProcessResult, runProcess } from '../run-process.ts';

export type ToolResult = ProcessResult;

/** Never throws for a non-zero exit: tests assert on code and stderr. */
export function runTool(
  binary: string,
  args: string[],
  options: { input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return runProcess(binary, args, {
    ...options,
    // helm keeps its caches and plugins under $HOME unless told otherwise; a test run writes none.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HELM_CACHE_HOME: '/tmp/appcopy-helm-cache',
    },
  });
}
