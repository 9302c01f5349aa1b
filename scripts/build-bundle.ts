// `npm run build`: the operator as one JavaScript file, dist/main.js, with everything it
// imports inside (esbuild), plus dist/THIRD-PARTY-LICENSES.txt. This file is what the container
// image runs and what `npm run bench` measures; `npm start` runs src/ as it is.
//
// Why a bundle: importing @kubernetes/client-node's index loads every generated API and model
// (28 MB of module source on the heap); the operator calls a handful of them. The bundler keeps
// only the code reachable from src/main.ts, so the process parses and holds about 3 MB instead
// (figures: docs/performance.md, "Fourth round").
//
// How, and why each setting:
// - The entry require()s src/main.ts instead of importing it. esbuild then wraps every module
//   in a function that runs it on first use, in the same order as Node would. Without the
//   wrapping every module is hoisted into one top-level function of ~3 MB, which V8 parses in
//   one go: a 20 MB parser zone whose freed memory the C heap keeps (+12 MB of RSS).
// - ESM output, because dependencies read import.meta.url; the banner gives the CommonJS
//   modules inside (prom-client, pino, ...) the `require` of Node's built-in modules.
// - Whitespace and syntax minified, and pure ASCII: V8 keeps the source of every loaded script
//   in memory, and a source with any non-ASCII character costs two bytes per character.
//   Comments go, legal ones included (the only non-ASCII text left): the licenses file holds
//   every bundled package's licence text in full.
// - Node's built-in modules are loaded with require(), also where a dependency imports them
//   (builtinsByRequire). An `import` of a built-in reads every export of it when the module
//   is linked, and some exports are getters that load more: `import http from 'node:http'`
//   alone loads Node's own copy of undici (its fetch) for http's WebSocket export, which the
//   operator never uses: 2.5 MB. Through require() an export is read when it is used.
// - One dependency is changed on the way in (DEFERRED_AT_LOAD): got's type checker builds two
//   Intl.ListFormat objects when it is loaded, for an error message it rarely writes, and the
//   first Intl object makes Node page in 4 MB of its ICU data. They are built on first use.
// - Identifiers are not renamed: error types in logs (pino's `type` is the constructor's name)
//   and stack traces still say ConflictError or reconcile, not `Xe`. Renaming them would save
//   1.3 MB of source and measured no RSS difference.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const BUNDLE_FILE = 'main.js';
export const LICENSES_FILE = 'THIRD-PARTY-LICENSES.txt';

/** Lets the CommonJS modules inside an ESM bundle require Node's built-in modules. */
const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Module-level work of a dependency that is deferred to first use, with the same behaviour: the
 * exact text is replaced, and a build where it is not found fails (a new version of the
 * package then needs a look, rather than silently keeping the cost).
 */
const DEFERRED_AT_LOAD: { file: RegExp; from: string; to: string }[] = [
  {
    file: /node_modules\/@sindresorhus\/is\/distribution\/index\.js$/,
    from: `const andFormatter = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });
const orFormatter = new Intl.ListFormat('en', { style: 'long', type: 'disjunction' });`,
    to: `let andListFormat, orListFormat;
const andFormatter = { format: (list) => (andListFormat ??= new Intl.ListFormat('en', { style: 'long', type: 'conjunction' })).format(list) };
const orFormatter = { format: (list) => (orListFormat ??= new Intl.ListFormat('en', { style: 'long', type: 'disjunction' })).format(list) };`,
  },
];

const BUILTIN = new Set(builtinModules);

/**
 * Every import of a Node built-in becomes a CommonJS module of the bundle whose body is
 * `module.exports = require('node:x')`: the importer reads its exports as properties when it
 * uses them. require() calls of built-ins stay as they are (external).
 */
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/0-9]+$/ }, ({ path, kind }) => {
      const name = path.startsWith('node:') ? path.slice('node:'.length) : path;
      if (!BUILTIN.has(name) && !BUILTIN.has(path)) return undefined;
      if (kind === 'require-call') return { path: `node:${name}`, external: true };
      return { path: name, namespace: 'builtin-by-require' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${path}`)});`,
      loader: 'js',
    }));
  },
};

