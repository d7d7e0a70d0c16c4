import { HttpService } from './nest-axios.js';
import axios, { type AxiosPromise, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { Observable } from 'rxjs';

/** An axios request method, as `HttpService` calls it (its last argument is the config). */
type AxiosCall<T> = (...args: unknown[]) => AxiosPromise<T>;

/**
 * The `HttpService` of `NangoModule`: `@nestjs/axios`'s own, with one difference. `HttpService`
 * gives each call a cancel token and cancels it when the call's Observable is torn down, which
 * it is when the call completes too: every successful call then builds a `CanceledError`, stack
 * trace and all, that nothing reads (about a tenth of a `getToken`'s CPU, measured with
 * `bench/per-call.ts`). Here a call is cancelled on teardown only while it is still in flight
 * (an unsubscribe, a timeout, an abort). Everything else is as in `HttpService`: `request()` and
 * the verb methods, a cancel token of the caller's own left alone, streams never cancelled on
 * teardown.
 */
export class NangoHttpService extends HttpService {
  protected override makeObservable<T>(
    call: AxiosCall<T>,
    ...args: unknown[]
  ): Observable<AxiosResponse<T>> {
    return new Observable<AxiosResponse<T>>((subscriber) => {
      const last = args.length - 1;
      const config: AxiosRequestConfig = { ...((args[last] as AxiosRequestConfig) ?? {}) };
      const source = config.cancelToken ? undefined : axios.CancelToken.source();
      if (source !== undefined) config.cancelToken = source.token;
      let settled = false;
      call(...args.slice(0, last), config).then(
        (response) => {
          settled = true;
          subscriber.next(response);
          subscriber.complete();
        },
        (error: unknown) => {
          settled = true;
          subscriber.error(error);
        },
      );
      return () => {
        if (!settled && config.responseType !== 'stream') source?.cancel();
      };
    });
  }
}
