// One SWC configuration for the build (scripts/build.mjs) and for jest, so that
// decorator metadata (Nest DI) and the @sc/* path aliases behave the same in both.
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsconfig = require(path.join(root, 'tsconfig.json'));

function swcOptions() {
  return {
    sourceMaps: true,
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2023',
      baseUrl: root,
      paths: tsconfig.compilerOptions.paths,
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
  };
}

module.exports = { root, swcOptions };
