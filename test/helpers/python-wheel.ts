import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * A Python wheel built without any build tool (a wheel is a zip with a .dist-info folder), so
 * tests install packages with `pip --no-index` and no network.
 */
const BUILDER = `import json, sys, zipfile
spec = json.load(open(sys.argv[1]))
name, version = spec["name"], spec["version"]
dist = "%s-%s.dist-info" % (name.replace("-", "_"), version)
files = dict(spec["files"])
files[dist + "/METADATA"] = "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (name, version)
files[dist + "/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: agora-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
files[dist + "/entry_points.txt"] = "[console_scripts]\\n" + "".join("%s = %s\\n" % item for item in spec["scripts"].items())
files[dist + "/RECORD"] = "".join("%s,,\\n" % path for path in list(files) + [dist + "/RECORD"])
with zipfile.ZipFile(sys.argv[2], "w") as wheel:
    for path, text in files.items():
        wheel.writestr(path, text)
`;

export interface WheelSpec {
  /** The distribution's name (`tap-local`). */
  readonly name: string;
  readonly version: string;
  /** Files by their path in the wheel (`tap_local/main.py`). */
  readonly files: Readonly<Record<string, string>>;
  /** Console scripts: command name → `module:function`. */
  readonly scripts: Readonly<Record<string, string>>;
}

/** Builds the wheel into `dir`; returns its file name (`tap_local-0.3.1-py3-none-any.whl`). */
export function buildWheel(dir: string, spec: WheelSpec): string {
  const work = mkdtempSync(join(tmpdir(), "agora-wheel-"));
  try {
    writeFileSync(join(work, "build.py"), BUILDER);
    writeFileSync(join(work, "spec.json"), JSON.stringify(spec));
    const file = `${spec.name.replaceAll("-", "_")}-${spec.version}-py3-none-any.whl`;
    execFileSync("python3", [join(work, "build.py"), join(work, "spec.json"), join(dir, file)]);
    return file;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
