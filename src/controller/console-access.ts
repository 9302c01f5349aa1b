// Which console an AppCopy talks to, whether its policy allows the copy, and with which token:
// decided before any console call, from the informer caches and the connections the console
// check keeps (no API server request, but for an AppCopy's own credentials Secret).
//
// - A copy not yet made uses spec.consoleRef, else the default console (DEFAULT_CONSOLE). The
//   console's rules must admit it (../consoles/policy.ts), and the console must be Ready.
// - A copy made (or in flight) uses the console recorded with its intent (status.console), so
//   verifying, following and deleting it never go to another console: not when the default
//   changes, not when the resource's URL is edited. An AppCopy copied before consoles were
//   resources has no record: its copies are in the operator's own console (RAINBOND_URL).
import type { Slots } from '@appcopy/kube-runtime';
import type { AppCopy, AppCopySpec, RecordedConsole } from '../api/appcopy.ts';
import { Reason, type ReasonName } from '../api/conditions.ts';
import {
  CLUSTER_CONSOLE_KIND,
  type ConsoleId,
  type ConsoleRef,
  consoleIdOf,
  consoleKey,
  describeConsole,
  OPERATOR_CONSOLE_KEY,
  parseConsoleSpec,
} from '../api/console.ts';
import type { ConsoleCatalogue } from '../consoles/catalogue.ts';
import type { Connections, ConsoleConnection } from '../consoles/connections.ts';
import { type Admission, admit } from '../consoles/policy.ts';
import type { RainbondClient } from '../rainbond/client.ts';
import type { CredentialsResolver } from './credentials.ts';

/** Everything a step needs to talk to the AppCopy's console. */
export interface ConsoleSession {
  /** The console as the intent records it. */
  console: RecordedConsole;
  /** Its key (consoleKey, or OPERATOR_CONSOLE_KEY). */
  key: string;
  client: RainbondClient;
  token: string;
  /** Bounds the copy calls in flight at this console (its copyConcurrency). */
  copySlots: Slots;
  /** See ConnectionSettings.settleMs. */
  settleMs: number;
  /** Whether the console's rules allow this AppCopy to copy (again) now. */
  admission: Admission;
  /**
   * The console refused the token: have the console checked again at once, so that a token
   * rotated in its Secret is used without waiting for the next periodic check.
   */
  tokenRefused(): void;
}

export type ConsoleAccess =
  | { ok: true; session: ConsoleSession }
  | {
      ok: false;
      reason: ReasonName;
      message: string;
      /**
       * Not news: the console has not been checked since it appeared or moved (a check is
       * queued). Come back shortly without writing a status.
       */
      quiet?: boolean;
      /** The console's rules refuse the copy: final until the policy, the spec or the namespace changes. */
      refused?: boolean;
    };

export interface ConsoleAccessor {
  /** For a copy not made yet (step copy): the named or default console, its policy, its token. */
  forNewCopy(object: AppCopy, spec: AppCopySpec): Promise<ConsoleAccess>;
  /** For a copy made or in flight (verify, follow, delete): the console it was made in. */
  forExistingCopy(object: AppCopy, spec: AppCopySpec): Promise<ConsoleAccess>;
  /** The key of the console an AppCopy without spec.consoleRef uses; undefined when there is none. */
  defaultConsoleKey(): string | undefined;
}

/** DEFAULT_CONSOLE: the operator's own console (env), a ClusterRainbondConsole, or none. */
export type DefaultConsole = { kind: 'env' } | { kind: 'none' } | { kind: 'cluster'; name: string };

/** The operator's own console (RAINBOND_URL), when it has one. */
export interface OperatorConsole {
  connection: ConsoleConnection;
}

