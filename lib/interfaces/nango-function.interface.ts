/** The kinds of function Nango runs. */
export type NangoFunctionType = 'action' | 'sync' | 'on-event';

/** A function deployed to an integration, as `GET /integrations/{key}/functions` lists it. */
export interface NangoDeployedFunction {
  name: string;
  type: NangoFunctionType;
  /** Every other field Nango sends (description, version, models, ...). */
  [field: string]: unknown;
}

/** `getFunction()`, `getFunctionCode()` and `deleteFunction()` argument: which function. */
export interface NangoFunctionParams {
  /** The integration key. */
  uniqueKey: string;
  /** The function's name. */
  name: string;
}

/** `listFunctions()` argument: which integration. */
export interface NangoIntegrationParams {
  /** The integration key. */
  uniqueKey: string;
}

/** Filters of `listFunctions()`. */
export interface NangoListFunctionsQuery {
  type?: NangoFunctionType;
  /** Case-insensitive filter on the function name. */
  search?: string;
  /** Page number, from 0. */
  page?: number;
  /** Page size, 1 to 100 (Nango's default: 20). */
  limit?: number;
}

/** What `listFunctions()` returns. */
export interface NangoFunctionList {
  data: NangoDeployedFunction[];
  pagination: { total: number; page: number; limit: number };
}

/** What `getFunction()` returns. */
export interface NangoFunctionResult {
  data: NangoDeployedFunction;
}

/** What `getFunctionCode()` returns. */
export interface NangoFunctionCode {
  type: NangoFunctionType;
  /** The function's TypeScript source. */
  code: string;
}

/** What `deleteFunction()` returns. */
export interface NangoFunctionDeleted {
  data: { success: boolean };
}
