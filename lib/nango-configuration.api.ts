import type { NangoApiRequest } from './api/nango-api-request.js';
import {
  createIntegrationRequest,
  deleteIntegrationRequest,
  updateIntegrationRequest,
} from './api/integrations.requests.js';
import {
  syncFrequencyRequest,
  syncScheduleRequest,
  syncVariantRequest,
} from './api/syncs.requests.js';
import { listProvidersRequest, providerRequest } from './api/providers.requests.js';
import { functionRequest, listFunctionsRequest } from './api/functions.requests.js';
import {
  environmentVariableList,
  environmentVariablesRequest,
  scriptsConfigRequest,
} from './api/environment.requests.js';
import type { NangoCallOptions } from './interfaces/nango-module-options.interface.js';
import type {
  NangoListProvidersQuery,
  NangoProviderList,
  NangoProviderParams,
  NangoProviderResult,
  NangoProviderTemplates,
} from './interfaces/nango-provider.interface.js';
import type {
  NangoCreateIntegrationInput,
  NangoIntegrationChanged,
  NangoQuickstartIntegrationInput,
  NangoUpdateIntegrationInput,
} from './interfaces/nango-integration-input.interface.js';
import type {
  NangoFunctionCode,
  NangoFunctionDeleted,
  NangoFunctionList,
  NangoFunctionParams,
  NangoFunctionResult,
  NangoFunctionType,
  NangoIntegrationParams,
  NangoListFunctionsQuery,
} from './interfaces/nango-function.interface.js';
import type {
  NangoSyncFrequencyResult,
  NangoSyncVariant,
  NangoSyncVariantInput,
} from './interfaces/nango-sync.interface.js';
import type {
  NangoEnvironmentVariable,
  NangoOpenAIScriptsConfig,
  NangoScriptsConfig,
  NangoScriptsConfigFormat,
} from './interfaces/nango-environment.interface.js';
import type { NangoSuccess, NangoSyncSelector } from './interfaces/nango-records.interface.js';

/**
 * The calls of `NangoService` that read or change the Nango environment's configuration, under
 * the official client's names and positional arguments, plus the call options: the provider
 * catalogue, integrations, deployed functions, scripts, environment variables, and the schedules,
 * frequencies and variants of syncs. Each builds its request (`lib/api`) and sends it through
 * {@link NangoConfigurationApi.call}, which `NangoService` implements with its transport.
 */
export abstract class NangoConfigurationApi {
  /**
   * Sends a built request with the caller's options and resolves with Nango's body.
   *
   * @param api the request, as a builder of `lib/api` made it
   * @param options the caller's per-call options, checked before anything is sent
   */
  protected abstract call<T>(api: NangoApiRequest, options?: NangoCallOptions): Promise<T>;

  /** Nango's provider catalogue: `GET /providers?search=`. */
  async listProviders(
    queries?: NangoListProvidersQuery,
    options?: NangoCallOptions,
  ): Promise<NangoProviderList> {
    return this.call(listProvidersRequest(queries), options);
  }

  /**
   * One provider of the catalogue: `GET /providers/{provider}`. An unknown provider rejects
   * with {@link NangoProviderNotFoundError}.
   */
  async getProvider(
    params: NangoProviderParams,
    options?: NangoCallOptions,
  ): Promise<NangoProviderResult> {
    return this.call(providerRequest('getProvider', params), options);
  }

  /** The catalogue's function templates for a provider: `GET /providers/{provider}/templates`. */
  async getProviderTemplates(
    params: NangoProviderParams,
    options?: NangoCallOptions,
  ): Promise<NangoProviderTemplates> {
    return this.call(providerRequest('getProviderTemplates', params), options);
  }