export function createConsoleAccessor(deps: {
  catalogue: ConsoleCatalogue;
  connections: Connections;
  /** Resolves an AppCopy's own Secret, and the operator's default token for its own console. */
  credentials: CredentialsResolver;
  defaultConsole: DefaultConsole;
  operatorConsole: OperatorConsole | undefined;
  /** Asks the console check to run now for `key`. */
  recheck: (key: string) => void;
}): ConsoleAccessor {
  const { catalogue } = deps;

  function defaultRef(): ConsoleRef | 'operator' | undefined {
    switch (deps.defaultConsole.kind) {
      case 'env':
        return 'operator';
      case 'cluster':
        return { kind: CLUSTER_CONSOLE_KIND, name: deps.defaultConsole.name };
      case 'none':
        return undefined;
    }
  }

  /** The operator's own console with the AppCopy's token (its Secret, or the default token). */
  async function operatorSession(object: AppCopy, spec: AppCopySpec, why: string): Promise<ConsoleAccess> {
    const own = deps.operatorConsole;
    if (!own) {
      return {
        ok: false,
        reason: Reason.ConsoleNotFound,
        message: `${why}, and the operator has no console of its own (RAINBOND_URL is not set)`,
      };
    }
    const token = await deps.credentials.resolve(object.metadata.namespace, spec.credentialsSecretRef);
    if (!token.ok) return { ok: false, reason: token.reason, message: token.message };
    const connection = own.connection;
    return {
      ok: true,
      session: session(connection, { kind: 'Default', url: connection.settings.url }, token.token, {
        allowed: true,
        rule: 'the operator console admits every AppCopy it watches',
      }),
    };
  }

  function session(
    connection: ConsoleConnection,
    console: RecordedConsole,
    token: string,
    admission: Admission,
  ): ConsoleSession {
    return {
      console,
      key: connection.key,
      client: connection.client,
      token,
      copySlots: connection.copySlots,
      settleMs: connection.settings.settleMs,
      admission,
      // The operator's own console's token is a setting read at start: nothing to read again.
      tokenRefused: () => {
        if (connection.key !== OPERATOR_CONSOLE_KEY) deps.recheck(connection.key);
      },
    };
  }

  /**
   * A console resource's session for `object`. `recordedUrl`: the URL its copy was made at,
   * which the console must still point at.
   */
  async function resourceSession(
    object: AppCopy,
    spec: AppCopySpec,
    id: ConsoleId,
    recordedUrl: string | undefined,
  ): Promise<ConsoleAccess> {
    const named = describeConsole(id);
    if (!catalogue.synced()) {
      // Right after a start: "does not exist" would be a guess.
      return {
        ok: false,
        reason: Reason.ConsoleNotReady,
        message: 'the console caches are filling',
        quiet: true,
      };
    }
    if (id.kind === CLUSTER_CONSOLE_KIND && !catalogue.clusterConsoles) {
      return {
        ok: false,
        reason: Reason.ConsoleNotFound,
        message: `${named} cannot be used: this operator does not watch ClusterRainbondConsoles (CLUSTER_CONSOLES=false)`,
      };
    }
    const resource = catalogue.get(id);
    if (!resource && !catalogue.served(id.kind)) {
      return {
        ok: false,
        reason: Reason.ConsoleNotFound,
        message: `${named} cannot be found: the ${id.kind} CRD is not installed in this cluster (install crds/, e.g. kubectl apply --server-side -k crds/)`,
      };
    }
    if (!resource) {
      return {
        ok: false,
        reason: Reason.ConsoleNotFound,
        message:
          id.kind === CLUSTER_CONSOLE_KIND
            ? `${named} does not exist`
            : `${named} does not exist in namespace ${id.namespace} (a RainbondConsole serves only the AppCopies of its own namespace; a console shared between namespaces is a ClusterRainbondConsole)`,
      };
    }
    const parsed = parseConsoleSpec(id.kind, resource.spec);
    if (!parsed.ok) {
      return { ok: false, reason: Reason.ConsoleNotReady, message: `${named} is invalid: ${parsed.message}` };
    }
    const admission = admit(named, parsed.spec.allow, {
      namespace: object.metadata.namespace,
      namespaceLabels: catalogue.namespaceLabels(object.metadata.namespace),
      sourceTeam: spec.source.teamId,
      targetTeam: spec.target.teamName,
    });
    const connection = deps.connections.get(consoleKey(id));
    if (recordedUrl === undefined && !admission.allowed) {
      return { ok: false, reason: Reason.CopyNotAllowed, message: admission.message, refused: true };
    }
    if (!connection || connection.readiness.ready === undefined) {
      return {
        ok: false,
        reason: Reason.ConsoleNotReady,
        message: `${named} has not been checked yet`,
        quiet: true,
      };
    }
    if (recordedUrl !== undefined && recordedUrl !== connection.settings.url) {
      return {
        ok: false,
        reason: Reason.ConsoleChanged,
        message: `the copies were made in the console at ${recordedUrl}, but ${named} now points at ${connection.settings.url}; this AppCopy's copies are reached only at the URL they were made at. Point ${named} back at ${recordedUrl}${object.metadata.deletionTimestamp ? `, or let the copies go: kubectl annotate appcopy ${object.metadata.name} openapi.rainbond.io/abandon-copies=true` : ''}`,
      };
    }
    if (!connection.readiness.ready) {
      return {
        ok: false,
        reason: Reason.ConsoleNotReady,
        message: `${named} is not ready: ${connection.readiness.message}`,
      };
    }
    let token: string;
    if (spec.credentialsSecretRef) {
      const own = await deps.credentials.resolve(object.metadata.namespace, spec.credentialsSecretRef);
      if (!own.ok) return { ok: false, reason: own.reason, message: own.message };
      token = own.token;
    } else if (connection.token.ok) {
      token = connection.token.value;
    } else {
      return {
        ok: false,
        reason: Reason.CredentialsNotFound,
        message: `${named} has no usable token: ${connection.token.message}`,
      };
    }
    const recorded: RecordedConsole = { kind: id.kind, name: id.name, url: connection.settings.url };
    return { ok: true, session: session(connection, recorded, token, admission) };
  }

  return {
    async forNewCopy(object, spec) {
      const ref = spec.consoleRef ?? defaultRef();
      if (ref === undefined) {
        return {
          ok: false,
          reason: Reason.ConsoleNotFound,
          message:
            'this AppCopy names no console (spec.consoleRef) and the operator has no default console (DEFAULT_CONSOLE=none): set spec.consoleRef to a RainbondConsole of this namespace or a ClusterRainbondConsole that admits it',
        };
      }
      if (ref === 'operator')
        return operatorSession(object, spec, "the default console is the operator's own console");
      return resourceSession(object, spec, consoleIdOf(ref, object.metadata.namespace), undefined);
    },

    async forExistingCopy(object, spec) {
      const recorded = object.status?.console;
      if (recorded === undefined || recorded.kind === 'Default') {
        const access = await operatorSession(
          object,
          spec,
          recorded
            ? "the copy was made in the operator's own console"
            : "the copy was made before consoles were resources, in the operator's own console",
        );
        if (access.ok && recorded && recorded.url !== access.session.console.url) {
          return {
            ok: false,
            reason: Reason.ConsoleChanged,
            message: `the copies were made in the console at ${recorded.url}, but the operator's own console is now ${access.session.console.url} (RAINBOND_URL); this AppCopy's copies are reached only at the URL they were made at`,
          };
        }
        return access;
      }
      if (recorded.name === undefined) {
        return { ok: false, reason: Reason.ConsoleNotFound, message: 'status.console names no console' };
      }
      const ref: ConsoleRef = { kind: recorded.kind, name: recorded.name };
      return resourceSession(object, spec, consoleIdOf(ref, object.metadata.namespace), recorded.url);
    },

    defaultConsoleKey() {
      const ref = defaultRef();
      if (ref === undefined) return undefined;
      return ref === 'operator' ? OPERATOR_CONSOLE_KEY : consoleKey({ kind: ref.kind, name: ref.name });
    },
  };
}
