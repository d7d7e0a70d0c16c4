import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnModuleDestroy,
} from '@nestjs/common';
import { NangoModule } from '../nango.module.js';
import type { NangoModuleForRootOptions } from '../nango.module-definition.js';
import { NangoStandIn } from './stand-in/nango-stand-in.js';
import type { NangoStandInOptions } from './stand-in/stand-in.interfaces.js';

/**
 * Options of {@link NangoTestingModule} passed on to `NangoModule`: everything but the key and
 * the host, which come from the stand-in. `isGlobal` defaults to `true` here, so the
 * `NangoService` of the stand-in reaches every module of the test app.
 */
export type NangoTestingModuleOptions = Omit<
  NangoModuleForRootOptions,
  'secretKey' | 'apiKey' | 'host'
>;

/** Options of the stand-in started by {@link NangoTestingModule.withStandIn}. */
const STAND_IN_OPTIONS = Symbol('nestjs-nango:stand-in-options');

/** Closes the stand-in started by {@link NangoTestingModule.withStandIn} when the app closes. */
@Injectable()
class NangoStandInCloser implements OnModuleDestroy {
  constructor(@Inject(NangoStandIn) private readonly standIn: NangoStandIn) {}

  async onModuleDestroy(): Promise<void> {
    await this.standIn.close();
  }
}

/** Holds the stand-in started by {@link NangoTestingModule.withStandIn}. */
@Module({})
class NangoStandInHostModule {}

/**
 * `NangoModule` wired to a {@link NangoStandIn}, in one line, for testing your own controllers
 * and services without a Nango account. The stand-in is also a provider: `moduleRef.get(NangoStandIn)`
 * gives it back to seed connections, script answers and read the requests it got.
 *
 * @example
 * // You start and close the stand-in:
 * const standIn = await NangoStandIn.start({ connections: [...] });
 * const moduleRef = await Test.createTestingModule({
 *   imports: [NangoTestingModule.forStandIn(standIn), ReposModule],
 * }).compile();
 * // ... afterAll: await moduleRef.close(); await standIn.close();
 *
 * @example
 * // The module starts the stand-in and closes it with the app:
 * const moduleRef = await Test.createTestingModule({
 *   imports: [NangoTestingModule.withStandIn({ connections: [...] }), ReposModule],
 * }).compile();
 * const standIn = moduleRef.get(NangoStandIn);
 */
@Module({})
export class NangoTestingModule {
  /**
   * `NangoModule.forRoot()` pointed at a started stand-in (its `url` and `secretKey`), plus the
   * stand-in as a provider. You own the stand-in: close it after the app.
   *
   * @param standIn a stand-in from `NangoStandIn.start()`
   * @param options more `NangoModule` options (`timeout`, `userAgent`, `isGlobal`: default `true`)
   */
  static forStandIn(standIn: NangoStandIn, options: NangoTestingModuleOptions = {}): DynamicModule {
    const nango = NangoModule.forRoot({
      isGlobal: true,
      ...options,
      secretKey: standIn.secretKey,
      host: standIn.url,
    });
    return {
      module: NangoTestingModule,
      global: options.isGlobal ?? true,
      imports: [nango],
      providers: [{ provide: NangoStandIn, useValue: standIn }],
      exports: [nango, NangoStandIn],
    };
  }

  /**
   * Starts a stand-in when the app starts (seeded with `standIn.connections`), points
   * `NangoModule` at it, provides it as `NangoStandIn`, and closes it when the app closes.
   *
   * @param standIn options of `NangoStandIn.start()`: `connections`, `secretKey`, `latencyMs`
   * @param options more `NangoModule` options (`timeout`, `userAgent`, `isGlobal`: default `true`)
   */
  static withStandIn(
    standIn: NangoStandInOptions = {},
    options: NangoTestingModuleOptions = {},
  ): DynamicModule {
    const host: DynamicModule = {
      module: NangoStandInHostModule,
      providers: [
        { provide: STAND_IN_OPTIONS, useValue: standIn },
        {
          provide: NangoStandIn,
          useFactory: (startOptions: NangoStandInOptions) => NangoStandIn.start(startOptions),
          inject: [STAND_IN_OPTIONS],
        },
        NangoStandInCloser,
      ],
      exports: [NangoStandIn],
    };
    const nango = NangoModule.forRootAsync({
      isGlobal: options.isGlobal ?? true,
      imports: [host],
      inject: [NangoStandIn],
      useFactory: (started: NangoStandIn) => ({
        ...withoutExtras(options),
        secretKey: started.secretKey,
        host: started.url,
      }),
    });
    return {
      module: NangoTestingModule,
      global: options.isGlobal ?? true,
      imports: [host, nango],
      exports: [host, nango],
    };
  }
}

/** The options without `isGlobal`, which is not an option of the client. */
function withoutExtras(
  options: NangoTestingModuleOptions,
): Omit<NangoTestingModuleOptions, 'isGlobal'> {
  const { isGlobal: _isGlobal, ...rest } = options;
  return rest;
}
