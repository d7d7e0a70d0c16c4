import type { NangoCredentials } from './nango-credentials.interface.js';

/** The end user a connection belongs to, as Nango stores it. */
export interface NangoEndUser {
  id: string;
  display_name?: string | null;
  email?: string | null;
  tags?: Record<string, string> | null;
  organization?: { id: string; display_name?: string | null } | null;
}

/** An entry of a connection's `errors` list. */
export interface NangoConnectionErrorEntry {
  type: string;
  log_id: string;
}

/** Fields shared by a listed connection and a full connection. */
export interface NangoConnectionBase {
  id: number;
  connection_id: string;
  provider_config_key: string;
  provider: string;
  errors: NangoConnectionErrorEntry[];
  end_user: NangoEndUser | null;
  tags: Record<string, string>;
  metadata: Record<string, unknown> | null;
}

/** A connection with its credentials: what `GET /connections/{id}` returns. */
export interface NangoConnection<
  C extends NangoCredentials = NangoCredentials,
> extends NangoConnectionBase {
  connection_config: Record<string, unknown>;
  webhook_url_override?: string | null;
  created_at: string;
  updated_at: string;
  last_fetched_at: string | null;
  credentials: C;
}

/** A connection as listed by `GET /connections` (no credentials). */
export interface NangoConnectionSummary extends NangoConnectionBase {
  /** Creation time, ISO-8601. */
  created: string;
}

/** What `listConnections` returns. */
export interface NangoConnectionList {
  connections: NangoConnectionSummary[];
}

/** Filters of `listConnections({ ... })`; each maps to one query parameter of `GET /connections`. */
export interface ListConnectionsFilter {
  /** Only this connection id (`connectionId`). */
  connectionId?: string;
  /** Only this end user's connections (`endUserId`). */
  userId?: string;
  /** Only the connections of this end-user organization (`endUserOrganizationId`). */
  endUserOrganizationId?: string;
  /** Only this integration's connections, or those of any of these (`integrationId=a,b`). */
  integrationId?: string | string[];
  /** Only connections whose id contains this text (`search`). */
  search?: string;
  /** Only connections carrying all these tags (`tags[key]=value`). */
  tags?: Record<string, string>;
  /** Page size (`limit`), 1 to 10 000. */
  limit?: number;
  /** Page number, from 0 (`page`). */
  page?: number;
}

/** Third argument of the official shape `listConnections(connectionId?, search?, queries?)`. */
export interface ListConnectionsQueries {
  /** Only this end user's connections. */
  endUserId?: string;
  /** Only the connections of this end-user organization. */
  endUserOrganizationId?: string;
  /** Only this integration's connections, or those of any of these. */
  integrationId?: string | string[];
  /** Only connections carrying all these tags. */
  tags?: Record<string, string>;
  /** Page size, 1 to 10 000. */
  limit?: number;
  /** Page number, from 0. */
  page?: number;
}

/** First argument of the official shape `patchConnection(params, body)`. */
export interface NangoPatchConnectionParams {
  connectionId: string;
  provider_config_key: string;
}
