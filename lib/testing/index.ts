/** Test helpers: a Nango stand-in server, and NangoTestingModule wiring NangoModule to it. */
export * from './stand-in/nango-stand-in.js';
export type {
  // start() and seeding
  NangoStandInOptions,
  StandInConnectionSeed,
  StandInCredentials,
  StandInRecordsSeed,
  StandInRecordSeed,
  StandInAction,
  StandInProviderSeed,
  StandInFunctionSeed,
  // script() and requests
  StandInRule,
  StandInResponse,
  RecordedRequest,
  // the third-party API behind the proxy
  StandInUpstream,
  StandInUpstreamRequest,
} from './stand-in/stand-in.interfaces.js';
// sync runs and their webhooks
export type {
  StandInSyncOptions,
  StandInSyncRun,
  StandInWebhookTarget,
} from './stand-in/stand-in.sync.js';
export type { StandInSyncResults, StandInRecordMetadata } from './stand-in/stand-in.records.js';
export type { StandInWebhookDelivery } from './stand-in/stand-in.webhook-sender.js';
export * from './nango-testing.module.js';
export * from './stand-in-answers.js';
/**
 * The token of the options `NangoModule.forRoot()` / `forRootAsync()` produces: override it in a
 * test (`.overrideProvider(NANGO_MODULE_OPTIONS).useValue({ secretKey, host })`) to point an app's
 * own module at a stand-in without running its options factory.
 */
export { NANGO_MODULE_OPTIONS } from '../nango.module-definition.js';
