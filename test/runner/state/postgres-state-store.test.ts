import pg from "pg";
import { describe, expect, it } from "vitest";
import { POSTGRES_LATEST_VERSION } from "../../../runner/state/postgres/migrations.js";
import { PostgresStateStore } from "../../../runner/state/postgres/postgres-state-store.js";
import { freshPostgresStore, postgresUrl } from "../../helpers/postgres.js";
import { stateStoreContract } from "./store-contract.js";

const url = postgresUrl();

describe.skipIf(url === undefined)("postgres", () => {
  const server = url as string;

  const locations = new WeakMap<object, string>();
  stateStoreContract(
    "postgres",
    () => {
      const location = freshPostgresStore(server);
      const store = new PostgresStateStore(location);
      locations.set(store, location);
      return store;
    },
    async (store) => {
      const schema = new URL(locations.get(store) as string).searchParams.get("schema") as string;
      const client = new pg.Client(server);
      await client.connect();
      try {
        return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".dead_letter_documents`)).rows[0]?.n);
      } finally {
        await client.end();
      }
    },
  );

  describe("postgres: migrations", () => {
    it("several processes opening one new store at once migrate it once", async () => {
      const location = freshPostgresStore(server, "race");
      const stores = Array.from({ length: 6 }, () => new PostgresStateStore(location));
      await Promise.all(stores.map((store, index) => store.setCheckpoint(`p${index}`, { n: index })));
      expect(await Promise.all(stores.map(async (store, index) => (await store.getCheckpoint(`p${index}`))?.state))).toEqual(
        [0, 1, 2, 3, 4, 5].map((n) => ({ n })),
      );
      const schema = new URL(location).searchParams.get("schema") as string;
      const client = new pg.Client(server);
      await client.connect();
      const versions = (await client.query<{ version: number }>(`SELECT version FROM "${schema}".agora_schema ORDER BY version`)).rows.map(
        (row) => row.version,
      );
      await client.end();
      expect(versions).toEqual(Array.from({ length: POSTGRES_LATEST_VERSION }, (_, index) => index + 1));
      await Promise.all(stores.map((store) => store.close()));
    });

    it("refuses a store a newer Agora wrote, saying so", async () => {
      const location = freshPostgresStore(server, "newer");
      const store = new PostgresStateStore(location);
      await store.setCheckpoint("p", {});
      await store.close();
      const schema = new URL(location).searchParams.get("schema") as string;
      const client = new pg.Client(server);
      await client.connect();
      await client.query(`INSERT INTO "${schema}".agora_schema (version) VALUES (${POSTGRES_LATEST_VERSION + 1})`);
      await client.end();
      const reopened = new PostgresStateStore(location);
      await expect(reopened.getCheckpoint("p")).rejects.toThrow(/written by a newer Agora/);
      await reopened.close();
    });
  });

  describe("postgres: failures", () => {
    it("a server that is not there is one clear transient error naming the store, the password masked", async () => {
      const store = new PostgresStateStore("postgres://agora:hunter22@127.0.0.1:9/agora");
      const failure = await store.getCheckpoint("p").then(
        () => undefined,
        (error: unknown) => error as { code: string; kind: string; message: string; where: { file: string } },
      );
      expect(failure).toMatchObject({ code: "STATE_STORE_UNAVAILABLE", kind: "transient" });
      expect(failure?.message).toBe("the state store could not read the checkpoint of pipeline p: cannot reach the Postgres server (ECONNREFUSED)");
      expect(failure?.where.file).toBe("postgres://agora:***@127.0.0.1:9/agora");
      await store.close();
    });

    it("a database that does not exist is a config error saying how to fix it", async () => {
      const location = new URL(server);
      location.pathname = "/no_such_database";
      const store = new PostgresStateStore(location.toString());
      await expect(store.getCheckpoint("p")).rejects.toMatchObject({
        code: "STATE_STORE_UNAVAILABLE",
        kind: "config",
        message: expect.stringContaining("the database does not exist (SQLSTATE 3D000)"),
      });
      await store.close();
    });
  });
});
