import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeCopy } from '../../../../src/controller/copy/verdict.ts';
import type { Component } from '../../../../src/rainbond/types.ts';
import { aComponent } from '../../../support/builders.ts';

// The target app before the call: it already holds an older copy of web (same name!) and a db.
const oldWebCopy = aComponent({ serviceCname: 'web-copy' });
const targetDb = aComponent({ serviceCname: 'db' });
const before = [oldWebCopy, targetDb];
const attempt = {
  preexistingServiceIds: before.map((c) => c.serviceId),
  expectedCopies: ['web-copy', 'api-copy'],
};

const newWebCopy = aComponent({ serviceCname: 'web-copy', status: 'creating' });
const newApiCopy = aComponent({ serviceCname: 'api-copy', status: 'creating' });
const unrelated = aComponent({ serviceCname: 'added-by-hand' });

describe('judgeCopy', () => {
  it.each([
    {
      name: 'every expected copy among the new components means the call took effect, and those are adopted',
      target: [...before, newWebCopy, newApiCopy],
      verdict: { kind: 'complete', components: [newWebCopy, newApiCopy] },
    },
    {
      name: 'no new component with an expected name means the call had no effect',
      target: before,
      verdict: { kind: 'absent' },
    },
    {
      name: 'some but not all expected copies means a partial copy, listing what exists and what is missing',
      target: [...before, newApiCopy],
      verdict: { kind: 'partial', components: [newApiCopy], missing: ['web-copy'] },
    },
    {
      name: 'a component that was there before the call is never taken for a copy, even with an expected name',
      target: [oldWebCopy, newApiCopy],
      verdict: { kind: 'partial', components: [newApiCopy], missing: ['web-copy'] },
    },
    {
      name: 'new components with other names are ignored',
      target: [...before, unrelated, newWebCopy, newApiCopy],
      verdict: { kind: 'complete', components: [newWebCopy, newApiCopy] },
    },
    {
      name: 'only new components with other names still means the call had no effect',
      target: [...before, unrelated],
      verdict: { kind: 'absent' },
    },
    {
      name: 'an empty target app means the call had no effect',
      target: [],
      verdict: { kind: 'absent' },
    },
  ])('$name', ({ target, verdict }) => {
    expect(judgeCopy(attempt, target)).toEqual(verdict);
  });

  describe('two source components with the same name, so two copies named alike are expected', () => {
    const twice = { preexistingServiceIds: [], expectedCopies: ['web-copy', 'web-copy'] };
    const first = aComponent({ serviceCname: 'web-copy' });
    const second = aComponent({ serviceCname: 'web-copy' });
    const third = aComponent({ serviceCname: 'web-copy' });

    it.each([
      {
        name: 'one copy of the two is a partial copy missing the other',
        target: [first],
        verdict: { kind: 'partial', components: [first], missing: ['web-copy'] },
      },
      {
        name: 'both copies complete the copy',
        target: [first, second],
        verdict: { kind: 'complete', components: [first, second] },
      },
      {
        name: 'a third copy with the same name is not adopted as well',
        target: [first, second, third],
        verdict: { kind: 'complete', components: [first, second] },
      },
    ])('$name', ({ target, verdict }) => {
      expect(judgeCopy(twice, target)).toEqual(verdict);
    });
  });

  it('adding components that were there before or that carry other names never changes the verdict', () => {
    const names = fc.constantFrom('web-copy', 'api-copy', 'db-copy');
    const copy = names.map((serviceCname) => aComponent({ serviceCname }));
    const noise = fc.oneof(
      // There before the call, whatever its name (including expected ones).
      fc.constantFrom('web-copy', 'api-copy', 'db', 'web').map((serviceCname) => ({
        component: aComponent({ serviceCname }),
        preexisting: true,
      })),
      // New, but not an expected name.
      fc.constantFrom('web', 'api', 'web-copy-copy', 'WEB-COPY', 'other').map((serviceCname) => ({
        component: aComponent({ serviceCname }),
        preexisting: false,
      })),
    );
    fc.assert(
      fc.property(
        fc.array(names, { minLength: 1, maxLength: 5 }),
        fc.array(copy, { maxLength: 6 }),
        fc.array(fc.tuple(noise, fc.nat()), { maxLength: 6 }),
        (expectedCopies, copies, extras) => {
          const plain = judgeCopy({ preexistingServiceIds: [], expectedCopies }, copies);
          const target: Component[] = [...copies];
          for (const [{ component }, at] of extras) target.splice(at % (target.length + 1), 0, component);
          const preexistingServiceIds = extras
            .filter(([e]) => e.preexisting)
            .map(([e]) => e.component.serviceId);
          expect(judgeCopy({ preexistingServiceIds, expectedCopies }, target)).toEqual(plain);
        },
      ),
    );
  });
});