const deferAtLoad: Plugin = {
  name: 'defer-at-load',
  setup(build) {
    for (const patch of DEFERRED_AT_LOAD) {
      build.onLoad({ filter: patch.file }, ({ path }) => {
        const source = readFileSync(path, 'utf8');
        if (!source.includes(patch.from))
          throw new Error(`${path}: the text deferred by scripts/build-bundle.ts is not there any more`);
        return { contents: source.replace(patch.from, patch.to), loader: 'js' };
      });
    }
  },
};

export interface BundleResult {
  /** Absolute path of the bundle. */
  file: string;
  bytes: number;
  /** name@version of every package with code in the bundle. */
  packages: string[];
}

/**
 * Builds `root`'s src/main.ts into `outDir`: main.js and the licenses file, replacing those two
 * and touching nothing else there (a dist/ of an earlier `tsc` build keeps its other files).
 */
export async function buildBundle(root: string, outDir: string): Promise<BundleResult> {
  mkdirSync(outDir, { recursive: true });
  rmSync(join(outDir, LICENSES_FILE), { force: true });
  const file = join(outDir, BUNDLE_FILE);
  const result = await build({
    stdin: {
      contents: "require('./src/main.ts');",
      resolveDir: root,
      sourcefile: 'operator-entry.cjs',
      loader: 'js',
    },
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    outfile: file,
    banner: { js: REQUIRE_BANNER },
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    legalComments: 'none',
    metafile: true,
    plugins: [builtinsByRequire, deferAtLoad],
    logLevel: 'warning',
  });
  const packages = bundledPackages(root, result.metafile);
  writeFileSync(join(outDir, LICENSES_FILE), licensesText(packages));
  const source = readFileSync(file);
  const nonAscii = source.findIndex((byte) => byte > 0x7f);
  if (nonAscii >= 0) throw new Error(`${file} is not pure ASCII at byte ${nonAscii}`);
  return {
    file,
    bytes: source.length,
    packages: packages.map((p) => `${p.name}@${p.version}`),
  };
}

interface BundledPackage {
  name: string;
  version: string;
  license: string;
  dir: string;
}

/** The packages (node_modules/<name>) whose files ended up in the bundle. */
function bundledPackages(root: string, metafile: Metafile): BundledPackage[] {
  const dirs = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) dirs.add(resolve(root, match[1] as string));
    }
  }
  return [...dirs]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        license?: string;
      };
      return { name: pkg.name, version: pkg.version, license: pkg.license ?? 'see its licence text', dir };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function licensesText(packages: BundledPackage[]): string {
  const parts = [
    "The AppCopy operator (dist/main.js) contains the following packages. Each one's licence follows.\n",
  ];
  for (const p of packages) {
    const licence = readdirSync(p.dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licence ? readFileSync(join(p.dir, licence), 'utf8').trim() : `License: ${p.license}`;
    parts.push(`${'='.repeat(78)}\n${p.name}@${p.version} (${p.license})\n${'='.repeat(78)}\n${text}\n`);
  }
  return parts.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  let outDir = join(ROOT, 'dist');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--outdir' && argv[i + 1] !== undefined) outDir = resolve(argv[++i] as string);
    else {
      process.stderr.write('usage: node scripts/build-bundle.ts [--outdir DIR]  (default: dist)\n');
      return 2;
    }
  }
  const bundle = await buildBundle(ROOT, outDir);
  process.stderr.write(
    `built ${relative(process.cwd(), bundle.file) || bundle.file}: ${(bundle.bytes / 1024).toFixed(0)} KiB, ${bundle.packages.length} packages (licences in ${relative(process.cwd(), join(dirname(bundle.file), LICENSES_FILE))})\n`,
  );
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
