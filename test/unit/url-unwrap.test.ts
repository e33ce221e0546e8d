/**
 * unwrapUrl: the targets behind URL-rewriting mail gateways. Every input is a realistic link of our
 * own, written in the format the cited public source documents for that gateway; the expected
 * targets are written out by hand.
 */
import { MAX_DEPTH, MAX_LENGTH, unwrapUrl, type UnwrapStep } from '../../src/streams/incidents/url-unwrap.js';

const step = (gateway: UnwrapStep['gateway'], url: string | null, domain: string): UnwrapStep => ({ gateway, url, domain });

/** Safe Links' data= and sdata= as Outlook writes them (opaque to us; only url= matters). */
const SAFELINKS_TAIL =
  '&data=05%7C02%7Canna.mueller%40company1.example.com%7C3f0c6d2e9a1b4c7d8e9f0a1b2c3d4e5f%7C72f988bf86f141af91ab2d7cd011db47' +
  '%7C0%7C0%7C638512345678901234%7CUnknown%7CTWFpbGZsb3d8eyJWIjoiMC4wLjAwMDAiLCJQIjoiV2luMzIiLCJBTiI6Ik1haWwiLCJXVCI6Mn0%3D%7C0%7C%7C%7C' +
  '&sdata=Qm9ndXNTaWduYXR1cmVGb3JUZXN0cyE%3D&reserved=0';
/** A target with the characters encodings trip over: an already-encoded %2F, a fragment, a non-ASCII letter. */
const TRICKY = 'https://m365-account-notice.com/login?user=anna.müller@company1.example.com&next=%2Fmail#inbox';

