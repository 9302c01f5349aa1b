// The check of one console resource, run when it changes, when an AppCopy finds its token
// refused, and every CONSOLE_CHECK_INTERVAL: read its token and CA again (a rotated token or CA
// is picked up without a restart), (re)build its connection when its URL, CA or limits changed,
// ask the console one cheap question with the token, and say in status what was found. The
// AppCopies that use the console are woken when its readiness or token changes.
import { ConflictError } from '@appcopy/kube-runtime';
import type { Logger } from 'pino';
import {
  CLUSTER_CONSOLE_KIND,
  CONSOLE_KIND,
  type ConsoleId,
  type ConsoleObject,
  ConsoleReason,
  type ConsoleSpec,
  describeConsole,
  type KeyRef,
  normalizeConsoleUrl,
  parseConsoleSpec,
} from '../api/console.ts';
import { sameJson } from '../api/equality.ts';
import { forbidden } from '../controller/credentials.ts';
import { parseDuration } from '../duration.ts';
import type { ConfigMapReader } from '../k8s/config-map-reader.ts';
import type { ConsoleStore } from '../k8s/console-store.ts';
import type { EventRecorder } from '../k8s/event-recorder.ts';
import type { SecretReader, SecretValue } from '../k8s/secret-reader.ts';
import { recordableRelease, releaseWarning } from '../rainbond/release.ts';
import type { ConsoleCatalogue } from './catalogue.ts';
import type { ConnectionSettings, Connections, ConsoleConnection, ConsoleToken } from './connections.ts';
import { type CheckResult, consoleStatusAfter, judgeProbe, readyCondition } from './console-status.ts';

/** The operator's settings a console inherits where its spec.limits say nothing. */
export interface ConsoleDefaults {
  copyTimeoutMs: number;
  requestTimeoutMs: number;
  copyConcurrency: number;
  /** VERIFY_SETTLE_PERIOD: its margin over RAINBOND_COPY_TIMEOUT applies to each console's copy timeout. */
  verifySettleMs: number;
}

/** What the check asks of the work queue: come back after `requeueAfterMs` (0: with backoff). */
export interface CheckOutcome {
  requeueAfterMs?: number;
}

