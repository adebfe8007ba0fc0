import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recordsOf, statesOf, writeIn, writeJsonIn } from "../../helpers/files.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

/** What a bookmark says of its file (size and a digest of its first bytes), to notice the file rewritten. */
const FILE_IDENTITY = { size: expect.any(Number), head: expect.stringMatching(/^[0-9a-f]{32}$/), headBytes: expect.any(Number) };

const tap = connectorBin("tap-csv");
const dir = tempDir();

const PEOPLE = [
  "id,name,score,active,joined,zip",
  "1,Ann,1.5,true,2024-01-02T03:04:05Z,007",
  '2,"Bob, Jr.",2,false,,0100',
  '3,"Quote ""Q""",-3.25,TRUE,2024-02-02 10:00:00,12345',
  "4,Dörte,0,false,2024-03-03T00:00:00Z,",
].join("\n");
const people = writeIn(dir, "people.csv", `${PEOPLE}\n`);

async function sync(config: Record<string, unknown>, extra: string[] = []) {
  const result = await runNode(tap, ["--config", writeJsonIn(dir, `c-${Math.random()}.json`, config), ...extra]);
  return { ...result, messages: result.stdout === "" || extra.includes("--discover") ? [] : jsonLines(result.stdout) };
}

describe("tap-csv discovery", () => {
  it("infers column types from a sample and marks keys", async () => {
    const result = await runNode(tap, ["--config", writeJsonIn(dir, "d.json", { files: [{ path: people, key_properties: ["id"] }] }), "--discover"]);
    expect(result.exitCode).toBe(0);
    const [stream] = (JSON.parse(result.stdout) as { streams: Array<{ tap_stream_id: string; schema: { properties: object }; key_properties: string[] }> })
      .streams;
    expect(stream?.tap_stream_id).toBe("people");
    expect(stream?.key_properties).toEqual(["id"]);
    expect(stream?.schema.properties).toEqual({
      id: { type: "integer" },
      name: { type: ["null", "string"] },
      score: { type: ["null", "number"] },
      active: { type: ["null", "boolean"] },
      joined: { type: ["null", "string"], format: "date-time" },
      zip: { type: ["null", "string"] },
    });
  });

  it("infers from the sample only: a bad value after it is a bad row, not a string column", async () => {
    const rows = ["n", ...Array.from({ length: 50 }, (_, index) => String(index)), "not a number"];
    const file = writeIn(dir, "late-bad.csv", `${rows.join("\n")}\n`);
    const result = await sync({ files: [{ path: file }], sample_size: 10 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`stream late-bad, ${file}, line 52, field n: expected integer, got "not a number"`);
  });

  it("rejects a key property that is not a column", async () => {
    const result = await sync({ files: [{ path: people, key_properties: ["uid"] }] }, ["--discover"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('key property "uid" is not a column (columns: id, name, score, active, joined, zip)');
  });
});

describe("tap-csv sync", () => {
  it("emits typed values, with quotes, escapes and unicode intact", async () => {
    const result = await sync({ files: [{ path: people, key_properties: ["id"] }] });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages)).toEqual([
      { id: 1, name: "Ann", score: 1.5, active: true, joined: "2024-01-02T03:04:05Z", zip: "007" },
      { id: 2, name: "Bob, Jr.", score: 2, active: false, joined: null, zip: "0100" },
      { id: 3, name: 'Quote "Q"', score: -3.25, active: true, joined: "2024-02-02 10:00:00", zip: "12345" },
      { id: 4, name: "Dörte", score: 0, active: false, joined: "2024-03-03T00:00:00Z", zip: null },
    ]);
  });

  it("reads TSV, a custom quote char, and a file without header with given column names", async () => {
    const tsv = writeIn(dir, "t.tsv", "a\tb\n1\tx y\n2\t'p\tq'\n");
    const noHeader = writeIn(dir, "nh.csv", "5;'a;b'\n6;c\n");
    const result = await sync({
      files: [
        { path: tsv, quote_char: "'" },
        { path: noHeader, stream: "pairs", header: false, columns: ["num", "text"], delimiter: ";", quote_char: "'" },
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, "t")).toEqual([
      { a: 1, b: "x y" },
      { a: 2, b: "p\tq" },
    ]);
    expect(recordsOf(result.messages, "pairs")).toEqual([
      { num: 5, text: "a;b" },
      { num: 6, text: "c" },
    ]);
  });

  it("applies top-level format settings to every file that does not set its own", async () => {
    const first = writeIn(dir, "semi1.csv", "1;'x;y'\n");
    const second = writeIn(dir, "semi2.csv", "a|b\n2|z\n");
    const result = await sync({ delimiter: ";", quote_char: "'", header: false, files: [{ path: first }, { path: second, delimiter: "|", header: true }] });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, "semi1")).toEqual([{ column_1: 1, column_2: "x;y" }]);
    expect(recordsOf(result.messages, "semi2")).toEqual([{ a: 2, b: "z" }]);
  });

  it("strips an Excel BOM and reads latin1", async () => {
    const bom = writeIn(dir, "bom.csv", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("id,city\n1,Zürich\n")]));
    const latin = writeIn(dir, "latin.csv", Buffer.from("id,city\n1,K\xf6ln\n", "latin1"));
    const result = await sync({ files: [{ path: bom }, { path: latin, encoding: "latin1" }] });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, "bom")).toEqual([{ id: 1, city: "Zürich" }]);
    expect(recordsOf(result.messages, "latin")).toEqual([{ id: 1, city: "Köln" }]);
  });

  it("reads UTF-16 files of either byte order, their byte-order mark skipped", async () => {
    const text = "id,city\n1,Zürich\n2,東京\n";
    const little = writeIn(dir, "le.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const big = writeIn(dir, "be.csv", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]));
    const result = await sync({
      files: [
        { path: little, encoding: "utf-16le" },
        { path: big, encoding: "utf-16be" },
      ],
    });
    expect(result.exitCode, result.stderr).toBe(0);
    for (const stream of ["le", "be"])
      expect(recordsOf(result.messages, stream)).toEqual([
        { id: 1, city: "Zürich" },
        { id: 2, city: "東京" },
      ]);
  });

  it("refuses a file whose byte-order mark contradicts its encoding, in one line naming the file (not 0 rows and success)", async () => {
    const big = writeIn(dir, "be-as-le.csv", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("id\n1\n", "utf16le").swap16()]));
    const wrong = await sync({ files: [{ path: big, encoding: "utf-16le" }] });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr.trim()).toBe(
      `tap-csv error: tap-csv, ${big}: the file starts with a UTF-16BE byte-order mark, but it is read as utf-16le. Set encoding to "utf-16be", or convert the file to utf-16le. [BOM_CONTRADICTS_ENCODING]`,
    );
    const utf16AsUtf8 = writeIn(dir, "le-as-utf8.csv", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("id\n1\n", "utf16le")]));
    expect((await sync({ files: [{ path: utf16AsUtf8 }] })).stderr).toContain("[BOM_CONTRADICTS_ENCODING]");
  });

  it("warns when a header names a column twice, saying what the repeat is read as", async () => {
    const file = writeIn(dir, "twice.csv", "id,name,name\n1,a,b\n");
    const result = await sync({ files: [{ path: file }] });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages, "twice")).toEqual([{ id: 1, name: "a", name_2: "b" }]);
    expect(result.stderr).toContain(`stream twice: ${file}: the header names "name" more than once; column 3 is read as "name_2"`);
  });

  it("keeps every digit of a number a double would change, and refuses Infinity instead of writing null", async () => {
    const file = writeIn(dir, "exact.csv", "id,amount\n1,1234567890123456.78\n2,2.5\n3,123456789012345678901234567890.123456789\n4,-1E400\n");
    const result = await sync({ files: [{ path: file }] });
    expect(result.exitCode, result.stderr).toBe(0);
    // The lines as the tap wrote them: JSON.parse (which jsonLines uses) would round these.
    const lines = result.stdout.split("\n").filter((line) => line.includes('"RECORD"'));
    expect(lines.map((line) => /"amount":([^,}]+)/.exec(line)?.[1])).toEqual([
      "1234567890123456.78",
      "2.5",
      "123456789012345678901234567890.123456789",
      "-1e400",
    ]);
    const infinite = writeIn(dir, "infinite.csv", "id,amount\n1,1.5\n2,Infinity\n");
    // Inferred from the first row only, so the column is a number column when Infinity comes.
    const refused = await sync({ files: [{ path: infinite }], sample_size: 1 });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(`stream infinite, ${infinite}, line 3, field amount: expected number, got "Infinity"`);
  });

  it("reads a quoted empty field as an empty string and an unquoted one as null, or both as null with quoted_empty = null", async () => {
    const file = writeIn(dir, "empties.csv", 'id,name,n\n1,"",""\n2,,\n3,"x",4\n4,"" ,5\n');
    const result = await sync({ files: [{ path: file }] });
    expect(result.exitCode, result.stderr).toBe(0);
    // A quoted empty in a number column has no text meaning: null, like an empty one.
    expect(recordsOf(result.messages, "empties")).toEqual([
      { id: 1, name: "", n: null },
      { id: 2, name: null, n: null },
      { id: 3, name: "x", n: 4 },
      { id: 4, name: '"" ', n: 5 },
    ]);
    const asNull = await sync({ files: [{ path: file }], quoted_empty: "null" });
    expect(recordsOf(asNull.messages, "empties").map((record) => record["name"])).toEqual([null, null, "x", '"" ']);
  });

  it("says which file is missing, on sync and on --test_connection", async () => {
    const missing = join(dir, "nope.csv");
    const failed = await sync({ files: [{ path: missing }] });
    expect(failed.exitCode).toBe(3);
    expect(failed.stderr.trim()).toBe(`tap-csv error: tap-csv, ${missing}: the file does not exist. Check "path" in the config. [FILE_NOT_FOUND]`);
    const check = await sync({ files: [{ path: people }, { path: missing }] }, ["--test_connection"]);
    expect(check.exitCode).toBe(3);
    expect(check.stderr).toContain(`cannot read ${missing} (does not exist)`);
    const ok = await sync({ files: [{ path: people }] }, ["--test_connection"]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stderr).toContain("connection ok: 1 file(s) readable");
  });
});

