import { findCatalogProblems, normalizeCatalog, type Catalog } from "../../catalogs/index.js";
import { ConfigError } from "../errors.js";
import { readJsonFile } from "./read-json-file.js";
import { ProtocolCodes } from "../messages/codes.js";

/** Reads a --catalog (or --properties) file, with an error naming the first problem. */
export function loadCatalogFile(path: string, connector: string): Catalog {
  const value = readJsonFile(path, "--catalog");
  const problems = findCatalogProblems(value);
  if (problems.length > 0) {
    throw new ConfigError(
      ProtocolCodes.CATALOG_INVALID,
      `the catalog is not valid: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ""}`,
      {
        where: { connector, file: path },
        hint: `Start from the output of \`${connector} --discover\`.`,
      },
    );
  }
  return normalizeCatalog(value);
}
