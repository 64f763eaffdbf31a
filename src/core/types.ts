/**
 * The vocabulary every layer shares about any target, a client or a server, and the HTTP exchanges a server
 * suite's driver reports. A suite's own protocol (Open Mobile's adapter protocol) lives with it, in
 * protocols/<suite>/, not here: the engine knows no suite's concept.
 */

/**
 * What the engine and the reports know of any target, a client or a server: its name, version and the
 * optional features it offers (cases that need a missing one are not applicable).
 */
export interface BaseTargetInfo {
  name: string;
  version: string;
  capabilities: readonly string[];
  /** A client's platform and delivery methods (reports show them when present). */
  platform?: string;
  methods?: readonly string[];
}

/**
 * How one request of a case reaches a client (a client suite's cases have one; a server suite's none): the
 * results and the reports show it. A suite types it more narrowly (Open Mobile: its platforms and methods).
 */
export interface CaseRoute {
  platform: string;
  method: string;
}

/** One HTTP request a server suite's driver sent, as a failing case's report shows it. */
export interface WireRequest {
  method: string;
  url: string;
  /** Where the request has a body. */
  contentType?: string | null;
  body: string | null;
}

export interface WireResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/** One request and what came back; `failure` says why nothing usable came back (a hang, a reset). */
export interface WireExchange {
  request: WireRequest;
  response: WireResponse | null;
  failure: string | null;
  ms: number;
  /** True when nothing came back at all: no answer's head in time, or the connection refused or reset before one. */
  silent?: boolean;
}
