import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { NangoConnectionNotDeclaredError } from '../errors/nango-misuse.errors.js';
import { requireNangoRequestState } from '../utils/nango-request-state.js';
import { handlerName } from '../utils/handler-name.js';
import { recordNangoParam } from './nango-params.metadata.js';

/**
 * Injects the route's whole Nango connection, credentials included (`NangoConnection`). Needs
 * `@UseNangoConnection()` on the handler or its controller.
 */
export const InjectNangoConnection: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => {
    const { connection } = requireNangoRequestState(context, 'InjectNangoConnection');
    if (connection === undefined) {
      // The interceptor fetched only the token: the handler was not seen as a connection reader.
      throw NangoConnectionNotDeclaredError.create(handlerName(context), 'InjectNangoConnection');
    }
    return connection;
  },
  [recordNangoParam('InjectNangoConnection')],
) as () => ParameterDecorator;
