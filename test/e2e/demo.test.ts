// `npm run demo` is the first thing a newcomer runs: it must work from a fresh clone and tell
// the story (copy, follow to running, delete with the copies) on its own.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run demo', () => {
  it('copies once, follows the copies to running, deletes them with the AppCopy and exits 0', async () => {
    const child = spawn(process.execPath, ['scripts/demo.ts'], { cwd: ROOT, env: process.env });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    const [code] = await once(child, 'exit');
    expect(code, output).toBe(0);
    expect(output).toMatch(/shop-to-staging\s+Succeeded\s+12\s+34\s+2\s+True/);
    expect(output).toContain('ComponentsReady=True (ComponentsRunning)');
    expect(output).toContain('simulator ledger: 1 copy call(s) took effect, 2 component(s) created');
    expect(output).toContain('components left in the target app: 0');
  }, 180_000);
});
