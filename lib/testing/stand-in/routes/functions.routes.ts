import type { RecordedRequest, StandInFunctionSeed } from '../stand-in.interfaces.js';
import { decodeSegment } from '../stand-in.request.js';
import { storeKey, type StandInStore } from '../stand-in.store.js';
import { invalidInput, notFound, type StandInJsonAnswer, isAnswer } from '../stand-in.wire.js';
import { integrationNotFound } from './integrations.routes.js';
import type { StandInRoute } from './stand-in-route.js';

/**
 * `/integrations/{key}/functions`, as `functions.requests.ts` builds its requests: list, get,
 * get code, delete. An integration's syncs and actions are listed as functions too.
 */

/** The routes of `/integrations/{key}/functions...`. */
export const functionsRoutes: StandInRoute = (req, store) => {
  const { method } = req;
  const segments = req.pathname.split('/');
  const key = decodeSegment(segments[2]);
  if (key === undefined || segments[3] !== 'functions') return undefined;
  if (!store.integrations.has(key)) return integrationNotFound(key);
  if (segments.length === 4 && method === 'GET') return listFunctions(req, store, key);
  const name = decodeSegment(segments[4]);
  if (name === undefined) return undefined;
  if (segments.length === 5 && method === 'GET') return getFunction(req, store, key, name, false);
  if (segments.length === 6 && segments[5] === 'code' && method === 'GET') {
    return getFunction(req, store, key, name, true);
  }
  if (segments.length === 5 && method === 'DELETE') return deleteFunction(req, store, key, name);
  return undefined;
};

function allFunctions(store: StandInStore, key: string): StandInFunctionSeed[] {
  const seeded = [...(store.functions.get(key)?.values() ?? [])];
  const derived: StandInFunctionSeed[] = [
    ...store.syncNames(key).map((name) => ({ name, type: 'sync' as const })),
    ...store.actionNames(key).map((name) => ({ name, type: 'action' as const })),
  ];
  const all = [...seeded];
  for (const fn of derived) {
    if (!all.some((f) => f.name === fn.name && f.type === fn.type)) all.push(fn);
  }
  return all.filter((f) => !store.deletedFunctions.has(storeKey(key, f.type, f.name)));
}

function functionWire(fn: StandInFunctionSeed): Record<string, unknown> {
  const { code, ...rest } = fn;
  void code;
  return { description: null, version: '0.0.1', enabled: true, ...rest };
}

function listFunctions(req: RecordedRequest, store: StandInStore, key: string): StandInJsonAnswer {
  const { type, search } = req.query;
  const page = Number(req.query['page'] ?? 0);
  const limit = Number(req.query['limit'] ?? 20);
  const selected = allFunctions(store, key).filter(
    (f) =>
      (type === undefined || f.type === type) &&
      (search === undefined || f.name.toLowerCase().includes(search.toLowerCase())),
  );
  return {
    status: 200,
    body: {
      data: selected.slice(page * limit, (page + 1) * limit).map((f) => functionWire(f)),
      pagination: { total: selected.length, page, limit },
    },
  };
}

function findFunction(
  req: RecordedRequest,
  store: StandInStore,
  key: string,
  name: string,
): StandInFunctionSeed | StandInJsonAnswer {
  const type = req.query['type'];
  const found = allFunctions(store, key).filter(
    (f) => f.name === name && (type === undefined || f.type === type),
  );
  if (found.length === 0) return notFound(`Function "${name}" does not exist`);
  if (found.length > 1) {
    return {
      status: 400,
      body: {
        error: {
          code: 'ambiguous_function',
          message: `Several functions are named "${name}": pass type`,
          payload: { matches: found.map((m) => ({ type: m.type, name: m.name })) },
        },
      },
    };
  }
  return found[0] as StandInFunctionSeed;
}

function getFunction(
  req: RecordedRequest,
  store: StandInStore,
  key: string,
  name: string,
  code: boolean,
): StandInJsonAnswer {
  const fn = findFunction(req, store, key, name);
  if (isAnswer(fn)) return fn;
  if (code) {
    return {
      status: 200,
      body: { type: fn.type, code: fn.code ?? `// ${fn.type} ${fn.name}\nexport default {};\n` },
    };
  }
  return { status: 200, body: { data: functionWire(fn) } };
}

function deleteFunction(
  req: RecordedRequest,
  store: StandInStore,
  key: string,
  name: string,
): StandInJsonAnswer {
  const type = req.query['type'];
  if (type !== 'action' && type !== 'sync') {
    return invalidInput('invalid_query_params', [
      { code: 'invalid_value', message: 'Invalid option', path: ['type'] },
    ]);
  }
  const fn = findFunction(req, store, key, name);
  if (isAnswer(fn)) return fn;
  store.deletedFunctions.add(storeKey(key, type, name));
  store.functions.get(key)?.delete(storeKey(type, name));
  return { status: 200, body: { data: { success: true } } };
}
