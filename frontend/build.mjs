// Builds the package (dist/, what an MFE installs) and the harness (build/harness/, what the demo
// LMS serves at /mfe-harness/ for the browser tests and the screenshots). esbuild, as pinned in
// package-lock.json; nothing else is fetched.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

// The package: our modules in one ES module; React, the platform, the plugin framework and
// Paragon stay imports, resolved by the MFE to its own copies (peer dependencies).
rmSync(here('dist'), { recursive: true, force: true });
await build({
  entryPoints: [here('src/index.js')],
  outfile: here('dist/index.js'),
  bundle: true,
  packages: 'external',
  format: 'esm',
  jsx: 'automatic',
  target: 'es2019',
  loader: { '.js': 'jsx' },
  sourcemap: true,
  logLevel: 'warning',
});

// The harness: a page like an MFE's, mounting the widgets through the plugin framework's
// PluginSlot, everything bundled for the browser.
const out = here('build/harness');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [here('harness/index.jsx')],
  outfile: `${out}/harness.js`,
  bundle: true,
  format: 'iife',
  jsx: 'automatic',
  target: 'es2019',
  minify: true,
  loader: { '.js': 'jsx', '.svg': 'dataurl', '.png': 'dataurl', '.scss': 'empty', '.css': 'empty' },
  // frontend-platform reads process.env (an MFE's webpack defines it) and imports `env.config`.
  define: { 'process.env.NODE_ENV': '"production"', 'process.env': '{}', global: 'window' },
  alias: { 'env.config': here('test/env.config.js') },
  logLevel: 'warning',
});
// Paragon's compiled styles, as an MFE loads them (core, then the light theme).
for (const sheet of ['core.min.css', 'light.min.css']) {
  copyFileSync(here(`node_modules/@openedx/paragon/dist/${sheet}`), `${out}/${sheet}`);
}
