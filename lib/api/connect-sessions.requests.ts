import { NangoInvalidArgumentError } from '../errors/nango-misuse.errors.js';
import type {
  NangoConnectSessionInput,
  NangoReconnectSessionInput,
} from '../interfaces/nango-connect-session.interface.js';
import { checkEndUser, checkId, checkObject, checkTags } from './nango-arguments.js';
import type { NangoApiRequest } from './nango-api-request.js';

/**
 * `POST /connect/sessions` (a connect session for the front end) or
 * `/connect/sessions/reconnect` (one that re-authorizes an existing connection).
 */
export function connectSessionRequest(
  operation: 'createConnectSession' | 'createReconnectSession',
  input: NangoConnectSessionInput | NangoReconnectSessionInput,
): NangoApiRequest {
  const body = checkObject(
    operation,
    'session',
    input,
    operation === 'createConnectSession'
      ? "{ tags: { end_user_id: 'user-1' }, allowed_integrations: ['github'] }"
      : "{ connection_id: 'c1', integration_id: 'github' }",
  );
  let context: NangoApiRequest['context'] = { operation };
  if (operation === 'createReconnectSession') {
    const connectionId = checkId(operation, 'connection_id', body['connection_id']);
    const providerConfigKey = checkId(operation, 'integration_id', body['integration_id']);
    context = { operation, providerConfigKey, connectionId };
  } else if (body['allowed_integrations'] !== undefined) {
    const allowed = body['allowed_integrations'];
    if (!Array.isArray(allowed)) {
      throw NangoInvalidArgumentError.create(
        operation,
        'allowed_integrations',
        'must be a list of integration keys.',
      );
    }
    allowed.forEach((key, i) => checkId(operation, `allowed_integrations[${i}]`, key));
  }
  if (body['tags'] !== undefined) checkTags(operation, 'tags', body['tags']);
  if (body['end_user'] !== undefined) checkEndUser(operation, 'end_user', body['end_user']);
  return {
    request: {
      method: 'POST',
      url:
        operation === 'createConnectSession' ? '/connect/sessions' : '/connect/sessions/reconnect',
      data: body,
    },
    context,
  };
}
