// The reference and the README's settings table restate the CRD and src/config.ts; these tests
// fail when either changed without `npm run docs`, and when a condition reason the operator can
// set is missing from the README's troubleshooting table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  README_PATH,
  REFERENCE_PATH,
  readCrds,
  renderReference,
  withSettings,
} from '../../../scripts/generate-docs.ts';
import { Reason } from '../../../src/api/conditions.ts';

describe('generated documentation', () => {
  it('docs/reference.md matches the CRDs (run `npm run docs` after changing a CRD)', () => {
    expect(readFileSync(REFERENCE_PATH, 'utf8')).toBe(renderReference(readCrds()));
  });

  it("the README's settings table matches src/config.ts (run `npm run docs` after changing a setting)", () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toBe(withSettings(readme));
  });

  it("the README's troubleshooting table explains every condition reason", () => {
    const readme = readFileSync(README_PATH, 'utf8');
    const missing = Object.values(Reason).filter((reason) => !readme.includes(`| \`${reason}\` |`));
    expect(missing).toEqual([]);
  });

  it('the README gives the two set-up commands on its first screen', () => {
    const firstScreen = readFileSync(README_PATH, 'utf8').split('\n').slice(0, 25).join('\n');
    expect(firstScreen).toContain('npm ci');
    expect(firstScreen).toMatch(/npm (test|run demo)/);
  });
});
