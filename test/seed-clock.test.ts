/**
 * The seed's clock (scripts/seed/clock.ts) moves time on any node that offers the standard
 * development methods, found by trying them: the Hardhat node (evm_setNextBlockTimestamp), a node
 * with only evm_increaseTime + evm_mine, and a node with none, which gets a clear refusal.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Clock, DAY, probeClock, TimeTravelRefused } from "../scripts/seed/clock.ts";
import { startChain } from "./indexer/helpers/chain.ts";

type Call = { method: string; params: unknown[] };

/**
 * A JSON-RPC node that knows eth_getBlockByNumber (at a fixed time until evm_mine moves it) and
 * the methods in `offers`; every other method is answered -32601 (method not found), as geth does.
 */
async function stubNode(offers: string[]) {
  const calls: Call[] = [];
  let time = 1_800_000_000;
  let offset = 0;
  const handle = (call: Call): unknown => {
    if (call.method === "eth_getBlockByNumber") return { timestamp: `0x${time.toString(16)}` };
    if (!offers.includes(call.method)) {
      throw { code: -32601, message: `the method ${call.method} does not exist/is not available` };
    }
    if (call.method === "evm_increaseTime") {
      if (typeof call.params[0] !== "number") throw { code: -32602, message: "invalid argument 0" };
      offset += call.params[0];
      return offset;
    }
    if (call.method === "evm_mine") {
      if (call.params.length > 0) throw { code: -32602, message: "invalid argument 0" };
      time += 1 + offset;
      offset = 0;
      return "0x0";
    }
    throw { code: -32602, message: "invalid argument 0" };
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      const call = JSON.parse(body) as Call & { id: number };
      calls.push({ method: call.method, params: call.params });
      let answer: object;
      try {
        answer = { result: handle(call) };
      } catch (error) {
        answer = { error };
      }
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: call.id, ...answer }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    time: () => time,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("seed clock", () => {
  describe("on the Hardhat node", () => {
    let chain: Awaited<ReturnType<typeof startChain>>;
    before(async () => {
      chain = await startChain();
    });
    after(async () => {
      await chain?.close();
    });

    it("finds evm_setNextBlockTimestamp without moving time, then moves to the exact day", async () => {
      const head = await chain.head();
      assert.deepEqual(await probeClock(chain.url), { control: "evm_setNextBlockTimestamp" });
      assert.equal(await chain.head(), head, "probing mined no block");
      const clock = await Clock.create(chain.url, true);
      assert.equal(clock.canTravel, true);
      await clock.advanceToDay(3, { hour: 2 });
      assert.equal(await clock.now(), clock.start + 3 * DAY + 2 * 3600);
    });
  });

  it("uses evm_increaseTime + evm_mine where evm_setNextBlockTimestamp is missing", async () => {
    const node = await stubNode(["evm_increaseTime", "evm_mine"]);
    try {
      const clock = await Clock.create(node.url, true);
      assert.equal(clock.control, "evm_increaseTime");
      await clock.advanceToDay(2);
      assert.ok(node.time() >= clock.start + 2 * DAY, "the chain reached day 2");
      const moves = node.calls.filter((c) => c.method === "evm_increaseTime" && c.params[0] !== 0);
      assert.deepEqual(moves, [{ method: "evm_increaseTime", params: [2 * DAY] }]);
    } finally {
      await node.close();
    }
  });

  it("says clearly that a node offers none of the methods, and refuses a step that needs time", async () => {
    const node = await stubNode([]);
    try {
      const probe = await probeClock(node.url);
      assert.equal(probe.control, undefined);
      assert.equal(
        probe.control === undefined ? probe.reason : "",
        `the node at ${node.url} offers no way to move its clock ` +
          "(evm_mine, evm_setNextBlockTimestamp, evm_increaseTime: method not found)",
      );
      const clock = await Clock.create(node.url, true);
      assert.equal(clock.canTravel, false);
      assert.equal(clock.stillBecause, probe.control === undefined ? probe.reason : "");
      await clock.advanceToDay(1, { required: false }); // goes on at the current time
      await assert.rejects(
        clock.advanceToDay(1),
        (error: Error) =>
          error instanceof TimeTravelRefused &&
          /this node's clock cannot be moved \(no evm_setNextBlockTimestamp or evm_increaseTime with evm_mine\)/.test(
            error.message,
          ),
      );
    } finally {
      await node.close();
    }
  });

  it("keeps the clock still when told to (--no-time-travel), without asking the node", async () => {
    const node = await stubNode(["evm_setNextBlockTimestamp", "evm_mine"]);
    try {
      const clock = await Clock.create(node.url, false);
      assert.equal(clock.canTravel, false);
      assert.equal(clock.stillBecause, "--no-time-travel");
      assert.equal(node.calls.filter((c) => c.method.startsWith("evm_")).length, 0);
    } finally {
      await node.close();
    }
  });
});
