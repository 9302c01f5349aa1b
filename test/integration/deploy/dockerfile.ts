// Runs a Dockerfile's build stage without a Docker engine, for the small instruction set this
// project's Dockerfile uses (WORKDIR, COPY, RUN): the build context is what .dockerignore lets
// through, COPY copies from it, RUN runs its command with sh. Anything else is refused, so the
// emulation can never silently drift from what `docker build` would do.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

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

/** Copies the allowed paths of `repo` into `context`; a missing one is an error. */
export function makeContext(repo: string, dockerignore: string, context: string): void {
  for (const path of allowedPaths(dockerignore)) {
    const from = join(repo, path);
    if (!existsSync(from)) throw new Error(`.dockerignore lets in ${path}, which does not exist`);
    cpSync(from, join(context, path), { recursive: true });
  }
}

export interface RunOptions {
  context: string;
  /** Where the stage's WORKDIR lives on this machine. */
  workdir: string;
  /** Absolute image paths the commands write to, mapped to directories on this machine. */
  paths: Record<string, string>;
  env: NodeJS.ProcessEnv;
}

/** Executes a build stage's WORKDIR/COPY/RUN instructions; returns the commands that ran. */
export function runStage(stage: Stage, opts: RunOptions): string[] {
  const ran: string[] = [];
  let workdirSeen = false;
  for (const { keyword, args } of stage.instructions) {
    switch (keyword) {
      case 'WORKDIR':
        if (workdirSeen) throw new Error('only one WORKDIR per stage is emulated');
        workdirSeen = true;
        mkdirSync(opts.workdir, { recursive: true });
        break;
      case 'COPY': {
        if (args.startsWith('--')) throw new Error(`COPY ${args}: flags are not emulated in the build stage`);
        const parts = args.split(/\s+/);
        const dest = parts.pop()!;
        if (dest.startsWith('/'))
          throw new Error(`COPY ${args}: only destinations relative to WORKDIR are emulated`);
        for (const source of parts) {
          const from = join(opts.context, source);
          if (!existsSync(from))
            throw new Error(`COPY ${source}: not in the build context (see .dockerignore)`);
          const intoDir = dest.endsWith('/') || parts.length > 1 || dest === '.' || dest === './';
          const to = statSync(from).isDirectory()
            ? join(opts.workdir, dest)
            : join(opts.workdir, intoDir ? join(dest, basename(source)) : dest);
          cpSync(from, to, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        // Cache mounts only speed up a Docker build; they do not change its result.
        let command = args.replace(/--mount=\S+\s+/g, '');
        if (command.startsWith('[')) throw new Error('RUN in exec form is not emulated');
        for (const [imagePath, local] of Object.entries(opts.paths)) {
          command = command.replace(new RegExp(`(?<=\\s|^)${imagePath}(?=\\s|$)`, 'g'), local);
        }
        ran.push(command);
        execFileSync('sh', ['-c', command], {
          cwd: opts.workdir,
          env: opts.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        break;
      }
      default:
        throw new Error(`${keyword} in the build stage is not emulated`);
    }
  }
  return ran;
}

export function readDockerfile(path: string): Stage[] {
  return parseDockerfile(readFileSync(path, 'utf8'));
}
