import { serializeMessage } from "../../protocol/index.js";
import { canonicalJson } from "../canonical-json.js";
import { readTargetLine } from "../connector/target-output.js";
import { runCommandToEnd } from "../process/spawn-command.js";
import { fail, pass, type CheckResult } from "./check-result.js";
import { howItEnded } from "../connector/probe-mode.js";

const STREAM = "agora_test_unknown";
const STATE = { agora_test_unknown: 1 };

/**
 * The Singer spec asks targets to ignore message types they do not know (it
 * is how the protocol grows). Its own run, so a target that crashes on one
 * fails this check alone: a record, the unknown line, a record, a STATE;
 * the target must exit 0 and confirm that STATE.
 */
export async function checkUnknownMessage(command: string, configFiles: readonly string[], cwd: string, timeoutMs: number): Promise<CheckResult> {
  const lines = [
    serializeMessage({ type: "SCHEMA", stream: STREAM, schema: { type: "object", properties: { id: { type: "integer" } } }, key_properties: ["id"] }),
    serializeMessage({ type: "RECORD", stream: STREAM, record: { id: 1 } }),
    `${JSON.stringify({ type: "X_AGORA_TEST_UNKNOWN", note: "targets must ignore message types they do not know" })}\n`,
    serializeMessage({ type: "RECORD", stream: STREAM, record: { id: 2 } }),
    serializeMessage({ type: "STATE", value: STATE }),
  ];
  const captured = await runCommandToEnd(
    command,
    configFiles.flatMap((config) => ["--config", config]),
    { cwd, timeoutMs, input: lines.join("") },
  );
  if (captured.exitCode !== 0) return fail("unknown_message", `given a message of an unknown type, ${howItEnded(captured)}`);
  const sent = canonicalJson(STATE);
  const confirmed = captured.stdout.split("\n").some((text, index) => {
    const output = readTargetLine(text, index + 1, { isSentState: (value) => canonicalJson(value) === sent });
    return output.kind === "state" && canonicalJson(output.value) === sent;
  });
  return confirmed
    ? pass("unknown_message", "ignored a message of an unknown type, and confirmed the STATE after it")
    : fail("unknown_message", "exited 0 but never confirmed the STATE sent after a message of an unknown type");
}
