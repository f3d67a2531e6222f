// A fresh clone has nothing beside it: no file of the repository may read or link outside it
// (the spec, the conformance cases and the style notes live in docs/ and test/conformance/).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { repoPath } from '../../../libs/common/src/repo-path';

const SELF = 'services/all-in-one/src/self-contained.spec.ts';
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: repoPath('.'),
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file && /\.(ts|js|mjs|json|md|yml|yaml)$|^\.ci\/|^Dockerfile$/.test(file))
  .filter((file) => file !== 'package-lock.json' && file !== SELF && existsSync(repoPath(file)));

describe('the repository is self-contained', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  // The folder a developer's checkout has beside it and a fresh clone does not (built from parts so
  // that this file does not name it either).
  const beside = ['..', 'shared'].join('/');
  const outside = new RegExp(`${beside.replace(/\./g, '\\.')}\\b|/work/${beside.slice(3)}`);

  it('no file refers to the folder beside the checkout', () => {
    const offenders = files.filter((file) => outside.test(readFileSync(repoPath(file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it.each([
    'docs/SPEC.md',
    'test/conformance/README.md',
    'test/conformance/usage-cases.json',
    'test/conformance/expression-cases.json',
  ])('carries %s', (file) => {
    expect(existsSync(repoPath(file))).toBe(true);
  });

  it('README links resolve inside the repository', () => {
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)\)/g)]
      .map((m) => m[1])
      .filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(existsSync(repoPath(link))).toBe(true);
  });
});

describe('README: operating it', () => {
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  const operating = readme.slice(readme.indexOf('## Operating it'));

  it('has the section', () => {
    expect(readme).toContain('## Operating it');
  });

  it('lists every metric the code defines', () => {
    const source = readFileSync(repoPath('libs/observability/src/metrics.ts'), 'utf8');
    const names = [...source.matchAll(/name: `\$\{p\}([a-z_]+)`/g)].map((m) => `metering_${m[1]}`);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(operating).toContain(`\`${name}\``);
  });

  it.each([
    'LOG_LEVEL',
    'METRICS_HOST',
    'METRICS_PORT',
    'SHUTDOWN_GRACE_MS',
    'TLS_CERT_FILE',
    'TLS_KEY_FILE',
    'TLS_CLIENT_CA_FILE',
    'TLS_CA_FILE',
    'HOST',
    'DEDUPE_CLAIMS',
    'CLAIMS_DATABASE_URL',
    'CLAIM_LEASE_MS',
    '64 MiB',
  ])('documents %s', (word) => {
    expect(operating).toContain(word);
  });

  it('the grpcurl session creates a subscription before its first event', () => {
    const subscription = readme.indexOf('MetricRegistryService/UpsertSubscription');
    expect(subscription).toBeGreaterThan(0);
    expect(subscription).toBeLessThan(readme.indexOf('IngestionService/IngestEvent'));
  });
});
