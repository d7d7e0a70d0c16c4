/** Test helpers: a Nango stand-in server, and NangoTestingModule wiring NangoModule to it. */
export * from './stand-in/nango-stand-in.js';
export type {
  NangoStandInOptions,
  RecordedRequest,
  StandInAction,
  StandInConnectionSeed,
  StandInCredentials,
  StandInFunctionSeed,
  StandInProviderSeed,
  StandInRecordSeed,
  StandInRecordsSeed,
  StandInResponse,
  StandInRule,
  StandInUpstream,
  StandInUpstreamRequest,
} from './stand-in/stand-in.interfaces.js';
export * from './nango-testing.module.js';
export * from './stand-in-answers.js';
