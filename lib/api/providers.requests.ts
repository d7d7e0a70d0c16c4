import { checkKnownFields, checkObject, checkText, pathSegment } from './nango-arguments.js';
import { urlWith, type NangoApiRequest } from './nango-api-request.js';
import type {
  NangoListProvidersQuery,
  NangoProviderParams,
} from '../interfaces/nango-provider.interface.js';

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
    checkKnownFields(
      operation,
      'queries',
      q,
      ['search', 'connect_session_token'],
      'only search and connect_session_token.',
    );
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
