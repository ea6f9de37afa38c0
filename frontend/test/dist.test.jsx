// The built package (dist/, what `npm install` puts in an MFE) exports every name the Tutor
// plugin's env.config.jsx definitions take from it (tutor-cert-plugin/tutorcertplugin/patches).
import { readFileSync, readdirSync } from 'fs';
import path from 'path';

import * as built from '../dist';

const PATCHES = path.resolve(__dirname, '../../tutor-cert-plugin/tutorcertplugin/patches');

it('exports what the Tutor plugin imports', () => {
  const used = new Set();
  readdirSync(PATCHES)
    .filter((name) => name.startsWith('mfe-env-config-runtime-definitions-'))
    .forEach((name) => {
      const text = readFileSync(path.join(PATCHES, name), 'utf8');
      expect(text).toContain("await import('cert-plugin-frontend')");
      [...text.matchAll(/certPluginFrontend\.(\w+)/g)].forEach((match) => used.add(match[1]));
    });
  expect([...used].sort()).toEqual(['MyCertificatesWidget', 'ProgressTabMainBody', 'ProgressTabSidePanel', 'courseCardAction']);
  used.forEach((name) => expect(typeof built[name]).toBe('function'));
});

it('is the package its package.json names, the version of the Python plugin', () => {
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../package.json'), 'utf8'));
  const python = readFileSync(path.resolve(__dirname, '../../cert_plugin/__init__.py'), 'utf8');
  expect(manifest.name).toBe('cert-plugin-frontend');
  expect(python).toContain(`__version__ = "${manifest.version}"`);
  expect(manifest.exports['.']).toBe('./dist/index.js');
});
