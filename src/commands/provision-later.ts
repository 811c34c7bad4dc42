/**
 * What `plan`/`up` need for a host once its facts are in: building the plan (every step module),
 * applying it, rendering it, the restart notes. provision-run.ts imports this once a host is
 * connected (issue 15): loading and compiling it before connecting put some 30 ms of CPU ahead of
 * the first byte sent; now it overlaps the probe.
 */
export { applyPlan, renderSummary, reportPlanned, summarize } from '../apply/apply.js';
export { moveFactsWanted } from '../plan/daemon-settings.js';
export { planForHost } from '../plan/build.js';
export { renderPlan } from '../plan/render.js';
export { listContainers } from '../rollout/containers.js';
export { mayRestartDaemon, withRestartNote } from '../rollout/restarts.js';
export { versionSatisfies } from '../plan/steps/packages.js';
