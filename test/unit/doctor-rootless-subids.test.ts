/**
 * The checked user's subordinate IDs, summed from /etc/subuid and /etc/subgid as the facts read them
 * (section subids): the doctor's probe no longer runs awk over the same files.
 */
import { describe, expect, it } from 'vitest';
import { subIdCount } from '../../src/doctor/rootless.js';
import { emptySection, type ProbeOutput } from '../../src/probe/framing.js';

function withFile(content: string | undefined, exists = true): ProbeOutput {
  const subids = emptySection();
  subids.files['/etc/subuid'] = { path: '/etc/subuid', exists, content };
  return { sections: { subids }, complete: true };
}

describe('subIdCount', () => {
  const cases: Array<[string, string | undefined, number | undefined]> = [
    ['one range by name', 'alice:100000:65536\n', 65536],
    ['ranges by name and by uid add up', 'alice:100000:65536\n1000:165536:1000\n', 66536],
    ["another user's range is not counted", 'bob:100000:65536\nalice:165536:10\n', 10],
    ['a name that only starts like the user is another user', 'alice2:100000:65536\n', 0],
    ['comments, blank lines and malformed lines are passed over', '# alice:1:1\n\nalice:100000:65536\nalice-no-count\n', 65536],
    ['no line for the user: none', 'bob:100000:65536\n', 0],
    ['an empty file: none', '', 0],
    ['unreadable (no content): unknown', undefined, undefined],
  ];
  it.each(cases)('%s', (_, content, want) => {
    expect(subIdCount(withFile(content), '/etc/subuid', 'alice', 1000)).toBe(want);
  });

  it('a missing file or one the facts did not read is unknown, not zero', () => {
    expect(subIdCount(withFile(undefined, false), '/etc/subuid', 'alice', 1000)).toBeUndefined();
    expect(subIdCount({ sections: {}, complete: true }, '/etc/subuid', 'alice', 1000)).toBeUndefined();
  });

  it('an unknown uid matches by name only', () => {
    expect(subIdCount(withFile('NaN:1:5\nalice:1:7\n'), '/etc/subuid', 'alice', Number.NaN)).toBe(7);
  });
});