describe('each gateway, from its documented format', () => {
  test('Mimecast URL Protect (legacy protect-<grid>.mimecast.com and mimecastprotect.com): only the domain= parameter names the target', () => {
    // https://support.gordonconwell.edu/support/solutions/articles/22000065022 ("…/s253462825?domain=bbc.com"),
    // https://mimecastsupport.zendesk.com/hc/en-us/articles/34000364820371 (url.<grid>.m.mimecastprotect.com)
    expect(unwrapUrl('https://protect-us.mimecast.com/s/kQ7pCYEvJgHmq3WtPk2xNn?domain=docusign-envelope-review.net')).toEqual([step('mimecast', null, 'docusign-envelope-review.net')]);
    expect(unwrapUrl('https://url.uk.m.mimecastprotect.com/s/Vh4RCgNx7ZsL1pQ9WfKtE?domain=DHL-Paket-Zustellung.de')).toEqual([step('mimecast', null, 'dhl-paket-zustellung.de')]);
    expect(unwrapUrl('https://security-uk.m.mimecastprotect.com/s/c0FnC1wXYh9rLmTzs3QpT?domain=microsoftonline-secure.net')).toEqual([step('mimecast', null, 'microsoftonline-secure.net')]);
    // Without domain= the target is on Mimecast's servers alone: nothing to recover.
    expect(unwrapUrl('https://protect-eu.mimecast.com/s/rADECvZvDhygB3ktQtrXG')).toEqual([]);
    // domain= must be a host name, not a URL or junk.
    expect(unwrapUrl('https://protect-eu.mimecast.com/s/rADECvZvDhygB3ktQtrXG?domain=https%3A%2F%2Fevil.example%2Fx')).toEqual([]);
  });

  test('Microsoft Defender Safe Links: url= percent-encoded, decoded exactly (encoded %2F, fragment and UTF-8 kept)', () => {
    // https://langbein.org/microsoft-outlook-office365-url-rewriting-in-e-mails ("…safelinks.protection.outlook.com/?url=https%3A%2F%2Flangbein.org%2F&data=…")
    const wrapped = `https://eur02.safelinks.protection.outlook.com/?url=${encodeURIComponent(TRICKY)}${SAFELINKS_TAIL}`;
    expect(wrapped).toContain('url=https%3A%2F%2Fm365-account-notice.com%2Flogin%3Fuser%3Danna.m%C3%BCller%40company1.example.com%26next%3D%252Fmail%23inbox&data=');
    expect(unwrapUrl(wrapped)).toEqual([step('safelinks', TRICKY, 'm365-account-notice.com')]);
    expect(unwrapUrl(`https://nam12.safelinks.protection.outlook.com/?url=http%3A%2F%2F203.0.113.7%3A8080%2Fwp-content%2Fplugins%2Findex.php${SAFELINKS_TAIL}`))
      .toEqual([step('safelinks', 'http://203.0.113.7:8080/wp-content/plugins/index.php', '203.0.113.7')]);
  });

  test('Proofpoint URL Defense v1: u= percent-encoded, then HTML entities undone', () => {
    // Proofpoint's published decoder (URLDefenseDecode.py 3.0.1): v1 is u=<url-encoded>&k=…, html-unescaped after.
    const wrapped =
      'https://urldefense.proofpoint.com/v1/url?u=http%3A//docusign-envelope-review.net/review%3Fenv%3D8842%26amp%3Bsig%3D1' +
      '&k=oIvRg1%2BdGAgOoM1BIlLLqw%3D%3D%0A&r=Hs2mG6a8YQv3kPz1ZtXhVQ%3D%3D%0A&m=ZqD7Kb2Yy5nXf1wQ%3D%0A&s=6a1f0c9e2b7d4a3c8f5e1b0a9d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d';
    expect(unwrapUrl(wrapped)).toEqual([step('proofpoint_v1', 'http://docusign-envelope-review.net/review?env=8842&sig=1', 'docusign-envelope-review.net')]);
  });

  test("Proofpoint URL Defense v2: u= with '-' for '%' and '_' for '/'", () => {
    // URLDefenseDecode.py 3.0.1: v2 is u=<…>&d=/&c=, translated '-_' → '%/', unquoted, html-unescaped.
    const wrapped =
      'https://urldefense.proofpoint.com/v2/url?u=https-3A__outlook-2Dverify-2Dmailbox.info_owa_-3Flogin-3Danna.mueller-40company1.example.com-26lang-3Dde-2DDE' +
      '&d=DwMFAg&c=euGZstcaTDllvimEN8b7jXrwqOf-v5A_CdpgnVfiiMM&r=aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV-wXyZ_123&m=Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe&s=Kq3dlkE0T2s9kLmN_oPqRsTuVwXyZ0123456789ab&e=';
    expect(unwrapUrl(wrapped)).toEqual([step('proofpoint_v2', 'https://outlook-verify-mailbox.info/owa/?login=anna.mueller@company1.example.com&lang=de-DE', 'outlook-verify-mailbox.info')]);
  });

  test("Proofpoint URL Defense v3: '*' and '**<run>' replaced from the base64url part, in order", () => {
    // URLDefenseDecode.py 3.0.1: v3/__<url>__;<base64url>!…, '*' takes one character, '**A' two, '**B' three….
    // "%#" → JSM, "öß#" → w7bDnyM.
    expect(unwrapUrl('https://urldefense.com/v3/__https://login.m365-account-notice.com/owa/auth?next=*2Fmail*inbox__;JSM!!Q3xT9g!aB3dEf-9_kLmN0pQrStUvWxYz$'))
      .toEqual([step('proofpoint_v3', 'https://login.m365-account-notice.com/owa/auth?next=%2Fmail#inbox', 'login.m365-account-notice.com')]);
    expect(unwrapUrl('https://urldefense.com/v3/__https://dhl-paket-zustellung.de/sendung/Gr**Ae?id=7*details__;w7bDnyM!!Q3xT9g!Zz0-Yy1_Xx2$'))
      .toEqual([step('proofpoint_v3', 'https://dhl-paket-zustellung.de/sendung/Größe?id=7#details', 'dhl-paket-zustellung.de')]);
    // Nothing replaced: an empty base64 part.
    expect(unwrapUrl('https://urldefense.com/v3/__https://zoom-recordings-share.us/rec/share/Kx81pQ__;!!Q3xT9g!Lm4Nn5Oo6$'))
      .toEqual([step('proofpoint_v3', 'https://zoom-recordings-share.us/rec/share/Kx81pQ', 'zoom-recordings-share.us')]);
  });

  test('Barracuda Link Protection: a= percent-encoded (lower-case hex) or as is', () => {
    // https://campus.barracuda.com/doc/49055519 ("https://linkprotect.cudasvc.com/url?a=http://www.codestore.net&c=E,1,…&typo=1")
    expect(unwrapUrl('https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fparcel.dhl-express-tracking.info%2ftrack%3fawb%3d4471902233&c=E,1,Zk3pQ8vN2mXr7TbL9yHc0WsJd4GfA6uEo1KiP5tRqYxV,,&typo=1'))
      .toEqual([step('barracuda', 'https://parcel.dhl-express-tracking.info/track?awb=4471902233', 'parcel.dhl-express-tracking.info')]);
    expect(unwrapUrl('https://linkprotect.cudasvc.com/url?a=http://amazon-business-billing.net/invoice/download&c=E,1,5bEVim247z1fGhtUhmYwbNu1H8iIZr4,,&typo=1'))
      .toEqual([step('barracuda', 'http://amazon-business-billing.net/invoice/download', 'amazon-business-billing.net')]);
  });

  test('Cisco Secure Email: the path after the token, raw or percent-encoded', () => {
    // https://utsubdev2.service-now.com/utss/KAhome.do?number=KB0015830 (raw), https://www.sthu.org/code/codesnippets/mutt-cisco-url-rewriting-clean.html (encoded)
    const token = '1S1h_Cy8Q_Oh-5N7AuDE0CgXvAUfWU4AKBjGdC6KJqVQ5OKyLFEHYVQZKL6csJCsYoHtn3F6qvjtjm_XYBgZTg3Eif9GHAlv401-6GBe4d';
    expect(unwrapUrl(`https://secure-web.cisco.com/${token}/http://sparkasse-sicherheit-online.de/login.php?sid=41`))
      .toEqual([step('cisco', 'http://sparkasse-sicherheit-online.de/login.php?sid=41', 'sparkasse-sicherheit-online.de')]);
    expect(unwrapUrl(`https://secure-web.cisco.com/${token}/https%3A%2F%2Fchronopost-suivi-colis.fr%2Fsuivi%3Fcolis%3DXY1234FR`))
      .toEqual([step('cisco', 'https://chronopost-suivi-colis.fr/suivi?colis=XY1234FR', 'chronopost-suivi-colis.fr')]);
    expect(unwrapUrl(`https://secure-web.cisco.com/${token}`)).toEqual([]);
  });

  test('Google redirects: q= or url=', () => {
    // http://googlesystem.blogspot.com/2007/02/google-redirect-notice.html ("http://www.google.com/url?q=http://www.…")
    expect(unwrapUrl('https://www.google.com/url?q=https%3A%2F%2Fwetransfer-files-download.net%2Fdownloads%2F6b1f&sa=D&source=editors&ust=1714650000000000&usg=AOvVaw3kPqLmN'))
      .toEqual([step('google', 'https://wetransfer-files-download.net/downloads/6b1f', 'wetransfer-files-download.net')]);
    expect(unwrapUrl('https://google.de/url?sa=t&url=https://sparkasse-sicherheit-online.de/&usg=AOvVaw0x')).toEqual([step('google', 'https://sparkasse-sicherheit-online.de/', 'sparkasse-sicherheit-online.de')]);
    // A search, not a redirect to a site.
    expect(unwrapUrl('https://www.google.com/url?q=paypal+login&sa=D')).toEqual([]);
  });

  test('Sophos time-of-click: u= base64 (URL-safe or standard, padded or not); d= when u= is missing or unreadable', () => {
    // https://docs.sophos.com/central/Customer/help/en-us/ManageYourProducts/EmailSecurity/EmailSecurityPolicy/EmailURLProtection/index.html (d=domain.com)
    const tail = '&p=m&i=NjU0NjA2MWRiMzM3ZDMzYTFlMGNmNmY4&t=cDk2OFRBSExHd2lOMGJsa2l1eWs5bnNOamxiQnVPVVQ0c3I3YVhqa1ZURT0=&h=9ba410ca932340e4b50404ccbb25afd2&s=AVNPUEhUT0NFTkNSWVBUSVb';
    expect(unwrapUrl(`https://eu-central-1.protection.sophos.com?d=paypa1-resolution.com&u=aHR0cHM6Ly9wYXlwYTEtcmVzb2x1dGlvbi5jb20va29udG8vdmVyaWZ5P2Nhc2U9UFAtNDQ3MSZsYW5nPWRl${tail}`))
      .toEqual([step('sophos', 'https://paypa1-resolution.com/konto/verify?case=PP-4471&lang=de', 'paypa1-resolution.com')]);
    // Standard alphabet with '+' and '=' padding, and the URL-safe one without padding: the same target.
    const target = 'https://wetransfer-files-download.net/downloads/6b1f?x=1&y=~é';
    expect(unwrapUrl(`https://us-west-2.protection.sophos.com/?d=wetransfer-files-download.net&u=aHR0cHM6Ly93ZXRyYW5zZmVyLWZpbGVzLWRvd25sb2FkLm5ldC9kb3dubG9hZHMvNmIxZj94PTEmeT1+w6k=${tail}`))
      .toEqual([step('sophos', target, 'wetransfer-files-download.net')]);
    expect(unwrapUrl(`https://us-west-2.protection.sophos.com/?d=wetransfer-files-download.net&u=aHR0cHM6Ly93ZXRyYW5zZmVyLWZpbGVzLWRvd25sb2FkLm5ldC9kb3dubG9hZHMvNmIxZj94PTEmeT1-w6k${tail}`))
      .toEqual([step('sophos', target, 'wetransfer-files-download.net')]);
    // No u= (a link Sophos keeps on its side): the domain alone.
    expect(unwrapUrl(`https://us-east-2.protection.sophos.com/?d=rb.gy&b=990260467867425f8d991057d4ea7a24${tail}`)).toEqual([step('sophos', null, 'rb.gy')]);
  });

  test('Trend Micro and Symantec click-time links: url= and u= percent-encoded', () => {
    // Trend Micro Email Security time-of-click (…trendmicro.com/wis/clicktime/v1/query?url=…&umid=…&auth=…);
    // Symantec Click-time URL Protection (https://knowledge.broadcom.com/external/article/163838).
    expect(unwrapUrl('https://ddec1-0-en-ctp.trendmicro.com/wis/clicktime/v1/query?url=https%3a%2f%2fzoom%2drecordings%2dshare.us%2frec%2fplay&umid=cdcc023c-bb19-4239-a913-67085e30709e&rct=1751307249&auth=764ac1ebf8525e86559591b5649e04916e63728b-0b105689ebceb390b5f855f57f5f524eb523e611'))
      .toEqual([step('trendmicro', 'https://zoom-recordings-share.us/rec/play', 'zoom-recordings-share.us')]);
    expect(unwrapUrl('https://clicktime.symantec.com/3KG6rdmTz1vDaXhBTFLnHVX7Vc?u=https%3A%2F%2Fdocu-sign-mail.com%2Fsign%3Fenvelope%3D77'))
      .toEqual([step('symantec', 'https://docu-sign-mail.com/sign?envelope=77', 'docu-sign-mail.com')]);
  });

  test('links that are no gateway link give nothing, whatever their query says', () => {
    expect(unwrapUrl('https://paypa1-resolution.com/login?url=https%3A%2F%2Fwww.paypal.com%2F')).toEqual([]);
    expect(unwrapUrl('https://linkprotect.cudasvc.com/other?a=https%3a%2f%2fevil.example%2f')).toEqual([]);
    expect(unwrapUrl('https://evil.example/url?q=https://urldefense.com/')).toEqual([]);
    expect(unwrapUrl('https://www.google.com/search?q=https%3A%2F%2Fevil.example')).toEqual([]);
  });
});

