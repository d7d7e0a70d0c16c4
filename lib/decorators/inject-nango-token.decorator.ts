import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { requireNangoRequestState } from '../utils/nango-request-state.js';
import { recordNangoParam } from './nango-params.metadata.js';

/**
 * Injects what `NangoService.getToken` returns for the route's connection: the access token
 * string for OAUTH2, `{ oAuthToken, oAuthTokenSecret }` for OAUTH1, the credentials object
 * otherwise. Needs `@UseNangoConnection()` on the handler or its controller.
 */
export const InjectNangoToken: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    requireNangoRequestState(context, 'InjectNangoToken').token,
  [recordNangoParam('InjectNangoToken')],
) as () => ParameterDecorator;
