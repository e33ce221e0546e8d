/**
 * IOC rows name the real target behind URL-rewriting gateways, end to end: the built connector reads
 * `ironscales_incident_iocs` from the simulator over real HTTP, and every incident's link rows are
 * compared with what the simulator itself wrapped (its per-link plan: the gateways and what each
 * layer hides), not with anything the connector's unwrapper computes.
 */
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { planLink, WRAP_GATEWAYS, type LinkPlan } from '../../simulator/wrapped-links.js';
import { catalogFor, configFor, errorTraces, type RunResult } from '../helpers/connector.js';
import { runChecked } from '../helpers/acceptance-protocol.js';

const IOCS = 'ironscales_incident_iocs';
const SEED = 31;
const LINK_TYPES = new Set(['url', 'url_domain', 'link_text_domain']);

type Row = { incident_id: number; ioc_type: string; value: string; source: string; gateway: string | null };
type Link = { url: string; name: string };

let sim: Simulator;
let read: RunResult;

beforeAll(async () => {
  sim = await startSimulator({ seed: SEED, incidents: 160, rateLimit: null, goneRatio: 0, extraFieldRatio: 0, from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' });
  read = await runChecked('read', { config: configFor(sim), catalog: catalogFor('incremental', [IOCS]) });
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

const withoutWww = (host: string) => host.replace(/^www\./, '');

/** The link rows an incident must have, from the simulator's plans: key `type|value` → its gateway mark and the sources it may come from. */
function expectedLinkRows(id: number, links: Link[]): Map<string, { gateway: string | null; sources: Set<string> }> {
  const expected = new Map<string, { gateway: string | null; sources: Set<string> }>();
  const put = (type: string, value: string, source: string, gateway: string | null) => {
    const key = `${type}|${value}`;
    const known = expected.get(key);
    // As served wins over unwrapped; otherwise the first link that reveals it.
    if (known === undefined || (known.gateway !== null && gateway === null)) expected.set(key, { gateway, sources: new Set([source]) });
    else if (known.gateway === gateway) known.sources.add(source);
  };
  links.forEach((link, i) => {
    const plan = planLink(SEED, id, i);
    const served = new URL(link.url).hostname;
    put('url', link.url, `links[${i}].url`, null);
    put('url_domain', served, `links[${i}].url`, null);
    for (const r of plan.revealed) {
      if (r.url !== null) put('url', r.url, `links[${i}].url`, r.gateway);
      put('url_domain', r.domain, `links[${i}].url`, r.gateway);
    }
    const final = plan.revealed.at(-1)?.domain ?? served;
    if (plan.nameDomain !== null && withoutWww(plan.nameDomain) !== withoutWww(final)) put('link_text_domain', plan.nameDomain, `links[${i}].name`, null);
  });
  return expected;
}

test('every wrapped link gives its real target (URL where the gateway carries it, domain always) marked by the gateway; every mismatching link text its domain', () => {
  expect(read.code).toBe(0);
  expect(errorTraces(read)).toHaveLength(0);
  const rows = read.records.filter((r) => r.record.stream === IOCS).map((r) => r.record.data as Row);
  const plans: { id: number; plan: LinkPlan }[] = [];
  let wrappedIncidents = 0;
  for (const id of sim.incidentIds()) {
    const links = (sim.details(id)?.links ?? []) as Link[];
    links.forEach((_, i) => plans.push({ id, plan: planLink(SEED, id, i) }));
    if (links.some((_, i) => planLink(SEED, id, i).gateways.length > 0)) wrappedIncidents++;
    const expected = expectedLinkRows(id, links);
    const mine = rows.filter((r) => r.incident_id === id && LINK_TYPES.has(r.ioc_type));
    // Exactly the expected link rows: none missing, none invented, each with the right mark and a source that reveals it.
    expect({ id, keys: mine.map((r) => `${r.ioc_type}|${r.value}`).sort() }).toEqual({ id, keys: [...expected.keys()].sort() });
    for (const r of mine) {
      const want = expected.get(`${r.ioc_type}|${r.value}`)!;
      expect({ id, value: r.value, gateway: r.gateway, sourceOk: want.sources.has(r.source) }).toEqual({ id, value: r.value, gateway: want.gateway, sourceOk: true });
    }
  }
  // The data set really exercises it: most incidents have wrapped links, every gateway and nesting appear.
  expect(wrappedIncidents).toBeGreaterThan(80);
  const marks = new Set(rows.map((r) => r.gateway).filter((g) => g !== null));
  expect([...marks].sort()).toEqual([...WRAP_GATEWAYS].sort());
  expect(plans.some((p) => p.plan.gateways.length === 3 && p.plan.revealed.length === 3)).toBe(true);
  expect(rows.some((r) => r.ioc_type === 'link_text_domain')).toBe(true);
  // A Mimecast link without domain= hides its target entirely: no unwrapped row for it, its rows as served stay.
  expect(plans.some((p) => p.plan.gateways[0] === 'mimecast' && p.plan.revealed.length === 0)).toBe(true);
});
