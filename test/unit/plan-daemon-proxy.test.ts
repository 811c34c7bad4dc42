import { describe, expect, it } from 'vitest';
import { parseProxyEnvironment, proxyEnvironmentText } from '../../src/facts/areas/daemon.js';
import { secretDigest } from '../../src/core/secret-digest.js';
import { PROXY_DROPIN, proxyCarriesSecret, proxyDropInContent, proxyDropInCurrent } from '../../src/plan/daemon-settings.js';
import type { Facts } from '../../src/facts/types.js';

const PROXY = 'http://svc:pa55@proxy.internal:3128';
const NO_PROXY = 'localhost,10.0.0.0/8';

/** Only what proxyDropInCurrent reads: the unit's drop-ins and its loaded proxy variables. */
function factsWith(dropIn: { exists: boolean; content?: string } | undefined, environment: string | undefined): Facts {
  return {
    daemonUnit: {
      execStart: [],
      dropIns: dropIn ? [{ path: PROXY_DROPIN, ...dropIn }] : [],
      dropInsTruncated: false,
      proxyEnvironment: environment === undefined ? undefined : secretDigest(proxyEnvironmentText(parseProxyEnvironment(environment))),
    },
  } as unknown as Facts;
}

describe('parseProxyEnvironment (systemctl show -p Environment)', () => {
  it.each([
    ['', {}],
    ['LANG=C', {}],
    [`HTTP_PROXY=${PROXY} HTTPS_PROXY=${PROXY} NO_PROXY=${NO_PROXY}`, { HTTP_PROXY: PROXY, HTTPS_PROXY: PROXY, NO_PROXY }],
    // Another drop-in set it first: systemd applies the later assignment.
    ['HTTP_PROXY=http://old:1 LANG=C HTTP_PROXY=http://new:2', { HTTP_PROXY: 'http://new:2' }],
    ['=x HTTP_PROXY', {}],
    ['__proto__=x constructor=y', {}],
  ])('%j', (value, want) => {
    expect(parseProxyEnvironment(value)).toEqual(want);
  });
});

describe('the proxy drop-in: converged only on positive evidence', () => {
  const options = { proxy: PROXY, noProxy: NO_PROXY };
  const content = proxyDropInContent(PROXY, NO_PROXY);
  const loaded = `HTTP_PROXY=${PROXY} HTTPS_PROXY=${PROXY} NO_PROXY=${NO_PROXY}`;

  it('a readable drop-in: its text decides', () => {
    expect(proxyDropInCurrent(factsWith({ exists: true, content }, undefined), content, options)).toBe(true);
    expect(proxyDropInCurrent(factsWith({ exists: true, content: content.replace('pa55', 'other') }, loaded), content, options)).toBe(false);
  });
  it('a root-only drop-in (unreadable): the unit systemd loaded must pass exactly the wanted variables', () => {
    expect(proxyDropInCurrent(factsWith({ exists: true }, loaded), content, options)).toBe(true);
    expect(proxyDropInCurrent(factsWith({ exists: true }, loaded.replace('pa55', 'pa56')), content, options)).toBe(false);
    expect(proxyDropInCurrent(factsWith({ exists: true }, `HTTP_PROXY=${PROXY} HTTPS_PROXY=${PROXY}`), content, options)).toBe(false);
    // No answer from systemd: no evidence.
    expect(proxyDropInCurrent(factsWith({ exists: true }, undefined), content, options)).toBe(false);
  });
  it('no drop-in: not converged, whatever the unit has loaded', () => {
    expect(proxyDropInCurrent(factsWith(undefined, loaded), content, options)).toBe(false);
    expect(proxyDropInCurrent(factsWith({ exists: false }, loaded), content, options)).toBe(false);
  });
  it('facts keep a digest of the variables, never the password', () => {
    const facts = factsWith({ exists: true }, loaded);
    expect(JSON.stringify(facts)).not.toContain('pa55');
  });
  it('the drop-in is root-only exactly when the proxy URL holds credentials', () => {
    expect(proxyCarriesSecret(PROXY)).toBe(true);
    expect(proxyCarriesSecret('http://token@proxy:3128')).toBe(true);
    expect(proxyCarriesSecret('http://proxy.internal:3128')).toBe(false);
    expect(proxyCarriesSecret(undefined)).toBe(false);
  });
});
