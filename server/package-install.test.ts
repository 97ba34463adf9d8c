// A clean `npm install` prints nothing a newcomer cannot act on: no dependency that wants a newer
// Node than the README names, and no install script left for npm to warn about.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string }; allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[]; hasInstallScript?: boolean; optional?: boolean }> };
const installed = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('a clean install', () => {
  it('needs no newer Node than the oldest the project supports', () => {
    const oldest = semver.minVersion(manifest.engines.node)!.version;
    const wanting = installed.filter(([, entry]) => {
      const wanted = !Array.isArray(entry.engines) && entry.engines?.node;
      return wanted && !semver.satisfies(oldest, wanted);
    });
    expect(wanting.map(([path, entry]) => `${nameOf(path)}@${entry.version} wants node ${JSON.stringify(entry.engines)}`)).toEqual([]);
  });

  it('has a decision in allowScripts for every dependency with an install script', () => {
    const undecided = installed.filter(([path, entry]) => entry.hasInstallScript && !(nameOf(path) in (manifest.allowScripts ?? {})));
    expect(undecided.map(([path]) => nameOf(path))).toEqual([]);
  });
});
