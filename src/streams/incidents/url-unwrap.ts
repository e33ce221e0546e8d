/**
 * The targets behind URL-rewriting mail gateways. A protected link names the gateway's host, not
 * the site it leads to, so an IOC search for the phishing domain would miss it; the target is
 * inside the rewritten URL, encoded the gateway's own way. Pure and total: any string in, a list
 * out (empty when nothing is recognised), never an exception.
 */

export type Gateway =
  | 'mimecast' | 'safelinks' | 'proofpoint_v1' | 'proofpoint_v2' | 'proofpoint_v3' | 'barracuda' | 'cisco'
  | 'google' | 'sophos' | 'trendmicro' | 'symantec';

/** One level of unwrapping: what `gateway` wrapped. */
export interface UnwrapStep {
  gateway: Gateway;
  /** The wrapped URL; null when the gateway carries only its domain (Mimecast, a damaged Proofpoint v3 or Sophos link). */
  url: string | null;
  /** The wrapped URL's host, lower-case (IDNs in punycode), or the domain the gateway names. */
  domain: string;
}

/** Nesting seen in the wild is 2–3 deep; the bound only stops a pathological chain. */
export const MAX_DEPTH = 6;
/** Longer strings are not parsed: no gateway writes links this long, and parsing must stay cheap. */
export const MAX_LENGTH = 32_768;

/** The targets behind `served`, outermost first: step k is what step k-1's URL (or `served`) wrapped. */
export function unwrapUrl(served: unknown): UnwrapStep[] {
  const steps: UnwrapStep[] = [];
  if (typeof served !== 'string' || served.length > MAX_LENGTH) return steps;
  let current = served.trim();
  while (steps.length < MAX_DEPTH) {
    const step = unwrapOnce(current);
    if (step === null) break;
    steps.push(step);
    if (step.url === null || step.url === current) break;
    current = step.url;
  }
  return steps;
}

/** The target behind one gateway, or null when `raw` is no gateway link or its target is unreadable. */
function unwrapOnce(raw: string): UnwrapStep | null {
  const url = parseWeb(raw);
  if (url === null) return null;
  const host = url.hostname;
  try {
    for (const decoder of DECODERS) if (decoder.host(host)) return decoder.decode(url, raw);
  } catch {
    // A decoder bug must not cost the row of the URL as served.
  }
  return null;
}

interface Decoder {
  host(host: string): boolean;
  decode(url: URL, raw: string): UnwrapStep | null;
}

