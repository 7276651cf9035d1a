// npm runs scripts with node_modules/.bin first on PATH, so `node` is the pinned Node 24
// from package.json. Fail loudly if something (a global install, a shell alias) put Node 20 first.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(`expected Node 24 LTS from node_modules/.bin, got ${process.version}`);
  process.exit(1);
}
