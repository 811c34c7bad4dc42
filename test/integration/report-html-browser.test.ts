/**
 * `doctor --report FILE.html` in a real browser: Debian's Chromium, headless, with a fresh profile and
 * no background networking (it may reach nothing: the file is self-contained). The report is made by
 * the real CLI (this machine's read-only doctor plus a host on a closed loopback port, which fails),
 * and from recorded evidence with a host whose name and error are hostile markup. Chromium's DOM
 * (--dump-dom) must hold the table with the failing hosts marked and none of the injected elements;
 * its screenshot (--screenshot) must show the table's red and green cells.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeclarations } from '../../src/doctor/declarations.js';
import { runChecks } from '../../src/doctor/engine.js';
import type { DoctorEvidence } from '../../src/doctor/evidence.js';
import { checkFns } from '../../src/doctor/checks/index.js';
import { renderHtmlReport } from '../../src/doctor/report-html.js';
import { runProgram } from '../harness/run.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`report-html-browser: skipped: no ${CHROMIUM} (apt package chromium)`);
const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dockhand-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Chromium as the workplace runs it: headless, as root without the sandbox, nothing in the background. */
async function chromium(...args: string[]): Promise<string> {
  const profile = mkdtempSync(join(dir, 'profile-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];
  const { stdout } = await promisify(execFile)(CHROMIUM, [...flags, ...args], { timeout: 60_000, maxBuffer: 16 << 20 });
  return stdout;
}

/** The RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshot writes). */
function pngPixels(png: Buffer): { width: number; height: number; rgb: (x: number, y: number) => [number, number, number] } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let pos = 8;
  let width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      channels = { 2: 3, 6: 4 }[data[9]!]!;
      expect(data[12]).toBe(0);
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      out[y * stride + i] = (x + [0, a, b, (a + b) >> 1, paeth][filter]!) & 0xff;
    }
  }
  return { width, height, rgb: (x, y) => [out[y * stride + x * channels]!, out[y * stride + x * channels + 1]!, out[y * stride + x * channels + 2]!] };
}

const HOSTILE_NAME = 'evil"><img src=x onerror=alert(1)>';
const HOSTILE_ERROR = '</td></tr></table><script>document.title="owned"</script>\u001b[2J';

describe.skipIf(!hasChromium)('doctor --report FILE.html in headless Chromium', () => {
  const cliReport = join(dir, 'cli.html');
  const recorded = join(dir, 'recorded.html');
  let cliRun: Awaited<ReturnType<typeof runProgram>>;

  beforeAll(async () => {
    cliRun = await runProgram(process.execPath, [cli, 'doctor', '-H', 'local', '-H', 'nobody@127.0.0.1:1', '--report', cliReport, '--no-color'], { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8' });
    const decls = await loadDeclarations(fileURLToPath(new URL('../../checks', import.meta.url)));
    const healthy: DoctorEvidence = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/doctor/healthy.json', import.meta.url)), 'utf8'));
    const stale = structuredClone(healthy);
    stale.client.user.sessionGroups = ['alice', 'sudo'];
    stale.api = [{ endpoint: 'unix:///var/run/docker.sock', ok: false, error: { kind: 'EACCES', message: 'permission denied <b>bold</b>' } }];
    writeFileSync(
      recorded,
      renderHtmlReport([
        { host: 'web-ok', findings: runChecks(decls, checkFns, healthy) },
        { host: 'web-stale', user: 'alice', findings: runChecks(decls, checkFns, stale) },
        { host: HOSTILE_NAME, findings: [], error: HOSTILE_ERROR },
      ]),
    );
  }, 120_000);

  it('the real CLI writes one self-contained file: no external asset, no script', () => {
    expect(cliRun.code, cliRun.stderr).toBe(4); // the closed port: unreachable
    expect(cliRun.stderr).toContain(`report: ${cliReport}`);
    for (const file of [cliReport, recorded]) {
      const html = readFileSync(file, 'utf8');
      expect(html).toMatch(/^<!DOCTYPE html>/);
      // No element that loads or runs anything, no attribute pointing outside the page, no CSS import.
      expect(html).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
      expect(html).not.toMatch(/\s(src|href|action)="(?!#)/i);
      expect(html).not.toMatch(/url\(|@import/i);
    }
  });

  it("Chromium's DOM: the hosts × groups table, the failing hosts marked, hostile text inert", async () => {
    const dom = await chromium('--dump-dom', `file://${recorded}`);
    const rows = [...dom.matchAll(/<tr data-host="([^"]*)" data-state="(\w+)">/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['web-ok', 'ok'],
      ['web-stale', 'bad'],
      ['evil&quot;&gt;&lt;img src=x onerror=alert(1)&gt;', 'bad'],
    ]);
    expect(dom).toMatch(/<th>Socket and permissions<\/th>/);
    expect(dom).toMatch(/<td class="bad"[^>]*>✗ 1<\/td>/);
    // The injected markup is text, not elements: no <img>, no <script>, the title untouched.
    expect(dom).not.toMatch(/<img|<script|<b>/);
    expect(dom).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;');
    expect(dom).toMatch(/<title>dockhand doctor — 3 hosts<\/title>/);
    expect(dom).not.toContain('\u001b');

    const cliDom = await chromium('--dump-dom', `file://${cliReport}`);
    expect(cliDom).toMatch(/<tr data-host="nobody@127\.0\.0\.1:1" data-state="bad">.*could not check: .*connection refused/);
    expect(cliDom).toMatch(/<tr data-host="local" data-state="(ok|warn|bad)">/);
  }, 120_000);

  it('the screenshot shows the table: red cells for the failing hosts, green for passing groups', async () => {
    const png = join(dir, 'shot.png');
    await chromium('--hide-scrollbars', '--window-size=1200,900', `--screenshot=${png}`, `file://${recorded}`);
    const image = pngPixels(readFileSync(png));
    expect([image.width, image.height]).toEqual([1200, 900]);
    let red = 0, green = 0;
    for (let y = 0; y < image.height; y += 2) {
      for (let x = 0; x < image.width; x += 2) {
        const [r, g, b] = image.rgb(x, y);
        if (Math.abs(r - 0xf8) < 6 && Math.abs(g - 0xd0) < 6 && Math.abs(b - 0xd0) < 6) red++;
        if (Math.abs(r - 0xd6) < 6 && Math.abs(g - 0xf0) < 6 && Math.abs(b - 0xd8) < 6) green++;
      }
    }
    // Cells are ~100x30 px: sampled every 2 px, one cell is some 700 samples.
    expect(red).toBeGreaterThan(700);
    expect(green).toBeGreaterThan(700);
  }, 120_000);
});
