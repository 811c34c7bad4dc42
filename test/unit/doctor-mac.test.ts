/**
 * The SELinux/AppArmor denial parser (src/doctor/mac.ts) on lines as auditd, the kernel and journald
 * write them, and on hostile ones: fields are taken one by one with a bounded charset, a quoted
 * value cannot swallow the next field, and anything that is not a denial is dropped.
 */
import { describe, expect, it } from 'vitest';
import { describeDenial, parseMacDenial } from '../../src/doctor/mac.js';

describe('parseMacDenial', () => {
  it('an auditd AVC record', () => {
    const d = parseMacDenial('type=AVC msg=audit(1733050000.123:456): avc:  denied  { read write } for  pid=1234 comm="dockerd" name="docker.sock" dev="tmpfs" ino=42 scontext=system_u:system_r:container_runtime_t:s0 tcontext=system_u:object_r:var_run_t:s0 tclass=sock_file permissive=0');
    expect(d).toEqual({ kind: 'selinux', denied: 'read write', comm: 'dockerd', target: 'docker.sock', subject: 'container_runtime_t', object: 'var_run_t sock_file', permissive: false });
  });
  it('the journal form of an AVC (audit transport, no type= prefix)', () => {
    const d = parseMacDenial('AVC avc:  denied  { connectto } for  pid=9 comm="curl" path="/run/docker.sock" scontext=unconfined_u:unconfined_r:unconfined_t:s0 tcontext=system_u:system_r:container_runtime_t:s0 tclass=unix_stream_socket permissive=1');
    expect(d?.permissive).toBe(true);
    expect(describeDenial(d!)).toBe('SELinux denied curl (unconfined_t) { connectto } on /run/docker.sock (container_runtime_t unix_stream_socket) [permissive: logged, not enforced]');
  });
  it('a kernel AppArmor record', () => {
    const d = parseMacDenial('[  12.3] audit: type=1400 audit(1733050000.1:45): apparmor="DENIED" operation="connect" class="file" profile="snap.foo.foo" name="/run/docker.sock" pid=1234 comm="foo" requested_mask="wr" denied_mask="wr" fsuid=1000 ouid=0');
    expect(d).toEqual({ kind: 'apparmor', denied: 'connect (wr)', comm: 'foo', target: '/run/docker.sock', subject: 'snap.foo.foo', permissive: false });
  });
  it('not denials: dropped', () => {
    for (const l of ['dockerd[1]: msg="apparmor profile docker-default loaded"', 'apparmor="ALLOWED" operation="open" comm="dockerd"', 'apparmor="DENIED" comm="dockerd"', 'avc: denied connectto', '']) {
      expect(parseMacDenial(l), l).toBeUndefined();
    }
  });
  it('a value cannot take over other fields, and is bounded', () => {
    const d = parseMacDenial(`apparmor="DENIED" operation="open" comm="a\\" profile=\\"unconfined" name="${'x'.repeat(5000)}" profile="p"`)!;
    expect(d.comm).toBe('a\\');
    // auditd hex-encodes values with blanks or quotes, so a quote never belongs to a value: the forged
    // `profile=\"unconfined"` yields a bare fragment, never the quoted word, and no field spans blanks.
    expect(d.subject).not.toContain('unconfined');
    expect(d.subject).toMatch(/^[^\s"]*$/);
    expect(d.target).toBeUndefined();
    expect(describeDenial(d).length).toBeLessThan(200);
  });
  it('an endless line is clipped before it is read', () => {
    const d = parseMacDenial(`avc:  denied  { write } for comm="x" ${'a=b '.repeat(100_000)} tclass=sock_file`)!;
    expect(d.comm).toBe('x');
    expect(d.object).toBeUndefined();
  });
});
