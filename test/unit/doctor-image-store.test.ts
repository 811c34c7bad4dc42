/** The fleet table's image-store column (issue 11): shown only when a fleet mixes stores. */
import { describe, expect, it } from 'vitest';
import { imageStoreOf, mixedImageStores } from '../../src/doctor/image-store.js';
import { renderFleet, toJson } from '../../src/doctor/render.js';

type Info = { Driver?: string; DriverStatus?: Array<[string, string]> };
const answer = (info: Info) => ({ primary: { endpoint: 'unix:///var/run/docker.sock', ok: true, info } }) as unknown as Parameters<typeof imageStoreOf>[0];

describe('imageStoreOf', () => {
  it.each<[string, Info | undefined, string | undefined]>([
    ['the graph driver', { Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']] }, 'overlay2'],
    ['the containerd snapshotter', { Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }, 'containerd'],
    ['a name the daemon made up', { Driver: 'x\u001b[31m y' }, 'other'],
    ['no driver in the answer', {}, undefined],
    ['no answer at all', undefined, undefined],
  ])('%s', (_name, info, want) => {
    expect(imageStoreOf(info ? answer(info) : { primary: undefined })).toBe(want);
  });
});

describe('fleet table', () => {
  const host = (name: string, imageStore?: string) => ({ host: name, findings: [], ...(imageStore ? { imageStore } : {}) });

  it('one store (or unknown ones) across the fleet: no column, no line', () => {
    const table = renderFleet([host('a', 'overlay2'), host('b', 'overlay2'), host('c')]);
    expect(table).not.toContain('IMAGE STORE');
    expect(table).not.toContain('different image stores');
    expect(mixedImageStores(new Map([['a', 'overlay2'], ['c', undefined]]))).toBeUndefined();
  });

  it('a mix: a column per host and one line naming which host is on which store', () => {
    const lines = renderFleet([host('web-1', 'overlay2'), host('web-2', 'containerd'), host('web-3', 'overlay2'), host('web-4')]).split('\n');
    expect(lines[0]).toMatch(/^HOST\s+STATE\s+IMAGE STORE\s+WORST FINDING$/);
    expect(lines.find((l) => l.startsWith('web-2'))).toMatch(/^web-2\s+ok\s+containerd\s+✓ healthy$/);
    expect(lines.find((l) => l.startsWith('web-4'))).toMatch(/^web-4\s+ok\s+\?\s+✓ healthy$/);
    expect(lines.join('\n')).toContain('! the hosts use different image stores (overlay2 on web-1, web-3; containerd on web-2)');
    expect((toJson([host('web-2', 'containerd')]) as Array<{ imageStore?: string }>)[0]!.imageStore).toBe('containerd');
  });
});
