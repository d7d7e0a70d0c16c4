import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The public surface of each entry of the package, listed in full: a change to what users can
 * import is a visible diff of this file. Each name is tagged `value` (exists at run time) or
 * `type` (a type or an interface only).
 */

const root = fileURLToPath(new URL('..', import.meta.url));

/** The names an entry file exports, sorted, each as `name: value` or `name: type`. */
function exportsOf(entry: string): string[] {
  const file = `${root}${entry}`;
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`${entry} not found`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`${entry} is not a module`);
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((symbol) => {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return `${symbol.name}: ${target.flags & ts.SymbolFlags.Value ? 'value' : 'type'}`;
    })
    .sort();
}

/** What the compiled entry exports at run time, for the `value` names above. */
async function valuesOf(entry: string): Promise<string[]> {
  const loaded = (await import(`${root}${entry}`)) as Record<string, unknown>;
  return Object.keys(loaded).sort();
}

const MAIN = [
  'ApiKeyCredentials: type',
  'AppCredentials: type',
  'BasicApiCredentials: type',
  'BullmqDrainQueue: value',
  'InMemoryCredentialStore: value',
  'InMemoryCredentialStoreOptions: type',
  'InjectNango: value',
  'InjectNangoConnection: value',
  'InjectNangoToken: value',
  'ListConnectionsFilter: type',
  'ListConnectionsQueries: type',
  'NangoAbortedError: value',
  'NangoActionError: value',
  'NangoArgSource: type',
  'NangoAsyncActionPendingError: value',
  'NangoAsyncActionResult: type',
  'NangoAsyncActionWebhook: type',
  'NangoAuthWebhook: type',
  'NangoAuthenticationError: value',
  'NangoBullmqQueueOptions: type',
  'NangoCacheManagerStore: type',
  'NangoCacheOptions: type',
  'NangoCachedConnection: type',
  'NangoCachedValue: type',
  'NangoCallOptions: type',
  'NangoConfigurationError: value',
  'NangoConnectEndUser: type',
  'NangoConnectSession: type',
  'NangoConnectSessionCommon: type',
  'NangoConnectSessionInput: type',
  'NangoConnectSessionResult: type',
  'NangoConnection: type',
  'NangoConnectionBase: type',
  'NangoConnectionErrorEntry: type',
  'NangoConnectionList: type',
  'NangoConnectionNotDeclaredError: value',
  'NangoConnectionNotFoundError: value',
  'NangoConnectionOptionsError: value',
  'NangoConnectionPatch: type',
  'NangoConnectionResolutionError: value',
  'NangoConnectionSummary: type',
  'NangoConnectionTarget: type',
  'NangoCreateIntegrationInput: type',
  'NangoCredentialStore: type',
  'NangoCredentials: type',
  'NangoDefaultConnection: type',
  'NangoDeployedFunction: type',
  'NangoEndUser: type',
  'NangoEnvironmentVariable: type',
  'NangoError: value',
  'NangoExceptionFilter: value',
  'NangoForwardWebhook: type',
  'NangoFunctionCode: type',
  'NangoFunctionDeleted: type',
  'NangoFunctionList: type',
  'NangoFunctionNotFoundError: value',
  'NangoFunctionParams: type',
  'NangoFunctionResult: type',
  'NangoFunctionType: type',
  'NangoGraphqlError: value',
  'NangoGraphqlErrorExtensions: type',
  'NangoHeaderSource: type',
  'NangoHealthCheckOptions: type',
  'NangoHealthIndicator: value',
  'NangoHealthIndicatorResult: type',
  'NangoHealthReason: type',
  'NangoHttpException: value',
  'NangoHttpExceptionBody: type',
  'NangoHttpExceptionOptions: type',
  'NangoInstance: type',
  'NangoInstanceRegistry: value',
  'NangoIntegration: type',
  'NangoIntegrationChanged: type',
  'NangoIntegrationConfigDefaults: type',
  'NangoIntegrationCredentialsInput: type',
  'NangoIntegrationFull: type',
  'NangoIntegrationInclude: type',
  'NangoIntegrationList: type',
  'NangoIntegrationNotFoundError: value',
  'NangoIntegrationParams: type',
  'NangoIntegrationResult: type',
  'NangoInvalidArgumentError: value',
  'NangoInvalidRequestError: value',
  'NangoListFunctionsQuery: type',
  'NangoListProvidersQuery: type',
  'NangoListRecordsParams: type',
  'NangoMetadataResult: type',
  'NangoModule: value',
  'NangoModuleAsyncOptions: type',
  'NangoModuleForRootOptions: type',
  'NangoModuleOptions: type',
  'NangoOpenAIScriptsConfig: type',
  'NangoOptionsFactory: type',
  'NangoParamSource: type',
  'NangoPatchConnectionParams: type',
  'NangoProvider: type',
  'NangoProviderList: type',
  'NangoProviderNotFoundError: value',
  'NangoProviderParams: type',
  'NangoProviderResult: type',
  'NangoProviderTemplate: type',
  'NangoProviderTemplates: type',
  'NangoProxyConfig: type',
  'NangoProxyMethod: type',
  'NangoProxyMethodConfig: type',
  'NangoProxyParamValue: type',
  'NangoProxyResponse: type',
  'NangoProxyResponseType: type',
  'NangoPruneRecordsParams: type',
  'NangoPruneRecordsResult: type',
  'NangoQuerySource: type',
  'NangoQuickstartIntegrationInput: type',
  'NangoRateLimitError: value',
  'NangoReconnectRequiredError: value',
  'NangoReconnectSessionInput: type',
  'NangoRecord: type',
  'NangoRecordFilter: type',
  'NangoRecordMetadata: type',
  'NangoRecordsPage: type',
  'NangoRedisClient: type',
  'NangoRedisConnectionOptions: type',
  'NangoRequestError: value',
  'NangoRequestErrorDetails: type',
  'NangoRetryOptions: type',
  'NangoScriptsConfig: type',
  'NangoScriptsConfigFormat: type',
  'NangoService: value',
  'NangoStartupError: value',
  'NangoStreamableFileOptions: type',
  'NangoSuccess: type',
  'NangoSyncErrorWebhook: type',
  'NangoSyncFrequencyResult: type',
  'NangoSyncMode: type',
  'NangoSyncRef: type',
  'NangoSyncResult: type',
  'NangoSyncSelector: type',
  'NangoSyncStatus: type',
  'NangoSyncStatusResult: type',
  'NangoSyncSuccessWebhook: type',
  'NangoSyncVariant: type',
  'NangoSyncVariantInput: type',
  'NangoSyncWebhook: type',
  'NangoSyncWebhookBase: type',
  'NangoTimeoutError: value',
  'NangoToken: type',
  'NangoTokenInterceptor: value',
  'NangoTriggerActionOptions: type',
  'NangoTriggerSyncOptions: type',
  'NangoUnavailableError: value',
  'NangoUnknownWebhook: type',
  'NangoUpdateIntegrationInput: type',
  'NangoUpstreamError: value',
  'NangoUsageError: value',
  'NangoValueResolver: type',
  'NangoValueSource: type',
  'NangoWebhook: value',
  'NangoWebhookBase: type',
  'NangoWebhookBody: type',
  'NangoWebhookErrorPayload: type',
  'NangoWebhookOptions: type',
  'NangoWebhookPayload: value',
  'NangoWebhookType: type',
  'NangoWebhooksOptions: type',
  'OAuth1Credentials: type',
  'OAuth1Token: type',
  'OAuth2ClientCredentials: type',
  'OAuth2Credentials: type',
  'OnNangoWebhook: value',
  'OnNangoWebhookFilter: type',
  'OtherCredentials: type',
  'ResolvedNangoCacheOptions: type',
  'ResolvedNangoOptions: type',
  'UnauthenticatedCredentials: type',
  'UseNangoConnection: value',
  'UseNangoConnectionOptions: type',
  'getNangoServiceToken: value',
  'isNangoAsyncActionWebhook: value',
  'isNangoAuthWebhook: value',
  'isNangoForwardWebhook: value',
  'isNangoSyncWebhook: value',
  'signNangoWebhook: value',
  'toNangoHttpException: value',
  'toStreamableFile: value',
  'verifyNangoWebhookSignature: value',
];

