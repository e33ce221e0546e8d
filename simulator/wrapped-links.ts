/**
 * Links rewritten by mail gateways, as tenants behind Mimecast, Defender, Proofpoint, Barracuda,
 * Cisco, Sophos, Trend Micro or Symantec receive them (and Google redirects), some wrapped twice or
 * three times, and link texts that show another site than the one the link leads to. Each link's
 * plan is a pure function of (seed, incident id, link index), and it says what each layer hides,
 * so tests can check an unwrapper against what was really wrapped.
 */
import { Rng, hashInts } from './prng.js';
import { DISPLAY_DOMAINS, GATEWAY_HOSTS, LINK_PATHS, PHISHING_DOMAINS, TARGET_TAILS } from './vocabulary.js';

export type WrapGateway =
  | 'mimecast' | 'safelinks' | 'proofpoint_v1' | 'proofpoint_v2' | 'proofpoint_v3' | 'barracuda' | 'cisco'
  | 'google' | 'sophos' | 'trendmicro' | 'symantec';

export const WRAP_GATEWAYS: readonly WrapGateway[] = [
  'mimecast', 'safelinks', 'proofpoint_v1', 'proofpoint_v2', 'proofpoint_v3', 'barracuda', 'cisco', 'google', 'sophos', 'trendmicro', 'symantec',
];

/** What unwrapping one layer reveals: the URL it wrapped (null when the gateway keeps only the domain) and that URL's host. */
export interface Revealed {
  gateway: WrapGateway;
  url: string | null;
  domain: string;
}

export interface LinkPlan {
  /** The link as served when wrapped; null keeps the generator's plain link. */
  url: string | null;
  /** The gateways around the target, outermost first ([] for a plain link). */
  gateways: WrapGateway[];
  /** What each layer reveals, outermost first; it stops at a Mimecast link (and is empty for one without domain=). */
  revealed: Revealed[];
  /** The link's text when it shows a domain; null keeps the generator's text. */
  name: string | null;
  /** The domain that text shows, lower-case. */
  nameDomain: string | null;
}

/** Outermost first. Shares per link: 40 % plain, 44 % one gateway, 16 % nested. */
const WRAPPINGS: readonly (readonly [readonly WrapGateway[], number])[] = [
  [[], 40],
  [['mimecast'], 5], [['safelinks'], 6], [['proofpoint_v1'], 3], [['proofpoint_v2'], 4], [['proofpoint_v3'], 5], [['barracuda'], 4],
  [['cisco'], 4], [['google'], 3], [['sophos'], 4], [['trendmicro'], 3], [['symantec'], 3],
  [['safelinks', 'proofpoint_v2', 'google'], 4], [['cisco', 'sophos', 'barracuda'], 4], [['proofpoint_v3', 'safelinks'], 4], [['mimecast', 'safelinks'], 2],
  [['safelinks', 'proofpoint_v3'], 2],
];

/** The plan of link `index` of incident `incidentId`. */
export function planLink(seed: number, incidentId: number, index: number): LinkPlan {
  const rng = new Rng(hashInts(seed, incidentId, 7, index));
  const gateways = [...rng.weighted(WRAPPINGS)];
  let url: string | null = null;
  const revealed: Revealed[] = [];
  let targetHost: string | null = null;
  if (gateways.length > 0) {
    const host = (rng.chance(0.3) ? rng.pick(['login.', 'secure.', 'www.']) : '') + rng.pick(PHISHING_DOMAINS);
    const tail = rng.pick(TARGET_TAILS).replace('{hex}', rng.hex(12)).replace('{n}', String(rng.int(1000, 9999)));
    const target = `https://${host}/${rng.pick(LINK_PATHS)}/${rng.token(10)}${tail}`;
    targetHost = host;
    // Wrap from the inside out; what each layer reveals is the URL it wrapped (Mimecast: its domain, if it names it).
    const layers: (Revealed | null)[] = [];
    let inner = target;
    for (const gateway of [...gateways].reverse()) {
      const mimecast = gateway === 'mimecast';
      const withDomain = !mimecast || rng.chance(0.8);
      layers.unshift(withDomain ? { gateway, url: mimecast ? null : inner, domain: new URL(inner).hostname } : null);
      inner = wrap(gateway, inner, rng, withDomain);
    }
    url = inner;
    for (const layer of layers) {
      if (layer === null) break;
      revealed.push(layer);
      if (layer.url === null) break;
    }
  }
  let name: string | null = null;
  let nameDomain: string | null = null;
  if (rng.chance(0.25)) {
    const own = targetHost !== null && rng.chance(0.3);
    nameDomain = own ? (targetHost as string) : rng.pick(DISPLAY_DOMAINS);
    name = rng.pick([nameDomain, `https://${nameDomain}/`, `${nameDomain}/${rng.pick(['login', 'de/signin', 'track'])}`]);
  }
  return { url, gateways, revealed, name, nameDomain };
}

