import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findCatalogProblems } from "../../catalogs/index.js";
import { writeIn, writeJsonIn } from "../helpers/files.js";
import { writeSampleParquet } from "../helpers/parquet.js";
import { connectorBin, runNode, tempDir } from "../helpers/processes.js";

const dir = tempDir();
const csv = writeIn(dir, "a.csv", "id,x\n1,2\n");
const jsonl = writeIn(dir, "b.jsonl", '{"id":1,"x":{"y":2}}\n');
const parquet = join(dir, "c.parquet");
writeSampleParquet(parquet, { rows: 3, rowGroupSize: 2 });

const taps: Array<[string, Record<string, unknown>]> = [
  ["tap-csv", { files: [{ path: csv, key_properties: ["id"] }] }],
  ["tap-jsonl", { files: [{ path: jsonl, key_properties: ["id"] }] }],
  ["tap-parquet", { files: [{ path: parquet, key_properties: ["id"] }] }],
  ["tap-sample", {}],
];

describe.each(taps)("%s --discover", (tap, config) => {
  it("prints a valid catalog whose keys exist in each schema and are automatic", async () => {
    const result = await runNode(connectorBin(tap), ["--config", writeJsonIn(dir, `${tap}.json`, config), "--discover"]);
    expect(result.exitCode).toBe(0);
    const catalog = JSON.parse(result.stdout) as {
      streams: Array<{
        schema: { properties: object };
        key_properties: string[];
        metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
      }>;
    };
    expect(findCatalogProblems(catalog)).toEqual([]);
    for (const stream of catalog.streams) {
      for (const key of stream.key_properties) {
        expect(Object.keys(stream.schema.properties)).toContain(key);
        expect(stream.metadata.find((entry) => entry.breadcrumb[1] === key)?.metadata["inclusion"]).toBe("automatic");
      }
    }
  });
});
