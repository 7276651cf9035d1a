// Compiles apps/, libs/ and tools/ to dist/ with SWC (type checking is `npm run typecheck`).
// Incremental: a file is recompiled only when its source is newer than its output.
import { createRequire } from 'node:module';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { transformFile } = require('@swc/core');
const { root, swcOptions } = require('./swc-options.cjs');

const sourceDirs = ['apps', 'libs', 'tools'];
const isCompiled = (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.endsWith('.d.ts');

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (isCompiled(entry.name)) yield full;
  }
}

async function mtime(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}

let compiled = 0;
for (const dir of sourceDirs) {
  for await (const source of walk(path.join(root, dir))) {
    const rel = path.relative(root, source);
    const out = path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    if ((await mtime(out)) >= (await mtime(source))) continue;
    const options = swcOptions();
    const result = await transformFile(source, { ...options, filename: source, outputPath: out });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${result.code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    if (result.map) await writeFile(`${out}.map`, result.map);
    compiled += 1;
  }
}
if (compiled > 0) console.log(`build: compiled ${compiled} file(s) to dist/`);
