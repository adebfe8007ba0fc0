import { describe, expect, it } from "vitest";
import { packagesLoadedAtStart } from "../helpers/build-imports.js";
import { connectorBin } from "../helpers/processes.js";

describe("the taps' SDK (protocol/tap.ts)", () => {
  it("keeps record validation out of our taps' start: none of them loads ajv, which every target loads", () => {
    for (const tap of ["tap-csv", "tap-jsonl", "tap-parquet", "tap-rest", "tap-sample"]) {
      const loaded = packagesLoadedAtStart(connectorBin(tap));
      expect(
        [...loaded].filter((name) => name.startsWith("ajv")),
        tap,
      ).toEqual([]);
    }
    expect(packagesLoadedAtStart(connectorBin("target-jsonl"))).toContain("ajv");
  });

  it("is part of the whole SDK: protocol/index.ts exports everything it does", async () => {
    const tap = await import("../../protocol/tap.js");
    const whole = await import("../../protocol/index.js");
    expect(Object.keys(tap).filter((name) => !(name in whole))).toEqual([]);
  });
});
