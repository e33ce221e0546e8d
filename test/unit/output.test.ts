import { PassThrough } from 'node:stream';
import { MessageWriter } from '../../src/airbyte/output.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

describe('MessageWriter', () => {
  test('masks registered secrets in every line, including their JSON-escaped form', async () => {
    const sink = capture();
    const out = new MessageWriter(sink.stream);
    out.secrets.add('eyJhbGciOi.secret"token\\x');
    out.secrets.add('abc'); // too short to be a secret: masking it would corrupt ordinary data
    await out.info('token is eyJhbGciOi.secret"token\\x and abc');
    await out.error('failed with eyJhbGciOi.secret"token\\x', 'system_error', { stack: 'at eyJhbGciOi.secret"token\\x' });
    expect(sink.text()).not.toContain('eyJhbGciOi');
    expect(sink.text()).toContain('**********');
    expect(sink.text()).toContain('and abc');
    for (const line of sink.text().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  test('waits for drain when the consumer is slow instead of buffering without bound', async () => {
    const slow = new PassThrough({ highWaterMark: 1024 });
    const out = new MessageWriter(slow);
    let settled = false;
    const pending = out.record('s', { body: 'x'.repeat(4096) }).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    slow.resume();
    await pending;
    expect(settled).toBe(true);
  });

  test('an estimate with a non-finite number is not sent (JSON null would fail the platform); others are whole and within a Java long', async () => {
    const sink = capture();
    const out = new MessageWriter(sink.stream);
    const s = { name: 's' };
    expect(await out.estimate(s, NaN, 10)).toBe(false);
    expect(await out.estimate(s, 10, Infinity)).toBe(false);
    expect(await out.estimate(s, -Infinity, -Infinity)).toBe(false);
    expect(await out.estimate(s, 2.6, 1e300)).toBe(true);
    const lines = sink.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].trace.estimate).toEqual({ name: 's', type: 'STREAM', row_estimate: 3, byte_estimate: Number.MAX_SAFE_INTEGER });
    expect(sink.text()).not.toContain('null');
  });

  test('a CONTROL message carries the whole config with its secrets masked as the platform restores them', async () => {
    const sink = capture();
    const out = new MessageWriter(sink.stream);
    out.secrets.add('the-api-key-1234');
    await out.control({ host: 'h', api_key: 'the-api-key-1234', start_date: '2025-01-01T00:00:00Z' });
    const m = JSON.parse(sink.text());
    expect(m).toMatchObject({ type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', connectorConfig: { config: { host: 'h', api_key: '**********', start_date: '2025-01-01T00:00:00Z' } } } });
    expect(typeof m.control.emitted_at).toBe('number');
  });

  test('an ERROR trace can be given its emitted_at, and returns the one it used', async () => {
    const sink = capture();
    const out = new MessageWriter(sink.stream);
    expect(await out.error('x', 'transient_error', { emittedAt: 1234 })).toBe(1234);
    const at = await out.error('y', 'config_error');
    const lines = sink.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.trace.emitted_at)).toEqual([1234, at]);
  });
});
