import { Reflector } from '@nestjs/core';
import { NANGO_PARAMS_METADATA_KEY } from '../nango.internal-constants.js';

/** Reads metadata while decorators are applied, before any injector exists. */
const reflector = new Reflector();

/** What `Reflector` reads metadata from: a handler or a class. */
export type MetadataTarget = Parameters<Reflector['get']>[1];

/** A parameter decorator of this package. */
export type NangoParamDecorator =
  'InjectNangoToken' | 'InjectNangoConnection' | 'NangoWebhookPayload';

/**
 * The handler metadata listing which of this package's parameter decorators the handler uses:
 * what `NangoTokenInterceptor` must fetch, and what the start-up check verifies. Set by the
 * parameter decorators through {@link recordNangoParam}; read with
 * `reflector.get(NangoParamsMetadata, handler)`.
 */
export const NangoParamsMetadata = Reflector.createDecorator<readonly NangoParamDecorator[]>({
  key: NANGO_PARAMS_METADATA_KEY,
});

/**
 * A `createParamDecorator` enhancer that adds `decorator` to the {@link NangoParamsMetadata} of
 * the method it decorates (a parameter decorator sees the method's class and name only).
 */
export function recordNangoParam(
  decorator: NangoParamDecorator,
): (target: object, key: string | symbol | undefined) => void {
  return (target, key) => {
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (typeof descriptor?.value !== 'function') return;
    const used = nangoParamsOf(reflector, descriptor.value as MetadataTarget);
    if (used.has(decorator)) return;
    NangoParamsMetadata([...used, decorator])(target, key, descriptor);
  };
}

/** The parameter decorators of this package that a handler uses. */
export function nangoParamsOf(
  metadata: Reflector,
  handler: MetadataTarget,
): ReadonlySet<NangoParamDecorator> {
  return new Set(metadata.get(NangoParamsMetadata, handler) ?? []);
}
