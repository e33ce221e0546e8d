/**
 * `ironscales_incident_iocs`: one row per indicator found in an incident — sender, reply-to,
 * mail servers, reporters, links and their hosts (and the targets behind rewriting gateways),
 * attachments, account-takeover logon IPs — so an analyst can join indicators to other logs
 * without unpacking nested arrays in SQL.
 * Derived from the incident record the passes already fetched: zero extra API calls beside
 * `ironscales_incidents`. A reclassified incident emits its rows again with the new classification.
 */
import type { IncidentTable } from './table.js';
import { unwrapUrl, type Gateway } from './url-unwrap.js';
import { recordSchema } from '../json-schema.js';

type Row = Record<string, unknown>;
type Json = Record<string, unknown>;

const text = { type: 'string' };
const nullableText = { type: ['string', 'null'] };

export const incidentIocs: IncidentTable = {
  definition: {
    name: 'ironscales_incident_iocs',
    jsonSchema: recordSchema(['incident_id', 'first_reported_date', 'ioc_type', 'value', 'source'], {
      incident_id: { type: 'integer', description: 'The incident the indicator was found in.' },
      first_reported_date: { type: 'string', format: 'date-time', airbyte_type: 'timestamp_with_timezone', description: "The incident's first report (the cursor)." },
      classification: { ...nullableText, description: "The incident's classification when the row was emitted." },
      ioc_type: {
        ...text,
        description:
          'sender_email, sender_domain, reply_to, reply_to_domain, mail_server_ip, mail_server_host, reporter_email, url, url_domain, ' +
          'link_text_domain (a domain shown as a link\'s text that differs from where the link leads), attachment_md5, attachment_name, login_ip.',
      },
      value: { ...text, description: 'Normalised: e-mail addresses, domains, hosts and md5 lower-case; URLs and file names as given.' },
      source: { ...text, description: 'Where in the incident it was found, e.g. links[2].url or reports[0].mail_server.ip.' },
      gateway: {
        ...nullableText,
        description:
          'For a url or url_domain found by unwrapping a link rewritten by a mail gateway, the gateway that wrapped it: mimecast, safelinks, ' +
          'proofpoint_v1, proofpoint_v2, proofpoint_v3, barracuda, cisco, google, sophos, trendmicro or symantec. Null on every row found as served.',
      },
    }),
    primaryKey: [['incident_id'], ['ioc_type'], ['value']],
    cursorField: ['first_reported_date'],
    resumable: true,
    typicalRecordBytes: 250,
  },
  needsDetails: true,
  typicalRowsPerIncident: 15,
  rowsOf: ({ record }) => iocRows(record),
};

/** The indicators of one incident record, each (type, value) once, in the order first found. */
export function iocRows(record: Json): Row[] {
  const found = new Map<string, Row>();
  const base = { incident_id: record.incident_id, first_reported_date: record.first_reported_date, classification: record.classification ?? null };
  const add = (type: string, raw: unknown, source: string, gateway: Gateway | null = null) => {
    if (typeof raw !== 'string' || raw.trim() === '') return;
    const value = normalise(type, raw.trim());
    const key = `${type}\u0000${value}`;
    // One row per (type, value); the row as served wins over one found by unwrapping (keeping its place).
    const known = found.get(key);
    if (known === undefined || (known.gateway !== null && gateway === null)) found.set(key, { ...base, ioc_type: type, value, source, gateway });
  };
  const email = (type: string, raw: unknown, source: string) => {
    add(type, raw, source);
    if (typeof raw === 'string' && raw.includes('@')) add(`${type.replace(/_email$/, '')}_domain`, raw.slice(raw.lastIndexOf('@') + 1), source);
  };
  const server = (value: unknown, source: string) => {
    const s = object(value);
    add('mail_server_ip', s.ip, `${source}.ip`);
    add('mail_server_host', s.host, `${source}.host`);
  };

  email('sender_email', record.sender_email, 'sender_email');
  email('reply_to', record.reply_to, 'reply_to');
  server(record.mail_server, 'mail_server');
  list(record.reports).forEach((r, i) => {
    const report = object(r);
    add('reporter_email', report.email, `reports[${i}].email`);
    email('sender_email', report.sender_email, `reports[${i}].sender_email`);
    server(report.mail_server, `reports[${i}].mail_server`);
  });
  list(record.links).forEach((l, i) => {
    const { url, name } = object(l);
    const source = `links[${i}].url`;
    add('url', url, source);
    add('url_domain', hostOf(url), source);
    let target = hostOf(url)?.toLowerCase();
    for (const step of unwrapUrl(url)) {
      if (step.url !== null) add('url', step.url, source, step.gateway);
      add('url_domain', step.domain, source, step.gateway);
      target = step.domain;
    }
    // The display-vs-target mismatch is the classic phishing tell.
    const shown = shownDomain(name);
    if (shown !== undefined && withoutWww(shown) !== withoutWww(target)) add('link_text_domain', shown, `links[${i}].name`);
  });
  list(record.attachments).forEach((a, i) => {
    add('attachment_md5', object(a).md5, `attachments[${i}].md5`);
    add('attachment_name', object(a).file_name, `attachments[${i}].file_name`);
  });
  list(object(record.account_takeover).alerts).forEach((alert, i) => {
    list(object(alert).details).forEach((d, j) => add('login_ip', object(d).ip, `account_takeover.alerts[${i}].details[${j}].ip`));
  });
  return [...found.values()];
}

function normalise(type: string, value: string): string {
  // URLs and file names are case-sensitive; addresses, hosts and hashes are not.
  return type === 'url' || type === 'attachment_name' ? value : value.toLowerCase();
}

function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url.includes('://') ? url : `http://${url}`).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** File extensions that are no top-level domain: "Invoice.pdf" as a link's text names no site. */
const FILE_EXTENSIONS = new Set(['pdf', 'doc', 'docx', 'docm', 'xls', 'xlsx', 'xlsm', 'ppt', 'pptx', 'txt', 'csv', 'rtf', 'png', 'jpg', 'jpeg', 'gif', 'htm', 'html', 'exe', 'msg', 'eml', 'wav', 'mp3', 'mp4', 'iso', 'img', 'js']);

/** The domain a link's text shows, when the text is a URL or a bare domain (optionally with a path). */
function shownDomain(text: unknown): string | undefined {
  // A link text longer than any URL a mail client shows is prose, not an address.
  if (typeof text !== 'string' || text.length > 2048) return undefined;
  const t = text.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) return /^https?:/i.test(t) ? hostOf(t) : undefined;
  const bare = /^((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+(\p{L}{2,63}|xn--[a-z0-9-]+))\.?(?:[/?#:].*)?$/iu.exec(t);
  if (bare === null || FILE_EXTENSIONS.has((bare[2] as string).toLowerCase())) return undefined;
  return hostOf(bare[1]);
}

function withoutWww(host: string | undefined): string | undefined {
  return host?.toLowerCase().replace(/^www\./, '');
}

function object(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
