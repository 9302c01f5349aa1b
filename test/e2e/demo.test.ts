// `npm run demo` is the first thing a newcomer runs: it must work from a fresh clone and tell
// the story (copy, follow to running, delete with the copies) on its own.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run demo', () => {
  it("copies once, follows the copies to running, prints the preview's address, deletes them with the AppCopy and exits 0", async () => {
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
    expect(output).toMatch(/shop-to-staging\s+Succeeded\s+19\s+34\s+2\s+True/);
    expect(output).toContain('ComponentsReady=True (ComponentsRunning)');
    const url =
      /the preview answers at (http:\/\/gr[0-9a-f]{6}-80-t7k2m9qa\.apps\.rainbond\.example\.com)\n/.exec(
        output,
      )?.[1];
    expect(url, output).toBeDefined();
    // kubectl get appcopies -o wide: the URL column.
    expect(output).toMatch(
      new RegExp(
        `shop-to-staging\\s+Succeeded\\s+19\\s+34\\s+2\\s+True\\s+Copied\\s+${url?.replaceAll('.', '\\.')}\\s`,
      ),
    );
    expect(output).toContain('cache-copy: 203.0.113.10:30001');
    expect(output).toContain('simulator ledger: 1 copy call(s) took effect, 2 component(s) created');
    expect(output).toContain('components left in the target app: 0');
  }, 180_000);
});
