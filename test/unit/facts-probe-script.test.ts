import { describe, expect, it } from 'vitest';
import { factsProbeScript, factsProbeScriptFor } from '../../src/facts/probe.js';
import { doctorScript } from '../../src/doctor/script.js';

/** Lines of the script with comments removed, so prose in comments cannot trip the checks. */
const code = factsProbeScript().split('\n')
  .map((l) => l.replace(/(^|\s)#[^'"]*$/, ''))
  .join('\n');

describe('probe script stays POSIX and read-only', () => {
  it.each([
    ['[[ tests', /\[\[ /],
    ['local variables', /(^|[;\s])local\s/m],
    ["$'…' quoting", /\$'/],
    ['function keyword', /(^|\s)function\s/m],
    ['here-strings', /<<</],
    ['== in tests', /\[ [^\]]*==/],
    ['arrays', /\w+=\(/],
    ['pattern substitution', /\$\{\w+\/\//],
    ['source builtin', /(^|[;\s])source\s/m],
    ['echo -e', /echo -e/],
    ['&> redirection', /&>/],
  ])('no %s', (_name, pattern) => {
    expect(code).not.toMatch(pattern);
  });

  it.each([
    ['package installs', /(apt-get|dnf|yum|zypper|apk|pacman) (install|add|-S)/],
    ['writes with >', />\s*\/(etc|var|usr|lib)\//],
    ['cloud-init waiting', /status --wait/],
    ['service changes', /(start|stop|restart|enable)\b.*(docker|containerd)/],
  ])('does not contain %s', (_name, pattern) => {
    expect(code).not.toMatch(pattern);
  });

  it('runs sudo only as the non-interactive `sudo -n true` check', () => {
    const calls = code.replace(/has sudo|kv(yn)? sudo |sudo -n true|SUDO_USER/g, '');
    expect(calls).not.toMatch(/\bsudo\b/);
    expect(code).toContain('sudo -n true');
  });

  it('guards every optional tool with command -v before use', () => {
    for (const tool of ['dpkg-query', 'rpm', 'pacman', 'systemctl', 'findmnt', 'xfs_info', 'cloud-init', 'sudo', 'getent', 'pidof']) {
      expect(code, tool).toMatch(new RegExp(`has ${tool.replace(/[-]/g, '\\-')}\\b`));
    }
  });
});

describe('the probe parts (issue 15)', () => {
  it('the engine part holds docker.sh first and areas of AREAS only; every area runs exactly once', async () => {
    const { AREAS, ENGINE_PART, fragmentOf } = await import('../../src/facts/areas/index.js');
    const { dockerArea } = await import('../../src/facts/areas/docker.js');
    expect(ENGINE_PART[0]).toBe(dockerArea);
    for (const area of ENGINE_PART) expect(AREAS).toContain(area);
    const script = factsProbeScript();
    for (const area of AREAS) {
      const text = fragmentOf(area);
      expect(script.split(text).length - 1, area.script).toBe(1);
    }
  });

  it('daemonInfoViaApi leaves out docker info (daemon-info.sh) and nothing else; the early local doctor asks for the same script', async () => {
    const { AREAS, fragmentFile, fragmentOf } = await import('../../src/facts/areas/index.js');
    const { examinationScript } = await import('../../src/doctor/script.js');
    const without = factsProbeScriptFor({ daemonInfoViaApi: true });
    expect(factsProbeScript()).toContain(fragmentFile('daemon-info.sh'));
    expect(without).not.toContain('sec daemon_info');
    expect(without).not.toContain('run info timeout 8 docker info');
    expect(factsProbeScript()).toContain('run info timeout 8 docker info');
    for (const area of AREAS) expect(without.split(fragmentOf(area)).length - 1, area.script).toBe(1);
    // src/doctor/early.ts starts this one; the local transport adopts it only for the same argv.
    const early = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../src/doctor/early.ts', import.meta.url), 'utf8'));
    expect(early).toContain('examinationScript(undefined, { daemonInfoViaApi: true })');
    expect(examinationScript(undefined, { daemonInfoViaApi: true })).toBe(factsProbeScriptFor({ daemonInfoViaApi: true, cliVersion: false }, doctorScript()));
    expect(examinationScript()).toContain('DH_ASK_CLI=no\n');
    expect(factsProbeScript()).not.toContain('DH_ASK_CLI=no\n');
  });

  it('the descriptors of nested splits differ, and the copied records of each are read back', () => {
    const script = factsProbeScript(doctorScript());
    for (const fd of [9, 8, 7]) {
      expect(script.split(`exec ${fd}<&0 </dev/null 3>&-`).length - 1, `fd ${fd}`).toBe(1);
      expect(script.split(`cat <&${fd}; }`).length - 1, `fd ${fd}`).toBe(1);
    }
  });
});
