import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requireNangoRequestState } from '../utils/nango-request-state.js';
import { recordNangoParam } from './nango-params.metadata.js';

/**
 * Injects what `NangoService.getToken` returns for the route's connection, which depends on the
 * credential type of its integration:
 *
 * | credentials `type`                       | injected                                                         |
 * | ---------------------------------------- | ---------------------------------------------------------------- |
 * | `OAUTH2`                                 | the access token, a `string`                                     |
 * | `OAUTH1`                                 | `{ oAuthToken, oAuthTokenSecret }`                               |
 * | `API_KEY`                                | `{ type: 'API_KEY', apiKey }`                                    |
 * | `BASIC`                                  | `{ type: 'BASIC', username, password }`                          |
 * | `APP`                                    | `{ type: 'APP', access_token, expires_at?, raw }`                |
 * | `OAUTH2_CC`                              | `{ type: 'OAUTH2_CC', token, client_id, client_secret, expires_at?, raw }` |
 * | `CUSTOM`, `JWT`, `TBA`, ...              | the credentials object, as Nango sends it                        |
 * | none (an `unauthenticated` integration)  | `{}`                                                             |
 *
 * Type the parameter with `NangoTokenFor<'API_KEY'>` (etc.), or `NangoToken` for any type. Needs
 * `@UseNangoConnection()` on the handler or its controller.
 *
 * @example
 * \@Get('issues') \@UseNangoConnection({ providerConfigKey: 'jira', connectionId: { header: 'x-user-id' } })
 * issues(\@InjectNangoToken() key: NangoTokenFor<'API_KEY'>) { return this.jira.issues(key.apiKey); }
 */
export const InjectNangoToken: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    requireNangoRequestState(context, 'InjectNangoToken').token,
  [recordNangoParam('InjectNangoToken')],
) as () => ParameterDecorator;
