import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../eventually.ts';
import type { ApiServerCredentials } from './admin-credentials.ts';
import { ControlPlaneError } from './control-plane-error.ts';
import { isPortFree, mentionsAddressInUse, pickFreePort } from './free-port.ts';
import { type GuardedProcess, type ProcessExit, spawnGuarded } from './guarded-process.ts';
import { probe } from './http-probe.ts';

export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

export interface RunningApiServer {
  process: GuardedProcess;
  port: number;
  /** https://127.0.0.1:<port> */
  server: string;
  /** PEM bundle of the self-signed serving certificate and its CA (stable across restarts). */
  caData: string;
}

export interface StartApiServerOptions {
  binary: string;
  runDir: string;
  etcdUrl: string;
  credentials: ApiServerCredentials;
  /** A fixed port (restarts, or a person's choice); default: a free one, retried once on a race. */
  port?: number;
  /** Appended after the defaults; for single-valued flags the last occurrence wins. */
  extraArgs?: string[];
  readyTimeoutMs?: number;
  /** Resolves if waiting is pointless, e.g. etcd died. */
  abandon?: Promise<Error>;
  log: (line: string) => void;
}

/**
 * The flags of a fast, single-node API server for tests: loopback only, RBAC with a static admin
 * token, service-account tokens (TokenRequest) enabled. Only reasons are commented.
 */
export function apiServerArgs(options: {
  port: number;
  etcdUrl: string;
  runDir: string;
  credentials: ApiServerCredentials;
}): string[] {
  return [
    `--etcd-servers=${options.etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${options.port}`,
    // Generates a self-signed CA and serving certificate for 127.0.0.1 on first start and reuses
    // them on restart, so kubeconfigs stay valid across restartApiServer().
    `--cert-dir=${join(options.runDir, 'apiserver-certs')}`,
    `--token-auth-file=${options.credentials.tokenFile}`,
    // RBAC, so the operator's RBAC manifests can be tested; system:masters bypasses it.
    '--authorization-mode=RBAC',
    `--service-account-issuer=${serviceAccountIssuer}`,
    `--service-account-key-file=${options.credentials.serviceAccountKeyFile}`,
    `--service-account-signing-key-file=${options.credentials.serviceAccountKeyFile}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    // The lease reconciler refuses a loopback advertise address, and with no kubelet or
    // kube-proxy nothing would use the `kubernetes` Service endpoints anyway.
    '--endpoint-reconciler-type=none',
    // Without kube-controller-manager no namespace gets a `default` ServiceAccount, so this
    // plugin would reject every Pod. Namespace creation needs no controller.
    '--disable-admission-plugins=ServiceAccount',
    '--profiling=false',
  ];
}

/**
 * Starts kube-apiserver and resolves once /readyz answers ok and the `default` namespace exists.
 * On failure nothing is left running and the error names the cause.
 */
export async function startApiServer(options: StartApiServerOptions): Promise<RunningApiServer> {
  if (options.port !== undefined) await assertApiServerPortFree(options.port);
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await pickFreePort());
    const apiServer = await spawnGuarded({
      command: options.binary,
      args: [...apiServerArgs({ ...options, port }), ...(options.extraArgs ?? [])],
      logFile: join(options.runDir, 'kube-apiserver.log'),
      cleanupOnOrphan: [options.runDir],
    });
    try {
      const running = await awaitReady(apiServer, port, options);
      options.log(`kube-apiserver ready at ${running.server}`);
      return running;
    } catch (error) {
      await apiServer.stop({ signal: 'SIGKILL' });
      if (!mentionsAddressInUse(apiServer.logTail(50))) throw error;
      if (options.port === undefined && attempt === 1) {
        options.log(`kube-apiserver lost a race for port ${port}; retrying with another port`);
        continue;
      }
      throw portInUse(port, apiServer);
    }
  }
}

/** Rejects with PORT_IN_USE, naming the port and what to do, if `port` cannot be bound now. */
export async function assertApiServerPortFree(port: number): Promise<void> {
  if (!(await isPortFree(port))) throw portInUse(port, undefined);
}

async function awaitReady(
  apiServer: GuardedProcess,
  port: number,
  options: StartApiServerOptions,
): Promise<RunningApiServer> {
  const server = `https://127.0.0.1:${port}`;
  const certFile = join(options.runDir, 'apiserver-certs', 'apiserver.crt');
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const exited = apiServer.exited.then((exit) => apiServerExited(apiServer, exit));
  const abandon = options.abandon ? Promise.race([exited, options.abandon]) : exited;
  let lastAnswer = 'no answer yet';

  const get = async (path: string) => {
    // The certificate file appears before the port opens; reading it each time is cheap.
    const ca = readFileSync(certFile, 'utf8');
    const answer = await probe(`${server}${path}`, { ca, bearerToken: options.credentials.adminToken });
    lastAnswer = `${path} answered ${answer.status}: ${summarise(answer.body)}`;
    return { ca, answer };
  };

  const caData = await eventually(
    async () => {
      const { ca, answer } = await get('/readyz');
      return answer.status === 200 ? ca : undefined;
    },
    {
      what: 'the API server to be ready',
      timeoutMs,
      abandon,
      onTimeout: () => notReady('/readyz', timeoutMs, lastAnswer, apiServer),
    },
  );
  // /readyz can pass a moment before the bootstrap controller has created the system namespaces.
  await eventually(async () => (await get('/api/v1/namespaces/default')).answer.status === 200, {
    what: 'the default namespace',
    timeoutMs: Math.max(deadline - Date.now(), 5_000),
    abandon,
    onTimeout: () => notReady('the default namespace', timeoutMs, lastAnswer, apiServer),
  });
  return { process: apiServer, port, server, caData };
}

export function apiServerExited(apiServer: GuardedProcess, exit: ProcessExit): ControlPlaneError {
  return new ControlPlaneError(
    'API_SERVER_EXITED',
    `kube-apiserver exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}). Last lines of its log:\n` +
      `${apiServer.logTail()}\nLook for the cause above (often a bad flag in apiServerArgs, or etcd gone) and start again.`,
  );
}

function notReady(
  what: string,
  timeoutMs: number,
  lastAnswer: string,
  apiServer: GuardedProcess,
): ControlPlaneError {
  return new ControlPlaneError(
    'NOT_READY',
    `kube-apiserver did not get ${what} ready within ${timeoutMs / 1000} s (last: ${lastAnswer}). ` +
      `The machine may be overloaded: retry, or raise readyTimeoutMs. Last lines of its log:\n${apiServer.logTail()}`,
  );
}

function portInUse(port: number, apiServer: GuardedProcess | undefined): ControlPlaneError {
  return new ControlPlaneError(
    'PORT_IN_USE',
    `Port ${port} on 127.0.0.1 is already in use by another process, so kube-apiserver cannot listen on it. ` +
      'Stop that process (ss -ltnp shows it) or choose another port, or let the control plane pick a free one.' +
      (apiServer ? ` Last lines of its log:\n${apiServer.logTail(5)}` : ''),
  );
}

/** The failing checks of a verbose /readyz answer, or the start of any other body. */
function summarise(body: string): string {
  const failing = body.split('\n').filter((line) => line.startsWith('[-]'));
  return failing.length > 0 ? failing.join('; ') : body.trim().slice(0, 200);
}
