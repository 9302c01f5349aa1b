import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectKey, parseKey, targetKey } from '../../../src/api/appcopy.ts';
import { aSpec, intoTarget } from '../../support/builders.ts';

describe('parseKey', () => {
  it.each([
    {
      name: 'a namespaced key splits at the slash',
      key: 'team-a/shop-to-staging',
      parsed: { namespace: 'team-a', name: 'shop-to-staging' },
    },
    {
      name: 'a key without a namespace is all name',
      key: 'shop-to-staging',
      parsed: { namespace: '', name: 'shop-to-staging' },
    },
  ])('$name', ({ key, parsed }) => {
    expect(parseKey(key)).toEqual(parsed);
  });

  it('reads back every key that objectKey makes', () => {
    const dnsName = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,30}[a-z0-9])?$/);
    fc.assert(
      fc.property(dnsName, dnsName, (namespace, name) => {
        expect(parseKey(objectKey({ namespace, name }))).toEqual({ namespace, name });
      }),
    );
  });
});

describe('targetKey', () => {
  it.each([
    {
      name: 'two AppCopies into the same app of the same region share a target, whatever the team is called',
      a: aSpec(intoTarget({ teamName: 'o19p6wen', regionName: 'rainbond', appId: 34 })),
      b: aSpec(intoTarget({ teamName: 'other-team', regionName: 'rainbond', appId: 34 })),
      same: true,
    },
    {
      name: 'different apps are different targets',
      a: aSpec(intoTarget({ appId: 34 })),
      b: aSpec(intoTarget({ appId: 35 })),
      same: false,
    },
    {
      name: 'the same app id in another region is another target',
      a: aSpec(intoTarget({ regionName: 'rainbond', appId: 34 })),
      b: aSpec(intoTarget({ regionName: 'edge', appId: 34 })),
      same: false,
    },
    {
      name: 'the same app id in another console is another target',
      a: aSpec(intoTarget({ appId: 34 })),
      b: aSpec(intoTarget({ appId: 34 })),
      consoleB: 'https://other-console.example.com',
      same: false,
    },
  ])('$name', ({ a, b, same, ...c }) => {
    const url = 'https://rainbond.example.com';
    expect(targetKey(url, a.target) === targetKey(c.consoleB ?? url, b.target)).toBe(same);
  });
});