describe('nested wrapping', () => {
  const google = (t: string) => `https://www.google.com/url?q=${encodeURIComponent(t)}&sa=D&source=editors&ust=1714650000000000&usg=AOvVaw3kPqLmN`;
  // v2's documented encoding: percent-encode, then '%' → '-' and '/' → '_' ('-' and '_' themselves encoded first).
  const proofpointV2 = (t: string) => `https://urldefense.proofpoint.com/v2/url?u=${encodeURIComponent(t).replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%2F/g, '/').replace(/%/g, '-').replace(/\//g, '_')}&d=DwMFAg&c=euGZstcaTDll&r=aB1cD2eF3gH4&m=Zx9Yw8Vu&s=Kq3dlkE0T2s9&e=`;
  const safelinks = (t: string) => `https://eur02.safelinks.protection.outlook.com/?url=${encodeURIComponent(t)}${SAFELINKS_TAIL}`;
  const barracuda = (t: string) => `https://linkprotect.cudasvc.com/url?a=${encodeURIComponent(t).toLowerCase()}&c=E,1,6oCqZuEwNUy08Ruz3U1F57AA,,&typo=1`;
  const sophos = (t: string) => `https://us-west-2.protection.sophos.com/?d=cudasvc.com&u=${Buffer.from(t).toString('base64')}&p=m&i=NjI0NWJmMTk0YzU3&h=74ce429d578c45ff`;
  const cisco = (t: string) => `https://secure-web.cisco.com/1vbkhrbOYdyg8pdI2OZVAva3Rtys7VjtoozwIpPR_L-sx5j0w5e3xKgx/${encodeURIComponent(t)}`;

  test('Safe Links around Proofpoint v2 around a Google redirect: unwrapped level by level, each marked by its gateway', () => {
    const target = 'https://docusign-envelope-review.net/envelope/review?id=5f1c&lang=de_DE';
    const inner = google(target);
    const middle = proofpointV2(inner);
    expect(unwrapUrl(safelinks(middle))).toEqual([
      step('safelinks', middle, 'urldefense.proofpoint.com'),
      step('proofpoint_v2', inner, 'www.google.com'),
      step('google', target, 'docusign-envelope-review.net'),
    ]);
  });

  test('Cisco around Sophos around Barracuda (lower-case hex): three levels', () => {
    const target = 'https://secure.serkaserigrafi-login.com/';
    expect(unwrapUrl(cisco(sophos(barracuda(target)))).map((s) => [s.gateway, s.domain])).toEqual([
      ['cisco', 'us-west-2.protection.sophos.com'],
      ['sophos', 'linkprotect.cudasvc.com'],
      ['barracuda', 'secure.serkaserigrafi-login.com'],
    ]);
    expect(unwrapUrl(cisco(sophos(barracuda(target)))).at(-1)?.url).toBe(target);
  });

  test('Mimecast around anything ends the chain at the domain it names', () => {
    expect(unwrapUrl('https://url.us.m.mimecastprotect.com/s/Wx9lCoV1O9tXvVB5DIVizSpVM3h?domain=eur02.safelinks.protection.outlook.com'))
      .toEqual([step('mimecast', null, 'eur02.safelinks.protection.outlook.com')]);
  });

  test(`at most ${MAX_DEPTH} levels`, () => {
    let url = 'https://sf-express-notice.cn/track?no=SF1234567890';
    for (let i = 0; i < MAX_DEPTH + 4; i++) url = google(url);
    const steps = unwrapUrl(url);
    expect(steps).toHaveLength(MAX_DEPTH);
    expect(steps.every((s) => s.gateway === 'google' && s.domain === 'www.google.com')).toBe(true);
  });
});

