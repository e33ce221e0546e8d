import { AirbyteTracedError } from '../../src/airbyte/errors.js';
import { parseInputState } from '../../src/airbyte/state.js';

const STREAMS = ['incidents', 'mailboxes'];
const cursor = { first_reported_date: '2026-01-01T00:00:00.000000Z' };

function refused(raw: unknown): AirbyteTracedError {
  try {
    parseInputState(raw, STREAMS);
  } catch (err) {
    expect(err).toBeInstanceOf(AirbyteTracedError);
    expect((err as AirbyteTracedError).failureType).toBe('config_error');
    return err as AirbyteTracedError;
  }
  throw new Error('the state was accepted');
}

describe('parseInputState reads every shape the platform hands back (StateMessageHelper, AttemptHandler)', () => {
  test.each([
    ['nothing', undefined, []],
    ['null', null, []],
    ['an empty object', {}, []],
    ['an empty list', [], []],
    ['STREAM messages', [{ type: 'STREAM', stream: { stream_descriptor: { name: 'incidents' }, stream_state: cursor } }], [['incidents', cursor]]],
    ['a reset stream (stream_state null)', [{ type: 'STREAM', stream: { stream_descriptor: { name: 'incidents' }, stream_state: null } }], [['incidents', null]]],
    [
      'a GLOBAL message',
      [{ type: 'GLOBAL', global: { shared_state: {}, stream_states: [{ stream_descriptor: { name: 'incidents' }, stream_state: cursor }] } }],
      [['incidents', cursor]],
    ],
    ['a LEGACY object (raw data)', { incidents: cursor, other_connector_stream: { x: 1 } }, [['incidents', cursor]]],
    ['a typed LEGACY entry', [{ type: 'LEGACY', data: { incidents: cursor } }], [['incidents', cursor]]],
    ['an untyped entry holding only data', [{ data: { incidents: cursor } }], [['incidents', cursor]]],
  ])('%s', (_name, raw, expected) => {
    expect([...parseInputState(raw, STREAMS).entries()]).toEqual(expected);
  });
});

describe('parseInputState refuses what carries no usable state, saying what it found and how to reset', () => {
  test.each([
    ['a number', 42, 'number 42'],
    ['a LEGACY object naming no stream', { cursor: '2026-01-01T00:00:00Z' }, '"cursor"'],
    ['an unknown message type', [{ type: 'PER_STREAM' }], '"PER_STREAM"'],
    ['a STREAM without a name', [{ type: 'STREAM', stream: { stream_state: cursor } }], 'stream_descriptor.name'],
    ['a GLOBAL without stream_states', [{ type: 'GLOBAL', global: { shared_state: cursor } }], 'global.stream_states'],
    ['a GLOBAL for other streams only', [{ type: 'GLOBAL', global: { stream_states: [{ stream_descriptor: { name: 'x' }, stream_state: cursor }] } }], '"x"'],
    ['a stream_state that is a list', [{ type: 'STREAM', stream: { stream_descriptor: { name: 'incidents' }, stream_state: [] } }], 'an array'],
  ])('%s', (_name, raw, found) => {
    const err = refused(raw);
    expect(err.message).toContain(found);
    expect(err.message).toMatch(/Clear data|Reset/);
  });
});
