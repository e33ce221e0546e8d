/**
 * `ironscales_mailboxes`: the protected mailboxes of the company (name, department, risk and
 * awareness levels, protection status), from `GET /mailboxes/{cid}/list/`. A snapshot: full
 * refresh only, primary key `id`, one call per 100 mailboxes.
 */
import type { ReadSession } from '../airbyte/stream.js';
import { singleStream } from '../airbyte/stream.js';
import type { IronscalesClient } from '../ironscales/client.js';
import { nullable, recordSchema } from './json-schema.js';

const PAGE_SIZE = 100;

const STREAM = 'ironscales_mailboxes';

export function mailboxes(client: (session: ReadSession) => IronscalesClient) {
  return singleStream({
    definition: {
      name: STREAM,
      jsonSchema: recordSchema(['id'], {
        id: { type: 'integer' },
        firstName: nullable('string'),
        lastName: nullable('string'),
        title: nullable('string'),
        department: nullable('string'),
        email: nullable('string'),
        phoneNumber: nullable('string'),
        tags: { type: ['array', 'null'], items: { type: 'string' } },
        language: nullable('string'),
        enabled: nullable('boolean'),
        riskLevel: nullable('string'),
        awarenessLevel: nullable('string'),
        protected: nullable('boolean'),
        unprotectedReason: nullable('string'),
      }),
      primaryKey: [['id']],
      resumable: false,
      typicalRecordBytes: 400,
    },
    // A snapshot keeps no position: whatever the platform hands back is not needed.
    parseState: () => undefined,
    async *read(_request, session) {
      const api = client(session);
      for (let page = 1; ; page++) {
        const answer = await api.listMailboxes(page, PAGE_SIZE);
        if (page === 1) yield { type: 'estimate', stream: STREAM, rows: answer?.total_count ?? 0 };
        for (const data of answer?.mailboxes ?? []) yield { type: 'record', stream: STREAM, data };
        // A closing STATE, so the platform's record count for the stream is reconciled like the others'.
        if (!answer || page >= answer.total_pages) {
          yield { type: 'checkpoint', stream: STREAM, state: {} };
          return;
        }
      }
    },
  });
}
