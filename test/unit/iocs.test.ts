/**
 * iocRows of one hand-built incident record whose links are wrapped by gateways and whose link
 * texts show other domains: the rows as served, the unwrapped targets marked by gateway, the
 * link-text rows, and one row per (type, value) with the as-served row preferred.
 */
import { incidentIocs, iocRows } from '../../src/streams/incidents/iocs.js';

const SAFELINKS =
  'https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fpaypa1-resolution.com%2Fkonto%2Fverify%3Fcase%3DPP-4471' +
  '&data=05%7C02%7Canna.mueller%40company1.example.com%7C3f0c6d2e%7C0%7C0%7C638512345678901234%7CUnknown%7C%7C0%7C%7C%7C&sdata=Qm9ndXM%3D&reserved=0';
const MIMECAST = 'https://url.uk.m.mimecastprotect.com/s/Vh4RCgNx7ZsL1pQ9WfKtE?domain=docusign-envelope-review.net';
const GOOGLE = 'https://www.google.com/url?q=https%3A%2F%2Fwww.linkedin.com%2Fcomm%2Fjobs%2Fview%2F3921&sa=D&usg=AOvVaw3k';
const TARGET = 'https://paypa1-resolution.com/konto/verify?case=PP-4471';

const record = {
  incident_id: 72302028,
  first_reported_date: '2025-10-27T07:16:07.368189Z',
  classification: 'Attack',
  sender_email: 'service@PAYPA1-resolution.com',
  links: [
    { url: SAFELINKS, name: 'https://www.paypal.com/signin', scan_result: 'N/A' },
    { url: MIMECAST, name: 'DocuSign.net', scan_result: null },
    { url: TARGET, name: 'Open document', scan_result: 'No IOC' },
    { url: GOOGLE, name: 'linkedin.com', scan_result: null },
    { url: 'https://sf-express-notice.cn/track', name: 'Rechnung.pdf', scan_result: null },
    { url: 'not a url at all', name: 'münchen-sparkasse.de/login', scan_result: null },
  ],
};

const base = { incident_id: 72302028, first_reported_date: '2025-10-27T07:16:07.368189Z', classification: 'Attack' };
const row = (ioc_type: string, value: string, source: string, gateway: string | null = null) => ({ ...base, ioc_type, value, source, gateway });

test('wrapped links give their targets marked by gateway; link texts showing another domain give link_text_domain rows', () => {
  expect(iocRows(record)).toEqual([
    row('sender_email', 'service@paypa1-resolution.com', 'sender_email'),
    row('sender_domain', 'paypa1-resolution.com', 'sender_email'),
    // links[0]: Safe Links. The target URL is served as is by links[2] too, so that row is the as-served one
    // (links[2]'s), kept where it was first found.
    row('url', SAFELINKS, 'links[0].url'),
    row('url_domain', 'eur02.safelinks.protection.outlook.com', 'links[0].url'),
    row('url', TARGET, 'links[2].url'),
    row('url_domain', 'paypa1-resolution.com', 'links[2].url'),
    row('link_text_domain', 'www.paypal.com', 'links[0].name'),
    // links[1]: Mimecast names only the domain; the text shows another one.
    row('url', MIMECAST, 'links[1].url'),
    row('url_domain', 'url.uk.m.mimecastprotect.com', 'links[1].url'),
    row('url_domain', 'docusign-envelope-review.net', 'links[1].url', 'mimecast'),
    row('link_text_domain', 'docusign.net', 'links[1].name'),
    // links[3]: a Google redirect whose text names its own target (www. aside): no mismatch.
    row('url', GOOGLE, 'links[3].url'),
    row('url_domain', 'www.google.com', 'links[3].url'),
    row('url', 'https://www.linkedin.com/comm/jobs/view/3921', 'links[3].url', 'google'),
    row('url_domain', 'www.linkedin.com', 'links[3].url', 'google'),
    // links[4]: a file name as text names no site.
    row('url', 'https://sf-express-notice.cn/track', 'links[4].url'),
    row('url_domain', 'sf-express-notice.cn', 'links[4].url'),
    // links[5]: not a URL (no host), kept as served; its text shows an internationalised domain (punycode, like url_domain).
    row('url', 'not a url at all', 'links[5].url'),
    row('link_text_domain', 'xn--mnchen-sparkasse-jzb.de', 'links[5].name'),
  ]);
});

test('as served wins whichever link comes first; the primary key stays unique', () => {
  const reversed = { ...record, links: [record.links[2]!, record.links[0]!] };
  const rows = iocRows(reversed);
  expect(rows.filter((r) => r.value === TARGET)).toEqual([row('url', TARGET, 'links[0].url')]);
  expect(rows.filter((r) => r.value === 'paypa1-resolution.com' && r.ioc_type === 'url_domain')).toEqual([row('url_domain', 'paypa1-resolution.com', 'links[0].url')]);
  for (const r of [rows, iocRows(record)]) {
    const keys = r.map((x) => `${String(x.ioc_type)}|${String(x.value)}`);
    expect(new Set(keys).size).toBe(keys.length);
  }
});

test('the schema declares every column a row carries, the gateway among them, and names link_text_domain', () => {
  const properties = (incidentIocs.definition.jsonSchema as { properties: Record<string, { type: unknown; description: string }> }).properties;
  for (const r of iocRows(record)) for (const key of Object.keys(r)) expect(properties).toHaveProperty(key);
  expect(properties.gateway!.type).toEqual(['string', 'null']);
  expect(properties.gateway!.description).toMatch(/proofpoint_v3/);
  expect(properties.ioc_type!.description).toMatch(/link_text_domain/);
});

test('link texts that show no site give no link_text_domain row: prose, file names, e-mail addresses, other schemes, huge or non-string texts', () => {
  const texts: unknown[] = ['Open document', 'Rechnung_2025.pdf', 'scan.docx', 'security@paypal.com', 'mailto:security@paypal.com', 'ftp://files.example.org/x', `${'paypal.com/'.repeat(300)}`, 42, null, { href: 'x' }];
  const rows = iocRows({ ...record, links: texts.map((name) => ({ url: 'https://sf-express-notice.cn/track', name })) });
  expect(rows.filter((r) => r.ioc_type === 'link_text_domain')).toEqual([]);
  // The same texts as a domain do give the row.
  expect(iocRows({ ...record, links: [{ url: 'https://sf-express-notice.cn/track', name: ' www.SF-Express.com/track ' }] }).filter((r) => r.ioc_type === 'link_text_domain'))
    .toEqual([row('link_text_domain', 'www.sf-express.com', 'links[0].name')]);
});
