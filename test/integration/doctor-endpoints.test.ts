/**
 * Every endpoint form the docker CLI accepts (and some it refuses), probed for real by the local
 * doctor: unix://, tcp:// plain and with TLS (certificates made by the test), ssh://, fd://, an
 * unknown scheme, garbage, DOCKER_CONTEXT from the environment and a context that is not defined.
 * Live endpoints are servers the test starts on loopback or in a temp dir; "no daemon" is a socket
 * path nothing listens on or a loopback port the test closed. With a live daemon: the machine's own
 * /var/run/docker.sock, only read. Also the bound: a socket that accepts and never answers.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { ExitCode } from '../../src/core/errors.js';
import { runDoctor } from '../../src/doctor/run.js';
import { API_BOUND_S } from '../../src/doctor/gather.js';
import { fakeDockerd, listen } from '../fixtures/doctor/fake-dockerd.js';
import { localRun } from '../fixtures/doctor/runs.js';

interface JsonFinding { id: string; status: string; summary: string; evidence: string[]; fix?: { class: string; commands: string[] } }
interface JsonReport { error?: string; findings: JsonFinding[] }

const VARS = ['DOCKER_CONFIG', 'DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_TLS', 'DOCKER_CERT_PATH'];
const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
let dir: string;
let http: Server;
let tcpPort: number;
let tlsPort: number;
let tlsServer: TlsServer;
let deadPort: number;
let hang: NetServer;
const hung: Socket[] = [];

function defaultSocketAnswers(): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = connect('/var/run/docker.sock').once('connect', () => (s.destroy(), resolve(true))).once('error', () => resolve(false));
  });
}
const realDaemon = await defaultSocketAnswers();

async function doctor(): Promise<{ code: number; report: JsonReport; ms: number }> {
  let out = '';
  const t0 = Date.now();
  const code = await runDoctor(localRun((t) => (out += t)));
  return { code, report: (JSON.parse(out) as JsonReport[])[0]!, ms: Date.now() - t0 };
}
const finding = (r: JsonReport, id: string) => {
  const f = r.findings.find((x) => x.id === id);
  expect(f, `finding ${id} (${r.error ?? ''})`).toBeDefined();
  return f!;
};
const text = (f: JsonFinding) => [f.summary, ...f.evidence].join('\n');

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker` expects them in DOCKER_CERT_PATH. */
function makeCerts(at: string) {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: at, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
  writeFileSync(join(at, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '1', '-extfile', 'san.cnf');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'client.csr', '-subj', '/CN=client');
  ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem', '-days', '1');
}

