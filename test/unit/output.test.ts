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
});
