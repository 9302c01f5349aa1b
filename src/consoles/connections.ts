// The live side of each console the operator talks to: its HTTP client (connection pool, CA,
// timeouts), its copy slots, its token as last read and whether its last check passed. The
// console check (console-check.ts) builds and refreshes them; the AppCopy reconciles only read
// them, so a copy costs no API server request for its console.
import { createSlots, type Slots } from '@appcopy/kube-runtime';
import type { RainbondClient } from '../rainbond/client.ts';

/** What a console's connection is built from; a change of url, CA or timeouts makes a new client. */
export interface ConnectionSettings {
  /** The console resource's metadata.generation it comes from; undefined for the operator's console. */
  generation: number | undefined;
  /** Normalised (normalizeConsoleUrl). */
  url: string;
  /** PEM, trusted besides the system CAs. */
  ca: string | undefined;
  copyTimeoutMs: number;
  requestTimeoutMs: number;
  copyConcurrency: number;
  /**
   * After a copy call ended without an answer, how long after sending it "nothing was copied" is
   * trusted (at least copyTimeoutMs): see copy/attempt.ts.
   */
  settleMs: number;
}

/** The console's own token, as the last check read it from its Secret. */
export type ConsoleToken = { ok: true; value: string } | { ok: false; message: string };

/** The last check's verdict; `ready` undefined until the first check of these settings ended. */
export interface Readiness {
  ready: boolean | undefined;
  reason: string;
  message: string;
}

/** The console's release as it last stated it (`value` undefined: it states none); `read` false until then. */
export interface ConsoleRelease {
  read: boolean;
  value: string | undefined;
}

export interface ConsoleConnection {
  readonly key: string;
  readonly settings: ConnectionSettings;
  readonly client: RainbondClient;
  readonly copySlots: Slots;
  token: ConsoleToken;
  readiness: Readiness;
  release: ConsoleRelease;
}

export interface Connections {
  get(key: string): ConsoleConnection | undefined;
  list(): ConsoleConnection[];
  /**
   * The connection of `key` with `settings`: the existing one when its client can serve them
   * (same url, CA and timeouts), else a new one. A replaced client is closed only once any call
   * it may still carry (a copy takes up to its timeout) has had time to end.
   */
  configure(key: string, settings: ConnectionSettings): ConsoleConnection;
  /** Forgets `key` (its console is gone); its client is closed the same way. */
  remove(key: string): void;
  /** Closes every client at once (shutdown: in-flight calls have ended or been given up). */
  closeAll(): void;
}

export function createConnections(deps: {
  makeClient: (key: string, settings: ConnectionSettings) => RainbondClient;
  /** Schedules `close` after `ms`; the timer must not keep the process alive. */
  later: (ms: number, close: () => void) => void;
}): Connections {
  const byKey = new Map<string, ConsoleConnection>();
  const retired = new Set<RainbondClient>();

  function retire(client: RainbondClient, settings: ConnectionSettings): void {
    retired.add(client);
    deps.later(Math.max(settings.copyTimeoutMs, settings.requestTimeoutMs) + 5_000, () => {
      retired.delete(client);
      client.close();
    });
  }

  return {
    get: (key) => byKey.get(key),
    list: () => [...byKey.values()],
    configure(key, settings) {
      const existing = byKey.get(key);
      if (existing && sameSettings(existing.settings, settings)) return existing;
      const sameClient = existing !== undefined && sameClientSettings(existing.settings, settings);
      if (existing && !sameClient) retire(existing.client, existing.settings);
      const connection: ConsoleConnection = {
        key,
        settings,
        client: sameClient ? existing.client : deps.makeClient(key, settings),
        // Calls holding a slot of the old size finish on it; new ones wait for the new size.
        copySlots:
          existing && existing.settings.copyConcurrency === settings.copyConcurrency
            ? existing.copySlots
            : createSlots(`copy calls to ${key}`, settings.copyConcurrency),
        token: existing?.token ?? { ok: false, message: 'the token has not been read yet' },
        // A new client is unproven until checked (a new URL or CA may not work).
        readiness: sameClient
          ? existing.readiness
          : { ready: undefined, reason: 'Checking', message: 'the console has not been checked yet' },
        // Another URL may be another console: its release is read again.
        release: sameClient ? existing.release : { read: false, value: undefined },
      };
      byKey.set(key, connection);
      return connection;
    },
    remove(key) {
      const existing = byKey.get(key);
      if (!existing) return;
      byKey.delete(key);
      existing.copySlots.close();
      retire(existing.client, existing.settings);
    },
    closeAll() {
      for (const connection of byKey.values()) {
        connection.copySlots.close();
        connection.client.close();
      }
      for (const client of retired) client.close();
      retired.clear();
      byKey.clear();
    },
  };
}

function sameClientSettings(a: ConnectionSettings, b: ConnectionSettings): boolean {
  return (
    a.url === b.url &&
    a.ca === b.ca &&
    a.copyTimeoutMs === b.copyTimeoutMs &&
    a.requestTimeoutMs === b.requestTimeoutMs
  );
}

function sameSettings(a: ConnectionSettings, b: ConnectionSettings): boolean {
  return (
    sameClientSettings(a, b) &&
    a.generation === b.generation &&
    a.copyConcurrency === b.copyConcurrency &&
    a.settleMs === b.settleMs
  );
}
