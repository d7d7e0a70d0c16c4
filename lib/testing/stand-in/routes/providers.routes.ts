import type { StandInProviderSeed } from '../stand-in.interfaces.js';
import { decodeSegment } from '../stand-in.request.js';
import type { StandInStore } from '../stand-in.store.js';
import { notFound, type StandInJsonAnswer } from '../stand-in.wire.js';
import type { StandInRoute } from './stand-in-route.js';

/** `GET /providers...`, as `providers.requests.ts` builds its requests: list, get, templates. */

/** The routes of `/providers`. */
export const providersRoutes: StandInRoute = (req, store) => {
  if (req.method !== 'GET') return undefined;
  const segments = req.pathname.split('/');
  if (segments.length === 2) {
    const search = req.query['search']?.toLowerCase();
    const list = [...store.providers.values()].filter(
      (p) => search === undefined || p.name.toLowerCase().includes(search),
    );
    return { status: 200, body: { data: list.map((p) => providerWire(store, p)) } };
  }
  const name = decodeSegment(segments[2]);
  if (name === undefined) return undefined;
  if (segments.length === 3) {
    return withProvider(store, name, (seed) => ({ data: providerWire(store, seed) }));
  }
  if (segments.length === 4 && segments[3] === 'templates') {
    return withProvider(store, name, (seed) => ({ data: seed.templates ?? [] }));
  }
  return undefined;
};

function withProvider(
  store: StandInStore,
  name: string,
  body: (seed: StandInProviderSeed) => unknown,
): StandInJsonAnswer {
  const seed = store.providers.get(name);
  if (seed === undefined) return notFound(`Provider "${name}" does not exist`);
  return { status: 200, body: body(seed) };
}

function providerWire(store: StandInStore, seed: StandInProviderSeed): Record<string, unknown> {
  const { templates, ...rest } = seed;
  void templates;
  return {
    display_name: seed.name,
    auth_mode: 'OAUTH2',
    ...rest,
    logo_url: `${store.url}/images/template-logos/${seed.name}.svg`,
  };
}