describe("tap-csv bad rows", () => {
  // A sample of one row, so "abc" is a bad value rather than a reason to infer a string column.
  const bad = writeIn(dir, "bad.csv", "id,amount\n1,10\n2\n3,abc\n4,40\n");

  it("fails by default, naming file and line", async () => {
    const result = await sync({ files: [{ path: bad }], sample_size: 1 });
    expect(result.exitCode).toBe(1);
    expect(recordsOf(result.messages)).toEqual([{ id: 1, amount: 10 }]);
    expect(result.stderr.trim()).toBe(
      `tap-csv error: tap-csv, stream bad, ${bad}, line 3: row has 1 fields, expected 2. Fix the row, or set "on_bad_row" to skip or dlq. [CSV_FIELD_COUNT]`,
    );
  });

  it("skips with a warning per row and a count", async () => {
    const result = await sync({ files: [{ path: bad }], on_bad_row: "skip", sample_size: 1 });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages).map((record) => record["id"])).toEqual([1, 4]);
    expect(result.stderr).toContain(`tap-csv warn: skipped bad row: stream bad, ${bad}, line 3: row has 1 fields, expected 2 [CSV_FIELD_COUNT]`);
    expect(result.stderr).toContain(`skipped bad row: stream bad, ${bad}, line 4, field amount: expected integer, got "abc" [CSV_BAD_VALUE]`);
    expect(result.stderr).toContain("stream bad: skipped 2 bad row(s)");
  });

  it("hands bad rows on as DEAD_LETTER messages with the raw text, in order", async () => {
    const result = await sync({ files: [{ path: bad }], on_bad_row: "dlq", sample_size: 1 });
    expect(result.exitCode).toBe(0);
    const kinds = result.messages.filter((message) => message["type"] !== "STATE").map((message) => message["type"]);
    expect(kinds).toEqual(["SCHEMA", "RECORD", "DEAD_LETTER", "DEAD_LETTER", "RECORD"]);
    expect(result.messages.find((message) => message["type"] === "DEAD_LETTER")).toEqual({
      type: "DEAD_LETTER",
      stream: "bad",
      stage: "source",
      raw: "2",
      error: { code: "CSV_FIELD_COUNT", message: "row has 1 fields, expected 2" },
      location: { file: bad, line: 3 },
    });
  });
});