/** `inner` as `gateway` rewrites it (each format as the gateway's public documentation or examples show it). */
function wrap(gateway: WrapGateway, inner: string, rng: Rng, withDomain: boolean): string {
  const host = new URL(inner).hostname;
  switch (gateway) {
    case 'mimecast':
      return `https://${rng.pick(GATEWAY_HOSTS.mimecast)}/s/${rng.token(22)}${withDomain ? `?domain=${host}` : ''}`;
    case 'safelinks':
      return `https://${rng.pick(GATEWAY_HOSTS.safelinks)}/?url=${encodeURIComponent(inner)}&data=05%7C02%7C%7C${rng.hex(32)}%7C${rng.hex(32)}` +
        `%7C0%7C0%7C6385${rng.int(10_000_000, 99_999_999)}${rng.int(100_000, 999_999)}%7CUnknown%7CTWFpbGZsb3d8eyJWIjoiMC4wLjAwMDAiLCJQIjoiV2luMzIiLCJBTiI6Ik1haWwiLCJXVCI6Mn0%3D%7C0%7C%7C%7C` +
        `&sdata=${encodeURIComponent(Buffer.from(rng.hex(32), 'hex').toString('base64'))}&reserved=0`;
    case 'proofpoint_v1':
      // v1 carries the link as it stood in the HTML, entities included.
      return `https://urldefense.proofpoint.com/v1/url?u=${encodeURIComponent(inner.replace(/&/g, '&amp;'))}&k=${encodeURIComponent(base64(rng, 16))}%0A&r=${encodeURIComponent(base64(rng, 32))}%0A&m=${encodeURIComponent(base64(rng, 32))}%0A&s=${rng.hex(64)}`;
    case 'proofpoint_v2':
      return `https://urldefense.proofpoint.com/v2/url?u=${proofpointV2(inner)}&d=DwMFAg&c=${rng.token(43)}&r=${rng.token(43)}&m=${rng.token(43)}&s=${rng.token(43)}&e=`;
    case 'proofpoint_v3':
      return `https://urldefense.com/v3/__${proofpointV3(inner)}!!${rng.token(10)}!${rng.token(60)}$`;
    case 'barracuda':
      return `https://linkprotect.cudasvc.com/url?a=${lowerHex(encodeURIComponent(inner))}&c=E,1,${rng.token(80)},,&typo=1`;
    case 'cisco':
      return `https://secure-web.cisco.com/1${rng.token(150)}/${rng.chance(0.5) ? inner : encodeURIComponent(inner)}`;
    case 'google':
      return `https://www.google.com/url?q=${encodeURIComponent(inner)}&sa=D&source=editors&ust=17${rng.int(10_000_000, 99_999_999)}000000&usg=AOvVaw${rng.token(22)}`;
    case 'sophos':
      return `https://${rng.pick(GATEWAY_HOSTS.sophos)}?d=${host.split('.').slice(-2).join('.')}&u=${Buffer.from(inner).toString('base64url')}` +
        `&p=m&i=${base64(rng, 18)}&t=${base64(rng, 32)}&h=${rng.hex(32)}&s=AVNPUEhUT0NFTkNSWVBUSV${rng.token(40)}`;
    case 'trendmicro':
      return `https://${rng.pick(GATEWAY_HOSTS.trendmicro)}/wis/clicktime/v1/query?url=${lowerHex(encodeURIComponent(inner))}` +
        `&umid=${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}&rct=17${rng.int(10_000_000, 99_999_999)}&auth=${rng.hex(40)}-${rng.hex(40)}`;
    case 'symantec':
      return `https://clicktime.symantec.com/${rng.token(26)}?u=${encodeURIComponent(inner)}`;
  }
}

function base64(rng: Rng, bytes: number): string {
  return Buffer.from(rng.hex(bytes * 2), 'hex').toString('base64');
}

function lowerHex(encoded: string): string {
  return encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
}

/** v2: letters, digits and '.' kept, '/' as '_', every other byte as -XX. */
function proofpointV2(url: string): string {
  let out = '';
  for (const byte of Buffer.from(url)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9.]/.test(c) ? c : c === '/' ? '_' : `-${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const V3_RUN_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** v3: '%', '#', '*' and non-ASCII characters become '*' (or '**<run letter>' for 2–65 in a row), kept in order in base64url after '__;'. */
function proofpointV3(url: string): string {
  const chars = Array.from(url);
  let body = '';
  let replaced = '';
  for (let i = 0; i < chars.length; ) {
    let run = 0;
    while (i + run < chars.length && run < 65 && /[%#*]|[^\x20-\x7e]/.test(chars[i + run] as string)) run++;
    if (run === 0) {
      body += chars[i];
      i++;
      continue;
    }
    body += run === 1 ? '*' : `**${V3_RUN_LETTERS[run - 2]}`;
    replaced += chars.slice(i, i + run).join('');
    i += run;
  }
  return `${body}__;${Buffer.from(replaced).toString('base64url')}`;
}
