/*
 * The build's step after the bundle: for each executable folder given (dist/connectors/NAME/), the
 * settings schema of its about.json compiled into settings-validator.cjs beside it (see
 * compiled-settings.ts). A schema that cannot be compiled ahead of time gets no file: the
 * connector compiles it at start, as any connector without one does.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonSchema } from "../messages/types.js";
import { settingsValidatorSource } from "./settings-validator-source.js";

for (const folder of process.argv.slice(2)) {
  const about = JSON.parse(readFileSync(join(folder, "about.json"), "utf8")) as { settings?: JsonSchema };
  const file = join(folder, "settings-validator.cjs");
  const source = about.settings === undefined ? undefined : settingsValidatorSource(about.settings);
  if (source === undefined) rmSync(file, { force: true });
  else writeFileSync(file, source);
}
