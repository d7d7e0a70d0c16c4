import { isRecord } from '../utils/is-record.js';

/**
 * What the stand-in's extra route modules (stand-in-catalogue.routes.ts, stand-in-sync.routes.ts)
 * share: the view of the stand-in's state they use, their request and answer shapes, helpers.
 */

/** What the stand-in shares with these routes. */
export interface StandInHost {
  /** The stand-in's base URL. */
  readonly url: string;
  /** The integrations: key -> provider. */
  readonly integrations: Map<string, string>;
  /** The integration's wire shape (as `GET /integrations` lists it). */
  integrationWire(key: string): Record<string, unknown>;
  /** Whether the connection exists. */
  hasConnection(providerConfigKey: string, connectionId: string): boolean;
  /** Drops every connection of an integration. */
  dropConnections(providerConfigKey: string): void;
  /** The syncs of an integration. */
  syncNames(providerConfigKey: string): string[];
  /** The actions of an integration. */
  actionNames(providerConfigKey: string): string[];
  /** The stored records of a model of a connection, when seeded. */
  records(
    providerConfigKey: string,
    connectionId: string,
    model: string,
  ): Array<{ data: Record<string, unknown>; metadata: Record<string, unknown> }> | undefined;
}

/** An answer: status and JSON body. */
export interface StandInJsonAnswer {
  status: number;
  body: unknown;
}

/** A request, as these routes need it. */
export interface StandInRouteRequest {
  method: string;
  pathname: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** 404 `not_found` with a message. */
export function notFound(message: string): StandInJsonAnswer {
  return { status: 404, body: { error: { code: 'not_found', message } } };
}

/** 400 `invalid_body` about one field. */
export function invalidBody(path: string, message: string): StandInJsonAnswer {
  return {
    status: 400,
    body: {
      error: { code: 'invalid_body', errors: [{ code: 'invalid_type', message, path: [path] }] },
    },
  };
}

/** A header's first value. */
export function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A decoded path segment; undefined when empty or malformed. */
export function decode(segment: string | undefined): string | undefined {
  if (segment === undefined || segment === '') return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The request's JSON object body, or undefined. */
export function jsonBody(req: StandInRouteRequest): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(req.body === '' ? '{}' : req.body);
    return isRecord(body) ? body : undefined;
  } catch {
    return undefined;
  }
}
