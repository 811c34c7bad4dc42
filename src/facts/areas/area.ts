/**
 * What a fact area is: a shell fragment (AREA.sh, in this directory) that prints some sections of the
 * facts probe, the DH_* values the fragment reads, and the parser that turns those sections into its
 * slice of Facts, with the slice's type beside it (AREA.ts) — as pyinfra keeps a fact's command and
 * its parser together. index.ts lists the areas in the one order the probe runs them.
 */
import type { ProbeOutput } from '../../probe/framing.js';

/** What the controller asks the probe beyond the fixed facts. */
export interface FactsRequest {
  /** User names whose accounts to look up (validated account names; they become the script's arguments). */
  accounts?: readonly string[];
  /**
   * Leave out `docker info` (daemon-info.sh): the caller asks the daemon's API itself, as the same
   * user, and takes the daemon's facts from its /info (the local doctor, src/doctor/gather.ts).
   */
  daemonInfoViaApi?: boolean;
  /**
   * false: the docker CLI's version only when a package names it, never by starting the CLI (the
   * doctor: none of its checks reads the client's version). Default true.
   */
  cliVersion?: boolean;
}

export interface FactArea<T> {
  /** The fragment's file name in this directory. */
  script: string;
  /**
   * The values the fragment reads, assigned before any fragment runs: a list becomes one word list
   * (fixed words without spaces or glob characters, split in the fragment on purpose), a string stays one word.
   */
  vars?: Readonly<Record<`DH_${string}`, string | readonly string[]>>;
  /** The area's slice of Facts from the probe's split output. A section it lacks means "could not tell". */
  parse(out: ProbeOutput, request: FactsRequest): T;
}
