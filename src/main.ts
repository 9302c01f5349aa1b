// The composition root: the only place that reads the environment, touches the real process
// (signals, exit codes) and loads the kubeconfig.
import { readFileSync } from 'node:fs';
import { PooledKubeConfig } from '@appcopy/kube-runtime';
import { ConfigError, helpText, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startOperator } from './operator.ts';
import { USER_AGENT } from './user-agent.ts';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, argv, (path) => readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`appcopy-operator: invalid setting: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const kc = new PooledKubeConfig({ userAgent: USER_AGENT });
  try {
    kc.loadFromDefault();
    if (!kc.getCurrentCluster()) throw new Error('no current cluster in the kubeconfig');
  } catch (error) {
    logger.fatal(
      { err: error },
      'cannot load Kubernetes credentials (KUBECONFIG or the in-cluster service account)',
    );
    return 2;
  }

  const operator = await startOperator(config, kc, logger, {
    ...crashFailpoints(process.env.APPCOPY_FAILPOINTS),
  });
  let signals = 0;
  const stopOn = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        logger.warn(
          { signal },
          'second signal: exiting now; any copy in flight is verified at the next start',
        );
        process.exit(1);
      }
      logger.info({ signal }, 'signal received');
      resolve(0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const code = await Promise.race([stopOn, operator.stopped]);
  await operator.shutdown();
  return code;
}

/**
 * APPCOPY_FAILPOINTS=after-intent (comma-separated) makes the process kill itself with SIGKILL
 * the first time a reconcile reaches that step: how the crash tests stop the operator exactly
 * between two steps of the exactly-once protocol. Unset in production.
 */
function crashFailpoints(spec: string | undefined): { failpoint?: (name: string) => void } {
  const armed = new Set(
    (spec ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  if (armed.size === 0) return {};
  return {
    failpoint(name) {
      if (armed.has(name)) {
        process.stderr.write(`appcopy-operator: failpoint ${name}: killing the process\n`);
        process.kill(process.pid, 'SIGKILL');
      }
    },
  };
}

main().then(
  (code) => {
    process.exitCode = code;
    // Anything still holding the event loop after a clean shutdown is a bug; do not hang a rollout on it.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `appcopy-operator: fatal: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
