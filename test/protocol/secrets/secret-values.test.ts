import { describe, expect, it } from "vitest";
import { commandLineSecrets, maskSecrets, registerConfigSecrets, registerSecret } from "../../../protocol/secrets/secret-values.js";

describe("secret values", () => {
  it("are masked in plain, JSON-escaped and URL-encoded forms, longest first", () => {
    registerSecret('pa"ss/word 1');
    expect(maskSecrets('a pa"ss/word 1 b')).toBe("a *** b");
    expect(maskSecrets(JSON.stringify({ v: 'pa"ss/word 1' }))).toBe('{"v":"***"}');
    expect(maskSecrets(`https://x/?p=${encodeURIComponent('pa"ss/word 1')}`)).toBe("https://x/?p=***");
  });

  it("come from config settings named like credentials, or marked secret by the connector's schema", () => {
    registerConfigSecrets(
      {
        database: "warehouse.db",
        password: "hunter2-db",
        auth: { kind: "bearer", value: "bearer-value-9" },
        next_page_token_path: "meta.next",
        client_secret: "cs-12345",
      },
      { type: "object", properties: { auth: { type: "object", properties: { value: { type: "string", secret: true } } } } },
    );
    expect(maskSecrets("hunter2-db bearer-value-9 cs-12345 meta.next warehouse.db")).toBe("*** *** *** meta.next warehouse.db");
  });

  it("come from the password of a URL in any setting, whatever its name", () => {
    registerConfigSecrets({ cache_path: "postgres://agora:url-pass-77@db.internal:5432/warehouse", base_url: "https://api.example.com/v1", note: "user@host" });
    expect(maskSecrets("postgres://agora:url-pass-77@db.internal:5432/warehouse")).toBe("postgres://agora:***@db.internal:5432/warehouse");
    expect(maskSecrets("https://api.example.com/v1 user@host")).toBe("https://api.example.com/v1 user@host");
  });

  it("of a URL setting marked secret are its password and credential parameters, not its host; a secret that is no URL is secret whole", () => {
    const urls = {
      type: "object",
      properties: { url: { type: "string", secret: true }, other: { type: "string", secret: true }, dsn: { type: "string", secret: true } },
    };
    registerConfigSecrets(
      {
        url: "postgres://agora:pw-secret-81@db.example:5432/x",
        other: "postgres://reader@replica.example/x?password=pw-param-82&sslmode=require",
        dsn: "opaque-dsn-value",
      },
      urls,
    );
    expect(maskSecrets("cannot reach postgres://agora:pw-secret-81@db.example:5432/x (opaque-dsn-value)")).toBe(
      "cannot reach postgres://agora:***@db.example:5432/x (***)",
    );
    expect(maskSecrets("postgres://reader@replica.example/x?password=pw-param-82&sslmode=require")).toBe(
      "postgres://reader@replica.example/x?password=***&sslmode=require",
    );
  });
});

describe("commandLineSecrets", () => {
  it("finds the values of secret flags, secret assignments and URL passwords, and nothing in plain words", () => {
    const words = [
      "tap-x",
      "--password",
      "hunter22",
      "--api-key=k3y-value",
      "API_TOKEN=t0ken-value",
      "--dsn",
      "postgres://u:p%40ss-word@db/x",
      "--config",
      "c.json",
      "--token",
    ];
    expect(commandLineSecrets(words).sort()).toEqual(["hunter22", "k3y-value", "p%40ss-word", "p@ss-word", "t0ken-value"]);
    expect(commandLineSecrets(["target-jsonl", "--config", "target.json", "--passwords-file=x"])).toEqual([]);
    expect(maskSecrets("connecting with hunter22")).toBe("connecting with ***");
  });
});
