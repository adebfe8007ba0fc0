import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { renderAboutMarkdown, UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { pythonFiles } from "./python-templates.js";
import type { ScaffoldFiles, ScaffoldInput } from "./scaffold-types.js";
import { typescriptFiles } from "./typescript-templates.js";

export type ScaffoldLanguage = "ts" | "python";

const SETTINGS = {
  tap: {
    type: "object",
    additionalProperties: false,
    properties: { count: { type: "integer", minimum: 0, default: 10, description: "How many items to make up (replace with your source's settings)." } },
  },
  target: {
    type: "object",
    additionalProperties: false,
    properties: {
      destination_path: {
        type: "string",
        default: "output",
        description: "Folder the STREAM.jsonl files are written to (replace with your destination's settings).",
      },
    },
  },
} as const;

/**
 * `agora new tap|target NAME`: a folder with a working connector (Python on
 * the standard library, or TypeScript on Agora's SDK), its tests, an example
 * config, and a README made from the same --about the connector prints.
 * It passes `agora test` as written; the author replaces the marked parts.
 * Returns the files written, relative to `dir`.
 */
export function scaffoldConnector(kind: "tap" | "target", name: string, language: ScaffoldLanguage, dir: string): string[] {
  if (!/^[A-Za-z][\w.-]*$/.test(name))
    throw new UsageError(RunnerCodes.USAGE, `"${name}" cannot be a connector's name`, {
      hint: "Use letters, digits, dots, dashes and underscores, starting with a letter (tap-widgets).",
    });
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new UsageError(RunnerCodes.USAGE, `${dir} exists and is not empty`, { hint: "Choose another name or --dir, or empty the folder." });
  const input: ScaffoldInput = {
    kind,
    name,
    description:
      kind === "tap" ? "Reads items from a made-up source (replace with yours)." : "Writes each stream to a JSON Lines file (replace with your destination).",
    settings: SETTINGS[kind],
  };
  const files: ScaffoldFiles = language === "python" ? pythonFiles(input) : typescriptFiles(input);
  const entry = language === "python" ? `python3 ${Object.keys(files)[0] as string}` : `node dist/index.js`;
  files["config.example.json"] = { text: `${JSON.stringify(kind === "tap" ? { count: 25 } : { destination_path: "output" }, null, 2)}\n` };
  files["README.md"] = { text: readme(input, language, entry) };
  for (const [path, file] of Object.entries(files)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.text);
    if (file.executable === true) chmodSync(target, 0o755);
  }
  return Object.keys(files);
}

/** The README: what `--about --format markdown` prints for it, then how to build, test and run it. */
function readme(input: ScaffoldInput, language: ScaffoldLanguage, entry: string): string {
  const about = renderAboutMarkdown({
    name: input.name,
    kind: input.kind,
    version: "0.1.0",
    description: input.description,
    sdk: language === "python" ? "python3 standard library" : "agora-etl",
    capabilities: input.kind === "tap" ? ["about", "discover", "catalog", "state", "test-connection"] : ["about", "test-connection"],
    settings: input.settings,
  });
  const build = language === "ts" ? "npm install && npm run build\n" : "";
  const unit = language === "ts" ? "npm test" : "python3 -m unittest discover -s tests";
  const check =
    input.kind === "tap"
      ? `agora test tap "${entry}" --config config.example.json`
      : `agora test target "${entry} --config config.example.json" --read jsonl:output`;
  return `${about.trimEnd()}

## Developing it

\`\`\`sh
${build}${unit}        # its own tests
${check}   # the protocol, as a runner will use it
\`\`\`

Replace the parts the code marks: ${input.kind === "tap" ? "where the records come from (and SCHEMA), and the connection check" : "where the records go, keeping its promise that they are durable when it returns"}. Then add it to a project:
\`agora add ${input.kind} ${input.name} --command "${entry}"\` (run from this folder, or give the full path).
`;
}
