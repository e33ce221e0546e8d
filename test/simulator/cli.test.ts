/** The simulator CLI, run as a real process from the compiled build (tsconfig.tools.json). */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, expect, test } from '@jest/globals';

const ROOT = process.cwd();
const CLI = join(ROOT, 'build/simulator/cli.js');
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  const started = Date.now();
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.tools.json'], { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, output: `${stdout}${stderr}` }));
  });
  // tsc still emits when unrelated files (bench/, scripts/) have type errors; the simulator's own
  // type-check is `tsc -p tsconfig.json`. What matters here is a fresh build of the CLI.
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < started - 1000) {
    throw new Error(`build of ${CLI} failed (tsc exit ${result.code}):\n${result.output}`);
  }
}, 60_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  children.push(child);
  return child;
}

function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    lines.once('line', (line) => resolve(line));
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing: ${stderr}`)));
  });
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (child.exitCode !== null) resolve({ code: child.exitCode, stderr });
    else child.once('exit', (code) => resolve({ code, stderr }));
  });
}

test('prints one JSON line, serves the API, and exits cleanly on SIGTERM', async () => {
  const child = run(['--port', '0', '--seed', '7', '--incidents', '50', '--load-example', '--rate-limit', '4', '--window-ms', '60000']);
  const info = JSON.parse(await firstLine(child));
  expect(Object.keys(info)).toEqual(['url', 'api_key', 'company_id']);
  expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(info.api_key).toBe('sim-key-7');
  expect(info.company_id).toBe(12345);

  const tokenRes = await fetch(`${info.url}/appapi/get-token/`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: info.api_key, scopes: ['company.all'] }),
  });
  expect(tokenRes.status).toBe(200);
  const { jwt } = (await tokenRes.json()) as { jwt: string };
  const list = await fetch(`${info.url}/appapi/incident/12345/list/`, { headers: { Authorization: `Bearer ${jwt}` } });
  expect(list.status).toBe(200);
  expect(((await list.json()) as { total_count: number }).total_count).toBe(51);
  const example = await fetch(`${info.url}/appapi/incident/12345/details/123456`, { headers: { Authorization: `JWT ${jwt}` } });
  expect(example.status).toBe(200);
  // --rate-limit 4: token + 2 calls + this one = 4 accepted, the next is throttled
  expect((await fetch(`${info.url}/appapi/incident/12345/open/`, { headers: { Authorization: `Bearer ${jwt}` } })).status).toBe(200);
  const throttled = await fetch(`${info.url}/appapi/incident/12345/open/`, { headers: { Authorization: `Bearer ${jwt}` } });
  expect(throttled.status).toBe(429);
  expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(50);

  const exited = exitOf(child);
  child.kill('SIGTERM');
  expect((await exited).code).toBe(0);
});

test('the same seed gives the same data across processes', async () => {
  const args = ['--port', '0', '--seed', '5', '--incidents', '20', '--rate-limit', '0', '--from', '2025-01-01T00:00:00Z', '--to', '2025-02-01T00:00:00Z'];
  const fetchAll = async (): Promise<unknown> => {
    const child = run(args);
    const info = JSON.parse(await firstLine(child));
    const tokenRes = await fetch(`${info.url}/appapi/get-token/`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: info.api_key, scopes: ['company.all'] }),
    });
    const { jwt } = (await tokenRes.json()) as { jwt: string };
    const list = await (await fetch(`${info.url}/appapi/incident/12345/list/`, { headers: { Authorization: `Bearer ${jwt}` } })).json();
    const exited = exitOf(child);
    child.kill('SIGINT');
    expect((await exited).code).toBe(0);
    return list;
  };
  const [a, b] = [await fetchAll(), await fetchAll()];
  expect(b).toEqual(a);
});

test('--clock-offset-ms, --unstable-ties, --mailboxes and --mitigations-per-page reach the simulator', async () => {
  const child = run(['--port', '0', '--rate-limit', '0', '--incidents', '200', '--from', '2025-01-01T00:00:00Z', '--to', '2025-01-02T00:00:00Z',
    '--clock-offset-ms=-45000', '--unstable-ties', '--mailboxes', '3', '--mitigations-per-page', '1']);
  const info = JSON.parse(await firstLine(child));
  const tokenRes = await fetch(`${info.url}/appapi/get-token/`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: info.api_key, scopes: ['company.all'] }),
  });
  expect(Math.abs(Date.parse(tokenRes.headers.get('date') as string) - (Date.now() - 45_000))).toBeLessThan(2500);
  const { jwt } = (await tokenRes.json()) as { jwt: string };
  const auth = { Authorization: `Bearer ${jwt}` };
  const boxes = (await (await fetch(`${info.url}/appapi/mailboxes/12345/list/`, { headers: auth })).json()) as { total_count: number };
  expect(boxes.total_count).toBe(3);
  // Generated data always holds a few incidents sharing one instant: their order changes between reads.
  const orders = new Set<string>();
  let ids: number[] = [];
  for (let i = 0; i < 8; i++) {
    const list = await fetch(`${info.url}/appapi/incident/12345/list/?sort=created&order=asc&items_per_page=200`, { headers: auth });
    ids = ((await list.json()) as { incidents: { incidentID: number }[] }).incidents.map((x) => x.incidentID);
    orders.add(ids.join());
  }
  expect(orders.size).toBeGreaterThan(1);
  const body = JSON.stringify({ incidents: ids.slice(0, 3), page: 1 });
  const res = await fetch(`${info.url}/appapi/mitigation/12345/details/`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body });
  const page = (await res.json()) as { total_pages: number; mitigations: unknown[] };
  expect(page.mitigations).toHaveLength(1);
  expect(page.total_pages).toBeGreaterThanOrEqual(3);
  const exited = exitOf(child);
  child.kill('SIGTERM');
  expect((await exited).code).toBe(0);
});

test.each([
  [['--clock-offset-ms', '1.5']],
  [['--mailboxes', '-1']],
  [['--bogus']],
  [['--port', 'abc']],
  [['--incidents', '-3']],
  [['--from', 'not-a-date']],
])('bad flags %j → message on stderr, exit code 2', async (args) => {
  const child = run(args);
  const { code, stderr } = await exitOf(child);
  expect(code).toBe(2);
  expect(stderr).toMatch(/ironscales-simulator: /);
});
