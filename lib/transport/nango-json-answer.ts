import {
  AxiosError,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

/** axios's own defaults for the two JSON switches, when a config has no `transitional`. */
const DEFAULT_TRANSITIONAL = { silentJSONParsing: true, forcedJSONParsing: true } as const;

/**
 * The body of an answer as axios's default `transformResponse` makes it, done once by the
 * adapter instead of by a transform on every call: a string is parsed as JSON when
 * `responseType` is `json`, or unset with `transitional.forcedJSONParsing`. A body that is not
 * JSON stays the string, unless `responseType` is `json` and `silentJSONParsing` is off: then
 * it fails with `ERR_BAD_RESPONSE`. Buffers, streams and empty bodies are left as they are.
 */
export function parseJsonAnswer(
  config: InternalAxiosRequestConfig,
  response: AxiosResponse,
): unknown {
  const { data } = response;
  if (typeof data !== 'string' || data === '') return data;
  const { responseType } = config;
  const transitional = config.transitional ?? DEFAULT_TRANSITIONAL;
  if (responseType !== 'json' && (responseType || !transitional.forcedJSONParsing)) return data;
  try {
    return JSON.parse(data, config.parseReviver) as unknown;
  } catch (error) {
    if (transitional.silentJSONParsing || responseType !== 'json') return data;
    if (error instanceof SyntaxError) {
      throw AxiosError.from(error, AxiosError.ERR_BAD_RESPONSE, config, null, response);
    }
    throw error;
  }
}

/**
 * An adapter whose answers (and the answers of its `ERR_BAD_*` errors) have their JSON body
 * parsed by {@link parseJsonAnswer}: axios's own `http` adapter, for an instance that has no
 * default `transformResponse` because its main adapter parses the body itself.
 */
export function parsingJsonAnswers(adapter: AxiosAdapter): AxiosAdapter {
  return (config) =>
    adapter(config).then(
      (response) => {
        response.data = parseJsonAnswer(config, response);
        return response;
      },
      (error: unknown) => {
        const response = error instanceof AxiosError ? error.response : undefined;
        if (response !== undefined) response.data = parseJsonAnswer(config, response);
        throw error;
      },
    );
}
