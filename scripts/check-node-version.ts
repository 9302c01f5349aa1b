// Fails fast when a script runs on the wrong Node.js major. `npm ci` installs Node 24 as a
// dev dependency and npm scripts put node_modules/.bin first on PATH, so this only trips when
// someone bypasses npm (or the install was skipped) on a machine whose own node is older.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  process.stderr.write(
    `This project runs on Node.js 24 (found ${process.versions.node}). Run \`npm ci\` first; npm scripts then use the Node 24 it installs.\n`,
  );
  process.exit(1);
}