const TESTING = [
  'NANGO_MODULE_OPTIONS: value',
  'NangoStandIn: value',
  'NangoStandInOptions: type',
  'NangoTestingModule: value',
  'NangoTestingModuleOptions: type',
  'RecordedRequest: type',
  'StandInAction: type',
  'StandInAnswers: value',
  'StandInConnectionSeed: type',
  'StandInCredentials: type',
  'StandInFunctionSeed: type',
  'StandInProviderSeed: type',
  'StandInRecordMetadata: type',
  'StandInRecordSeed: type',
  'StandInRecordsSeed: type',
  'StandInResponse: type',
  'StandInRule: type',
  'StandInSyncOptions: type',
  'StandInSyncResults: type',
  'StandInSyncRun: type',
  'StandInUpstream: type',
  'StandInUpstreamRequest: type',
  'StandInWebhookDelivery: type',
  'StandInWebhookTarget: type',
];

describe.each([
  ['nestjs-nango', 'lib/index.ts', MAIN],
  ['nestjs-nango/testing', 'lib/testing/index.ts', TESTING],
])('the %s entry', (_name, entry, expected) => {
  it('exports exactly its listed names', () => {
    expect(exportsOf(entry)).toEqual(expected);
  }, 60_000);

  it('exports at run time exactly its listed values', async () => {
    const values = expected
      .filter((e) => e.endsWith(': value'))
      .map((e) => e.slice(0, -': value'.length));
    expect(await valuesOf(entry)).toEqual(values);
  }, 60_000);
});