export function createConsoleCheck(deps: {
  catalogue: ConsoleCatalogue;
  connections: Connections;
  secrets: SecretReader;
  configMaps: ConfigMapReader;
  store: ConsoleStore;
  events: EventRecorder;
  defaults: ConsoleDefaults;
  checkIntervalMs: number;
  now: () => Date;
  logger: Logger;
  /** The console's readiness or token changed: the AppCopies using it should look again. */
  onChange: (key: string) => void;
  /** The console's readiness, for its metric; `undefined` when it is gone. */
  onReadiness?: (key: string, ready: boolean | undefined) => void;
  /** The console's release was read (`undefined`: it states none), for its metric. */
  onRelease?: (key: string, release: string | undefined) => void;
}) {
  function settingsOf(spec: ConsoleSpec, generation: number, ca: string | undefined): ConnectionSettings {
    const { defaults } = deps;
    const copyTimeoutMs = durationOr(spec.limits.copyTimeout, defaults.copyTimeoutMs);
    return {
      generation,
      url: normalizeConsoleUrl(spec.url),
      ca,
      copyTimeoutMs,
      requestTimeoutMs: durationOr(spec.limits.requestTimeout, defaults.requestTimeoutMs),
      copyConcurrency: spec.limits.copyConcurrency ?? defaults.copyConcurrency,
      settleMs: defaults.verifySettleMs + Math.max(0, copyTimeoutMs - defaults.copyTimeoutMs),
    };
  }

  /**
   * Reads the console's release into the connection; a failure is logged and leaves it unread
   * (retried at the next check): the release is information, never a reason to stop copying.
   */
  async function readRelease(connection: ConsoleConnection, named: string, log: Logger): Promise<void> {
    try {
      const value = recordableRelease(await connection.client.readRelease());
      const changed = !connection.release.read || connection.release.value !== value;
      connection.release = { read: true, value };
      if (changed) {
        log.info({ console: named, release: value ?? 'not stated' }, 'console release');
        deps.onRelease?.(connection.key, value);
      }
    } catch (error) {
      log.debug({ console: named, err: error }, 'could not read the console release');
    }
  }

  /** Records the verdict: readiness on the connection, status, an Event when Ready changed, the metric. */
  async function conclude(key: string, object: ConsoleObject, result: CheckResult): Promise<CheckOutcome> {
    const connection = deps.connections.get(key);
    if (connection) {
      const before = connection.readiness;
      connection.readiness = { ready: result.ready, reason: result.reason, message: result.message };
      if (before.ready !== result.ready || before.message !== result.message) deps.onChange(key);
    }
    deps.onReadiness?.(key, result.ready);
    const release = connection?.release.read ? connection.release.value : object.status?.release;
    const next = consoleStatusAfter(object.status, result, object.metadata.generation, deps.now(), release);
    const was = readyCondition(object.status);
    const is = readyCondition(next);
    if (!sameJson(object.status, next)) {
      try {
        const written = await deps.store.writeStatus(object, next);
        if (was?.reason !== is?.reason || was?.message !== is?.message) {
          void deps.events.record(
            written,
            result.ready ? 'Normal' : 'Warning',
            result.reason,
            result.message,
          );
        }
      } catch (error) {
        // The watch brings the newer object, which queues this console again.
        if (error instanceof ConflictError) return { requeueAfterMs: 0 };
        throw error;
      }
    }
    return result.ready ? { requeueAfterMs: deps.checkIntervalMs } : { requeueAfterMs: 0 };
  }

  return async function check(key: string, log: Logger): Promise<CheckOutcome> {
    const id = parseConsoleKey(key);
    // Only console resources are checked: the operator's own console has nothing to report on.
    if (!id) return {};
    const object = deps.catalogue.get(id);
    if (!object) {
      deps.connections.remove(key);
      deps.onReadiness?.(key, undefined);
      deps.onChange(key);
      return {};
    }
    const named = describeConsole(id);
    const parsed = parseConsoleSpec(id.kind, object.spec);
    if (!parsed.ok) {
      deps.connections.remove(key);
      deps.onChange(key);
      // Only a CRD older than the operator (or edited) lets such a spec in; it waits for a fix.
      await conclude(key, object, {
        ready: false,
        reason: ConsoleReason.InvalidSpec,
        message: parsed.message,
      });
      return {};
    }
    const spec = parsed.spec;
    const namespace = id.namespace;
    const caRef = spec.caBundle?.secretKeyRef ?? spec.caBundle?.configMapKeyRef;
    let ca: string | undefined;
    if (caRef) {
      const fromSecret = spec.caBundle?.secretKeyRef !== undefined;
      const read = await (fromSecret ? deps.secrets : deps.configMaps).readKey(
        caRef.namespace ?? namespace ?? '',
        caRef.name,
        caRef.key,
      );
      if (!read.found || read.value === '') {
        const where = `${fromSecret ? 'Secret' : 'ConfigMap'} ${refName(caRef, namespace)} key "${caRef.key}" named by spec.caBundle`;
        return conclude(key, object, {
          ready: false,
          reason: ConsoleReason.CABundleNotFound,
          message: `cannot read the CA bundle from ${where}: ${why(read, caRef.namespace ?? namespace ?? '')}`,
        });
      }
      ca = read.value;
    }
    const connection = deps.connections.configure(key, settingsOf(spec, object.metadata.generation, ca));
    const tokenRef = spec.credentialsSecretRef;
    const tokenWhere = `Secret ${refName(tokenRef, namespace)} key "${tokenRef.key}"`;
    const read = await deps.secrets.readKey(
      tokenRef.namespace ?? namespace ?? '',
      tokenRef.name,
      tokenRef.key,
    );
    const token: ConsoleToken =
      read.found && read.value !== ''
        ? { ok: true, value: read.value }
        : {
            ok: false,
            message: `cannot read the token from ${tokenWhere} named by spec.credentialsSecretRef: ${why(read, tokenRef.namespace ?? namespace ?? '')}`,
          };
    const rotated =
      connection.token.ok !== token.ok ||
      (token.ok && connection.token.ok && token.value !== connection.token.value);
    connection.token = token;
    if (rotated) deps.onChange(key);
    if (!token.ok) {
      return conclude(key, object, {
        ready: false,
        reason: ConsoleReason.CredentialsNotFound,
        message: token.message,
      });
    }
    let outcome: { ok: true } | { ok: false; error: unknown };
    try {
      await connection.client.listTeams(token.value);
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const judged = judgeProbe(outcome, connection.settings.url, tokenWhere);
    // The release is read once per connection, and again whenever the console comes back from
    // a failed check (an upgrade restarts it): the view behind it is cheap but not free.
    if (judged.ready && (!connection.release.read || connection.readiness.ready !== true)) {
      await readRelease(connection, named, log);
    }
    const warning = connection.release.read ? releaseWarning(connection.release.value) : undefined;
    const result = warning === undefined ? judged : { ...judged, message: `${judged.message}; ${warning}` };
    log.debug({ console: named, ready: result.ready, reason: result.reason }, 'console checked');
    return conclude(key, object, result);
  };
}

/** The ConsoleId of a console key (consoleKey's inverse); undefined for anything else. */
export function parseConsoleKey(key: string): ConsoleId | undefined {
  const parts = key.split('/');
  if (parts[0] === CLUSTER_CONSOLE_KIND && parts.length === 2 && parts[1]) {
    return { kind: CLUSTER_CONSOLE_KIND, name: parts[1] };
  }
  if (parts[0] === CONSOLE_KIND && parts.length === 3 && parts[1] && parts[2]) {
    return { kind: CONSOLE_KIND, namespace: parts[1], name: parts[2] };
  }
  return undefined;
}

function durationOr(text: string | undefined, fallbackMs: number): number {
  return text === undefined ? fallbackMs : (parseDuration(text) ?? fallbackMs);
}

function refName(ref: KeyRef, namespace: string | undefined): string {
  return `${ref.namespace ?? namespace}/${ref.name}`;
}

/** Why a key could not be used; for RBAC, what to bind (as for an AppCopy's own Secret). */
function why(read: SecretValue, namespace: string): string {
  if (read.found) return 'it is empty';
  switch (read.why) {
    case 'secret-missing':
      return 'it does not exist';
    case 'key-missing':
      return 'it has no such key';
    case 'forbidden':
      return forbidden(namespace, read.user);
  }
}
