// The console's rules as a table: each row a request and what the rules make of it, and the
// refusal's words, which must name the console, the rule and what it refused.
import { describe, expect, it } from 'vitest';
import type { AllowRule } from '../../../src/api/console.ts';
import { matchesSelector } from '../../../src/consoles/label-selector.ts';
import { admit, type CopyParties, matchesAny } from '../../../src/consoles/policy.ts';

const CONSOLE = 'ClusterRainbondConsole shared';
const parties = (over: Partial<CopyParties> = {}): CopyParties => ({
  namespace: 'team-a',
  namespaceLabels: { tenant: 'a', 'kubernetes.io/metadata.name': 'team-a' },
  sourceTeam: 'shop',
  targetTeam: 'preview-42',
  ...over,
});
const rule = (over: Partial<AllowRule> = {}): AllowRule => ({
  sourceTeams: ['shop'],
  targetTeams: ['preview-*'],
  ...over,
});

describe('admit', () => {
  it.each([
    {
      name: 'a rule without namespaces (a RainbondConsole) admits matching teams',
      rules: [rule()],
      parties: parties(),
      allowed: true,
    },
    {
      name: 'a rule listing the namespace admits it',
      rules: [rule({ namespaces: { names: ['team-a'] } })],
      parties: parties(),
      allowed: true,
    },
    {
      name: 'a rule whose selector matches the namespace labels admits it',
      rules: [rule({ namespaces: { selector: { matchLabels: { tenant: 'a' } } } })],
      parties: parties(),
      allowed: true,
    },
    {
      name: 'an empty selector admits every namespace',
      rules: [rule({ namespaces: { selector: {} } })],
      parties: parties({ namespace: 'anything' }),
      allowed: true,
    },
    {
      name: 'a selector cannot admit a namespace whose labels are unknown',
      rules: [rule({ namespaces: { selector: {} } })],
      parties: parties({ namespaceLabels: undefined }),
      allowed: false,
    },
    {
      name: 'another namespace is refused',
      rules: [rule({ namespaces: { names: ['team-b'] } })],
      parties: parties(),
      allowed: false,
    },
    {
      name: 'another source team is refused',
      rules: [rule()],
      parties: parties({ sourceTeam: 'billing' }),
      allowed: false,
    },
    {
      name: 'another target team is refused',
      rules: [rule()],
      parties: parties({ targetTeam: 'staging' }),
      allowed: false,
    },
    {
      name: 'the first rule that admits all three allows the copy, whatever the others say',
      rules: [rule({ targetTeams: ['staging'] }), rule({ sourceTeams: ['billing'] })],
      parties: parties({ targetTeam: 'staging', sourceTeam: 'shop' }),
      allowed: true,
    },
    {
      name: 'two rules each admitting only a part refuse',
      rules: [
        rule({ sourceTeams: ['billing'], targetTeams: ['staging'] }),
        rule({ sourceTeams: ['shop'], targetTeams: ['prod'] }),
      ],
      parties: parties({ targetTeam: 'staging' }),
      allowed: false,
    },
    { name: 'no rules, nothing allowed', rules: [], parties: parties(), allowed: false },
  ])('$name', ({ rules, parties: p, allowed }) => {
    expect(admit(CONSOLE, rules, p).allowed).toBe(allowed);
  });

  it('names the console, each rule (by name, else by position) and what it refused', () => {
    const verdict = admit(
      CONSOLE,
      [
        rule({
          name: 'previews',
          namespaces: { names: ['team-b'], selector: { matchLabels: { tenant: 'b' } } },
        }),
        rule({ namespaces: { names: ['team-a'] }, sourceTeams: ['billing', 'ops-*'] }),
        rule({ namespaces: { names: ['team-a'] }, targetTeams: ['staging'] }),
      ],
      parties(),
    );
    expect(verdict).toEqual({
      allowed: false,
      message:
        'ClusterRainbondConsole shared does not allow this copy (namespace team-a, source team shop, target team preview-42): ' +
        'rule "previews" does not admit namespace team-a (it admits team-b and namespaces labelled tenant=b); ' +
        'rule 2 does not allow source team shop (it allows billing, ops-*); ' +
        'rule 3 does not allow target team preview-42 (it allows staging). ' +
        'Ask whoever manages ClusterRainbondConsole shared to allow it, or use another console',
    });
  });

  it('says when a selector could not be judged because the namespace is unknown', () => {
    const verdict = admit(
      CONSOLE,
      [rule({ namespaces: { selector: { matchLabels: { tenant: 'a' } } } })],
      parties({ namespaceLabels: undefined }),
    );
    expect(verdict.allowed ? '' : verdict.message).toContain(
      'the operator does not know the labels of namespace team-a',
    );
  });

  it('describes at most five refusing rules and counts the rest', () => {
    const rules = Array.from({ length: 8 }, () => rule({ sourceTeams: ['billing'] }));
    const verdict = admit(CONSOLE, rules, parties());
    expect(verdict.allowed ? '' : verdict.message).toContain('rule 5 does not allow');
    expect(verdict.allowed ? '' : verdict.message).not.toContain('rule 6 ');
    expect(verdict.allowed ? '' : verdict.message).toContain('and 3 more rule(s) refuse it too');
  });
});

describe('team patterns', () => {
  it.each([
    ['shop', 'shop', true],
    ['shop', 'shop2', false],
    ['shop*', 'shop2', true],
    ['*', 'anything', true],
    ['preview-*', 'preview-', true],
    ['preview-*', 'preview', false],
    ['*-copy', 'web-copy', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'axbyc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false],
    ['SHOP', 'shop', false],
  ])('%s matches %s: %s', (pattern, team, expected) => {
    expect(matchesAny([pattern], team)).toBe(expected);
  });
});

describe('label selectors', () => {
  const labels = { tenant: 'a', tier: 'gold' };
  it.each([
    [{}, true],
    [{ matchLabels: { tenant: 'a' } }, true],
    [{ matchLabels: { tenant: 'b' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['gold', 'silver'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn' as const, values: ['gold'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn' as const, values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'tenant', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'tenant', operator: 'DoesNotExist' as const }] }, false],
    [
      {
        matchLabels: { tenant: 'a' },
        matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['x'] }],
      },
      false,
    ],
  ])('%j on %j: %s', (selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });
});
