/** Test helpers: a Nango stand-in server, and NangoTestingModule wiring NangoModule to it. */
export * from './stand-in/nango-stand-in.js';
export type {
  // start() and seeding
  NangoStandInOptions,
  StandInConnectionSeed,
  StandInCredentials,
  StandInRecordsSeed,
  StandInRecordSeed,
  StandInAction,
  StandInProviderSeed,
  StandInFunctionSeed,
  // script() and requests
  StandInRule,
  StandInResponse,
  RecordedRequest,
  // the third-party API behind the proxy
  StandInUpstream,
  StandInUpstreamRequest,
} from './stand-in/stand-in.interfaces.js';
export * from './nango-testing.module.js';
export * from './stand-in-answers.js';