const DECODERS: Decoder[] = [
  {
    // Mimecast URL Protect: https://protect-us.mimecast.com/s/<token>?domain=bbc.com (the target URL is
    // not in the link, only its domain), since 2024 https://url.<grid>.m.mimecastprotect.com/s/<token>.
    // Sources: https://support.gordonconwell.edu/support/solutions/articles/22000065022 and
    // https://mimecastsupport.zendesk.com/hc/en-us/articles/34000364820371-Targeted-Threat-Protection-Domain-Update-Feb-2024
    host: (h) => /^protect(?:-[a-z0-9]+)?\.mimecast\.com$/.test(h) || h.endsWith('.mimecastprotect.com'),
    decode: (url) => {
      if (!url.pathname.startsWith('/s/')) return null;
      const domain = bareDomain(formParam(url, 'domain'));
      return domain === null ? null : { gateway: 'mimecast', url: null, domain };
    },
  },
  {
    // Microsoft Defender for Office 365 Safe Links: https://<region>.safelinks.protection.outlook.com/
    // ?url=<percent-encoded target>&data=…&sdata=…&reserved=0. Sources: https://langbein.org/microsoft-outlook-office365-url-rewriting-in-e-mails
    // and https://technology.uwrf.edu/TDClient/1979/Portal/KB/ArticleDet?ID=100419 (the target sits between url= and &data=).
    host: (h) => h === 'safelinks.protection.outlook.com' || h.endsWith('.safelinks.protection.outlook.com'),
    decode: (url) => target('safelinks', formParam(url, 'url')),
  },
  {
    // Proofpoint URL Defense, facts from Proofpoint's published decoder (URLDefenseDecode.py 3.0.1,
    // https://help.proofpoint.com/Threat_Insight_Dashboard/Concepts/How_do_I_decode_a_rewritten_URL%3F):
    // v1 /v1/url?u=<percent-encoded>&k=…; v2 /v2/url?u=<'-' for '%', '_' for '/'>&d=…&c=…;
    // both HTML-unescaped after. v3 is decoded below.
    host: (h) => h === 'urldefense.proofpoint.com' || h === 'urldefense.com',
    decode: (url, raw) => {
      if (url.pathname === '/v1/url') return target('proofpoint_v1', mapped(rawParam(url, 'u'), (u) => unescapeHtml(percentDecode(u))));
      if (url.pathname === '/v2/url') return target('proofpoint_v2', mapped(rawParam(url, 'u'), (u) => unescapeHtml(percentDecode(u.replace(/-/g, '%').replace(/_/g, '/')))));
      if (url.pathname.startsWith('/v3/__')) return proofpointV3(raw);
      return null;
    },
  },
  {
    // Barracuda Link Protection: https://linkprotect.cudasvc.com/url?a=<target>&c=E,1,…&typo=1.
    // Source: https://campus.barracuda.com/doc/49055519 (Understanding Link Protection).
    host: (h) => h === 'linkprotect.cudasvc.com',
    decode: (url) => (url.pathname === '/url' ? target('barracuda', formParam(url, 'a')) : null),
  },
  {
    // Cisco Secure Email (ESA) URL rewriting: https://secure-web.cisco.com/<token>/<target>, the target
    // written as is or percent-encoded. Sources: https://utsubdev2.service-now.com/utss/KAhome.do?number=KB0015830
    // and https://www.sthu.org/code/codesnippets/mutt-cisco-url-rewriting-clean.html
    host: (h) => h === 'secure-web.cisco.com',
    decode: (_url, raw) => {
      const tail = /^[a-z]+:\/\/[^/]+\/[^/?#]+\/(.+)$/i.exec(raw)?.[1];
      if (tail === undefined) return null;
      return target('cisco', /^[a-z][a-z0-9+.-]*%3a/i.test(tail) ? percentDecode(tail) : tail);
    },
  },
  {
    // Google's redirector: https://www.google.com/url?q=<target>&sa=D… (also url=). Source:
    // http://googlesystem.blogspot.com/2007/02/google-redirect-notice.html
    host: (h) => /^(?:www\.)?google\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$/.test(h),
    decode: (url) => (url.pathname === '/url' ? target('google', formParam(url, 'q') ?? formParam(url, 'url')) : null),
  },
  {
    // Sophos Email time-of-click: https://<region>.protection.sophos.com?d=<domain>&u=<base64 target>&i=…&t=…&h=…
    // d= names the domain (https://docs.sophos.com/central/Customer/help/en-us/ManageYourProducts/EmailSecurity/EmailSecurityPolicy/EmailURLProtection/index.html);
    // u= is the target in base64 (URL-safe alphabet, with or without padding) in every public example.
    host: (h) => h.endsWith('.protection.sophos.com'),
    decode: (url) => {
      const decoded = mapped(rawParam(url, 'u'), (u) => base64Text(percentDecode(u)));
      const step = decoded === null ? null : target('sophos', decoded);
      if (step !== null) return step;
      const domain = bareDomain(formParam(url, 'd'));
      return domain === null ? null : { gateway: 'sophos', url: null, domain };
    },
  },
  {
    // Trend Micro Email Security time-of-click: https://<node>.trendmicro.com/wis/clicktime/v1/query?url=<target>&umid=…&auth=…,
    // as seen in public rewritten links (vendor page: https://docs.trendmicro.com/en-us/enterprise/trend-micro-email-security-online-help/logs-in-hes/understanding-url-cl.aspx).
    host: (h) => h.endsWith('.trendmicro.com'),
    decode: (url) => (url.pathname === '/wis/clicktime/v1/query' ? target('trendmicro', formParam(url, 'url')) : null),
  },
  {
    // Symantec Email Security.cloud Click-time URL Protection: https://clicktime.symantec.com/<token>?u=<percent-encoded target>
    // (https://knowledge.broadcom.com/external/article/163838 recovers the original URL with a plain URL decoder).
    host: (h) => h === 'clicktime.symantec.com',
    decode: (url) => target('symantec', formParam(url, 'u')),
  },
];

/** Proofpoint v3 run lengths: `**A` stands for 2 replaced characters, `**B` for 3, … `**_` for 65. */
const V3_RUNS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Proofpoint URL Defense v3: https://urldefense.com/v3/__<target>__;<base64url>!!<ids>$. Characters
 * unsafe in the target are replaced by `*` (one) or `**<run>` (several), and the base64url part holds
 * them in order (facts from Proofpoint's published decoder, URLDefenseDecode.py 3.0.1). When that part
 * is damaged or missing, the host is still readable if no replacement falls inside it.
 */
function proofpointV3(raw: string): UnwrapStep | null {
  const start = raw.indexOf('/v3/__');
  if (start < 0) return null;
  const rest = raw.slice(start + 6);
  const end = rest.indexOf('__;');
  const encoded = percentDecode(end < 0 ? rest.replace(/__$/, '') : rest.slice(0, end));
  const replaced = end < 0 ? null : base64Text((rest.slice(end + 3).split('!')[0] ?? '').replace(/\$$/, ''));
  const decoded = replaced === null ? null : substituteV3(encoded, Array.from(replaced));
  if (decoded !== null) return target('proofpoint_v3', decoded);
  const host = /^[a-z][a-z0-9+.-]*:\/\/([^/?#*]+)(?=[/?#]|$)/i.exec(encoded)?.[1];
  const domain = host === undefined ? null : bareDomain(host);
  return domain === null ? null : { gateway: 'proofpoint_v3', url: null, domain };
}

function substituteV3(encoded: string, chars: string[]): string | null {
  let out = '';
  let next = 0;
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded[i];
    if (c !== '*') {
      out += c;
      continue;
    }
    let take = 1;
    if (encoded[i + 1] === '*' && i + 2 < encoded.length) {
      take = V3_RUNS.indexOf(encoded[i + 2] as string) + 2;
      if (take < 2) return null;
      i += 2;
    }
    if (next + take > chars.length) return null;
    out += chars.slice(next, next + take).join('');
    next += take;
  }
  return out;
}

/** A step for `gateway` when `value` is a web URL with a host; null otherwise. */
function target(gateway: Gateway, value: string | null): UnwrapStep | null {
  if (value === null) return null;
  const trimmed = value.trim();
  const url = parseWeb(trimmed);
  return url === null ? null : { gateway, url: trimmed, domain: url.hostname };
}

function parseWeb(value: string): URL | null {
  if (!/^(?:https?|ftp):\/\//i.test(value)) return null;
  try {
    const url = new URL(value);
    return url.hostname === '' ? null : url;
  } catch {
    return null;
  }
}

/** A host name alone (no scheme, path or port), lower-case; null for anything else. */
function bareDomain(value: string | null): string | null {
  if (value === null || !/^[^\s/?#@:]+$/.test(value.trim())) return null;
  const url = parseWeb(`http://${value.trim()}`);
  return url !== null && url.hostname.includes('.') ? url.hostname : null;
}

/** A query parameter as form decoding reads it ('+' is a space). */
function formParam(url: URL, name: string): string | null {
  return mapped(rawParam(url, name), (v) => percentDecode(v.replace(/\+/g, ' ')));
}

/** A query parameter exactly as written, not decoded (Proofpoint's and Sophos' encodings need it raw). */
function rawParam(url: URL, name: string): string | null {
  for (const pair of url.search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq) === name) return pair.slice(eq + 1);
  }
  return null;
}

function mapped(value: string | null, f: (v: string) => string | null): string | null {
  return value === null ? null : f(value);
}

/** Percent-decoding that leaves an escape it cannot decode as it was instead of throwing. */
function percentDecode(value: string): string {
  return value.replace(/(?:%[0-9a-f]{2})+/gi, (run) => decodeOr(run, null) ?? decodeEscapes(run.match(/%[0-9a-f]{2}/gi) ?? []));
}

/** A run with a bad byte: each character's 1–4 escapes decoded on their own, the bad ones kept. */
function decodeEscapes(escapes: string[]): string {
  let out = '';
  for (let i = 0; i < escapes.length; ) {
    let size = Math.min(4, escapes.length - i);
    let decoded = decodeOr(escapes.slice(i, i + size).join(''), null);
    while (decoded === null && --size > 0) decoded = decodeOr(escapes.slice(i, i + size).join(''), null);
    out += decoded ?? escapes[i];
    i += decoded === null ? 1 : size;
  }
  return out;
}

function decodeOr(escaped: string, fallback: string | null): string | null {
  try {
    return decodeURIComponent(escaped);
  } catch {
    return fallback;
  }
}

/** Base64 (standard or URL-safe alphabet, padding optional) holding UTF-8 text; null when it is not. */
function base64Text(value: string): string | null {
  const body = value.trim().replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]*$/.test(body) || body.length % 4 === 1) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } catch {
    return null;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeHtml(value: string): string {
  return value.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (entity, name: string) => {
    const code = name.startsWith('#x') || name.startsWith('#X') ? parseInt(name.slice(2), 16) : name.startsWith('#') ? parseInt(name.slice(1), 10) : NaN;
    if (Number.isNaN(code)) return ENTITIES[name.toLowerCase()] ?? entity;
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}
