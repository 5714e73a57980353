/**
 * Typed clients of the three communitylab services: openapi-fetch over the types openapi-typescript generated
 * from each service's OpenAPI document (src/registry.ts, src/workshops.ts, src/reporting.ts; `make client`).
 *
 *   const api = communitylab({ baseUrl: "https://communitylab.example", apiKey: process.env.API_KEY });
 *   const { data } = await api.registry.GET("/districts", { params: { query: { limit: 20 } } });
 *   for (const district of data?.items ?? []) console.log(district.name);
 *
 * Paths, parameters, request bodies and responses are checked by the compiler; an error answer comes back as
 * `error` (an RFC 9457 problem), never thrown.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { paths as RegistryPaths } from "./registry.js";
import type { paths as ReportingPaths } from "./reporting.js";
import type { paths as WorkshopsPaths } from "./workshops.js";

export type { components as RegistryComponents, paths as RegistryPaths } from "./registry.js";
export type { components as ReportingComponents, paths as ReportingPaths } from "./reporting.js";
export type { components as WorkshopsComponents, paths as WorkshopsPaths } from "./workshops.js";

export type RegistryClient = Client<RegistryPaths>;
export type WorkshopsClient = Client<WorkshopsPaths>;
export type ReportingClient = Client<ReportingPaths>;

/** The three services' clients. */
export interface Communitylab {
  registry: RegistryClient;
  workshops: WorkshopsClient;
  reporting: ReportingClient;
}

export interface CommunitylabOptions extends Omit<ClientOptions, "baseUrl"> {
  /**
   * Root of a deployment behind the shipped proxy (deploy/nginx): each service answers under its own prefix,
   * `<baseUrl>/registry`, `<baseUrl>/workshops`, `<baseUrl>/reporting`. Ignored for a service given below.
   */
  baseUrl?: string;
  /** Base URL of each service where they are reached directly (`communitylab up`: ports 8001, 8002, 8003). */
  registryUrl?: string;
  workshopsUrl?: string;
  reportingUrl?: string;
  /** An API key (`communitylab create-key`), sent as `Authorization: Bearer <key>`; anonymous without it. */
  apiKey?: string;
}

function serviceUrl(options: CommunitylabOptions, own: string | undefined, prefix: string): string {
  if (own !== undefined) return own.replace(/\/+$/, "");
  if (options.baseUrl !== undefined) return `${options.baseUrl.replace(/\/+$/, "")}/${prefix}`;
  throw new Error(`communitylab: give baseUrl or ${prefix}Url`);
}

function clientOptions(options: CommunitylabOptions, baseUrl: string): ClientOptions {
  const { registryUrl: _r, workshopsUrl: _w, reportingUrl: _p, apiKey, baseUrl: _b, headers, ...rest } = options;
  const auth: Record<string, string> = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
  return { ...rest, baseUrl, headers: { ...auth, ...(headers as Record<string, string> | undefined) } };
}

/** The registry's client (districts, people, bodies, keys, ...). */
export function registryClient(options: CommunitylabOptions): RegistryClient {
  return createClient<RegistryPaths>(clientOptions(options, serviceUrl(options, options.registryUrl, "registry")));
}

/** The workshops service's client (processes, workshops, registrations, evaluations, ...). */
export function workshopsClient(options: CommunitylabOptions): WorkshopsClient {
  return createClient<WorkshopsPaths>(
    clientOptions(options, serviceUrl(options, options.workshopsUrl, "workshops")),
  );
}

/** The reporting service's client (dashboard, diary, open data, the event log's proofs, webhooks, ...). */
export function reportingClient(options: CommunitylabOptions): ReportingClient {
  return createClient<ReportingPaths>(
    clientOptions(options, serviceUrl(options, options.reportingUrl, "reporting")),
  );
}

/** The three clients at once, sharing the key and the fetch options. */
export function communitylab(options: CommunitylabOptions): Communitylab {
  return {
    registry: registryClient(options),
    workshops: workshopsClient(options),
    reporting: reportingClient(options),
  };
}
