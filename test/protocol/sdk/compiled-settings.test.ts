import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { JsonSchema } from "../../../protocol/index.js";
import { compiledSettingsValidator, SETTINGS_AJV_OPTIONS } from "../../../protocol/sdk/compiled-settings.js";
import { settingsValidatorSource } from "../../../protocol/sdk/settings-validator-source.js";
import { validateConfig } from "../../../protocol/sdk/config.js";
import { createAjv } from "../../../protocol/validation/ajv-instance.js";
import { ROOT, tempDir } from "../../helpers/processes.js";

const SETTINGS: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["base_url", "files"],
  properties: {
    base_url: { type: "string", format: "uri" },
    mode: { type: "string", enum: ["append", "overwrite"], default: "append" },
    batch_size_rows: { type: "integer", minimum: 1, default: 10000 },
    files: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["path"],
        properties: { path: { type: "string", minLength: 1 }, delimiter: { type: "string", default: "," } },
      },
    },
  },
};

/** `settings` compiled into a module in a folder of the test's own; its URL. */
function compiledFile(settings: JsonSchema, source = settingsValidatorSource(settings)): URL {
  const file = join(tempDir(), "settings-validator.cjs");
  writeFileSync(file, source ?? "");
  return pathToFileURL(file);
}

/** What validateConfig answers, a config with defaults or the error's line; by the settings compiled at start unless told. */
function outcome(config: Record<string, unknown>, validate = createAjv(SETTINGS_AJV_OPTIONS).compile(SETTINGS)): unknown {
  try {
    return validateConfig(config, ["c.json"], "tap-x", validate);
  } catch (error) {
    return (error as Error).message;
  }
}

describe("settings compiled ahead of time", () => {
  it("fill in defaults and report every problem as the settings compiled at start do", () => {
    const compiled = compiledSettingsValidator(compiledFile(SETTINGS), SETTINGS);
    expect(compiled).toBeTypeOf("function");
    const configs = [
      { base_url: "https://example.com/v1", files: [{ path: "a.csv" }] },
      { base_url: "https://example.com", mode: "overwrite", batch_size_rows: 5, files: [{ path: "a.csv", delimiter: ";" }] },
      { base_url: "not a uri", mode: "replace", batch_size_rows: 0, files: [], extra: true },
      { files: [{ path: "" }, { delimiter: 1 }] },
    ];
    const answers = configs.map((config) => outcome(config, compiled));
    expect(answers).toEqual(configs.map((config) => outcome(config)));
    expect(answers[0]).toEqual({ base_url: "https://example.com/v1", mode: "append", batch_size_rows: 10000, files: [{ path: "a.csv", delimiter: "," }] });
    expect(answers[2]).toContain('setting "extra" is not a setting of this connector');
  });

  it("are not used for other settings, nor when there is no such file", () => {
    const other: JsonSchema = { ...SETTINGS, required: ["base_url"] };
    expect(compiledSettingsValidator(compiledFile(SETTINGS), other)).toBeUndefined();
    expect(compiledSettingsValidator(pathToFileURL(join(tempDir(), "missing.cjs")), SETTINGS)).toBeUndefined();
    expect(compiledSettingsValidator(undefined, SETTINGS)).toBeUndefined();
  });

  it("are not made for a schema using what our validator checks its own way (tolerant multipleOf, RE2 patterns, RFC 3339 date-time)", () => {
    for (const property of [
      { type: "number", multipleOf: 0.01 },
      { type: "string", pattern: "^a+$" },
      { type: "string", format: "date-time" },
    ]) {
      expect(settingsValidatorSource({ type: "object", properties: { value: property } })).toBeUndefined();
    }
    expect(settingsValidatorSource({ type: "object", patternProperties: { "^x": { type: "string" } } })).toBeUndefined();
  });

  it("are built beside each of our connectors for the settings it declares", () => {
    const connectors = readdirSync(join(ROOT, "dist", "connectors"));
    expect(connectors.length).toBeGreaterThanOrEqual(11);
    for (const name of connectors) {
      const folder = join(ROOT, "dist", "connectors", name);
      const about = JSON.parse(readFileSync(join(folder, "about.json"), "utf8")) as { settings: JsonSchema };
      expect(compiledSettingsValidator(pathToFileURL(join(folder, "settings-validator.cjs")), about.settings), name).toBeTypeOf("function");
    }
  });
});
