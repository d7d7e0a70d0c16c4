export { NangoModule } from './nango.module.js';
export { NangoService } from './nango.service.js';
export {
  NANGO_OPTIONS,
  NANGO_DEFAULT_HOST,
  NANGO_DEFAULT_TIMEOUT_MS,
  NANGO_MAX_TIMEOUT_MS,
  NANGO_MAX_ID_LENGTH,
  NANGO_MAX_RESPONSE_BYTES,
} from './nango.constants.js';
export { NESTJS_NANGO_VERSION } from './nango.version.js';
export { NANGO_MODULE_OPTIONS } from './nango.module-definition.js';
export type {
  NangoModuleForRootOptions,
  NangoModuleAsyncOptions,
} from './nango.module-definition.js';
export * from './errors/nango.error.js';
export * from './errors/nango-request.errors.js';
export type * from './interfaces/nango-module-options.interface.js';
export type * from './interfaces/nango-credentials.interface.js';
export type * from './interfaces/nango-connection.interface.js';
export type * from './interfaces/nango-proxy.interface.js';
export {
  InjectNango,
  getNangoServiceToken,
  NANGO_DEFAULT_INSTANCE,
} from './decorators/inject-nango.decorator.js';
export { UseNangoConnection } from './decorators/use-nango-connection.decorator.js';
export { NangoConnectionMetadata } from './decorators/nango-connection.metadata.js';
export {
  InjectNangoToken,
  InjectNangoConnection,
} from './decorators/inject-nango-token.decorator.js';
export {
  NangoTokenInterceptor,
  type NangoConnectionTarget,
} from './interceptors/nango-token.interceptor.js';
export {
  NangoHttpException,
  toNangoHttpException,
  type NangoHttpExceptionBody,
  type NangoHttpExceptionOptions,
} from './errors/nango-http.exception.js';
export * from './errors/nango-misuse.errors.js';
export {
  NangoGraphqlError,
  type NangoGraphqlErrorExtensions,
} from './errors/nango-graphql.error.js';
export type { NangoRequestState } from './utils/nango-request-state.js';
export type * from './interfaces/nango-connection-resolver.interface.js';
export { getNangoOptionsToken } from './nango-instance.providers.js';
export * from './webhooks/index.js';
export type * from './interfaces/nango-webhook.interface.js';
export type * from './interfaces/nango-integration.interface.js';
export type * from './interfaces/nango-connect-session.interface.js';
export type * from './interfaces/nango-records.interface.js';
export { NangoHealthIndicator } from './health/nango.health-indicator.js';
export type {
  NangoHealthCheckOptions,
  NangoHealthReason,
  NangoHealthIndicatorResult,
} from './health/nango.health-indicator.js';
export {
  NANGO_MAX_CACHE_TTL_MS,
  NANGO_DEFAULT_CACHE_SAFETY_MARGIN_MS,
  NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS,
  NANGO_DEFAULT_RETRY,
} from './nango.constants.js';
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
export type { NangoRetryPolicy } from './utils/retry-policy.js';
export { toStreamableFile, type NangoStreamableFileOptions } from './utils/streamable-file.js';
export type * from './interfaces/nango-provider.interface.js';
export type * from './interfaces/nango-function.interface.js';
export type * from './interfaces/nango-integration-input.interface.js';
export type * from './interfaces/nango-sync.interface.js';
export type * from './interfaces/nango-environment.interface.js';
export { NANGO_WAIT_FOR_CONNECTION } from './api/wait-for-connection.js';
export { NangoExceptionFilter } from './filters/nango-exception.filter.js';
