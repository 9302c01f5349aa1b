// What every route handler receives, and what it gives back to the server.
import type { ConsoleResponse } from './console-responses.ts';
import type { CopyEffect } from './copy-app.ts';
import type { ReleaseProfile } from './releases.ts';
import type { Scope } from './resolve-scope.ts';
import type { RouteParams } from './routes.ts';
import type { SimulatorState } from './state.ts';

export interface RouteContext {
  state: SimulatorState;
  /** The console release the simulator plays. */
  release: ReleaseProfile;
  scope: Scope;
  params: RouteParams;
  query: URLSearchParams;
  contentType: string | undefined;
  rawBody: string;
  callId: number;
  newServiceId: () => string;
  /** Only for the copy: the partial-effect fault's limit. */
  createLimit?: number;
}

export interface RouteResult {
  response: ConsoleResponse;
  /** True when the call changed the console's state (created, deleted, operated). */
  tookEffect: boolean;
  copy?: CopyEffect;
}

/** A read or a refused call: no effect. */
export function noEffect(response: ConsoleResponse): RouteResult {
  return { response, tookEffect: false };
}
