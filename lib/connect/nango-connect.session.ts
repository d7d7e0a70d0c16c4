import {
  HttpException,
  InternalServerErrorException,
  UnauthorizedException,
  type LoggerService,
} from '@nestjs/common';
import { answerNangoError } from '../errors/nango-http.exception.js';
import type { NangoConnectSessionInput } from '../interfaces/nango-connect-session.interface.js';
import type { NangoService } from '../nango.service.js';
import { isRecord } from '../utils/is-record.js';
import type { NangoConnectRoute } from './nango-connect-options.schema.js';
import type { NangoConnectRequest, NangoConnectSessionAnswer } from './nango-connect.options.js';

/** What the route answers when there is no signed-in user. */
const NO_USER = 'No signed-in user to connect an integration for';

/** An `endUser` / `organization` function returned something else than it must. */
class BadConnectReturn extends Error {}

/** The `{ id, email?, displayName? }` an `endUser` / `organization` function returned, checked. */
function checkPerson(
  value: unknown,
  field: 'endUser' | 'organization',
  named: 'email' | 'displayName',
): { id: string; email?: string; displayName?: string } | undefined {
  if (value === undefined || value === null) return undefined;
  const ok =
    isRecord(value) &&
    typeof value['id'] === 'string' &&
    value['id'].length > 0 &&
    ['email', 'displayName'].every((k) => value[k] === undefined || typeof value[k] === 'string');
  if (!ok) {
    throw new BadConnectReturn(
      `connect.${field}(req) must return { id: string, ${named}?: string${field === 'endUser' ? ', displayName?: string' : ''} } or undefined`,
    );
  }
  return value as { id: string; email?: string; displayName?: string };
}

/** Where the route logs, and how it sets a response header (`Retry-After`). */
export interface NangoConnectResponder {
  logger: LoggerService;
  setHeader(name: string, value: string): void;
}

/**
 * Creates a Connect session for the request's user, through the instance's `NangoService`
 * (`createConnectSession`): `end_user` from `connect.endUser(req)`, `organization` from
 * `connect.organization(req)`, `allowed_integrations` from `connect.allowedIntegrations`.
 * No user: 401 (an `HttpException` thrown by `endUser` is the answer as it is). A Nango failure
 * answers as `@UseNangoConnection()` would (`answerNangoError()`: status, body, `Retry-After`),
 * logged the same way.
 * The token is never logged.
 */
export async function openConnectSession(
  nango: NangoService,
  { path, options }: NangoConnectRoute,
  request: NangoConnectRequest,
  { logger, setHeader }: NangoConnectResponder,
): Promise<NangoConnectSessionAnswer> {
  let user: ReturnType<typeof checkPerson>;
  let organization: ReturnType<typeof checkPerson>;
  try {
    user = checkPerson(await options.endUser(request), 'endUser', 'email');
    organization = checkPerson(
      await options.organization?.(request),
      'organization',
      'displayName',
    );
  } catch (error) {
    if (error instanceof HttpException) throw error;
    if (error instanceof BadConnectReturn) {
      logger.error(`POST /${path}: ${error.message}`);
      throw new InternalServerErrorException();
    }
    logger.warn(
      `POST /${path}: connect.endUser(req) threw ${error instanceof Error ? error.name : typeof error}; answered 401`,
    );
    throw new UnauthorizedException(NO_USER);
  }
  if (user === undefined) throw new UnauthorizedException(NO_USER);
  const session: NangoConnectSessionInput = {
    end_user: {
      id: user.id,
      ...(user.email === undefined ? {} : { email: user.email }),
      ...(user.displayName === undefined ? {} : { display_name: user.displayName }),
    },
    ...(organization === undefined
      ? {}
      : {
          organization: {
            id: organization.id,
            ...(organization.displayName === undefined
              ? {}
              : { display_name: organization.displayName }),
          },
        }),
    ...(options.allowedIntegrations === undefined
      ? {}
      : { allowed_integrations: [...options.allowedIntegrations] }),
  };
  try {
    const { data } = await nango.createConnectSession(session);
    return { token: data.token, expiresAt: data.expires_at };
  } catch (error) {
    const answer = answerNangoError(error);
    if (answer === undefined) throw error;
    if (answer.log !== undefined) logger[answer.log.level](`POST /${path}: ${answer.log.message}`);
    for (const [name, value] of Object.entries(answer.headers)) setHeader(name, value);
    throw answer.exception;
  }
}
