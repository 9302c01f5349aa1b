// The ledger: every call the simulator answered (or swallowed) and every copy that took
// effect, so a test can prove "copied exactly once" instead of inferring it. Raw tokens never
// enter the ledger, only a fingerprint.
import { createHash } from 'node:crypto';
import type { CopyEffect } from './copy-app.ts';
import type { FaultKind } from './faults.ts';
import type { RouteName } from './routes.ts';

export interface LedgerCall {
  /** 1, 2, 3... in arrival order. */
  id: number;
  method: string;
  /** null for URLs outside the console routes (answered 404) and unsupported methods. */
  route: RouteName | null;
  /** Path with query string, as sent. */
  path: string;
  /** First 12 hex chars of sha256(token); null when no Authorization header was sent. */
  tokenFingerprint: string | null;
  /** The status sent; null when no response was sent (reset, timeout). */
  status: number | null;
  /** True when the call changed the console's state, whatever the client saw. */
  tookEffect: boolean;
  /** The outcome fault applied; `latency` when the call was only delayed; null when none. */
  fault: FaultKind | null;
  /** Simulator clock, epoch ms, at arrival. */
  time: number;
}

export interface LedgerCopy extends CopyEffect {
  time: number;
}

/** One created component, with the copy call that made it. */
export interface LedgerComponent {
  serviceId: string;
  sourceServiceId: string;
  targetAppId: number;
  callId: number;
}

export interface LedgerSnapshot {
  calls: LedgerCall[];
  copies: LedgerCopy[];
  components: LedgerComponent[];
}

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

export class Ledger {
  readonly calls: LedgerCall[] = [];
  readonly copies: LedgerCopy[] = [];
  readonly components: LedgerComponent[] = [];
  #nextId = 1;

  /** Reserves the id of the next call, so effects can be stamped with it before it is recorded. */
  nextCallId(): number {
    return this.#nextId++;
  }

  recordCall(call: LedgerCall): void {
    this.calls.push(call);
  }

  /** Changes a recorded call once its fate is known (a hung call's status stays null). */
  updateCall(id: number, patch: Partial<Pick<LedgerCall, 'status' | 'tookEffect' | 'fault'>>): void {
    const call = this.calls.find((c) => c.id === id);
    if (call) Object.assign(call, patch);
  }

  recordCopy(effect: CopyEffect, time: number): void {
    this.copies.push({ ...effect, time });
    effect.createdServiceIds.forEach((serviceId, i) => {
      this.components.push({
        serviceId,
        sourceServiceId: effect.sourceServiceIds[i] ?? '',
        targetAppId: effect.targetAppId,
        callId: effect.callId,
      });
    });
  }

  /** Copies that took effect (fully or partly) into this target app. */
  copiesInto(targetAppId: number): LedgerCopy[] {
    return this.copies.filter((c) => c.targetAppId === targetAppId);
  }

  copiesFrom(sourceAppId: number): LedgerCopy[] {
    return this.copies.filter((c) => c.sourceAppId === sourceAppId);
  }

  /** Components created in this target app, by any copy. */
  componentsCreatedIn(targetAppId: number): LedgerComponent[] {
    return this.components.filter((c) => c.targetAppId === targetAppId);
  }

  callsTo(route: RouteName): LedgerCall[] {
    return this.calls.filter((c) => c.route === route);
  }

  clear(): void {
    this.calls.length = 0;
    this.copies.length = 0;
    this.components.length = 0;
  }

  toJSON(): LedgerSnapshot {
    return { calls: this.calls, copies: this.copies, components: this.components };
  }
}
