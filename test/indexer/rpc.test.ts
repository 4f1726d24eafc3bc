/**
 * The RPC client and the block range on their own, against a scripted JSON-RPC server: retries,
 * classification of errors, batch fallback, range shrinking.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { NonRetryableError, RangeLimitError } from "../../indexer/src/internal/errors.ts";
import { getLogs } from "../../indexer/src/rpc/actions.ts";
import { classifyRpcError, createRpcClient } from "../../indexer/src/rpc/client.ts";
import { createBlockRange } from "../../indexer/src/sync/range.ts";

type Reply = (body: unknown) => {
  status?: number;
  json?: unknown;
  text?: string;
  delayMs?: number;
};

describe("indexer RPC client", () => {
  let server: Server;
  let url: string;
  let reply: Reply = () => ({ json: {} });
  let calls = 0;

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        calls++;
        const r = reply(JSON.parse(body));
        setTimeout(() => {
          if (res.destroyed) return;
          res.writeHead(r.status ?? 200, { "content-type": "application/json" });
          res.end(r.text ?? JSON.stringify(r.json));
        }, r.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("retries 5xx, 429 and malformed answers, then succeeds", async () => {
    const script = [
      { status: 503, text: "busy" },
      { status: 429, text: "slow down" },
      { text: "{not json" },
    ];
    calls = 0;
    reply = (b) =>
      script.shift() ?? { json: { jsonrpc: "2.0", id: (b as { id: number }).id, result: "0x2a" } };
    const rpc = createRpcClient({ url, baseBackoffMs: 1 });
    assert.equal(await rpc.request("eth_blockNumber"), "0x2a");
    assert.equal(calls, 4);
  });

  it("gives up as non-retryable after maxAttempts, and never retries a missing method", async () => {
    reply = () => ({ status: 500, text: "down" });
    const rpc = createRpcClient({ url, baseBackoffMs: 1, maxAttempts: 3 });
    await assert.rejects(
      rpc.request("eth_chainId"),
      (e) => e instanceof NonRetryableError && /3 attempts/.test(e.message),
    );
    calls = 0;
    reply = (b) => ({
      json: {
        jsonrpc: "2.0",
        id: (b as { id: number }).id,
        error: { code: -32601, message: "nope" },
      },
    });
    await assert.rejects(rpc.request("eth_getLogs", [{}]), NonRetryableError);
    assert.equal(calls, 1);
  });

  it("turns a refused log range into a RangeLimitError with the node's hint", () => {
    const hinted = classifyRpcError("eth_getLogs", {
      code: -32602,
      message: "query returned more than 10000 results. Try with this block range [0x10, 0x1f].",
    });
    assert.ok(hinted instanceof RangeLimitError);
    assert.equal(hinted.suggestedTo, 0x1f);
    assert.ok(
      classifyRpcError("eth_getLogs", { code: -32005, message: "limit exceeded" }) instanceof
        RangeLimitError,
    );
    assert.ok(
      !(
        classifyRpcError("eth_call", { code: -32000, message: "execution reverted" }) instanceof
        RangeLimitError
      ),
    );
  });

  it("gives up a slow log query over several blocks as a smaller-range request; one block is retried", async () => {
    const logsQuery = (from: number, to: number) => [
      { address: [], fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` },
    ];
    calls = 0;
    reply = (b) => ({
      json: { jsonrpc: "2.0", id: (b as { id: number }).id, result: [] },
      delayMs: calls === 1 ? 400 : 0,
    });
    const rpc = createRpcClient({ url, timeoutMs: 150, baseBackoffMs: 1 });
    await assert.rejects(
      rpc.request("eth_getLogs", logsQuery(1, 1_000)),
      (e) => e instanceof RangeLimitError && e.ownLimit && /timed out/.test(e.message),
    );
    assert.equal(calls, 1, "not retried whole: the sync asks a smaller range instead");
    calls = 0;
    assert.deepEqual(await rpc.request("eth_getLogs", logsQuery(7, 7)), []);
    assert.equal(calls, 2, "a single block cannot be split: its timeout is retried");
  });

  it("stops reading a log answer past maxLogsAnswerBytes and asks a smaller range", async () => {
    const logs = Array.from({ length: 2_000 }, () => ({ data: "0x".padEnd(202, "ab") }));
    reply = (b) => ({ json: { jsonrpc: "2.0", id: (b as { id: number }).id, result: logs } });
    const rpc = createRpcClient({ url, maxLogsAnswerBytes: 64 * 1024, baseBackoffMs: 1 });
    const query = (from: string, to: string) => [{ address: [], fromBlock: from, toBlock: to }];
    await assert.rejects(
      rpc.request("eth_getLogs", query("0x1", "0x2")),
      (e) =>
        e instanceof RangeLimitError && e.ownLimit && /larger than 65536 bytes/.test(e.message),
    );
    const one = await rpc.request<unknown[]>("eth_getLogs", query("0x2", "0x2"));
    assert.equal(one.length, 2_000, "one block's answer is read whatever its size");
    const other = await rpc.request<unknown[]>("eth_blockNumber");
    assert.equal(other.length, 2_000, "no other method is bounded");
  });

  it("falls back to single calls when the node refuses batches", async () => {
    calls = 0;
    reply = (b) =>
      Array.isArray(b)
        ? {
            json: {
              jsonrpc: "2.0",
              id: null,
              error: { code: -32600, message: "batch not supported" },
            },
          }
        : {
            json: {
              jsonrpc: "2.0",
              id: (b as { id: number }).id,
              result: (b as { params: string[] }).params[0],
            },
          };
    const rpc = createRpcClient({ url, baseBackoffMs: 1 });
    const results = await rpc.batch(
      ["0x1", "0x2", "0x3"].map((n) => ({ method: "echo", params: [n] })),
    );
    assert.deepEqual(results, ["0x1", "0x2", "0x3"]);
    assert.equal(calls, 4);
  });

  it("checks every field of a log and refuses logs outside the asked range", async () => {
    const log = {
      address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      topics: [`0x${"a".repeat(64)}`],
      data: "0x",
      blockNumber: "0x9",
      blockHash: `0x${"b".repeat(64)}`,
      transactionHash: `0x${"c".repeat(64)}`,
      transactionIndex: "0x0",
      logIndex: "0x0",
    };
    reply = (b) => ({ json: { jsonrpc: "2.0", id: (b as { id: number }).id, result: [log] } });
    const rpc = createRpcClient({ url, baseBackoffMs: 1, maxAttempts: 2 });
    assert.equal((await getLogs(rpc, { address: [], fromBlock: 1, toBlock: 9 })).length, 1);
    await assert.rejects(
      getLogs(rpc, { address: [], fromBlock: 1, toBlock: 8 }),
      /outside|gave up/,
    );
    reply = (b) => ({
      json: {
        jsonrpc: "2.0",
        id: (b as { id: number }).id,
        result: [{ ...log, blockHash: "0x12" }],
      },
    });
    await assert.rejects(
      getLogs(rpc, { address: [], fromBlock: 1, toBlock: 9 }),
      /32-byte hash|gave up/,
    );
  });

  it("grows the block range while answers are small and shrinks it on refusal", () => {
    const range = createBlockRange({ initial: 100, max: 1_000, targetLogs: 10 });
    range.succeeded(100, 1);
    assert.equal(range.size, 400, "grows at most 4x");
    range.refused(200, 1_000, new RangeLimitError("too big", 1_049));
    assert.equal(range.size, 50, "the node's hint wins");
    range.succeeded(50, 0);
    assert.equal(range.size, 50, "never above the last refusal");
    range.succeeded(50, 100);
    assert.equal(range.size, 5, "shrinks to the blocks that hold about targetLogs at that density");
    range.succeeded(5, 9);
    assert.equal(range.size, 5, "stays while an answer is near the target");
    const own = createBlockRange({ initial: 400, max: 1_000, targetLogs: 10 });
    own.refused(400, 0, new RangeLimitError("timed out", undefined, { ownLimit: true }));
    assert.equal(own.size, 200, "halved after the client's own limit");
    own.succeeded(200, 0);
    assert.equal(own.size, 800, "and free to grow again over sparser blocks");
  });
});
