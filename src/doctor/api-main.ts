/**
 * `node api-main.js <endpoint>…` — query endpoints and print the ApiAnswer[] as JSON.
 * Exists so the queries can run with another user's credentials (`setpriv --reuid … --init-groups`):
 * a permission problem is only real when the checked user's own process meets it.
 */
import { API_BOUND_S, queryEndpoints } from './api.js';
import { openLocalSocket } from './local-opener.js';

const endpoints = process.argv.slice(2);
const answers = await queryEndpoints(openLocalSocket, endpoints, { timeoutMs: API_BOUND_S * 1000 });
process.stdout.write(JSON.stringify(answers) + '\n');
