import 'reflect-metadata';
import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import {
  BullmqDrainQueue,
  KeyvCursorStore,
  NangoModule,
  NangoRecordsService,
  NangoService,
  OnNangoRecords,
  nangoRecordsStreamKey,
  type NangoRecordsBatch,
} from '../../lib/index.js';
import { NangoStandIn } from '../../lib/testing/index.js';
import { adapterFor, listenLocally, type AdapterName } from '../fixtures/http.js';
import { eventually } from '../fixtures/eventually.js';
import { startRedis, type RedisServer } from '../fixtures/redis-server.js';

/**
 * Two replicas of one app in this process, through the module: `records: { queue:
 * BullmqDrainQueue, cursorStore: KeyvCursorStore }` on one real Redis, webhooks spread over
 * both. Each page reaches the fleet's handlers once, in Nango's order, and the cursors (kept
 * in Redis through Keyv) end at the end of every stream. (Processes killed mid-page:
 * bullmq-replicas.e2e-spec.ts.)
 */

const DELIVERIES = Symbol('DELIVERIES');

interface Delivery {
  replica: string;
  key: string;
  ids: string[];
}

@Injectable()
class FleetRecords {
  constructor(@Inject(DELIVERIES) private readonly log: { replica: string; all: Delivery[] }) {}

  @OnNangoRecords({ model: 'Issue' })
  take(batch: NangoRecordsBatch<{ id: string }>): void {
    this.log.all.push({
      replica: this.log.replica,
      key: nangoRecordsStreamKey(batch),
      ids: batch.records.map((r) => r.id),
    });
  }
}

const LONG = 120_000;
const CONNECTIONS = Array.from({ length: 6 }, (_, i) => `fleet-${i}`);

describe.each(['express', 'fastify'] as AdapterName[])(
  'records on two replicas (%s, BullMQ)',
  (platform) => {
    let redis: RedisServer;
    let standIn: NangoStandIn;
    const apps: INestApplication[] = [];
    const urls: string[] = [];
    const adapters: KeyvRedis<string>[] = [];
    const all: Delivery[] = [];

    beforeAll(async () => {
      redis = await startRedis();
      standIn = await NangoStandIn.start({
        connections: CONNECTIONS.map((connectionId) => ({
          providerConfigKey: 'github',
          connectionId,
          credentials: { type: 'API_KEY' as const, apiKey: 'k' },
        })),
      });
      for (const replica of ['a', 'b']) {
        const adapter = new KeyvRedis<string>(redis.url);
        adapters.push(adapter);
        const moduleRef = await Test.createTestingModule({
          imports: [
            NangoModule.forRoot({
              secretKey: standIn.secretKey,
              host: standIn.url,
              webhooks: { path: 'nango/webhooks' },
              records: {
                queue: new BullmqDrainQueue({
                  connection: { host: '127.0.0.1', port: redis.port },
                  prefix: `fleet-${platform}`,
                }),
                cursorStore: new KeyvCursorStore(
                  new Keyv<string>({ store: adapter, namespace: `cursors-${platform}` }),
                ),
                pageSize: 25,
              },
            }),
          ],
          providers: [FleetRecords, { provide: DELIVERIES, useValue: { replica, all } }],
        }).compile();
        const app = moduleRef.createNestApplication(adapterFor(platform), {
          rawBody: true,
          logger: false,
        });
        await app.init();
        apps.push(app);
        urls.push(`${await listenLocally(app)}/nango/webhooks`);
      }
    }, LONG);

    afterAll(async () => {
      for (const app of apps) await app.close();
      for (const adapter of adapters) await adapter.disconnect();
      await standIn?.close();
      await redis?.stop();
    }, LONG);

    it(
      'every page once across the fleet, in order per stream; every cursor at the end of its stream',
      async () => {
        const runs = [];
        for (const [i, connectionId] of CONNECTIONS.entries()) {
          const added = Array.from({ length: 110 }, (_, n) => ({ id: `${connectionId}-${n}` }));
          runs.push(
            await standIn.sync({
              providerConfigKey: 'github',
              connectionId,
              model: 'Issue',
              added,
              webhookUrl: urls[i % 2] as string,
            }),
          );
        }
        // Nango's retries, to the other replica.
        for (const [i, run] of runs.entries()) await standIn.resendWebhook(run, urls[(i + 1) % 2]);
        const records = apps.map((app) => app.get(NangoRecordsService));
        const nango = apps[0]?.get(NangoService) as NangoService;
        await eventually(
          async () => {
            for (const connectionId of CONNECTIONS) {
              const stream = { providerConfigKey: 'github', connectionId, model: 'Issue' };
              const ids = all
                .filter((d) => d.key === nangoRecordsStreamKey({ ...stream, variant: 'base' }))
                .flatMap((d) => d.ids);
              if (ids.length < 110) return false;
            }
            return true;
          },
          'every stream delivered',
          LONG,
        );
        await Promise.all(records.map((r) => r.idle()));
        for (const connectionId of CONNECTIONS) {
          const stream = { providerConfigKey: 'github', connectionId, model: 'Issue' };
          const key = nangoRecordsStreamKey({ ...stream, variant: 'base' });
          const delivered = all.filter((d) => d.key === key).flatMap((d) => d.ids);
          const order: string[] = [];
          for await (const r of nango.iterateRecords<{ id: string }>({ ...stream, limit: 25 }))
            order.push(r.id);
          expect(delivered).toEqual(order);
          const last = (await nango.listRecords({ ...stream, limit: 110 })).records.at(-1);
          for (const service of records) {
            expect(await service.cursorOf(stream)).toBe(last?._nango_metadata.cursor);
          }
        }
      },
      LONG,
    );
  },
);
