/** An environment variable set in Nango's dashboard. */
export interface NangoEnvironmentVariable {
  name: string;
  value: string;
}

/** Format of `getScriptsConfig()`. */
export type NangoScriptsConfigFormat = 'nango' | 'openai';

/** One integration's scripts, as `GET /scripts/config?format=nango` describes them. */
export interface NangoScriptsConfig {
  providerConfigKey: string;
  syncs: Array<Record<string, unknown>>;
  actions: Array<Record<string, unknown>>;
  /** Every other field Nango sends. */
  [field: string]: unknown;
}

/** What `getScriptsConfig('openai')` returns: the actions as OpenAI function definitions. */
export interface NangoOpenAIScriptsConfig {
  data: Array<{ name: string; description?: string; parameters?: unknown }>;
}
