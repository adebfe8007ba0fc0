import { describe, expect, it } from "vitest";
import { Utf8LineCheck } from "../../../connectors/tap-csv/utf8-check.js";

/** Feeds `bytes` in chunks of `size` and returns the lines found holding bytes that are not UTF-8. */
async function badLines(bytes: Buffer, size: number): Promise<number[]> {
  const check = new Utf8LineCheck();
  const done = new Promise<void>((resolve) => check.on("finish", resolve));
  check.resume();
  for (let at = 0; at < bytes.length; at += size) check.write(bytes.subarray(at, at + size));
  check.end();
  await done;
  return [...check.badLines].sort((a, b) => a - b);
}

describe("Utf8LineCheck", () => {
  const text = Buffer.from("a,☕\nb,naïve\nc,𝄞\n");
  it.each([1, 2, 3, 5, 64])("finds nothing wrong in valid UTF-8, however it is cut into chunks of %i bytes", async (size) => {
    expect(await badLines(text, size)).toEqual([]);
  });

  it.each([1, 2, 7, 64])(
    "names each line with invalid bytes (chunks of %i): a lone Latin-1 byte, a cut sequence, a surrogate, an overlong form",
    async (size) => {
      const bytes = Buffer.concat([
        Buffer.from("ok\n"),
        Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), // line 2: "caf" + 0xE9 alone
        Buffer.from([0xe2, 0x98, 0x0a]), // line 3: a three-byte sequence cut short
        Buffer.from([0xed, 0xa0, 0x80, 0x0a]), // line 4: a UTF-16 surrogate
        Buffer.from([0xc0, 0xaf, 0x0a]), // line 5: an overlong "/"
        Buffer.from("fine ☕\n"),
        Buffer.from([0xf0, 0x9f]), // line 7: cut at the end of the file
      ]);
      expect(await badLines(bytes, size)).toEqual([2, 3, 4, 5, 7]);
    },
  );
});
