import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CsvFile, csvWriting } from "../../../connectors/target-csv/csv-file.js";
import { createLogger } from "../../../protocol/index.js";

const format = csvWriting({ delimiter: ",", quoteChar: '"' });
const logger = createLogger("target-csv", "error");

describe("CsvFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "agora-csv-file-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a new file's header before its lines, and once", async () => {
    const path = join(dir, "s.csv");
    const file = await CsvFile.open(path, ["id", "name"], format, logger);
    await file.append([["1,a\n", "2,b\n"], ["3,c\n"]]);
    await file.append([["4,d\n"]]);
    file.close();
    expect(readFileSync(path, "utf8")).toBe("id,name\n1,a\n2,b\n3,c\n4,d\n");
  });

  it("gives a file that got no lines its header, and a reopened file no second header", async () => {
    const path = join(dir, "s.csv");
    (await CsvFile.open(path, ["id", "name"], format, logger)).close();
    expect(readFileSync(path, "utf8")).toBe("id,name\n");
    const again = CsvFile.reopen(path, ["id", "name"]);
    await again.append([["1,a\n"]]);
    again.close();
    expect(readFileSync(path, "utf8")).toBe("id,name\n1,a\n");
  });

  it("appends to an existing file with the same header without writing it again, and to an empty one with it", async () => {
    const same = join(dir, "same.csv");
    writeFileSync(same, "id,name\n1,a\n");
    const file = await CsvFile.open(same, ["id", "name"], format, logger);
    await file.append([["2,b\n"]]);
    file.close();
    expect(readFileSync(same, "utf8")).toBe("id,name\n1,a\n2,b\n");

    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "");
    const filled = await CsvFile.open(empty, ["id"], format, logger);
    await filled.append([["7\n"]]);
    filled.close();
    expect(readFileSync(empty, "utf8")).toBe("id\n7\n");
  });
});
