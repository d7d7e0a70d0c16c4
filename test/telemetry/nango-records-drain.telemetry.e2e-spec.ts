import 'reflect-metadata';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NangoModule, NangoRecordsService, OnNangoRecords } from '../../lib/index.js';
import type { NangoStandIn } from '../../lib/testing/index.js';
import { standInWithIssues } from '../fixtures/issues-stand-in.js';
import { installOpenTelemetry, type OpenTelemetryHarness } from '../fixtures/open-telemetry.js';

/**
 * The records drains traced with the real SDK: a `nango records drain` span per drain, its
 * pages as `nango listRecords` child spans, `nango.records.delivered`, and no connection id or
 * secret anywhere in what is exported.
 */

@Injectable()
class Issues {
  pages = 0;
  @OnNangoRecords({ model: 'Issue' })
  take(): void {
    this.pages++;
  }
}

describe('records drain telemetry, through the module', () => {
  let otel: OpenTelemetryHarness;
  let standIn: NangoStandIn;
  let app: INestApplication;

  beforeAll(async () => {
    otel = installOpenTelemetry();
    standIn = await standInWithIssues(
      'alice@example.com',
      Array.from({ length: 25 }, (_, i) => ({ id: `i-${i}` })),
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: standIn.secretKey,
          host: standIn.url,
          records: { pageSize: 10, reconcileEvery: 86_400_000 },
        }),
      ],
      providers: [Issues],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await standIn?.close();
    await otel?.uninstall();
  });

  it('one drain span with its report, a listRecords span per page under it, records counted', async () => {
    await app
      .get(NangoRecordsService)
      .drain({ providerConfigKey: 'github', connectionId: 'alice@example.com', model: 'Issue' });
    expect(app.get(Issues).pages).toBe(3);
    const [drain] = otel.named('nango records drain');
    expect(drain).toMatchObject({
      attributes: {
        'nango.provider_config_key': 'github',
        'nango.records.model': 'Issue',
        'nango.records.pages': 3,
        'nango.records.count': 25,
        'nango.records.cursor_advanced': true,
        'nango.records.retries': 0,
      },
    });
    const lists = otel.named('nango listRecords');
    expect(lists).toHaveLength(3);
    for (const list of lists) expect(list.parentSpanId).toBe(drain?.spanId);
    const where = { 'nango.provider_config_key': 'github', 'nango.records.model': 'Issue' };
    expect(await otel.total('nango.records.delivered', where)).toBe(25);
    await otel.expectNoSecrets([
      standIn.secretKey,
      'alice@example.com',
      encodeURIComponent('alice@example.com'),
    ]);
  });
});