  /** Creates an integration: `POST /integrations`. */
  async createIntegration(
    body: NangoCreateIntegrationInput,
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationChanged> {
    return this.call(createIntegrationRequest('createIntegration', body), options);
  }

  /** Creates an integration with Nango's own developer app: `POST /integrations/quickstart`. */
  async createQuickstartIntegration(
    body: NangoQuickstartIntegrationInput,
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationChanged> {
    return this.call(createIntegrationRequest('createQuickstartIntegration', body), options);
  }

  /**
   * Changes an integration: `PATCH /integrations/{uniqueKey}`. An unknown key rejects with
   * {@link NangoIntegrationNotFoundError}.
   */
  async updateIntegration(
    params: NangoIntegrationParams,
    body: NangoUpdateIntegrationInput,
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationChanged> {
    return this.call(updateIntegrationRequest(params, body), options);
  }

  /**
   * Deletes an integration and its connections: `DELETE /integrations/{uniqueKey}`. Resolves
   * with Nango's body (the official client resolves with the axios response).
   */
  async deleteIntegration(
    providerConfigKey: string,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call(deleteIntegrationRequest(providerConfigKey), options);
  }

  /** The functions deployed to an integration: `GET /integrations/{uniqueKey}/functions`. */
  async listFunctions(
    params: NangoIntegrationParams,
    queries?: NangoListFunctionsQuery,
    options?: NangoCallOptions,
  ): Promise<NangoFunctionList> {
    return this.call(listFunctionsRequest(params, queries), options);
  }

  /**
   * One deployed function: `GET /integrations/{uniqueKey}/functions/{name}`. An unknown one
   * rejects with {@link NangoFunctionNotFoundError}.
   */
  async getFunction(
    params: NangoFunctionParams,
    queries?: { type?: NangoFunctionType },
    options?: NangoCallOptions,
  ): Promise<NangoFunctionResult> {
    return this.call(functionRequest('getFunction', params, queries), options);
  }

  /** A deployed function's source: `GET /integrations/{uniqueKey}/functions/{name}/code`. */
  async getFunctionCode(
    params: NangoFunctionParams,
    queries?: { type?: NangoFunctionType },
    options?: NangoCallOptions,
  ): Promise<NangoFunctionCode> {
    return this.call(functionRequest('getFunctionCode', params, queries), options);
  }

  /** Deletes a deployed function: `DELETE /integrations/{uniqueKey}/functions/{name}?type=`. */
  async deleteFunction(
    params: NangoFunctionParams,
    queries: { type: 'action' | 'sync' },
    options?: NangoCallOptions,
  ): Promise<NangoFunctionDeleted> {
    return this.call(functionRequest('deleteFunction', params, queries), options);
  }

  /** The environment's scripts: `GET /scripts/config?format=nango` (or `openai`). */
  async getScriptsConfig(
    format?: NangoScriptsConfigFormat,
    options?: NangoCallOptions,
  ): Promise<NangoScriptsConfig[] | NangoOpenAIScriptsConfig> {
    return this.call(scriptsConfigRequest(format), options);
  }

  /** The environment variables set in Nango's dashboard: `GET /environment-variables`. */
  async getEnvironmentVariables(options?: NangoCallOptions): Promise<NangoEnvironmentVariable[]> {
    return this.call<NangoEnvironmentVariable[] | null | ''>(
      environmentVariablesRequest(),
      options,
    ).then(environmentVariableList);
  }

  /** Starts the schedule of syncs, for one connection or all: `POST /sync/start`. */
  async startSync(
    providerConfigKey: string,
    syncs: NangoSyncSelector[],
    connectionId?: string,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call(
      syncScheduleRequest('startSync', providerConfigKey, syncs, connectionId),
      options,
    );
  }

  /** Pauses the schedule of syncs, for one connection or all: `POST /sync/pause`. */
  async pauseSync(
    providerConfigKey: string,
    syncs: NangoSyncSelector[],
    connectionId?: string,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call(
      syncScheduleRequest('pauseSync', providerConfigKey, syncs, connectionId),
      options,
    );
  }

  /**
   * Overrides how often a sync runs for one connection (`null`: back to the default):
   * `PUT /sync/update-connection-frequency`.
   */
  async updateSyncConnectionFrequency(
    providerConfigKey: string,
    sync: NangoSyncSelector,
    connectionId: string,
    frequency: string | null,
    options?: NangoCallOptions,
  ): Promise<NangoSyncFrequencyResult> {
    return this.call(
      syncFrequencyRequest(providerConfigKey, sync, connectionId, frequency),
      options,
    );
  }

  /** Creates a variant of a sync for a connection: `POST /sync/{name}/variant/{variant}`. */
  async createSyncVariant(
    props: NangoSyncVariantInput,
    options?: NangoCallOptions,
  ): Promise<NangoSyncVariant> {
    return this.call(syncVariantRequest('createSyncVariant', props), options);
  }

  /** Deletes a variant of a sync: `DELETE /sync/{name}/variant/{variant}`. */
  async deleteSyncVariant(
    props: NangoSyncVariantInput,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call(syncVariantRequest('deleteSyncVariant', props), options);
  }
}
