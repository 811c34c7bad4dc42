/**
 * A check passes only on positive evidence. For every declared check, every piece of evidence it
 * reads (found by tracing the healthy fixture's property reads) is removed in turn; the check must
 * then fail, warn or skip — never pass. "Removed" means "not gathered": a facts/client field
 * deleted, a unit record deleted, the API not probed.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDeclarations } from '../../src/doctor/declarations.js';
import { deriveInput, runChecks } from '../../src/doctor/engine.js';
import { checkFns } from '../../src/doctor/checks/index.js';
import type { DoctorEvidence } from '../../src/doctor/evidence.js';

const fixture = fileURLToPath(new URL('../fixtures/doctor/healthy.json', import.meta.url));
const healthy: DoctorEvidence = JSON.parse(readFileSync(fixture, 'utf8'));
const decls = await loadDeclarations(fileURLToPath(new URL('../../checks', import.meta.url)));

/**
 * Fields whose ABSENCE is itself what the probe found (the gatherer writes them only when the
 * thing exists): deleting them does not make evidence unknown, it states a fact.
 */
const ABSENCE_IS_A_FACT = new Set([
  'facts.dockerd', // the process table was read: no dockerd process
  'facts.foreignDockerd',
  'facts.serviceRunning', // only without systemd
  'facts.serviceEnabled',
  'facts.dpkgInterrupted',
  'client.execStart', // systemctl show printed nothing: no ExecStart
  'client.containerd', // the process table was read: no containerd process
]);

/** The evidence pieces a probe reads: facts.<key>, client.<key>, facts.units.<unit>, api. */
function piecesRead(probe: (typeof checkFns)[string]): string[] {
  const read = new Set<string>();
  // Records reads of `prefix.<key>`; `deeper` names keys whose values are maps of pieces (units).
  const watch = <T extends object>(obj: T, prefix: string, deeper: Record<string, string> = {}): T =>
    new Proxy(obj, {
      get(target, key, recv) {
        const value = Reflect.get(target, key, recv);
        if (typeof key !== 'string') return value;
        read.add(`${prefix}.${key}`);
        return deeper[key] && value && typeof value === 'object' ? watch(value as object, deeper[key]!) : value;
      },
    });
  const input = deriveInput(healthy);
  const traced = new Proxy(
    { ...input, facts: watch(input.facts, 'facts', { units: 'facts.units' }), client: watch(input.client, 'client') },
    {
      get(target, key, recv) {
        // The API answers, and what the engine derived from them.
        if (key === 'primary' || key === 'defaultApi' || key === 'api') read.add('api');
        // Derived by the engine from the environment, config.json, contexts and socket stats.
        if (key === 'endpoint' || key === 'socketPath' || key === 'socket' || key === 'primary') {
          for (const k of ['env', 'configJson', 'contextMeta']) read.add(`client.${k}`);
        }
        if (key === 'socket' || key === 'primary') read.add('client.sockets');
        return Reflect.get(target, key, recv);
      },
    },
  );
  probe(traced);
  return [...read].filter((p) => p !== 'facts.units' || !healthy.facts.units);
}

function without(ev: DoctorEvidence, piece: string): DoctorEvidence {
  const copy: DoctorEvidence = structuredClone(ev);
  if (piece === 'api') return { ...copy, api: [], apiVia: 'not-probed' };
  if (piece.startsWith('facts.units.')) {
    delete copy.facts.units[piece.slice('facts.units.'.length)];
    return copy;
  }
  const [root, key] = piece.split('.') as ['facts' | 'client', string];
  delete (copy[root] as unknown as Record<string, unknown>)[key];
  return copy;
}

describe('no check passes without its evidence', () => {
  for (const d of decls) {
    const pieces = piecesRead(checkFns[d.logic]!).filter((p) => !ABSENCE_IS_A_FACT.has(p));
    it(`${d.id} reads evidence`, () => expect(pieces.length).toBeGreaterThan(0));
    for (const piece of pieces) {
      it(`${d.id} without ${piece} does not pass`, () => {
        const only = [{ ...d, dependsOn: [] }];
        const [f] = runChecks(only, checkFns, without(healthy, piece));
        expect(f!.status, `${f!.summary}\n${f!.evidence.join('\n')}`).not.toBe('pass');
      });
    }
  }
});
