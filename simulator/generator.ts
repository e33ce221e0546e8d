/**
 * The deterministic incident generator. The store keeps only a compact `IncidentMeta` per
 * incident; everything else (subjects, people, reports, headers, links, bodies...) is rebuilt on
 * demand from (seed, incident id) with seeded generators, so 50,000 incidents with 30 KB bodies
 * cost a few MB.
 */
import { Rng, hashInts } from './prng.js';
import { EXAMPLE_INCIDENT_ID, exampleIncidentDetails } from './example-incident.js';
import { US_PER_SECOND, formatRfc2822, formatSeconds, formatUs } from './time.js';
import {
  ADDITIONAL_TAGS, ANALYSTS, ATTACHMENT_NAMES, ATTACHMENT_SCAN_RESULTS, BRANDS, CHALLENGE_REASONS, COMMENTS,
  EXTRA_FIELD_BUILDERS, FIRST_NAMES, FOREIGN_PEOPLE, FREEMAIL, LAST_NAMES, LINK_NAMES, LINK_PATHS, LINK_SCAN_RESULTS,
  MONTHS_DE, MONTHS_EN, MX_HOSTS, RESOLUTION_TAGS, SENTENCES, SUBJECTS, THREAT_TYPES,
  type Name,
} from './vocabulary.js';
import { planLink } from './wrapped-links.js';

export const DETAIL_CLASSIFICATIONS = ['Attack', 'Spam', 'False Positive', 'Report', 'Close Phishing'] as const;
export type DetailClassification = (typeof DETAIL_CLASSIFICATIONS)[number];
export const CLS_ATTACK = 0;
export const CLS_SPAM = 1;
export const CLS_FALSE_POSITIVE = 2;
export const CLS_REPORT = 3;
export const CLS_CLOSE_PHISHING = 4;

/** The list shows a display string instead of the details vocabulary. */
export const LIST_CLASSIFICATION: readonly string[] = ['Phishing', 'Spam', 'Safe', 'Open report', 'Phishing'];

export const REPORT_TYPES = ['email', 'ato', 'teams', 'msft_quarantine'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];
export const RT_EMAIL = 0;
export const RT_ATO = 1;
export const RT_TEAMS = 2;
export const RT_QUARANTINE = 3;
export const INCIDENT_TYPES: readonly string[] = ['Email Report', 'Account Takeover', 'Teams Report', 'Microsoft Quarantine'];

export const CHALLENGE_TYPES: readonly (string | null)[] = [null, 'release_request', 'end_user_report'];

/** Accepts the details vocabulary and the aliases IRONSCALES' classify endpoint accepts. */
export function classificationIndex(value: string): number {
  const v = value.trim().toLowerCase();
  const aliases: Record<string, number> = {
    attack: CLS_ATTACK, phishing: CLS_ATTACK, malicious: CLS_ATTACK,
    spam: CLS_SPAM,
    'false positive': CLS_FALSE_POSITIVE, safe: CLS_FALSE_POSITIVE, fp: CLS_FALSE_POSITIVE,
    report: CLS_REPORT, unclassified: CLS_REPORT,
    'close phishing': CLS_CLOSE_PHISHING,
  };
  const index = aliases[v];
  if (index === undefined) {
    throw new Error(`Unknown classification "${value}" (use one of ${DETAIL_CLASSIFICATIONS.join(', ')})`);
  }
  return index;
}

/** What the store keeps per incident (numbers and a few references; no generated text). */
export interface IncidentMeta {
  id: number;
  createdUs: number;
  lastUpdateUs: number;
  cls: number;
  reportType: number;
  /** 0 = details available; 404/410 = details answer with that status. */
  gone: 0 | 404 | 410;
  /** 0 = a small body; otherwise the approximate size of original_email_body. */
  bodyBytes: number;
  extraFields: boolean;
  extra: Record<string, unknown> | null;
  /** index into CHALLENGE_TYPES */
  challenged: number;
  isReclassified: boolean;
  reclassifiedOnUs: number;
  shuffleKey: number;
  example: boolean;
}

