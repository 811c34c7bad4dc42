/**
 * The doctor is a fleet command like the others: Ctrl-C during a doctor fleet run stops it the same
 * way (no new host starts, the running one is reported, the report still prints). The "hosts" are a
 * loopback TCP server that accepts and never speaks SSH, so the first host hangs in its handshake
 * until --connect-timeout; the Ctrl-C comes while it does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
let server: Server;
let port = 0;
let dir: string;
const sockets: Socket[] = [];
let connected: () => void = () => {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-doctor-int-'));
  writeFileSync(join(dir, 'ssh_config'), '');
  server = createServer((s) => {
    sockets.push(s);
    connected();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('Ctrl-C during a doctor fleet run', () => {
  it('stops starting hosts, reports the one not started, and prints the fleet table', async () => {
    const args = ['doctor', '-H', `a@127.0.0.1:${port}`, '-H', `b@127.0.0.1:${port}`, '--concurrency', '1', '--connect-timeout', '3', '-F', join(dir, 'ssh_config')];
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, CI: 'true', HOME: dir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // The first host's connection reached the server: it is mid-handshake, the second waits.
    connected = () => setTimeout(() => child.kill('SIGINT'), 200);
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(stderr).toMatch(/stopping \(interrupted\): no new hosts or steps; waiting for 1 running host/);
    expect(stdout).toMatch(new RegExp(`^b@127\\.0\\.0\\.1:${port}\\s.*not started \\(interrupted\\)`, 'm'));
    expect(stdout).toMatch(new RegExp(`^a@127\\.0\\.0\\.1:${port}\\s`, 'm'));
    // The first host never answered SSH: unreachable, exit 4 (as in every fleet command).
    expect(code, stderr).toBe(4);
  });
});
