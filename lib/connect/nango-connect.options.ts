import type { IncomingHttpHeaders } from 'node:http';

/**
 * The parts of an Express or Fastify request an `endUser` function usually reads: the headers
 * and what the app's guards attached (`user` for Passport). Any other field is there too.
 */
export interface NangoConnectRequest {
  /** The request headers (names lower case). */
  headers: IncomingHttpHeaders;
  /** The signed-in user, as the app's authentication guard set it. */
  user?: unknown;
  /** Anything else the platform or the app put on the request. */
  [field: string]: unknown;
}

/** The signed-in user a connect session is for: Nango's end user. */
export interface NangoConnectUser {
  /** The app's own id of the user; Nango reports it back as `endUser.endUserId`. */
  id: string;
  /** The user's email, shown in the Nango dashboard. */
  email?: string;
  /** The user's name, shown in the Nango dashboard. */
  displayName?: string;
}

/** The organization (team, workspace) the user connects for. */
export interface NangoConnectOrganization {
  /** The app's own id of the organization; Nango reports it back as `endUser.organizationId`. */
  id: string;
  /** Its name, shown in the Nango dashboard. */
  displayName?: string;
}

/** What a value-or-promise function of the request may return. */
type MaybePromise<T> = T | Promise<T>;

/**
 * The `connect` extra of `forRoot()` / `forRootAsync()`: mount `POST <path>`, which creates a
 * Nango Connect session for the signed-in user and answers `{ token, expiresAt }`. The route is
 * an ordinary controller route: the app's global guards run before it.
 *
 * @example
 * NangoModule.forRoot({
 *   secretKey: process.env.NANGO_SECRET_KEY!,
 *   connect: {
 *     path: 'nango/connect-session',
 *     endUser: (req) => {
 *       const user = req.user as { id: string; email: string } | undefined;
 *       return user && { id: user.id, email: user.email };
 *     },
 *     allowedIntegrations: ['github'],
 *   },
 * });
 */
export interface NangoConnectOptions {
  /** Where the route is mounted, e.g. `'nango/connect-session'` (under the app's global prefix). */
  path: string;
  /**
   * The signed-in user of the request, or `undefined` / `null` when there is none (the route then
   * answers 401). An `HttpException` it throws (e.g. `ForbiddenException`) is the answer; any
   * other error is a 401.
   */
  endUser(request: NangoConnectRequest): MaybePromise<NangoConnectUser | null | undefined>;
  /** The integrations the user may connect (Nango's `allowed_integrations`); default all. */
  allowedIntegrations?: string[];
  /** The organization the user connects for, if any. */
  organization?(
    request: NangoConnectRequest,
  ): MaybePromise<NangoConnectOrganization | null | undefined>;
}

/** What `POST <connect.path>` answers: hand `token` to `@nangohq/frontend`. */
export interface NangoConnectSessionAnswer {
  /** The connect session token (`new Nango({ connectSessionToken: token })`). */
  token: string;
  /** ISO-8601: when the token stops working (30 minutes on Nango today). */
  expiresAt: string;
}