export interface GenContext {
  seed: number;
  companyId: number;
  companyName: string;
  companyDomain: string;
}

export function companyDomainOf(companyName: string): string {
  const slug = companyName.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${slug || 'company'}.example.com`;
}

// ---------------------------------------------------------------------------------------------
// Attributes decided when an incident is created (stored in IncidentMeta)
// ---------------------------------------------------------------------------------------------

export interface GenerationRatios {
  goneRatio: number;
  largeBodyRatio: number;
  extraFieldRatio: number;
  bodyBytes: number;
}

/** Classification and challenge state of a generated incident (deterministic per id). */
export function rollAttributes(seed: number, id: number, gone: boolean): { cls: number; reportType: number; challenged: number; goneStatus: 0 | 404 | 410 } {
  const rng = new Rng(hashInts(seed, id, 1));
  const cls = rng.weighted<number>([[CLS_ATTACK, 35], [CLS_SPAM, 18], [CLS_FALSE_POSITIVE, 17], [CLS_REPORT, 25], [CLS_CLOSE_PHISHING, 5]]);
  const challengedRoll = rng.float();
  const challenged = cls !== CLS_REPORT && challengedRoll < 0.06 ? (challengedRoll < 0.04 ? 1 : 2) : 0;
  const typeRoll = rng.float();
  const reportType = !gone ? RT_EMAIL : typeRoll < 0.6 ? RT_ATO : typeRoll < 0.85 ? RT_TEAMS : RT_QUARANTINE;
  const goneStatus: 0 | 404 | 410 = !gone ? 0 : rng.float() < 0.8 ? 410 : 404;
  return { cls, reportType, challenged, goneStatus };
}

/**
 * `count` first_reported_date values in [fromUs, toUs], ascending, with the quirks real data has:
 * groups sharing one exact timestamp, neighbours exactly 1 µs apart, and whole-second timestamps
 * (which are printed without a fraction).
 */
export function generateTimestamps(rng: Rng, count: number, fromUs: number, toUs: number): number[] {
  const span = Math.max(0, toUs - fromUs);
  const ts: number[] = new Array<number>(count);
  for (let i = 0; i < count; i++) ts[i] = fromUs + Math.floor(rng.float() * (span + 1));
  ts.sort((a, b) => a - b);
  const at = (i: number): number => ts[i] as number;
  for (let i = 1; i < count; i++) {
    const roll = rng.float();
    if (roll < 0.004) ts[i] = at(i - 1);
    else if (roll < 0.008) ts[i] = at(i - 1) + 1;
    else if (roll < 0.02) ts[i] = Math.max(fromUs, Math.floor(at(i) / US_PER_SECOND) * US_PER_SECOND);
  }
  if (count >= 8) {
    const a = Math.floor(count * 0.25);
    ts[a + 1] = at(a);
    ts[a + 2] = at(a);
    const b = Math.floor(count * 0.5);
    ts[b + 1] = at(b) + 1;
    const c = Math.floor(count * 0.75);
    const whole = Math.ceil(at(c) / US_PER_SECOND) * US_PER_SECOND;
    if (whole <= toUs) ts[c] = whole;
    else ts[c] = Math.max(fromUs, Math.floor(at(c) / US_PER_SECOND) * US_PER_SECOND);
  }
  ts.sort((x, y) => x - y);
  return ts;
}

// ---------------------------------------------------------------------------------------------
// The "core": everything the list item needs, cheap to rebuild
// ---------------------------------------------------------------------------------------------

interface Person {
  name: string;
  email: string;
}

export interface Core {
  subject: string | null;
  senderName: string;
  senderEmail: string;
  senderDomain: string;
  recipient: Person;
  recipientNameShown: boolean;
  recipientId: number;
  affectedCount: number;
  linksCount: number;
  attachmentsCount: number;
  autoReported: boolean;
  reporter: Person;
  assignee: string | null;
  resolver: string;
  resolvedOffsetUs: number;
  internalComments: number;
  communityComments: number;
  releaseRequests: number;
  latestEmailOffsetUs: number;
  challengedOffsetUs: number;
  ctx: GenContext;
}

function employee(rng: Rng, ctx: GenContext): Person {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  return { name: `${first[0]} ${last[0]}`, email: `${first[1]}.${last[1]}@${ctx.companyDomain}` };
}

function fillTemplate(rng: Rng, template: string, ctx: GenContext, createdUs: number): string {
  const month = new Date(Math.floor(createdUs / 1000)).getUTCMonth();
  return template
    .replace('{n}', String(rng.int(10000, 999999)))
    .replace('{nn}', String(rng.int(10, 99)))
    .replace('{q}', String(rng.int(1, 4)))
    .replace('{amount}', `${rng.int(100, 98000)},${String(rng.int(0, 99)).padStart(2, '0')}`)
    .replace('{monthDe}', MONTHS_DE[month] ?? 'Januar')
    .replace('{monthEn}', MONTHS_EN[month] ?? 'January')
    .replace('{company}', ctx.companyName)
    .replace('{person}', `${rng.pick(FIRST_NAMES)[0]} ${rng.pick(LAST_NAMES)[0]}`);
}

export function buildCore(ctx: GenContext, meta: IncidentMeta): Core {
  const rng = new Rng(hashInts(ctx.seed, meta.id, 2));
  const subject = fillTemplate(rng, rng.pick(SUBJECTS), ctx, meta.createdUs);
  let senderName: string;
  let senderEmail: string;
  let senderDomain: string;
  const senderKind = rng.float();
  if (senderKind < 0.55) {
    const brand = rng.pick(BRANDS);
    senderDomain = rng.pick(brand.domains);
    senderName = brand.name;
    senderEmail = `${rng.pick(brand.locals)}@${senderDomain}`;
  } else if (senderKind < 0.9) {
    const useForeign = rng.chance(0.3);
    const person: Name = useForeign ? rng.pick(FOREIGN_PEOPLE) : [`${rng.pick(FIRST_NAMES)[0]} ${rng.pick(LAST_NAMES)[0]}`, `${rng.pick(FIRST_NAMES)[1]}.${rng.pick(LAST_NAMES)[1]}${rng.int(1, 99)}`];
    senderDomain = rng.pick(FREEMAIL);
    senderName = person[0];
    senderEmail = `${person[1]}@${senderDomain}`;
  } else {
    // internal-looking or look-alike of the company's own domain (BEC)
    const p = employee(rng, ctx);
    senderDomain = rng.chance(0.4) ? ctx.companyDomain : ctx.companyDomain.replace('.example.com', '-payroll.example.net');
    senderName = p.name;
    senderEmail = `${p.email.split('@')[0]}@${senderDomain}`;
  }
  const recipient = employee(rng, ctx);
  const recipientNameShown = rng.chance(0.6);
  const recipientId = 400000 + (hashInts(ctx.seed, meta.id, 21) % 500000);
  const affectedRoll = rng.float();
  const affectedCount = affectedRoll < 0.55 ? 1 : affectedRoll < 0.9 ? rng.int(2, 6) : rng.int(7, 40);
  const linksCount = rng.weighted<number>([[0, 2], [1, 4], [2, 3], [3, 2], [5, 1], [9, 1]]);
  const attachmentsCount = rng.weighted<number>([[0, 6], [1, 3], [2, 1]]);
  const autoReported = rng.chance(0.4);
  const reporter = recipient;
  const assignee = rng.chance(0.3) ? `${rng.pick(ANALYSTS)[1]}@${ctx.companyDomain}` : null;
  const resolver = rng.chance(0.5) ? 'Automated Threat Detection' : rng.pick(ANALYSTS)[0];
  const resolvedOffsetUs = rng.int(5, 3 * 3600) * US_PER_SECOND + rng.int(0, 999999);
  const commentCount = rng.weighted<number>([[0, 6], [1, 2], [2, 1], [4, 1]]);
  let internalComments = 0;
  for (let i = 0; i < commentCount; i++) if (hashInts(ctx.seed, meta.id, 30 + i) % 4 !== 0) internalComments++;
  const releaseRequests = meta.challenged === 1 ? rng.int(1, 3) : 0;
  const latestEmailOffsetUs = rng.int(0, 6 * 3600) * US_PER_SECOND;
  const challengedOffsetUs = rng.int(60, 2 * 86400) * US_PER_SECOND + rng.int(0, 999999);

  let finalSubject: string | null = subject;
  let finalLinks = linksCount;
  let finalAttachments = attachmentsCount;
  if (meta.reportType === RT_ATO) {
    finalSubject = rng.chance(0.5) ? null : 'Suspicious sign-in: impossible travel';
    senderName = 'Microsoft Entra ID';
    senderEmail = 'no-reply@microsoft.com';
    senderDomain = 'microsoft.com';
    finalLinks = 0;
    finalAttachments = 0;
  } else if (meta.reportType === RT_TEAMS) {
    finalSubject = `Teams message from ${senderName}`;
    finalAttachments = 0;
  }
  return {
    subject: finalSubject, senderName, senderEmail, senderDomain, recipient, recipientNameShown, recipientId,
    affectedCount, linksCount: finalLinks, attachmentsCount: finalAttachments, autoReported, reporter, assignee,
    resolver, resolvedOffsetUs, internalComments, communityComments: commentCount - internalComments,
    releaseRequests, latestEmailOffsetUs, challengedOffsetUs, ctx,
  };
}

function firstReportedBy(core: Core): string {
  return core.autoReported ? 'Automated Threat Detection' : core.reporter.name;
}

function resolvedBy(core: Core, meta: IncidentMeta): string | null {
  if (meta.cls === CLS_REPORT || meta.isReclassified) return null;
  return core.resolver;
}

function challengedDateUs(core: Core, meta: IncidentMeta): number | null {
  return meta.challenged === 0 ? null : meta.createdUs + core.challengedOffsetUs;
}

// ---------------------------------------------------------------------------------------------
// List items
// ---------------------------------------------------------------------------------------------

export type ListItem = Record<string, unknown>;

const EXAMPLE_LIST_ITEM_BASE = {
  incidentID: EXAMPLE_INCIDENT_ID,
  emailSubject: '[EXT] Ihre pers00f6nliche, H00e4berle!',
  linksCount: 2,
  attachmentsCount: 2,
  recipientEmail: 'test.hans@ch.test.com',
  recipientName: null,
  classification: 'Phishing',
  assignee: null,
  senderName: 'test-onsite',
  senderEmail: 'test-onsite@dialog.kern-sohn.com',
  affectedMailboxesCount: 2,
  created: '2023-07-04T09:29:29.317504Z',
  reportedBy: 'test person',
  resolvedBy: null,
  challengedType: null,
  firstChallengedDate: null,
  incidentType: 'Email Report',
  commentsCount: 0,
  internalCommentsCount: 0,
  communityCommentsCount: 0,
  releaseRequestCount: 0,
  latestEmailDate: '2023-07-04T09:22:38Z',
};

export function buildListItem(ctx: GenContext, meta: IncidentMeta, core?: Core): ListItem {
  if (meta.example) {
    return { ...EXAMPLE_LIST_ITEM_BASE, classification: LIST_CLASSIFICATION[meta.cls] ?? 'Phishing' };
  }
  const c = core ?? buildCore(ctx, meta);
  const challengedUs = challengedDateUs(c, meta);
  const nonEmail = meta.reportType === RT_ATO;
  return {
    incidentID: meta.id,
    emailSubject: c.subject,
    linksCount: nonEmail ? null : c.linksCount,
    attachmentsCount: nonEmail ? null : c.attachmentsCount,
    recipientEmail: c.recipient.email,
    recipientName: c.recipientNameShown ? c.recipient.name : null,
    classification: LIST_CLASSIFICATION[meta.cls] ?? 'Open report',
    assignee: c.assignee,
    senderName: c.senderName,
    senderEmail: c.senderEmail,
    affectedMailboxesCount: c.affectedCount,
    created: formatUs(meta.createdUs),
    reportedBy: firstReportedBy(c),
    resolvedBy: resolvedBy(c, meta),
    challengedType: CHALLENGE_TYPES[meta.challenged] ?? null,
    firstChallengedDate: challengedUs === null ? null : formatUs(challengedUs),
    incidentType: INCIDENT_TYPES[meta.reportType] ?? 'Email Report',
    commentsCount: c.internalComments + c.communityComments,
    internalCommentsCount: c.internalComments,
    communityCommentsCount: c.communityComments,
    releaseRequestCount: c.releaseRequests,
    latestEmailDate: nonEmail ? null : formatSeconds(meta.createdUs + c.latestEmailOffsetUs),
  };
}

// ---------------------------------------------------------------------------------------------
// Details
// ---------------------------------------------------------------------------------------------

function ipv4(rng: Rng): string {
  return `${rng.int(23, 213)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function ipv6(rng: Rng): string {
  return `2603:10a6:${rng.hex(3)}:${rng.hex(3)}::${rng.int(1, 99)}`;
}

function headersFor(rng: Rng, core: Core, server: { host: string; ip: string }, subject: string, sentUs: number, to: string): { name: string; value: string }[] {
  const hop = (k: number): string => formatRfc2822(sentUs + k * 1_500_000 + rng.int(0, 900_000));
  const exchange = `${rng.pick(['AM6PR', 'DB9PR', 'VI1PR', 'PAXPR'])}${rng.int(10, 99)}MB${rng.int(1000, 9999)}.eurprd0${rng.int(1, 9)}.prod.outlook.com`;
  const domain = core.ctx.companyDomain;
  return [
    { name: 'Received', value: `from ${exchange} (${ipv6(rng)}) by ${exchange.replace('MB', 'CA')} with HTTPS; ${hop(3)}` },
    { name: 'Received', value: `from mx.${domain} (${ipv4(rng)}) by ${exchange} (${ipv6(rng)}) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.${rng.int(1000, 9999)}.${rng.int(10, 99)}; ${hop(2)}` },
    { name: 'Received', value: `from ${server.host} (${server.host} [${server.ip}]) by mx.${domain} (Postfix) with ESMTPS id ${rng.hex(10).toUpperCase()}; ${hop(1)}` },
    { name: 'Authentication-Results', value: `spf=${rng.pick(['pass', 'fail', 'softfail', 'none'])} (sender IP is ${server.ip}) smtp.mailfrom=${core.senderDomain}; dkim=${rng.pick(['none', 'pass', 'fail'])} header.d=${core.senderDomain}; dmarc=${rng.pick(['fail action=none', 'pass action=none', 'bestguesspass action=none'])} header.from=${core.senderDomain}` },
    { name: 'Return-Path', value: `<bounce-${rng.hex(8)}@${core.senderDomain}>` },
    { name: 'From', value: `"${core.senderName}" <${core.senderEmail}>` },
    { name: 'To', value: to },
    { name: 'Subject', value: subject },
    { name: 'Date', value: formatRfc2822(sentUs) },
    { name: 'Message-ID', value: `<${rng.hex(16)}.${rng.hex(8)}@${core.senderDomain}>` },
    { name: 'MIME-Version', value: '1.0' },
    { name: 'Content-Type', value: `multipart/alternative; boundary="_000_${rng.hex(24)}_"` },
    { name: 'X-MS-Exchange-Organization-SCL', value: String(rng.int(-1, 9)) },
  ];
}

function buildBody(ctx: GenContext, meta: IncidentMeta, core: Core, links: { url: string; name: string }[]): { html: string; text: string } {
  const rng = new Rng(hashInts(ctx.seed, meta.id, 4));
  const paragraphs: string[] = [];
  const count = rng.int(3, 7);
  for (let i = 0; i < count; i++) paragraphs.push(`${rng.pick(SENTENCES)} ${rng.pick(SENTENCES)}`);
  const greeting = `Dear ${core.recipient.name},`;
  const text = [greeting, ...paragraphs, ...links.map((l) => `${l.name}: ${l.url}`), `— ${core.senderName}`].join('\n\n');
  const parts: string[] = [
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style>body{font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222}.btn{background:#0067b8;color:#fff;padding:8px 16px;text-decoration:none}</style></head><body>',
    `<div class="WordSection1"><p>${escapeHtml(greeting)}</p>`,
  ];
  for (const p of paragraphs) parts.push(`<p>${escapeHtml(p)}</p>`);
  for (const link of links) parts.push(`<p><a class="btn" href="${escapeHtml(link.url)}">${escapeHtml(link.name)}</a></p>`);
  parts.push(`<p>— ${escapeHtml(core.senderName)}</p></div>`);
  const target = meta.bodyBytes > 0 ? meta.bodyBytes : rng.int(1200, 4000);
  let size = 0;
  for (const part of parts) size += part.length;
  const tail = '</body></html>';
  if (size + tail.length < target) {
    parts.push('<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">');
    size += 90;
    while (size + tail.length + 8 < target) {
      const row = `${rng.pick(PADDING_ROWS)}${(rng.float() * 4294967296 >>> 0).toString(36)}</span></td></tr>`;
      parts.push(row);
      size += row.length;
    }
    parts.push('</table>');
  }
  parts.push(tail);
  return { html: parts.join(''), text };
}

/** Pre-escaped filler rows for large bodies (bulky inline-styled markup, like real newsletters). */
const PADDING_ROWS: readonly string[] = SENTENCES.map((sentence) =>
  `<tr><td style="padding:0 12px;font-family:Arial,sans-serif;font-size:11px;line-height:15px;color:#7a7a7a">${escapeHtml(sentence)} <span style="display:none">`);

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The reported e-mail's mail server and send time: the first draws of the details' own random
 * stream (returned, to go on drawing), so the escalated e-mails agree with the details cheaply.
 */
export function mailOrigin(ctx: GenContext, meta: IncidentMeta): { rng: Rng; server: { host: string; ip: string }; sentUs: number } {
  const rng = new Rng(hashInts(ctx.seed, meta.id, 3));
  const server = { host: rng.pick(MX_HOSTS), ip: rng.chance(0.15) ? ipv6(rng) : ipv4(rng) };
  const sentUs = meta.createdUs - rng.int(30, 7200) * US_PER_SECOND;
  return { rng, server, sentUs };
}

/** `affected_mailboxes[i].id` (the mitigation id) is this + i. */
export function mitigationIdBase(ctx: GenContext, incidentId: number): number {
  return 1_100_000_000 + (hashInts(ctx.seed, incidentId, 22) % 800_000_000);
}

/** The details object for an incident; `undefined` for gone incidents. */
export function buildDetails(ctx: GenContext, meta: IncidentMeta): Record<string, unknown> | undefined {
  if (meta.gone !== 0) return undefined;
  if (meta.example) return exampleDetails(meta);
  const core = buildCore(ctx, meta);
  const { rng, server, sentUs } = mailOrigin(ctx, meta);
  const subject = core.subject ?? '(no subject)';

  const federationAffected = rng.chance(0.4) ? 0 : rng.int(1, 40);
  let left = federationAffected;
  const marked = (): number => {
    const n = rng.int(0, left);
    left -= n;
    return n;
  };
  const phishing = marked();
  const spam = marked();
  const fp = marked();
  const federation = {
    companies_affected: federationAffected,
    companies_marked_phishing: phishing,
    companies_marked_spam: spam,
    companies_marked_fp: fp,
    companies_unclassified: left,
    phishing_ratio: federationAffected === 0 ? null : Math.round((phishing / federationAffected) * 100) / 100,
  };

  const reportCount = core.affectedCount > 1 && rng.chance(0.3) ? 2 : 1;
  const reports: Record<string, unknown>[] = [];
  for (let i = 0; i < reportCount; i++) {
    const who = i === 0 ? (core.autoReported ? { name: 'Automated Threat Detection', email: core.recipient.email } : core.reporter) : employee(rng, ctx);
    reports.push({
      name: who.name,
      email: who.email,
      subject: i === 0 ? subject : `FW: ${subject}`,
      sender_email: core.senderEmail,
      mail_server: { host: server.host, ip: server.ip },
      headers: headersFor(rng, core, server, subject, sentUs, who.email),
    });
  }

  const links: { url: string; name: string; scan_result: string | null }[] = [];
  for (let i = 0; i < core.linksCount; i++) {
    const domain = rng.chance(0.8) ? core.senderDomain : rng.pick(['aka.ms', 'www.linkedin.com', 'bit.ly', 'storage.googleapis.com']);
    const plain = `https://${domain}/${rng.pick(LINK_PATHS)}/${rng.token(10)}?id=${rng.hex(12)}`;
    const text = rng.pick(LINK_NAMES);
    // Wrapping and display texts draw from a stream of their own: everything else stays as it was.
    const plan = planLink(ctx.seed, meta.id, i);
    links.push({ url: plan.url ?? plain, name: plan.name ?? text, scan_result: rng.weighted(LINK_SCAN_RESULTS) });
  }
  const attachments: Record<string, unknown>[] = [];
  for (let i = 0; i < core.attachmentsCount; i++) {
    attachments.push({
      file_name: rng.pick(ATTACHMENT_NAMES).replace('{n}', String(rng.int(1000, 99999))).replace('{nn}', String(rng.int(10, 99))),
      file_size: rng.int(900, 2_500_000),
      md5: rng.hex(32),
      scan_result: rng.weighted(ATTACHMENT_SCAN_RESULTS),
    });
  }
  const body = buildBody(ctx, meta, core, links);

  const proba = rng.chance(0.12) ? null : Math.round((0.3 + rng.float() * 0.69) * 100) / 100;
  const verdict = proba === null ? null : proba > 0.75 ? 'Phishing' : proba > 0.5 ? rng.pick(['Phishing', 'Spam']) : rng.pick(['Spam', 'Insufficient Data']);

  const challengedType = CHALLENGE_TYPES[meta.challenged] ?? null;
  const challengedUs = challengedDateUs(core, meta);
  const challengedEvents = challengedUs === null ? [] : [{
    challenged_date: formatUs(challengedUs),
    challenged_by: core.recipient.email,
    challenged_reason: rng.pick(CHALLENGE_REASONS),
    challenged_comment: rng.chance(0.5) ? '' : 'Please release, thanks! 🙏',
  }];

  const mitigationBase = mitigationIdBase(ctx, meta.id);
  const affected: Record<string, unknown>[] = [];
  for (let i = 0; i < core.affectedCount; i++) {
    const person = i === 0 ? core.recipient : employee(rng, ctx);
    affected.push({
      id: mitigationBase + i,
      recipient: person.email,
      recipient_id: i === 0 ? core.recipientId : 400000 + (hashInts(ctx.seed, meta.id, 100 + i) % 500000),
      employee_active: rng.chance(0.95),
      first_reported: i === 0,
      not_found: rng.chance(0.03),
      can_recluster: core.affectedCount > 1,
    });
  }

  const comments: Record<string, unknown>[] = [];
  const commentTotal = core.internalComments + core.communityComments;
  for (let i = 0; i < commentTotal; i++) {
    // same rule as buildCore, so the list's comment counts match the details
    const internal = hashInts(ctx.seed, meta.id, 30 + i) % 4 !== 0;
    comments.push({
      id: 5_000_000 + (hashInts(ctx.seed, meta.id, 60 + i) % 4_000_000),
      author: internal ? `${rng.pick(ANALYSTS)[1]}@${ctx.companyDomain}` : 'IRONSCALES Community',
      text: rng.pick(COMMENTS),
      created: formatUs(meta.createdUs + (i + 1) * rng.int(60, 3600) * US_PER_SECOND + rng.int(0, 999999)),
      type: internal ? 'internal' : 'community',
    });
  }

  const classified = meta.cls !== CLS_REPORT;
  const details: Record<string, unknown> = {
    company_id: ctx.companyId,
    company_name: ctx.companyName,
    incident_id: meta.id,
    classification: DETAIL_CLASSIFICATIONS[meta.cls] ?? 'Report',
    first_reported_by: firstReportedBy(core),
    first_reported_date: formatUs(meta.createdUs),
    affected_mailbox_count: core.affectedCount,
    sender_reputation: rng.pick(['low', 'low', 'medium', 'high']),
    banner_displayed: rng.chance(0.3) ? 'First Time Sender' : null,
    sender_email: core.senderEmail,
    reply_to: rng.chance(0.3) ? `${rng.pick(['billing', 'support', 'ceo.office'])}@${rng.pick(FREEMAIL)}` : null,
    spf_result: rng.weighted<string | null>([[null, 6], ['pass', 3], ['fail', 1], ['softfail', 1], ['neutral', 0.5], ['none', 0.5]]),
    sender_is_internal: core.senderDomain === ctx.companyDomain,
    themis_proba: proba,
    themis_verdict: verdict,
    mail_server: server,
    federation,
    reports,
    links,
    attachments,
    original_email_body: body.html,
    email_body_text: body.text,
    reported_by_end_user: !core.autoReported,
    reporter_name: core.autoReported ? null : core.reporter.name,
    challenged_type: challengedType,
    challenged_events: challengedEvents,
    first_challenged_date: challengedUs === null ? null : formatUs(challengedUs),
    related_incidents: rng.chance(0.05) ? [meta.id - rng.int(1, 500)] : [],
    resolved_by: resolvedBy(core, meta),
    resolved_on: classified && !meta.isReclassified ? formatUs(meta.createdUs + core.resolvedOffsetUs) : null,
    reclassified_by: meta.isReclassified ? `simulator@${ctx.companyDomain}` : null,
    reclassified_on: meta.isReclassified ? formatUs(meta.reclassifiedOnUs) : null,
    affected_mailboxes: affected,
    is_reclassified: meta.isReclassified,
    original_cluster_incident_id: rng.chance(0.04) ? meta.id - rng.int(1, 2000) : null,
    can_revert: classified && rng.chance(0.7),
    revert_blocked_reason: rng.chance(0.1) ? 'Incident was resolved more than 30 days ago' : null,
    resolution_tags: classified && rng.chance(0.5) ? [rng.pick(RESOLUTION_TAGS)] : [],
    additional_tags: rng.chance(0.2) ? [rng.pick(ADDITIONAL_TAGS)] : [],
    threat_type: rng.weighted(THREAT_TYPES),
    comments,
  };
  if (meta.extraFields) {
    const extraRng = new Rng(hashInts(ctx.seed, meta.id, 5));
    const howMany = extraRng.int(1, 3);
    const start = extraRng.int(0, EXTRA_FIELD_BUILDERS.length - 1);
    for (let i = 0; i < howMany; i++) {
      const builder = EXTRA_FIELD_BUILDERS[(start + i) % EXTRA_FIELD_BUILDERS.length];
      if (builder) {
        const [key, value] = builder(extraRng);
        details[key] = value;
      }
    }
  }
  if (meta.extra) Object.assign(details, structuredClone(meta.extra));
  return details;
}

function exampleDetails(meta: IncidentMeta): Record<string, unknown> {
  const details = exampleIncidentDetails();
  const cls = DETAIL_CLASSIFICATIONS[meta.cls] ?? 'Attack';
  details['classification'] = cls;
  if (meta.isReclassified) {
    details['is_reclassified'] = true;
    details['reclassified_on'] = formatUs(meta.reclassifiedOnUs);
  }
  if (meta.extra) Object.assign(details, structuredClone(meta.extra));
  return details;
}
