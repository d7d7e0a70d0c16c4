import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type { NangoApiRequest } from '../nango-connection-api.js';
import { checkObject, checkText } from '../utils/nango-api-input.js';
import { pathSegment } from '../utils/nango-input.js';
import type {
  NangoListProvidersQuery,
  NangoProviderParams,
} from '../interfaces/nango-provider.interface.js';
import { urlWith } from './request-url.js';

/**
 * Request builders of the provider catalogue: `GET /providers`, `/providers/{provider}`,
 * `/providers/{provider}/templates`. Arguments are checked before anything is sent.
 */

/** `GET /providers?search=&connect_session_token=`. */
export function listProvidersRequest(
  queries: NangoListProvidersQuery | undefined,
): NangoApiRequest {
  const operation = 'listProviders';
  const query = new URLSearchParams();
  if (queries !== undefined) {
    const q = checkObject(operation, 'queries', queries, "{ search: 'git' }");
    const unknown = Object.keys(q).filter((k) => k !== 'search' && k !== 'connect_session_token');
    if (unknown.length > 0) {
      throw new NangoInvalidArgumentError(
        operation,
        'queries',
        `has unknown field(s) ${unknown.join(', ')}: only search and connect_session_token.`,
      );
    }
    const search = checkText(operation, 'search', q['search']);
    if (search !== undefined) query.set('search', search);
    const token = checkText(operation, 'connect_session_token', q['connect_session_token']);
    if (token !== undefined) query.set('connect_session_token', token);
  }
  return { request: { method: 'GET', url: urlWith('/providers', query) }, context: { operation } };
}

/** `GET /providers/{provider}` or `/providers/{provider}/templates`. */
export function providerRequest(
  operation: 'getProvider' | 'getProviderTemplates',
  params: NangoProviderParams,
): NangoApiRequest {
  const p = checkObject(operation, 'params', params, "{ provider: 'github' }");
  const segment = pathSegment(operation, 'provider', p['provider']);
  const provider = p['provider'] as string;
  return {
    request: {
      method: 'GET',
      url: `/providers/${segment}${operation === 'getProviderTemplates' ? '/templates' : ''}`,
    },
    context: { operation, resource: { kind: 'provider', provider } },
  };
}