const listenTcp = (s: NetServer | Server | TlsServer) =>
  new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-endpoints-'));
  chmodSync(dir, 0o755);
  http = fakeDockerd();
  await listen(http, join(dir, 'live.sock'));
  const tcpHttp = fakeDockerd();
  tcpPort = await listenTcp(tcpHttp);
  afterAll(() => new Promise((r) => (tcpHttp.closeAllConnections(), tcpHttp.close(r))));
  makeCerts(dir);
  const { readFileSync } = await import('node:fs');
  const tlsHttp = fakeDockerd();
  tlsServer = createTlsServer(
    { key: readFileSync(join(dir, 'server-key.pem')), cert: readFileSync(join(dir, 'server-cert.pem')), ca: readFileSync(join(dir, 'ca.pem')), requestCert: true, rejectUnauthorized: true },
    (sock) => tlsHttp.emit('connection', sock),
  );
  tlsPort = await listenTcp(tlsServer);
  // A loopback port nothing listens on: bound by the test, then closed.
  const probe = createNetServer();
  deadPort = await listenTcp(probe);
  await new Promise((r) => probe.close(r));
  // Accepts and never answers: a daemon hanging while it starts.
  hang = createNetServer((sock) => hung.push(sock));
  await listen(hang, join(dir, 'hang.sock'));
});
afterAll(async () => {
  for (const s of hung) s.destroy();
  await Promise.all([http, tlsServer, hang].map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const k of VARS) delete process.env[k];
  // A private config dir: the machine's ~/.docker is neither read nor touched.
  process.env.DOCKER_CONFIG = join(dir, `cfg-${Math.random().toString(36).slice(2)}`);
});
afterEach(() => {
  for (const k of VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('DOCKER_HOST forms, probed for real', () => {
  it('unix:// to a live socket: passes, the API is read', async () => {
    process.env.DOCKER_HOST = `unix://${join(dir, 'live.sock')}`;
    const { report } = await doctor();
    expect(['pass', 'warn']).toContain(finding(report, 'endpoint.docker-host').status);
    expect(finding(report, 'api.ping').status).toBe('pass');
  });

  it('unix:// to a path nothing listens on: a failure naming DOCKER_HOST, fix `unset DOCKER_HOST`, exit 1', async () => {
    process.env.DOCKER_HOST = `unix://${join(dir, 'nothing.sock')}`;
    const { code, report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(f.status).toBe('fail');
    expect(text(f)).toContain('DOCKER_HOST=unix://');
    expect(f.fix?.commands).toEqual(['unset DOCKER_HOST']);
    expect(code).toBe(ExitCode.problemsFound);
  });

  it('tcp:// plain to a live loopback daemon: probed over TCP, passes', async () => {
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${tcpPort}`;
    const { report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(['pass', 'warn']).toContain(f.status);
    expect(text(f)).toContain(`tcp://127.0.0.1:${tcpPort}: /_ping 200`);
  });

  it('tcp://127.0.0.1:<closed port>: a failure (was "✓ DOCKER_HOST is unset or answers", exit 0)', async () => {
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${deadPort}`;
    const { code, report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(f.status).toBe('fail');
    expect(text(f)).toContain('ECONNREFUSED');
    expect(f.fix?.commands).toEqual(['unset DOCKER_HOST']);
    expect(code).toBe(ExitCode.problemsFound);
  });

  it('tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: a TLS daemon answers with client certificates', async () => {
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${tlsPort}`;
    process.env.DOCKER_TLS_VERIFY = '1';
    process.env.DOCKER_CERT_PATH = dir;
    const { report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(['pass', 'warn']).toContain(f.status);
    expect(text(f)).toContain(`tcp://127.0.0.1:${tlsPort}: /_ping 200`);
  });

  it('tcp:// with DOCKER_TLS_VERIFY but no certificates where DOCKER_CERT_PATH points: a TLS failure', async () => {
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${tlsPort}`;
    process.env.DOCKER_TLS_VERIFY = '1';
    process.env.DOCKER_CERT_PATH = join(dir, 'no-certs-here');
    const { report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(f.status).toBe('fail');
    expect(text(f)).toMatch(/TLS .*cannot read .*no-certs-here\/ca\.pem/);
  });

  it('tcp:// plain to a TLS-only daemon (no DOCKER_TLS_VERIFY): a failure, not a pass', async () => {
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${tlsPort}`;
    const { report } = await doctor();
    expect(finding(report, 'endpoint.docker-host').status).toBe('fail');
  });

  it('ssh:// to a loopback port nothing listens on: ssh is run as the CLI runs it, and fails', async () => {
    process.env.DOCKER_HOST = `ssh://nobody@127.0.0.1:${deadPort}`;
    const { report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(f.status).toBe('fail');
    expect(text(f)).toMatch(/ssh exited 255: .*(refused|Connection)/i);
  });

  it.each([
    ['fd://', 'fd:// is how systemd hands dockerd its socket'],
    ['garbage://x', 'does not know the scheme garbage://'],
    ['garbage', 'has no scheme'],
    ['tcp://127.0.0.1:99999', 'tcp:// needs HOST:PORT'],
  ])('DOCKER_HOST=%s: a failure naming why the CLI refuses it, fix `unset DOCKER_HOST`, exit 1', async (host, why) => {
    process.env.DOCKER_HOST = host;
    const { code, report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(f.status).toBe('fail');
    expect(text(f)).toContain(why);
    expect(f.fix?.commands).toEqual(['unset DOCKER_HOST']);
    expect(code).toBe(ExitCode.problemsFound);
  });
});

describe('DOCKER_CONTEXT', () => {
  it('DOCKER_CONTEXT=ghost (not defined): an error (was only a warning), fixed by `unset DOCKER_CONTEXT`', async () => {
    process.env.DOCKER_CONTEXT = 'ghost';
    const { code, report } = await doctor();
    const f = finding(report, 'endpoint.context');
    expect(f.status).toBe('fail');
    expect(text(f)).toContain('DOCKER_CONTEXT=ghost');
    expect(f.fix?.commands).toEqual(['unset DOCKER_CONTEXT']);
    expect(code).toBe(ExitCode.problemsFound);
  });

  it('DOCKER_HOST beats DOCKER_CONTEXT: the variable that wins is the one named', async () => {
    process.env.DOCKER_CONTEXT = 'ghost';
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${deadPort}`;
    const { report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(f.status).toBe('fail');
    expect(f.fix?.commands).toEqual(['unset DOCKER_HOST']);
    expect(finding(report, 'endpoint.context').status).toBe('pass');
  });
});

describe('bounded: a socket that accepts and never answers', () => {
  it(`ends within its bound with "accepts connections but the daemon has not answered in ${API_BOUND_S} s"`, async () => {
    process.env.DOCKER_HOST = `unix://${join(dir, 'hang.sock')}`;
    const { report, ms } = await doctor();
    const f = finding(report, 'api.ping');
    expect(f.status).toBe('fail');
    expect(f.summary).toBe(`the socket accepts connections but the daemon has not answered in ${API_BOUND_S} s`);
    expect(ms).toBeLessThan((API_BOUND_S + 25) * 1000);
  }, 60_000);
});

describe.skipIf(!realDaemon)('with the live daemon on /var/run/docker.sock (read only)', () => {
  it('DOCKER_HOST=unix:///var/run/docker.sock passes', async () => {
    process.env.DOCKER_HOST = 'unix:///var/run/docker.sock';
    const { report } = await doctor();
    expect(finding(report, 'endpoint.docker-host').status).toBe('pass');
  });

  it('a dead DOCKER_HOST beside a live default socket: the failure says the default works', async () => {
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${deadPort}`;
    const { report } = await doctor();
    const f = finding(report, 'endpoint.docker-host');
    expect(f.status).toBe('fail');
    expect(text(f)).toContain('the default socket works');
  });
});