describe("tap-csv resume", () => {
  it("continues after the first STATE with exactly the remaining rows", async () => {
    const rows = ["id,value", ...Array.from({ length: 95 }, (_, index) => `${index + 1},v${index + 1}`)];
    const file = writeIn(dir, "many.csv", `${rows.join("\n")}\n`);
    const config = { files: [{ path: file, key_properties: ["id"] }], state_every_records: 20 };
    const full = await sync(config);
    const [firstState] = statesOf(full.messages);
    expect(firstState).toEqual({ bookmarks: { many: { path: file, row: 20, file: FILE_IDENTITY } } });
    const resumed = await sync(config, ["--state", writeJsonIn(dir, "many-state.json", firstState)]);
    expect(recordsOf(resumed.messages)).toEqual(recordsOf(full.messages).slice(20));
    expect(statesOf(resumed.messages).at(-1)).toEqual({ bookmarks: { many: { path: file, row: 95, file: FILE_IDENTITY } } });
  });

  it("ignores, with a warning, a saved position that belongs to another file", async () => {
    const file = writeIn(dir, "moved.csv", "id\n1\n2\n3\n");
    const state = writeJsonIn(dir, "other-path-state.json", { bookmarks: { moved: { path: "/somewhere/else.csv", row: 2 } } });
    const result = await sync({ files: [{ path: file }] }, ["--state", state]);
    expect(recordsOf(result.messages).map((record) => record["id"])).toEqual([1, 2, 3]);
    expect(result.stderr).toContain(`stream moved: the saved position is for /somewhere/else.csv, not ${file}: reading from the start`);
  });

  it("counts skipped bad rows in the position, so resuming never re-reads them", async () => {
    const file = writeIn(dir, "resume-bad.csv", "id\n1\nx\n3\n4\n");
    const config = { files: [{ path: file }], on_bad_row: "skip", state_every_records: 1, sample_size: 1 };
    const full = await sync(config);
    expect(recordsOf(full.messages).map((record) => record["id"])).toEqual([1, 3, 4]);
    const afterThree = { bookmarks: { "resume-bad": { path: file, row: 3 } } };
    const resumed = await sync(config, ["--state", writeJsonIn(dir, "rb-state.json", afterThree)]);
    expect(recordsOf(resumed.messages).map((record) => record["id"])).toEqual([4]);
  });
});

