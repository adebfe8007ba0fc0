// The console's JSON API, with the session's CSRF token on every action.
let session;

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.hint = error?.hint ?? "";
    this.code = error?.code ?? "";
  }
}

async function request(method, path, body) {
  const headers = { accept: "application/json" };
  if (method !== "GET") {
    session ??= await get("/api/session");
    headers["content-type"] = "application/json";
    headers["x-csrf-token"] = session.csrf;
  }
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  if (response.status === 401) {
    location.href = "/login";
    throw new ApiError(401, { message: "signed out" });
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, answer.error);
  return answer;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body ?? {});

export async function sessionInfo() {
  session ??= await get("/api/session");
  return session;
}

export const pipelinePath = (name) => `/api/pipelines/${encodeURIComponent(name)}`;
