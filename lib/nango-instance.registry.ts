import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { NangoService } from './nango.service.js';
import type { ResolvedNangoOptions } from './interfaces/nango-module-options.interface.js';
import { getNangoOptionsToken, getNangoServiceToken, namedInstance } from './nango.tokens.js';
import { NangoUsageError } from './errors/nango-misuse.errors.js';

/** One Nango instance of the application: its service and its resolved options. */
export interface NangoInstance {
  /** The instance's name; `undefined` for the default instance. */
  readonly name: string | undefined;
  /** The instance's `NangoService`. */
  readonly service: NangoService;
  /** The instance's options after validation, with defaults applied. */
  readonly options: ResolvedNangoOptions;
}

/**
 * Knows the application's Nango instances: each `forRoot()` / `forRootAsync()`, default or
 * named, global or registered in a feature module. `NangoTokenInterceptor`, `NangoWebhookGuard`
 * and extensions look instances up here by name.
 *
 * ```ts
 * constructor(private readonly nango: NangoInstanceRegistry) {}
 * const { service, options } = this.nango.get('prod', 'MyIndicator');
 * ```
 */
@Injectable()
export class NangoInstanceRegistry {
  private readonly instances = new Map<string, NangoInstance>();

  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * The instance named `name` (the default one when `name` is `undefined` or `'default'`), or
   * `undefined` when the application registers none by that name.
   */
  find(name?: string): NangoInstance | undefined {
    const named = namedInstance(name);
    const key = named ?? '';
    const known = this.instances.get(key);
    if (known !== undefined) return known;
    let instance: NangoInstance;
    try {
      // Instances may live in any module, global or not: look in the whole application.
      instance = {
        name: named,
        service: this.moduleRef.get<NangoService>(getNangoServiceToken(name), { strict: false }),
        options: this.moduleRef.get<ResolvedNangoOptions>(getNangoOptionsToken(name), {
          strict: false,
        }),
      };
    } catch {
      return undefined;
    }
    this.instances.set(key, instance);
    return instance;
  }

  /**
   * The instance named `name`, like {@link NangoInstanceRegistry.find}; a `NangoUsageError`
   * saying how to register it when there is none.
   *
   * @param requester what needs the instance, named at the start of the error message
   */
  get(name: string | undefined, requester: string): NangoInstance {
    const instance = this.find(name);
    if (instance === undefined) throw NangoInstanceRegistry.missing(name, requester);
    return instance;
  }

  /**
   * The error for a Nango instance the application does not register: a `NangoUsageError`
   * saying how to register it.
   *
   * @param requester what needs the instance, named at the start of the message
   */
  static missing(name: string | undefined, requester: string): NangoUsageError {
    return NangoUsageError.missingInstance(requester, namedInstance(name));
  }
}