describe("tap-csv: bytes that are not UTF-8", () => {
  it("make their row a bad row (on_bad_row decides), or U+FFFD with encoding_errors = replace", async () => {
    const file = join(dir, "latin.csv");
    // Row 2 is Latin-1 ("café" with a lone 0xE9), row 3 a multi-byte character split across nothing, row 4 fine.
    writeFileSync(file, Buffer.concat([Buffer.from("id,name\n1,ok\n2,caf"), Buffer.from([0xe9]), Buffer.from("\n3,naïve ☕\n4,end\n")]));
    const strict = await sync({ files: [{ path: file }], on_bad_row: "skip" });
    expect(recordsOf(strict.messages)).toEqual([
      { id: 1, name: "ok" },
      { id: 3, name: "naïve ☕" },
      { id: 4, name: "end" },
    ]);
    expect(strict.stderr).toContain(`skipped bad row: stream latin, ${file}, line 3: unreadable row: it holds bytes that are not UTF-8 [CSV_INVALID_UTF8]`);
    const failing = await sync({ files: [{ path: file }] });
    expect(failing.exitCode).toBe(1);
    expect(failing.stderr).toContain("[CSV_INVALID_UTF8]");
    const replaced = await sync({ files: [{ path: file }], encoding_errors: "replace" });
    expect(recordsOf(replaced.messages).map((record) => record["name"])).toEqual(["ok", "caf\ufffd", "naïve ☕", "end"]);
  });
});

describe("tap-csv: a bad last row under skip", () => {
  it("moves the bookmark past it, so the next run neither reads nor warns about it again", async () => {
    const file = writeIn(dir, "bad-last.csv", "id\n1\n2\nnot-a-number\n");
    const config = { files: [{ path: file }], on_bad_row: "skip", sample_size: 2 };
    const first = await sync(config);
    expect(recordsOf(first.messages).map((record) => record["id"])).toEqual([1, 2]);
    expect(first.stderr).toContain("line 4");
    const last = statesOf(first.messages).at(-1);
    expect(last).toEqual({ bookmarks: { "bad-last": { path: file, row: 3, file: FILE_IDENTITY } } });
    const second = await sync(config, ["--state", writeJsonIn(dir, "bad-last-state.json", last)]);
    expect(recordsOf(second.messages)).toEqual([]);
    expect(second.stderr).not.toContain("skipped bad row");
  });
});

describe("tap-csv sync with a catalog", () => {
  it("takes each schema from the catalog instead of sampling again, and never opens a deselected stream's file", async () => {
    const scores = writeIn(dir, "scores.csv", "id,score\n1,10\n2,20\n");
    const config = writeJsonIn(dir, "catalog-sync.json", {
      files: [
        { path: scores, key_properties: ["id"] },
        { path: people, key_properties: ["id"] },
      ],
    });
    const discovered = await runNode(tap, ["--config", config, "--discover"]);
    const catalog = JSON.parse(discovered.stdout) as {
      streams: Array<{
        tap_stream_id: string;
        schema: { properties: Record<string, unknown> };
        metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
      }>;
    };
    for (const stream of catalog.streams) {
      const top = stream.metadata.find((entry) => entry.breadcrumb.length === 0);
      if (top !== undefined) top.metadata["selected"] = stream.tap_stream_id === "scores";
      // The user keeps scores as text: a sync that inferred again would make them integers.
      if (stream.tap_stream_id === "scores") stream.schema.properties["score"] = { type: ["null", "string"] };
    }
    const catalogFile = writeJsonIn(dir, "catalog-sync.catalog.json", catalog);
    // The deselected stream's file is gone: building it would fail.
    const gone = writeJsonIn(dir, "catalog-sync-gone.json", {
      files: [
        { path: scores, key_properties: ["id"] },
        { path: join(dir, "no-such-people.csv"), stream: "people", key_properties: ["id"] },
      ],
    });
    const result = await runNode(tap, ["--config", gone, "--catalog", catalogFile]);
    expect(result.stderr).not.toContain("error");
    expect(result.exitCode).toBe(0);
    expect(recordsOf(jsonLines(result.stdout))).toEqual([
      { id: 1, score: "10" },
      { id: 2, score: "20" },
    ]);
  });
});
