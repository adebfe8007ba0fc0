import { MemoryStateStore } from "../../../runner/state/memory/memory-state-store.js";
import { stateStoreContract } from "./store-contract.js";

stateStoreContract("memory", () => new MemoryStateStore());
