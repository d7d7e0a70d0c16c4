// The public surface of `nestjs-nango`: what an application writes in its own code. Internals
// (option tokens, limits, metadata keys) stay in their files; test/public-surface.spec.ts lists
// every name, so a change here is a visible diff.

// The module and its options
export { NangoModule } from './nango.module.js';
export type {
  NangoModuleForRootOptions,
  NangoModuleAsyncOptions,
} from './nango.module-definition.js';
export type {
  NangoModuleOptions,
  NangoOptionsFactory,
  NangoCacheOptions,
  NangoRetryOptions,
  NangoCallOptions,
  ResolvedNangoOptions,
  ResolvedNangoCacheOptions,
} from './interfaces/nango-module-options.interface.js';
export type {
  NangoCredentialStore,
  NangoCacheManagerStore,
  NangoCachedConnection,
  NangoCachedValue,
} from './cache/nango-credential-store.interface.js';
export {
  InMemoryCredentialStore,
  type InMemoryCredentialStoreOptions,
} from './cache/in-memory-credential-store.js';

// The service, named instances, and what its methods take and return
export { NangoService } from './nango.service.js';
export { InjectNango } from './decorators/inject-nango.decorator.js';
export { getNangoServiceToken } from './nango.tokens.js';
export { NangoInstanceRegistry, type NangoInstance } from './nango-instance.registry.js';
export { toStreamableFile, type NangoStreamableFileOptions } from './utils/streamable-file.js';
export type * from './interfaces/nango-credentials.interface.js';
export type * from './interfaces/nango-connection.interface.js';
export type * from './interfaces/nango-proxy.interface.js';
export type * from './interfaces/nango-integration.interface.js';
export type * from './interfaces/nango-integration-input.interface.js';
export type * from './interfaces/nango-connect-session.interface.js';
export type * from './interfaces/nango-records.interface.js';
export type * from './interfaces/nango-sync.interface.js';
export type * from './interfaces/nango-provider.interface.js';
export type * from './interfaces/nango-function.interface.js';
export type * from './interfaces/nango-environment.interface.js';

// Credentials in controller handlers
export { UseNangoConnection } from './decorators/use-nango-connection.decorator.js';
export { InjectNangoToken } from './decorators/inject-nango-token.decorator.js';
export { InjectNangoConnection } from './decorators/inject-nango-connection.decorator.js';
export { NangoTokenInterceptor } from './interceptors/nango-token.interceptor.js';
export type { NangoConnectionTarget } from './interceptors/nango-connection-target.js';
export type * from './interfaces/nango-connection-resolver.interface.js';

// Errors, and their HTTP and GraphQL answers
export { NangoError } from './errors/nango.error.js';
export * from './errors/nango-request.errors.js';
export * from './errors/nango-misuse.errors.js';
export { NangoExceptionFilter } from './filters/nango-exception.filter.js';
export {
  NangoHttpException,
  toNangoHttpException,
  type NangoHttpExceptionBody,
  type NangoHttpExceptionOptions,
} from './errors/nango-http.exception.js';
export {
  NangoGraphqlError,
  type NangoGraphqlErrorExtensions,
} from './errors/nango-graphql.error.js';

// Webhooks
export { NangoWebhook } from './webhooks/nango-webhook.decorator.js';
export { NangoWebhookPayload } from './webhooks/nango-webhook-payload.decorator.js';
export {
  OnNangoWebhook,
  type OnNangoWebhookFilter,
} from './webhooks/on-nango-webhook.decorator.js';
export type { NangoWebhooksOptions } from './webhooks/nango-webhook.route.js';
export {
  verifyNangoWebhookSignature,
  signNangoWebhook,
} from './webhooks/nango-webhook.signature.js';
export {
  isNangoAuthWebhook,
  isNangoSyncWebhook,
  isNangoForwardWebhook,
  isNangoAsyncActionWebhook,
} from './webhooks/nango-webhook.type-guards.js';
export type * from './interfaces/nango-webhook.interface.js';

// The connect flow: forRoot({ connect }) mounts POST <path> answering a Connect session
export type {
  NangoConnectOptions,
  NangoConnectRequest,
  NangoConnectUser,
  NangoConnectOrganization,
  NangoConnectSessionAnswer,
} from './connect/nango-connect.options.js';

// Health checks
export {
  NangoHealthIndicator,
  type NangoHealthCheckOptions,
  type NangoHealthReason,
  type NangoHealthIndicatorResult,
} from './health/nango.health-indicator.js';

// Telemetry: OpenTelemetry traces and metrics (docs/observability.md)
export {
  NANGO_TELEMETRY,
  type NangoCacheResult,
  type NangoWebhookVerdict,
} from './telemetry/nango-telemetry.names.js';
export type {
  NangoTelemetryOptions,
  NangoTelemetryConnectionId,
  ResolvedNangoTelemetryOptions,
} from './telemetry/nango-telemetry-options.interface.js';

// Synced records: @OnNangoRecords() handlers (docs/records.md)
export {
  OnNangoRecords,
  type OnNangoRecordsOptions,
} from './records/on-nango-records.decorator.js';
export type { NangoRecordsBatch } from './records/nango-records-batch.interface.js';
export {
  NangoRecordsService,
  type NangoRecordsStreamInput,
} from './records/nango-records.service.js';
export { getNangoRecordsServiceToken } from './records/nango-records.tokens.js';
export type { NangoRecordsEvent } from './records/nango-records.events.js';
export { NangoRecordsParkedError } from './records/nango-records-parked.error.js';
export { InMemoryCursorStore, type NangoCursorStore } from './records/nango-cursor-store.js';
export { KeyvCursorStore, type NangoKeyvLike } from './records/keyv-cursor-store.js';
export { InProcessDrainQueue } from './records/in-process-drain-queue.js';
export type { NangoDrainQueue, NangoDrainFunction } from './records/nango-drain-queue.js';
export { nangoRecordsStreamKey, type NangoRecordsStream } from './records/nango-records-stream.js';
export type {
  NangoRecordsOptions,
  NangoRecordsRetryOptions,
  ResolvedNangoRecordsOptions,
} from './records/nango-records.options.js';

// Records: the drain queue for several replicas (BullMQ on a shared Redis)
export {
  BullmqDrainQueue,
  type NangoBullmqQueueOptions,
  type NangoRedisClient,
  type NangoRedisConnectionOptions,
} from './records/bullmq-drain-queue.js';
