/**
 * Which of this package's parameter decorators each handler uses, recorded as the decorators
 * are applied: what the interceptor must fetch, and what the start-up check verifies.
 */

/** A parameter decorator of this package. */
export type NangoParamDecorator =
  'InjectNangoToken' | 'InjectNangoConnection' | 'NangoWebhookPayload';

/** By controller prototype, then method name. */
const USES = new WeakMap<object, Map<string | symbol, Set<NangoParamDecorator>>>();

/** A `createParamDecorator` enhancer that records the decorator on its handler. */
export function recordNangoParam(
  decorator: NangoParamDecorator,
): (target: object, key: string | symbol | undefined) => void {
  return (target, key) => {
    if (key === undefined) return;
    const byMethod = USES.get(target) ?? new Map<string | symbol, Set<NangoParamDecorator>>();
    const set = byMethod.get(key) ?? new Set<NangoParamDecorator>();
    set.add(decorator);
    byMethod.set(key, set);
    USES.set(target, byMethod);
  };
}

/** The decorators a handler of a controller class (or of a class it extends) uses. */
export function nangoParamsOf(
  controller: object,
  handler: string | symbol,
): ReadonlySet<NangoParamDecorator> {
  const found = new Set<NangoParamDecorator>();
  for (
    let proto: unknown = (controller as { prototype?: unknown }).prototype;
    typeof proto === 'object' && proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const decorator of USES.get(proto)?.get(handler) ?? []) found.add(decorator);
  }
  return found;
}
