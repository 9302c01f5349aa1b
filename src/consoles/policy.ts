// Who may copy what through a console: the console's `allow` rules, checked before any console
// call. The console itself checks only that the token's user is a member of the target team,
// never the source team (../../docs/tenancy.md), so this is where teams are kept apart. Pure.
//
// A copy is allowed when one rule admits all three of: the AppCopy's namespace (a
// ClusterRainbondConsole's rule lists namespaces by name or label selector; a RainbondConsole
// serves only its own namespace), its source team (spec.source.teamId) and its target team
// (spec.target.teamName). Teams are compared exactly as the AppCopy writes them, `*` matching
// any run of characters. Nothing is allowed that no rule names: there is no implicit rule.
import type { AllowRule } from '../api/console.ts';
import { describeSelector, matchesSelector } from './label-selector.ts';

export interface CopyParties {
  namespace: string;
  /** The namespace's labels; undefined when the operator does not know the namespace (yet). */
  namespaceLabels: Readonly<Record<string, string>> | undefined;
  sourceTeam: string;
  targetTeam: string;
}

export type Admission = { allowed: true; rule: string } | { allowed: false; message: string };

/** How many refusing rules a message describes before it only counts the rest. */
const RULES_DESCRIBED = 5;

/** `console`: the console in words, e.g. `ClusterRainbondConsole shared`. */
export function admit(console: string, rules: readonly AllowRule[], parties: CopyParties): Admission {
  const refusals: string[] = [];
  for (const [index, rule] of rules.entries()) {
    const named = ruleName(rule, index);
    const why = refusal(rule, parties);
    if (why === undefined) return { allowed: true, rule: named };
    refusals.push(`${named} ${why}`);
  }
  const described = refusals.slice(0, RULES_DESCRIBED);
  const more = refusals.length - described.length;
  return {
    allowed: false,
    message: `${console} does not allow this copy (namespace ${parties.namespace}, source team ${parties.sourceTeam}, target team ${parties.targetTeam}): ${described.join('; ')}${more > 0 ? `; and ${more} more rule(s) refuse it too` : ''}. Ask whoever manages ${console} to allow it, or use another console`,
  };
}

/** `rule "name"` or `rule 2` (counted from 1, as people count). */
export function ruleName(rule: AllowRule, index: number): string {
  return rule.name ? `rule "${rule.name}"` : `rule ${index + 1}`;
}

/** Why `rule` does not admit the copy, or undefined when it does. */
function refusal(rule: AllowRule, parties: CopyParties): string | undefined {
  const namespaces = rule.namespaces;
  if (namespaces !== undefined && !admitsNamespace(namespaces, parties)) {
    const known = parties.namespaceLabels !== undefined || namespaces.selector === undefined;
    return `does not admit namespace ${parties.namespace} (it admits ${describeNamespaces(namespaces)})${known ? '' : `; the operator does not know the labels of namespace ${parties.namespace}`}`;
  }
  if (!matchesAny(rule.sourceTeams, parties.sourceTeam)) {
    return `does not allow source team ${parties.sourceTeam} (it allows ${rule.sourceTeams.join(', ')})`;
  }
  if (!matchesAny(rule.targetTeams, parties.targetTeam)) {
    return `does not allow target team ${parties.targetTeam} (it allows ${rule.targetTeams.join(', ')})`;
  }
  return undefined;
}

function admitsNamespace(namespaces: NonNullable<AllowRule['namespaces']>, parties: CopyParties): boolean {
  if (namespaces.names?.includes(parties.namespace)) return true;
  return (
    namespaces.selector !== undefined &&
    parties.namespaceLabels !== undefined &&
    matchesSelector(namespaces.selector, parties.namespaceLabels)
  );
}

function describeNamespaces(namespaces: NonNullable<AllowRule['namespaces']>): string {
  const parts: string[] = [];
  if (namespaces.names?.length) parts.push(namespaces.names.join(', '));
  if (namespaces.selector) {
    const selector = describeSelector(namespaces.selector);
    parts.push(selector === 'every namespace' ? selector : `namespaces labelled ${selector}`);
  }
  return parts.length === 0 ? 'no namespace' : parts.join(' and ');
}

/** Whether `team` matches one of `patterns`, where `*` matches any run of characters. */
export function matchesAny(patterns: readonly string[], team: string): boolean {
  return patterns.some((pattern) => globMatches(pattern, team));
}

function globMatches(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last))
    return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = text.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}
