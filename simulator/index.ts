/**
 * IRONSCALES API simulator: a real HTTP server on 127.0.0.1 that behaves like appapi
 * (tokens, incident list/open/details, rate limiting, faults). See README.md.
 */
export type {
  Endpoint, Fault, IncidentSpec, RequestLogEntry, Simulator, SimulatorOptions, SimulatorStats,
} from './types.js';
export { startSimulator } from './server.js';
