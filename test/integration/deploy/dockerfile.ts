// Reads this project's Dockerfile and .dockerignore, for the checks of their shape
// (image-build.test.ts). The image itself is built with buildah and checked from the outside
// (test/integration/image/).
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Stages of a Dockerfile: comments dropped, continuation lines joined. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`cannot read FROM ${args}`);
      stages.push({ from: from[1]!, name: from[2], instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${keyword} before the first FROM`);
      stage.instructions.push({ keyword, args });
    }
  }
  return stages;
}

/**
 * The paths an allow-list .dockerignore lets into the build context: its first rule must be
 * `*` and every other rule `!path`. Other shapes are refused rather than half-understood.
 */
export function allowedPaths(dockerignore: string): string[] {
  const rules = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (rules[0] !== '*') throw new Error('.dockerignore must start by excluding everything (`*`)');
  return rules.slice(1).map((rule) => {
    if (!rule.startsWith('!') || /[*?[\]]/.test(rule))
      throw new Error(`.dockerignore rule ${rule}: only !path entries are understood`);
    return rule.slice(1).replace(/^\/+|\/+$/g, '');
  });
}

export function readDockerfile(path: string): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}
