/** The HTTP response parser and the journal reason recogniser (pure parts of the doctor). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ResponseParser } from '../../src/doctor/http.js';
import { recogniseDaemonFailure } from '../../src/doctor/journal.js';
import { parseDoctorOutput } from '../../src/doctor/parse.js';

const chunked = (body: string, sizes: number[]) => {
  let out = 'HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nTransfer-Encoding: chunked\r\n\r\n';
  let i = 0;
  for (const n of sizes) {
    if (i >= body.length) break;
    const part = body.slice(i, i + n);
    out += `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`;
    i += n;
  }
  if (i < body.length) out += `${Buffer.byteLength(body.slice(i)).toString(16)}\r\n${body.slice(i)}\r\n`;
  return out + '0\r\n\r\n';
};

function feed(wire: string, cuts: number[]): { done: boolean; parser: ResponseParser } {
  const buf = Buffer.from(wire);
  const parser = new ResponseParser();
  let done = false;
  let last = 0;
  for (const c of [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b).concat(buf.length)) {
    if (c <= last) continue;
    done = parser.push(buf.subarray(last, c)) || done;
    last = c;
  }
  return { done, parser };
}

describe('ResponseParser', () => {
  it('reassembles chunked bodies however the bytes are split', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (body, sizes, cuts) => {
        const { done, parser } = feed(chunked(body, sizes), cuts);
        expect(done).toBe(true);
        expect(parser.response().body).toBe(body);
        expect(parser.response().headers['api-version']).toBe('1.47');
      }),
    );
  });

  it('reads Content-Length bodies and stops at the length', () => {
    const { done, parser } = feed('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nLibpod-Api-Version: 4.3.1\r\n\r\nOK', [5, 17]);
    expect(done).toBe(true);
    expect(parser.response()).toMatchObject({ status: 200, body: 'OK', headers: { 'libpod-api-version': '4.3.1' } });
  });

  it('reads to the end of the stream without a length', () => {
    const p = new ResponseParser();
    expect(p.push(Buffer.from('HTTP/1.0 200 OK\r\n\r\nhello'))).toBe(false);
    p.end();
    expect(p.response().body).toBe('hello');
  });

  it('rejects what is not HTTP, and a body cut short', () => {
    expect(() => new ResponseParser().push(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n\r\n'))).toThrow(/not an HTTP response/);
    const p = new ResponseParser();
    p.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(() => p.end()).toThrow(/middle of the response body/);
  });
});

describe('recogniseDaemonFailure', () => {
  it.each([
    ['unable to configure the Docker daemon with file /etc/docker/daemon.json: invalid character', 'invalid-config'],
    ['the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [fd://])', 'hosts-conflict'],
    ['failed to start daemon: error initializing graphdriver: driver not supported', 'storage'],
    ['failed to create NAT chain DOCKER: iptables failed', 'iptables'],
    ['failed to dial "/run/containerd/containerd.sock": connect: connection refused', 'containerd'],
    ['docker.service: Start request repeated too quickly.', 'start-limit'],
  ])('%s → %s', (line, reason) => {
    expect(recogniseDaemonFailure(['Starting Docker Application Container Engine...', line])?.reason).toBe(reason);
  });

  it('names the cause before the start limit it led to', () => {
    const r = recogniseDaemonFailure(['unable to configure the Docker daemon with file /etc/docker/daemon.json: EOF', 'Start request repeated too quickly.'], 'start-limit-hit');
    expect(r?.reason).toBe('invalid-config');
    expect(recogniseDaemonFailure([], 'start-limit-hit')?.reason).toBe('start-limit');
    expect(recogniseDaemonFailure(['all fine'])).toBeUndefined();
  });
});

describe('parseDoctorOutput', () => {
  it('reads users, env, stats, symlinks, files and blocks; detects truncation', () => {
    const out = [
      'noise from a chatty rc file',
      '@@doctor:begin',
      '@@doctor:kv user=alice',
      '@@doctor:kv uid=1000',
      '@@doctor:kv gid=1000',
      '@@doctor:kv db_groups=alice docker',
      '@@doctor:kv session_groups=alice',
      '@@doctor:kv home=/home/alice',
      '@@doctor:kv env.DOCKER_HOST=unix:///tmp/x.sock',
      '@@doctor:kv config_dir=/home/alice/.docker',
      '@@doctor:block exports',
      '|/home/alice/.bashrc:3:export DOCKER_HOST=unix:///tmp/x.sock',
      '@@doctor:end',
      '@@doctor:stat 41c0 root root 0 0 /home/alice/.docker',
      '@@doctor:stat 8180 root root 0 0 /home/alice/.docker/config.json',
      '@@doctor:block-unreadable config.json /home/alice/.docker/config.json',
      '@@doctor:block ctx:abc /home/alice/.docker/contexts/meta/abc/meta.json',
      '|{"Name":"x"}',
      '@@doctor:end',
      '@@doctor:link /var/run/docker.sock /run/podman/podman.sock',
      '@@doctor:stat c1b0 root docker 0 999 /var/run/docker.sock',
      '@@doctor:stat-missing /tmp/x.sock',
      '@@doctor:block journal-docker',
      '|line one',
      '|line two',
      '@@doctor:end',
      '@@doctor:done',
    ].join('\n');
    const { evidence: e, complete } = parseDoctorOutput(out);
    expect(complete).toBe(true);
    expect(e.user).toEqual({ name: 'alice', uid: 1000, gid: 1000, home: '/home/alice', databaseGroups: ['alice', 'docker'], sessionGroups: ['alice'] });
    expect(e.env.DOCKER_HOST).toBe('unix:///tmp/x.sock');
    expect(e.envExports).toEqual(['/home/alice/.bashrc:3:export DOCKER_HOST=unix:///tmp/x.sock']);
    expect(e.configDir).toMatchObject({ type: 'directory', owner: 'root', mode: 0o700 });
    expect(e.configJson).toMatchObject({ exists: true, content: undefined, owner: 'root' });
    expect(e.contextMeta).toEqual({ abc: '{"Name":"x"}\n' });
    expect(e.sockets).toEqual([
      { path: '/var/run/docker.sock', exists: true, type: 'socket', owner: 'root', group: 'docker', uid: 0, gid: 999, mode: 0o660, linkTarget: '/run/podman/podman.sock' },
      { path: '/tmp/x.sock', exists: false },
    ]);
    expect(e.journal.docker).toEqual(['line one', 'line two']);
    expect(parseDoctorOutput(out.split('@@doctor:block journal')[0]!).complete).toBe(false);
  });
});

describe('parseDoctorOutput: unknown user', () => {
  it('an empty uid is unknown (NaN), never root', () => {
    const { evidence } = parseDoctorOutput('@@doctor:begin\n@@doctor:kv user=ghost\n@@doctor:kv uid=\n@@doctor:kv gid=\n@@doctor:done\n');
    expect(evidence.user.uid).toBeNaN();
  });
});
