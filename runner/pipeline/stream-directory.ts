import { ConfigError, type AgoraError } from "../../protocol/index.js";
import type { RejectedRecord, StreamRouting } from "../ports.js";
import { RunnerCodes } from "../errors.js";
import type { RecordValue, StreamShape } from "../middleware/types.js";
import { TargetRoutes } from "./target-routes.js";
import type { PipelineDefinition } from "../definition.js";

/**
 * What a run knows of each stream: the SCHEMA the tap announced, the name
 * targets know it under (after renames), and which targets it is routed to.
 * Shared by the data path, the batch lane and the targets' reports.
 */
export class StreamDirectory implements StreamRouting {
  readonly routes: TargetRoutes;
  private readonly tapShapes = new Map<string, StreamShape>();
  /** The name targets see, by the tap's name (only renamed streams), and the reverse for every stream announced. */
  private readonly outputNames = new Map<string, string>();
  private readonly sourceOf = new Map<string, string>();
  private readonly targetCount: number;

  constructor(definition: Pick<PipelineDefinition, "targets">) {
    this.routes = new TargetRoutes(definition.targets.map((target) => target.route));
    this.targetCount = definition.targets.length;
  }

  /** The tap sent a SCHEMA for the stream. */
  announce(shape: StreamShape): void {
    this.tapShapes.set(shape.stream, shape);
  }

  /** True once the tap sent a SCHEMA for `stream`. */
  announced(stream: string): boolean {
    return this.tapShapes.has(stream);
  }

  /** The tap's SCHEMA of a stream. */
  shapeOf(stream: string): StreamShape | undefined {
    return this.tapShapes.get(stream);
  }

  /** The tap's schema of a stream, for dead letters. */
  schemaOf(stream: string): Pick<RejectedRecord, "schema" | "keyProperties"> {
    const shape = this.tapShapes.get(stream);
    return shape === undefined ? {} : { schema: shape.schema, keyProperties: shape.keyProperties };
  }

  /** The name targets know a stream of the tap's under. */
  outputName(stream: string): string {
    return this.outputNames.get(stream) ?? stream;
  }

  /** The tap's name of a stream targets know under `name` (a target's dead letter names what it saw). */
  sourceStream(name: string): string {
    return this.sourceOf.get(name) ?? name;
  }

  /** The targets of a stream targets know under `name`, every one when no route limits it. */
  targetsOf(name: string): readonly number[] {
    return this.routes.forStream(name) ?? Array.from({ length: this.targetCount }, (_, index) => index);
  }

  targetsOfRecord(name: string, record: Readonly<Record<string, unknown>>): readonly number[] | undefined {
    return this.routes.forRecord(name, record as RecordValue);
  }

  filtersRecords(target: number): boolean {
    return this.routes.filtersRecords(target);
  }

  /**
   * Records the name targets see for a stream. Two streams may not end up
   * with one name: the error to fail the run with, when they would.
   */
  claimName(source: string, output: string): AgoraError | undefined {
    const holder = this.sourceOf.get(output);
    this.sourceOf.set(output, source);
    if (output === source) this.outputNames.delete(source);
    else this.outputNames.set(source, output);
    if (holder === undefined || holder === source) return undefined;
    return new ConfigError(RunnerCodes.STREAM_NAME_TAKEN, `streams "${holder}" and "${source}" would both reach the targets as "${output}"`, {
      where: { stream: source },
      hint: "Change the rename_stream middleware so every stream keeps a name of its own.",
    });
  }
}
