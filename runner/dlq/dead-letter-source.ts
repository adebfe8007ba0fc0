import { parseMessageLine, serializeMessage, type JsonSchema, type Message, type MessageLine } from "../../protocol/index.js";
import type { MiddlewareChain } from "../middleware/chain.js";
import type { StreamShape } from "../middleware/types.js";
import { canonicalJson } from "../canonical-json.js";
import type { DeadLetter } from "../state/types.js";

/** The key of the STATE sent after each replayed record: `{"agora_dlq_replay": <entry id>}`. */
export const REPLAY_MARKER = "agora_dlq_replay";

/**
 * Dead letters as a source of Singer messages, for a replay: per entry, its
 * stream's SCHEMA (when it changed), its RECORD and a marker STATE. An entry
 * that goes through the middleware again is announced with the schema the
 * tap sent; one sent straight to the targets (a record a middleware or a
 * target already processed) with the schema the middleware made of it.
 */
export class DeadLetterSource {
  private readonly announced = new Map<string, string>();
  private readonly shapes = new Map<string, StreamShape>();
  private line = 0;

  /** `chain` is the pipeline's middleware: it tells what schema a processed record has. */
  constructor(private readonly chain: MiddlewareChain) {}

  /** The messages that replay `entry`, `viaChain` or straight to the targets. */
  async messages(entry: DeadLetter, viaChain: boolean): Promise<MessageLine[]> {
    const tapShape: StreamShape = {
      stream: entry.stream,
      schema: (entry.schema ?? { type: "object" }) as JsonSchema,
      keyProperties: entry.keyProperties ?? [],
    };
    const processed = !viaChain && entry.processed !== undefined;
    const shape = processed ? await this.afterChain(tapShape) : tapShape;
    const record = (viaChain ? entry.original : (entry.processed ?? entry.original)) as Record<string, unknown>;
    const messages: Message[] = [];
    // Which way it goes is part of the key: the chain turns the tap's schema into what the targets get.
    const key = `${viaChain ? "chain" : "straight"}|${shape.stream}`;
    const schema: Message = { type: "SCHEMA", stream: shape.stream, schema: shape.schema, key_properties: shape.keyProperties };
    if (this.announced.get(key) !== canonicalJson(schema)) {
      this.announced.set(key, canonicalJson(schema));
      messages.push(schema);
    }
    messages.push({ type: "RECORD", stream: shape.stream, record }, { type: "STATE", value: { [REPLAY_MARKER]: entry.id } });
    return messages.map((message) => {
      this.line += 1;
      return parseMessageLine(serializeMessage(message).trimEnd(), this.line);
    });
  }

  private async afterChain(tapShape: StreamShape): Promise<StreamShape> {
    const known = this.shapes.get(tapShape.stream);
    if (known !== undefined) return known;
    const shape = await this.chain.setSchema(tapShape);
    this.shapes.set(tapShape.stream, shape);
    return shape;
  }
}
