#!/usr/bin/env node
/** Entry point: `node dist/main.js spec | check | discover | read ...` (the Docker ENTRYPOINT). */
import { main } from './airbyte/runner.js';
import { IronscalesSource } from './source.js';

await main(new IronscalesSource());
