import type { ScaffoldFiles, ScaffoldInput } from "./scaffold-types.js";

/*
 * A TypeScript connector as `agora new … --lang ts` writes it: built on Agora's SDK (the
 * agora-etl package), compiled by tsc, with tests on Node's own test runner that run the built
 * connector as a process. It passes `agora test` as written.
 */

const TAP = `import { bookmarked, defineTap } from "agora-etl";

interface Config {
  [key: string]: unknown;
  count: number;
}

/** The records with an id past \`after\`, in id order. Replace with your source. */
function* readItems(config: Config, after: number): Generator<{ id: number; name: string }> {
  for (let id = after + 1; id <= config.count; id += 1) yield { id, name: \`item \${id}\` };
}

const tap = defineTap<Config>({
  name: "__NAME__",
  version: "0.1.0",
  description: __DESCRIPTION__,
  resumable: true,
  settings: __SETTINGS__,
  // A real check of the source (a request, a login): what it found, or a thrown error.
  testConnection: ({ config }) => \`made-up source, \${config.count} items\`,
  discoverStreams: ({ config }) => [
    {
      name: "items",
      schema: { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } }, required: ["id"] },
      keyProperties: ["id"],
      resumable: true,
      *records({ bookmark }) {
        const after = (bookmark as { id?: number } | undefined)?.id ?? 0;
        for (const item of readItems(config, after)) yield bookmarked(item, { id: item.id });
      },
    },
  ],
});

await tap.main();
`;

const TARGET = `import { mkdir, open, type FileHandle } from "node:fs/promises";
import { join, resolve } from "node:path";
import { defineTarget, type StreamRecords } from "agora-etl";

interface Config {
  [key: string]: unknown;
  destination_path: string;
}

/** A stream's file: DESTINATION/STREAM.jsonl, the name made safe for a file system. */
function fileOf(config: Config, stream: string): string {
  return resolve(join(config.destination_path, \`\${stream.replace(/[^\\w.-]/g, "_")}.jsonl\`));
}

const target = defineTarget<Config>({
  name: "__NAME__",
  version: "0.1.0",
  description: __DESCRIPTION__,
  settings: __SETTINGS__,
  async testConnection({ config }) {
    await mkdir(resolve(config.destination_path), { recursive: true });
    return \`\${resolve(config.destination_path)} is writable\`;
  },
  async open({ config }) {
    await mkdir(resolve(config.destination_path), { recursive: true });
    const files = new Map<string, FileHandle>();
    return {
      // Each record's JSON text as it came: its numbers exactly as the tap wrote them.
      recordsAs: "text",
      // Replace with your destination; keep its promise: when it resolves, the records are durable.
      async writeBatch(batch: readonly StreamRecords[]) {
        for (const { stream, texts } of batch) {
          let file = files.get(stream.name);
          if (file === undefined) {
            file = await open(fileOf(config, stream.name), "a");
            files.set(stream.name, file);
          }
          await file.appendFile((texts ?? []).map((text) => \`\${text}\\n\`).join(""));
          await file.sync();
        }
      },
      async close() {
        for (const file of files.values()) await file.close();
      },
    };
  },
});

await target.main();
`;

const TAP_TEST = `import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";

const bin = new URL("../dist/index.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "__NAME__-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args) =>
  execFileSync(process.execPath, [bin, ...args], { encoding: "utf8" })
    .split("\\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

test("syncs every item, then resumes after its bookmark", () => {
  writeFileSync(join(dir, "config.json"), JSON.stringify({ count: 5 }));
  const first = run("--config", join(dir, "config.json"));
  assert.deepEqual(first.filter((m) => m.type === "RECORD").map((m) => m.record.id), [1, 2, 3, 4, 5]);
  writeFileSync(join(dir, "state.json"), JSON.stringify(first.filter((m) => m.type === "STATE").at(-1).value));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ count: 7 }));
  const again = run("--config", join(dir, "config.json"), "--state", join(dir, "state.json"));
  assert.deepEqual(again.filter((m) => m.type === "RECORD").map((m) => m.record.id), [6, 7]);
});
`;

const TARGET_TEST = `import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";

const bin = new URL("../dist/index.js", import.meta.url).pathname;

test("writes the records, then confirms the STATE", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "__NAME__-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ destination_path: join(dir, "out") }));
  const input = [
    { type: "SCHEMA", stream: "items", schema: { type: "object", properties: { id: { type: "integer" } } }, key_properties: ["id"] },
    { type: "RECORD", stream: "items", record: { id: 1 } },
    { type: "RECORD", stream: "items", record: { id: 2 } },
    { type: "STATE", value: { bookmarks: { items: { id: 2 } } } },
  ].map((message) => JSON.stringify(message)).join("\\n");
  const output = execFileSync(process.execPath, [bin, "--config", join(dir, "config.json")], { input, encoding: "utf8" });
  assert.match(output, /"bookmarks"/);
  const ids = readFileSync(join(dir, "out", "items.jsonl"), "utf8").trim().split("\\n").map((line) => JSON.parse(line).id);
  assert.deepEqual(ids, [1, 2]);
});
`;

/** The files of a TypeScript tap or target. */
export function typescriptFiles(input: ScaffoldInput): ScaffoldFiles {
  const fill = (text: string): string =>
    text
      .replaceAll("__NAME__", input.name)
      .replaceAll("__DESCRIPTION__", JSON.stringify(input.description))
      .replaceAll("__SETTINGS__", JSON.stringify(input.settings, null, 2).replace(/\n/g, "\n  "));
  const manifest = {
    name: input.name,
    version: "0.1.0",
    description: input.description,
    type: "module",
    bin: { [input.name]: "dist/index.js" },
    files: ["dist"],
    engines: { node: ">=20.19" },
    scripts: { build: "tsc", test: "npm run build && node --test test/", prepare: "npm run build" },
    dependencies: { "agora-etl": "^0.1.0" },
    devDependencies: { typescript: "^5.9.3", "@types/node": "^20.19.0" },
  };
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      outDir: "dist",
      rootDir: "src",
      skipLibCheck: true,
      types: ["node"],
    },
    include: ["src"],
  };
  return {
    "package.json": { text: `${JSON.stringify(manifest, null, 2)}\n` },
    "tsconfig.json": { text: `${JSON.stringify(tsconfig, null, 2)}\n` },
    "src/index.ts": { text: `#!/usr/bin/env node\n${fill(input.kind === "tap" ? TAP : TARGET)}` },
    [`test/${input.kind}.test.mjs`]: { text: fill(input.kind === "tap" ? TAP_TEST : TARGET_TEST) },
  };
}
