/**
 * Every stream this connector offers, in the order `discover` lists them. A table the incident
 * passes feed goes in INCIDENT_TABLES; any other stream is one more reader in `streams`.
 */
import type { ReadSession, StreamReader } from '../airbyte/stream.js';
import type { IronscalesClient } from '../ironscales/client.js';
import { incidentIocs } from './incidents/iocs.js';
import { incidentReader, type IncidentReaderSettings } from './incidents/reader.js';
import { incidents } from './incidents/incidents.js';
import { mailboxes } from './mailboxes.js';
import { mitigations } from './incidents/mitigations.js';
import { deepfakeEvents } from './deepfake-events.js';
import { escalatedEmails } from './escalated-emails.js';
import { scanbackIncidents } from './scanback-incidents.js';

export const INCIDENT_TABLES = [incidents, incidentIocs, mitigations];

export function streams(client: (session: ReadSession) => IronscalesClient, settings: IncidentReaderSettings): StreamReader[] {
  return [
    incidentReader(INCIDENT_TABLES, client, settings),
    mailboxes(client),
    escalatedEmails(client, settings),
    scanbackIncidents(client, settings),
    deepfakeEvents(client, settings),
  ] as StreamReader[];
}
