import { describe, expect, it } from "vitest";
import { ConsoleSessions } from "../../../runner/console/console-session.js";

describe("console sessions", () => {
  it("hold for twelve hours, end when the token changes, and refuse any altered cookie", () => {
    let now = 1_000_000;
    const sessions = new ConsoleSessions("token-a", () => now);
    const session = sessions.issue();
    expect(sessions.valid(session)).toBe(true);
    expect(new ConsoleSessions("token-b", () => now).valid(session)).toBe(false);
    const [expires, signature] = session.split(".") as [string, string];
    expect(sessions.valid(`${Number(expires) + 1000}.${signature}`)).toBe(false);
    expect(sessions.valid(`${expires}.${signature}x`)).toBe(false);
    expect(sessions.valid(`${session}.extra`)).toBe(false);
    expect(sessions.valid(undefined)).toBe(false);
    now += 12 * 60 * 60 * 1000 - 1;
    expect(sessions.valid(session)).toBe(true);
    now += 1;
    expect(sessions.valid(session)).toBe(false);
  });

  it("give each session its own CSRF token", () => {
    const sessions = new ConsoleSessions("token-a");
    const first = sessions.issue();
    const csrf = sessions.csrfFor(first);
    expect(sessions.csrfMatches(first, csrf)).toBe(true);
    expect(sessions.csrfMatches(first, undefined)).toBe(false);
    expect(sessions.csrfMatches(`${Date.now() + 5000}.other`, csrf)).toBe(false);
  });
});
