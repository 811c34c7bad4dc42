/**
 * `node api-main.js <endpoint>…` — probe endpoints and print the ApiProbe[] as JSON.
 * Exists so the probe can run with another user's credentials (`setpriv --reuid … --init-groups`):
 * a permission problem is only real when the checked user's own process meets it.
 */
import { API_BOUND_S, probeEndpoints } from './api.js';
import { openLocalSocket } from './local-opener.js';

const endpoints = process.argv.slice(2);
const probes = await probeEndpoints(openLocalSocket, endpoints, { timeoutMs: API_BOUND_S * 1000 });
process.stdout.write(JSON.stringify(probes) + '\n');
