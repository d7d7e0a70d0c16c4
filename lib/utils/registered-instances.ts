import type { DiscoveryService } from '@nestjs/core';
import { getNangoOptionsToken } from '../nango.tokens.js';

/**
 * Which Nango instances the application registers: a test of a name (`undefined` or
 * `'default'` for the default instance) against the providers Nest's `DiscoveryService` lists,
 * read once. What the start-up checks of handler decorators ask of an `instance` option.
 */
export function registeredNangoInstances(
  discovery: DiscoveryService,
): (name: string | undefined) => boolean {
  const tokens = new Set(discovery.getProviders().map((wrapper) => wrapper.token));
  return (name) => tokens.has(getNangoOptionsToken(name));
}
