// The Nango side of the records benchmark's webhook measurement, in a worker thread of its own:
// posts signed `sync` webhooks of the streams to the app's route one after the other, 10 ms
// apart, until told to stop, and answers with each answer's time in ms. In a thread of its own
// (as Nango is a process of its own), so the app's busy event loop delays only the app's
// answers, not the clock that times them.
import { parentPort, workerData } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  postWebhook,
  sortedJson,
  webhookHeaders,
} from '../lib/testing/stand-in/stand-in.webhook-sender.js';

/** What the drain process hands the poster. */
export interface WebhookPosterData {
  url: string;
  connectionIds: string[];
  providerConfigKey: string;
  model: string;
  signingKey: string;
}

const { url, connectionIds, providerConfigKey, model, signingKey } =
  workerData as WebhookPosterData;
let stopped = false;
parentPort?.once('message', () => (stopped = true));

/** A signed `sync` webhook of one stream, as Nango posts it at the end of a run. */
function syncWebhook(connectionId: string): { body: string; headers: Record<string, string> } {
  const now = new Date().toISOString();
  const body = sortedJson({
    from: 'nango',
    type: 'sync',
    providerConfigKey,
    connectionId,
    syncName: 'bench',
    model,
    syncType: 'INCREMENTAL',
    success: true,
    responseResults: { added: 1, updated: 0, deleted: 0 },
    modifiedAfter: now,
    queryTimeStamp: now,
  });
  return { body, headers: webhookHeaders(body, signingKey) };
}

const answers: number[] = [];
for (let i = 0; !stopped; i++) {
  const { body, headers } = syncWebhook(connectionIds[i % connectionIds.length] ?? '');
  const started = performance.now();
  const status = await postWebhook(url, body, headers);
  answers.push(performance.now() - started);
  if (status !== 200) throw new Error(`the webhook route answered ${status}`);
  await sleep(10);
}
parentPort?.postMessage(answers);
