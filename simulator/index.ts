/**
 * IRONSCALES API simulator: a real HTTP server on 127.0.0.1 that behaves like appapi
 * (tokens, incident list/open/details, ATO details, mitigations, mailboxes, rate limiting, its own
 * clock, faults). See README.md.
 */
export type {
  Endpoint, Fault, IncidentSpec, RequestLogEntry, Simulator, SimulatorOptions, SimulatorStats, TokenRejection,
} from './types.js';
export { startSimulator } from './server.js';
