import { describe, expect, it } from "vitest";
import { applySelectRules, normalizeCatalog, parseSelectRules, applyCatalogOverrides } from "../../../catalogs/index.js";
import { airbyteCatalogProblem, configuredStreamsOf, singerCatalogOf, type AirbyteStream } from "../../../runner/airbyte/airbyte-catalog.js";

const USERS: AirbyteStream = {
  name: "users",
  namespace: "app",
  json_schema: { type: "object", properties: { org: { type: "string" }, id: { type: "integer" }, email: { type: "string" }, updated: { type: "object" } } },
  supported_sync_modes: ["full_refresh", "incremental"],
  source_defined_cursor: false,
  default_cursor_field: ["updated", "at"],
  source_defined_primary_key: [["org"], ["id"]],
};
const PROFILES: AirbyteStream = {
  name: "profiles",
  json_schema: { type: "object", properties: { ref: { type: "object" } } },
  supported_sync_modes: ["full_refresh"],
  source_defined_primary_key: [["ref", "id"]],
};

function selected(select: string[], metadata?: Record<string, Record<string, unknown>>) {
  const base = normalizeCatalog(singerCatalogOf({ streams: [USERS, PROFILES] }));
  const { catalog } = applyCatalogOverrides(base, { metadata, schema: undefined });
  return configuredStreamsOf(applySelectRules(catalog, parseSelectRules(select)).catalog);
}

describe("an Airbyte catalog in Singer's terms", () => {
  it("names a namespaced stream namespace-name and keeps composite keys as key properties", () => {
    const [users, profiles] = singerCatalogOf({ streams: [USERS, PROFILES] }).streams;
    expect(users?.tap_stream_id).toBe("app-users");
    expect(users?.key_properties).toEqual(["org", "id"]);
    expect(profiles?.key_properties).toEqual([]);
  });

  it("hands read each selected stream whole: composite key, nested cursor path, namespace", () => {
    const [users, ...rest] = selected(["app-users.*"]);
    expect(rest).toEqual([]);
    expect(users?.configured).toEqual({
      stream: { ...USERS, json_schema: USERS.json_schema },
      sync_mode: "incremental",
      cursor_field: ["updated", "at"],
      destination_sync_mode: "append",
      primary_key: [["org"], ["id"]],
    });
    expect(users?.descriptor).toEqual({ name: "users", namespace: "app" });
  });

  it("cuts the schema handed to read and the records to the selected properties, keys always kept", () => {
    const [users] = selected(["app-users.id", "app-users.updated"]);
    expect(Object.keys((users?.schema["properties"] ?? {}) as object)).toEqual(["org", "id", "updated"]);
    expect(users?.projection).toEqual({ org: true, id: true, updated: true });
  });

  it("syncs a stream in full when the pipeline says FULL_TABLE, and takes a cursor path from airbyte-cursor-field", () => {
    expect(selected(["app-users.*"], { "app-users": { "replication-method": "FULL_TABLE" } })[0]?.configured.sync_mode).toBe("full_refresh");
    expect(selected(["app-users.*"], { "app-users": { "airbyte-cursor-field": ["email"] } })[0]?.configured.cursor_field).toEqual(["email"]);
  });

  it("says a nested key cannot be a Singer key, and keeps it whole for read", () => {
    const [profiles] = selected(["profiles.*"]);
    expect(profiles?.nestedKey).toBe(true);
    expect(profiles?.keyProperties).toEqual([]);
    expect(profiles?.configured.primary_key).toEqual([["ref", "id"]]);
    expect(profiles?.configured.sync_mode).toBe("full_refresh");
  });

  it("refuses a catalog two of whose streams would share a Singer name, or that misses what the protocol requires", () => {
    expect(airbyteCatalogProblem({ streams: [USERS, { ...USERS, namespace: undefined, name: "app-users" }] })).toBe(
      'streams app-users and another both become "app-users" in Singer',
    );
    expect(airbyteCatalogProblem({ streams: [{ ...PROFILES, supported_sync_modes: [] }] })).toBe("stream profiles lists no supported_sync_modes");
    expect(airbyteCatalogProblem({})).toBe("the CATALOG has no streams array");
  });
});
