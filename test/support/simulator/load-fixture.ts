// Reading and validating fixtures. Every failure is a FixtureError whose message names the
// file and lists each problem with its path, so a broken fixture is fixed in one look.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { fixtureSchema, type ParsedFixture } from './fixture-schema.ts';

/** A fixture that cannot be read, is not JSON, or does not match the schema. */
export class FixtureError extends Error {
  readonly code = 'SIMULATOR_FIXTURE_INVALID';
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(`Invalid simulator fixture (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FixtureError';
    this.problems = problems;
  }
}

export const DEFAULT_FIXTURE_PATH = fileURLToPath(new URL('./fixtures/default.json', import.meta.url));

/** Validates a fixture object; `source` names it in error messages. */
export function parseFixture(input: unknown, source = 'inline fixture'): ParsedFixture {
  const result = fixtureSchema.safeParse(input);
  if (!result.success) throw new FixtureError(source, result.error.issues.map(describeIssue));
  return result.data;
}

/** Reads a JSON fixture file and validates it. */
export function loadFixture(path: string): ParsedFixture {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FixtureError(path, [`cannot read the file: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FixtureError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  return parseFixture(json, path);
}

/** The bundled default fixture, freshly parsed (callers may modify it). */
export function loadDefaultFixture(): ParsedFixture {
  return loadFixture(DEFAULT_FIXTURE_PATH);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc ? `${acc}.${String(part)}` : String(part);
  }, '');
  return `${where || '(root)'}: ${issue.message}`;
}
