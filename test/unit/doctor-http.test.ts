/** The HTTP response parser and the journal reason recogniser (pure parts of the doctor). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ResponseParser } from '../../src/doctor/http.js';
import { recogniseDaemonFailure } from '../../src/doctor/journal.js';
import { parseDoctorOutput } from '../../src/doctor/parse.js';
import { frame } from '../fixtures/probe/frame.js';

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
  // Real dockerd/systemd journal lines (journalctl -u docker.service -o cat), Engine 20–29.
  it.each([
    ['unable to configure the Docker daemon with file /etc/docker/daemon.json: invalid character \'}\' looking for beginning of object key string', 'invalid-config'],
    ['unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [fd://], from file: [unix:///var/run/docker.sock])', 'hosts-conflict'],
    ['failed to start daemon: error initializing graphdriver: driver not supported: overlay2', 'storage'],
    ['time="2023-03-01T10:00:00.000000000Z" level=fatal msg="Error starting daemon: error initializing graphdriver: backing file system is unsupported for this graph driver"', 'storage'],
    ['failed to start daemon: Error initializing network controller: error obtaining controller instance: failed to create NAT chain DOCKER: iptables failed: iptables --wait -t nat -N DOCKER: iptables v1.8.7 (nf_tables): Could not fetch rule set generation id: Invalid argument (exit status 4)', 'iptables'],
    ['failed to start daemon: failed to dial "/run/containerd/containerd.sock": failed to dial "/run/containerd/containerd.sock": context deadline exceeded', 'containerd'],
    ['failed to load listeners: can\'t create unix socket /var/run/docker.sock: is a directory', 'socket-path'],
  ])('%s → %s', (line, reason) => {
    expect(recogniseDaemonFailure(['Starting Docker Application Container Engine...', line, 'docker.service: Main process exited, code=exited, status=1/FAILURE'])?.reason).toBe(reason);
  });

  it('takes the fatal line, not an info line that mentions the graph driver (issue 9)', () => {
    const lines = [
      'time="2026-11-30T08:12:01.101Z" level=info msg="Starting up"',
      'time="2026-11-30T08:12:01.230Z" level=info msg="[graphdriver] using prior storage driver: overlay2"',
      'time="2026-11-30T08:12:01.231Z" level=info msg="Loading containers: start."',
      'failed to start daemon: Error initializing network controller: error obtaining controller instance: failed to create NAT chain DOCKER: iptables failed: iptables --wait -t nat -N DOCKER: iptables v1.8.9 (legacy): can\'t initialize iptables table `nat\': Table does not exist (do you need to insmod?)',
      'docker.service: Main process exited, code=exited, status=1/FAILURE',
      "docker.service: Failed with result 'exit-code'.",
    ];
    expect(recogniseDaemonFailure(lines, 'exit-code')).toEqual({ reason: 'iptables', line: lines[3]!.slice(0) });
  });

  it('shows an unrecognised fatal line verbatim, never a guess', () => {
    const line = 'failed to start daemon: pid file found, ensure docker is not running or delete /var/run/docker.pid';
    expect(recogniseDaemonFailure(['time="x" level=info msg="[graphdriver] trying configured driver: overlay2"', line], 'exit-code')).toEqual({ reason: 'unknown', line });
  });

  it('without a fatal line: only the start limit (from systemd), nothing guessed from routine lines', () => {
    expect(recogniseDaemonFailure(['time="x" level=info msg="[graphdriver] using prior storage driver: overlay2"', 'time="x" level=warning msg="failed to dial containerd.sock, retrying"'], 'exit-code')).toBeUndefined();
    const r = recogniseDaemonFailure(['unable to configure the Docker daemon with file /etc/docker/daemon.json: EOF', 'Start request repeated too quickly.'], 'start-limit-hit');
    expect(r?.reason).toBe('invalid-config');
    expect(recogniseDaemonFailure([], 'start-limit-hit')?.reason).toBe('start-limit');
    expect(recogniseDaemonFailure(['all fine'])).toBeUndefined();
  });
});

describe('parseDoctorOutput', () => {
  it('reads users, env, stats, symlinks, files and blocks; detects truncation', () => {
    const doctor = {
      kv: {
        user: 'alice',
        uid: '1000',
        gid: '1000',
        db_groups: 'alice docker',
        session_groups: 'alice',
        home: '/home/alice',
        'env.DOCKER_HOST': 'unix:///tmp/x.sock',
        config_dir: '/home/alice/.docker',
        'stat /home/alice/.docker': '41c0 root root 0 0',
        'stat /home/alice/.docker/config.json': '8180 root root 0 0',
        'block config.json': '/home/alice/.docker/config.json',
        'block ctx:abc': '/home/alice/.docker/contexts/meta/abc/meta.json',
        'link /var/run/docker.sock': '/run/podman/podman.sock',
        'stat /var/run/docker.sock': 'c1b0 root docker 0 999',
        'stat /tmp/x.sock': 'missing',
      },
      files: { '/home/alice/.docker/contexts/meta/abc/meta.json': '{"Name":"x"}\n' },
      unreadable: ['/home/alice/.docker/config.json'],
      commands: {
        exports: [0, '/home/alice/.bashrc:3:export DOCKER_HOST=unix:///tmp/x.sock\n'],
        'journal-docker': [0, 'line one\nline two\n'],
      } as Record<string, [number | null, string]>,
    };
    const out = frame({ meta: { kv: { probe: '2' } }, doctor });
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
    expect(parseDoctorOutput(frame({ doctor }, false)).complete).toBe(false);
  });
});

describe('parseDoctorOutput: unknown user', () => {
  it('an empty uid is unknown (NaN), never root', () => {
    const { evidence } = parseDoctorOutput(frame({ doctor: { kv: { user: 'ghost', uid: '', gid: '' } } }));
    expect(evidence.user.uid).toBeNaN();
  });
});
