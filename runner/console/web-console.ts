import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { asAgoraError, maskSecrets, registerConfigSecrets } from "../../protocol/index.js";
import type { Project } from "../project/project-types.js";
import { resolvePipeline } from "../project/resolve-pipeline.js";
import { ConsoleApi, type ConsoleSources } from "./console-api.js";
import { bearerTokenOf, ConsoleSessions, cookieOf, SESSION_COOKIE } from "./console-session.js";
import { type Answer, errorAnswer, jsonAnswer, readBody, redirect, send } from "./http-answer.js";
import { LiveFeed } from "./live-feed.js";
import { StaticAssets } from "./static-assets.js";

/** Served to anyone: the login page and what it needs. */
const PUBLIC_PATHS = new Set(["/login", "/login.html", "/login.js", "/console.css", "/favicon.svg"]);
/** A wrong token waits this long before its answer, so guessing is slow. */
const FAILED_LOGIN_DELAY_MS = 400;

/** How the health server hands the console what is not its own (/health, /ready, /metrics are). */
export interface ConsolePort {
  /** True when the request is signed in to the console (the health endpoints take that too). */
  signedIn(request: IncomingMessage): boolean;
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void>;
}

/**
 * The web console: its pages, its JSON API and its live feed, behind a
 * login with the token. A signed-in page holds an HTTP-only, SameSite=Strict
 * session cookie and sends the session's CSRF token with every action; a
 * script may send `Authorization: Bearer TOKEN` instead. Without either,
 * nothing but the login page is served.
 */
export class WebConsole implements ConsolePort {
  readonly feed: LiveFeed;
  private readonly api: ConsoleApi;
  private readonly sessions: ConsoleSessions;

  constructor(
    private readonly sources: ConsoleSources,
    token: string,
    private readonly assets = new StaticAssets(),
  ) {
    registerProjectSecrets(sources.project);
    this.sessions = new ConsoleSessions(token);
    this.api = new ConsoleApi(sources);
    this.feed = new LiveFeed(sources.store);
  }

  signedIn(request: IncomingMessage): boolean {
    return this.sessions.valid(cookieOf(request, SESSION_COOKIE)) || this.bearer(request);
  }

  close(): void {
    this.feed.close();
  }

  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    try {
      const answer = await this.answer(request, response, url);
      if (answer !== undefined) send(response, answer);
    } catch (thrown) {
      const error = asAgoraError(thrown);
      send(response, errorAnswer(error.kind === "usage" ? 400 : 500, error.code, maskSecrets(error.toUserLine({ withHint: false })), error.hint));
    }
  }

  /** The answer to send, or undefined when the response is already taken (the live feed). */
  private async answer(request: IncomingMessage, response: ServerResponse, url: URL): Promise<Answer | undefined> {
    const path = url.pathname;
    const method = request.method ?? "GET";
    if (path === "/login" && method === "POST") return this.login(request);
    if (PUBLIC_PATHS.has(path) && method === "GET") return this.assets.answer(path === "/login" ? "/login.html" : path, request);
    const session = cookieOf(request, SESSION_COOKIE);
    const bySession = this.sessions.valid(session);
    if (!bySession && !this.bearer(request)) {
      if (method === "GET" && (path === "/" || path === "/index.html")) return redirect("/login");
      return errorAnswer(401, "UNAUTHORIZED", "sign in first", "Open /login, or send Authorization: Bearer TOKEN.");
    }
    // An action signed in by cookie must carry the session's CSRF token: another site's form cannot.
    if (method !== "GET" && bySession && !this.sessions.csrfMatches(session, header(request, "x-csrf-token")))
      return errorAnswer(403, "CSRF_TOKEN_MISSING", "the action lacks this session's CSRF token", "Reload the page and try again.");
    if (path === "/logout" && method === "POST") return redirect("/login", { "set-cookie": ConsoleSessions.clearCookieHeader() });
    if (path === "/api/session" && method === "GET")
      return jsonAnswer({ readOnly: this.sources.readOnly, csrf: bySession ? this.sessions.csrfFor(session) : null });
    if (path === "/api/events" && method === "GET") {
      if (this.feed.follow(request, response)) return undefined;
      return errorAnswer(503, "TOO_MANY_FOLLOWERS", "too many pages follow the live feed already", "Close another console tab.");
    }
    if (path.startsWith("/api/")) return this.apiAnswer(request, url, method);
    if (method !== "GET") return errorAnswer(405, "METHOD_NOT_ALLOWED", `${method} ${path} is not an action`);
    return this.assets.answer(path === "/" ? "/index.html" : path, request) ?? errorAnswer(404, "NOT_FOUND", `nothing at ${path}`);
  }

  private async apiAnswer(request: IncomingMessage, url: URL, method: string): Promise<Answer> {
    let parts: string[];
    try {
      parts = url.pathname.slice("/api/".length).split("/").map(decodeURIComponent);
    } catch {
      return errorAnswer(400, "BAD_PATH", `the path ${url.pathname} is not valid percent-encoding`, "Encode names with encodeURIComponent.");
    }
    if (method === "POST") {
      // A replay can take as long as its records take to write: the server's idle timeout must not cut it.
      request.socket.setTimeout(0);
    }
    const body = method === "POST" ? await readBody(request) : "";
    return this.api.answer({ method, parts, query: url.searchParams, body });
  }

  private async login(request: IncomingMessage): Promise<Answer> {
    const form = new URLSearchParams(await readBody(request));
    if (this.sessions.tokenMatches(form.get("token") ?? "")) {
      return redirect("/", { "set-cookie": this.sessions.cookieHeader(false) });
    }
    await delay(FAILED_LOGIN_DELAY_MS);
    return redirect("/login?failed=1");
  }

  private bearer(request: IncomingMessage): boolean {
    const presented = bearerTokenOf(request);
    return presented !== undefined && this.sessions.tokenMatches(presented);
  }
}

/** The secrets of every connector config of the project, so no answer shows one (a run registers them too, but the console may answer first). */
function registerProjectSecrets(project: Project | undefined): void {
  for (const name of Object.keys(project?.pipelines ?? {})) {
    try {
      const definition = resolvePipeline(project as Project, name);
      for (const connector of [definition.tap, ...definition.targets]) registerConfigSecrets(connector.config);
    } catch {
      // A pipeline that does not resolve has no config to show either; its pages say why.
    }
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