describe('malformed input never throws and never invents a target', () => {
  test('bad percent-encoding is left as it was; the target is still read', () => {
    expect(unwrapUrl(`https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fm365-account-notice.com%2F%E0%A4%A%ZZ${SAFELINKS_TAIL}`))
      .toEqual([step('safelinks', 'https://m365-account-notice.com/%E0%A4%A%ZZ', 'm365-account-notice.com')]);
    // A bad byte amid good ones: only the bad one stays encoded.
    expect(unwrapUrl(`https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fm365-account-notice.com%2F%FF%C3%BC%2Fx${SAFELINKS_TAIL}`))
      .toEqual([step('safelinks', 'https://m365-account-notice.com/%FFü/x', 'm365-account-notice.com')]);
    expect(unwrapUrl('https://urldefense.proofpoint.com/v2/url?u=https-3A__paypa1-2Dresolution.com_-ZZ-E0-A4&d=DwMFAg&c=x'))
      .toEqual([step('proofpoint_v2', 'https://paypa1-resolution.com/%ZZ%E0%A4', 'paypa1-resolution.com')]);
  });

  test('a parameter that is no web URL gives nothing', () => {
    expect(unwrapUrl(`https://eur02.safelinks.protection.outlook.com/?url=javascript%3Aalert(1)${SAFELINKS_TAIL}`)).toEqual([]);
    expect(unwrapUrl(`https://eur02.safelinks.protection.outlook.com/?url=${SAFELINKS_TAIL}`)).toEqual([]);
    expect(unwrapUrl('https://eur02.safelinks.protection.outlook.com/?data=05%7C02')).toEqual([]);
    expect(unwrapUrl('https://linkprotect.cudasvc.com/url?a=https%3a%2f%2f&c=E,1,x')).toEqual([]);
  });

  test('bad base64 in Sophos u=: the d= domain instead (or nothing without one)', () => {
    for (const u of ['%%%%', 'aHR0c*Bz', 'A', '_w', '////'] as const) {
      expect({ u, steps: unwrapUrl(`https://eu-west-1.protection.sophos.com?d=aka.ms&u=${u}&p=m`) }).toEqual({ u, steps: [step('sophos', null, 'aka.ms')] });
    }
    expect(unwrapUrl('https://eu-west-1.protection.sophos.com?u=aHR0c*Bz&p=m')).toEqual([]);
  });

  test('a truncated or damaged Proofpoint v3 link still names its host when no replacement falls in it', () => {
    const whole = 'https://urldefense.com/v3/__https://login.m365-account-notice.com/owa/auth?next=*2Fmail*inbox__;JSM!!Q3xT9g!aB3dEf$';
    // Cut before the base64 part, before the closing __, or with too few replaced characters.
    expect(unwrapUrl(whole.slice(0, whole.indexOf('__;')))).toEqual([step('proofpoint_v3', null, 'login.m365-account-notice.com')]);
    expect(unwrapUrl(whole.slice(0, 70))).toEqual([step('proofpoint_v3', null, 'login.m365-account-notice.com')]);
    expect(unwrapUrl(whole.replace(';JSM!', ';JQ!'))).toEqual([step('proofpoint_v3', null, 'login.m365-account-notice.com')]);
    expect(unwrapUrl(whole.replace(';JSM!', ';J!'))).toEqual([step('proofpoint_v3', null, 'login.m365-account-notice.com')]);
    // An unknown run letter or a replacement inside the host: nothing certain.
    expect(unwrapUrl('https://urldefense.com/v3/__https://evil.example/a**~b__;JSMl!!x$')).toEqual([step('proofpoint_v3', null, 'evil.example')]);
    expect(unwrapUrl('https://urldefense.com/v3/__https://ev*l.example/__;!!x$')).toEqual([]);
    expect(unwrapUrl('https://urldefense.com/v3/__')).toEqual([]);
  });

  test('non-URL strings and non-strings give nothing', () => {
    for (const value of ['', '   ', 'Open document', 'mailto:security@paypa1-resolution.com', 'javascript:alert(1)', 'urldefense.com/v3/__https://x.example__;!!', 'https://', 'http://[::1', null, undefined, 42, {}, ['https://x.example']]) {
      expect(unwrapUrl(value)).toEqual([]);
    }
  });

  test(`strings longer than ${MAX_LENGTH} characters are not parsed (quickly)`, () => {
    const huge = `https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2F${'%41'.repeat(MAX_LENGTH)}`;
    expect(unwrapUrl(huge)).toEqual([]);
    // Just under the limit is still read.
    const long = `https://eur02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2F${'A'.repeat(MAX_LENGTH - 200)}`;
    expect(unwrapUrl(long).map((s) => s.domain)).toEqual(['evil.example']);
  });

  test('every prefix of every example (a link cut anywhere) gives steps of the right shape, never an exception', () => {
    const examples = [
      `https://eur02.safelinks.protection.outlook.com/?url=${encodeURIComponent(TRICKY)}${SAFELINKS_TAIL}`,
      'https://urldefense.com/v3/__https://dhl-paket-zustellung.de/sendung/Gr**Ae?id=7*details__;w7bDnyM!!Q3xT9g!Zz0-Yy1_Xx2$',
      'https://urldefense.proofpoint.com/v2/url?u=https-3A__outlook-2Dverify-2Dmailbox.info_owa_-3Flogin-3Danna&d=DwMFAg&c=e',
      'https://urldefense.proofpoint.com/v1/url?u=http%3A//docusign-envelope-review.net/review%3Fenv%3D8842%26amp%3Bsig%3D1&k=o',
      'https://eu-central-1.protection.sophos.com?d=paypa1-resolution.com&u=aHR0cHM6Ly9wYXlwYTEtcmVzb2x1dGlvbi5jb20va29udG8vdmVyaWZ5P2Nhc2U9UFAtNDQ3MSZsYW5nPWRl&p=m',
      'https://secure-web.cisco.com/1S1h_Cy8Q_Oh/https%3A%2F%2Fchronopost-suivi-colis.fr%2Fsuivi%3Fcolis%3DXY1234FR',
      'https://url.uk.m.mimecastprotect.com/s/Vh4RCgNx7ZsL1pQ9WfKtE?domain=dhl-paket-zustellung.de',
    ];
    for (const example of examples) {
      for (let end = 0; end <= example.length; end++) {
        const steps = unwrapUrl(example.slice(0, end));
        for (const s of steps) {
          expect(typeof s.domain === 'string' && s.domain.length > 0 && s.domain === s.domain.toLowerCase()).toBe(true);
          if (s.url !== null) expect(new URL(s.url).hostname).toBe(s.domain);
        }
      }
      // The whole link is read.
      expect(unwrapUrl(example).length).toBeGreaterThan(0);
    }
  });
});
