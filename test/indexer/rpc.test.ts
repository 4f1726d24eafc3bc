/**
 * The RPC client and the block range on their own, against a scripted JSON-RPC server: retries,
 * classification of errors, batch fallback, range shrinking.
 */
import assert from "node:assert/strict";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { NonRetryableError, RangeLimitError } from "../../indexer/src/internal/errors.ts";
import { getLogs, getLogsUpTo } from "../../indexer/src/rpc/actions.ts";
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

  it("reads a log answer in any case and any text: hashes and addresses come out lower-case, UTF-8 intact", async () => {
    const log = {
      address: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      topics: [`0x${"A".repeat(64)}`, `0x${"d".repeat(64)}`],
      data: "0x",
      blockNumber: "0x9",
      blockHash: `0x${"B".repeat(63)}b`,
      transactionHash: `0x${"c".repeat(64)}`,
      transactionIndex: "0x0",
      logIndex: "0x0",
    };
    reply = (b) => ({ json: { jsonrpc: "2.0", id: (b as { id: number }).id, result: [log] } });
    const rpc = createRpcClient({ url, baseBackoffMs: 1, maxAttempts: 2 });
    const [read] = await getLogs(rpc, { address: [], fromBlock: 1, toBlock: 9 });
    assert.equal(read?.address, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    assert.deepEqual(read?.topics, [`0x${"a".repeat(64)}`, `0x${"d".repeat(64)}`]);
    assert.equal(read?.blockHash, `0x${"b".repeat(64)}`);
    assert.equal(read?.transactionHash, `0x${"c".repeat(64)}`);
    // A log answer (a range of several blocks: read with its size bounded) is read as Latin-1 only
    // when every byte is ASCII: Korean text (three UTF-8 bytes per syllable) must come through as
    // written, not as mojibake.
    reply = (b) => ({
      json: { jsonrpc: "2.0", id: (b as { id: number }).id, result: ["잘못된 요청 범위"] },
    });
    assert.deepEqual(await rpc.request("eth_getLogs", [{ fromBlock: "0x1", toBlock: "0x2" }]), [
      "잘못된 요청 범위",
    ]);
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

  it("sizes the next range from the blocks a cut-off answer reached, or from its declared size", () => {
    const cut = (options: { reached?: { logs: number; block: number }[]; oversize?: number }) =>
      new RangeLimitError("answer too large", undefined, { ownLimit: true, ...options });
    const at = (block: number, logs = 100) => [{ logs, block }];
    const range = createBlockRange({ initial: 1_000, max: 10_000, targetLogs: 5_000 });
    range.refused(1_000, 5_000, cut({ reached: at(5_300) }));
    assert.equal(range.size, 300, "the blocks before the one the answer was cut in");
    range.refused(
      1_000,
      5_000,
      cut({
        reached: [
          { logs: 250, block: 5_100 },
          { logs: 4_750, block: 5_120 },
          { logs: 5_000, block: 5_121 },
          { logs: 9_000, block: 5_300 },
        ],
      }),
    );
    assert.equal(range.size, 121, "no more blocks than held targetLogs logs (sparse, then dense)");
    range.refused(1_000, 5_000, cut({ oversize: 4 }));
    assert.equal(range.size, 200, "the share the declared size allows, less a fifth");
    range.refused(1_000, 5_000, cut({ reached: at(5_000) }));
    assert.equal(range.size, 500, "cut in its first block: halved");
    range.refused(1_000, 5_000, cut({ reached: at(4_990) }));
    assert.equal(range.size, 500, "a block before the range: halved");
    range.refused(1_000, 5_000, cut({ reached: at(5_000), oversize: 4 }));
    assert.equal(range.size, 200, "no use of the block reached: the declared size");
    range.refused(1_000, 5_000, cut({ reached: at(7_000) }));
    assert.equal(range.size, 500, "a block past the range: halved");
    range.refused(1_000, 5_000, cut({ oversize: 1 }));
    assert.equal(range.size, 500, "not oversized: halved");
    range.refused(1_000, 5_000, cut({ reached: at(5_001) }));
    assert.equal(range.size, 1);
    range.succeeded(1, 0);
    assert.equal(range.size, 4, "the client's own limit: free to grow again");
  });

  it("sizes a range that starts among a cut-off answer's blocks from where that answer's logs lay", () => {
    // A cut-off answer from block 1: one log per block up to block 300, then 50 per block.
    const sparse = Array.from({ length: 12 }, (_, k) => ({
      logs: 25 * (k + 1),
      block: 25 * (k + 1),
    }));
    const dense = Array.from({ length: 20 }, (_, j) => ({
      logs: 300 + 25 * (j + 1),
      block: 301 + Math.floor((25 * (j + 1) - 1) / 50),
    }));
    const range = createBlockRange({ initial: 1_000, max: 10_000, targetLogs: 100 });
    range.refused(
      1_000,
      1,
      new RangeLimitError("too large", undefined, {
        ownLimit: true,
        reached: [...sparse, ...dense],
      }),
    );
    assert.equal(range.size, 99, "the blocks before the 100th log");
    range.succeeded(99, 99);
    assert.equal(range.size, 100, "the answer's own density: 100 blocks");
    assert.equal(range.sizeAt(100), 100, "still sparse from block 100");
    // From block 300 the average density of the last answer would ask 100 blocks, 5,000 logs:
    // the cut-off answer showed 50 logs per block from block 301.
    assert.ok(range.sizeAt(300) <= 3, `from block 300: ${range.sizeAt(300)} blocks`);
    assert.equal(range.sizeAt(305), 2, "inside the dense part: two blocks of 50 logs");
    assert.equal(
      range.sizeAt(311),
      2,
      "just past the blocks it showed: the density where it was cut",
    );
    assert.equal(range.sizeAt(311), 100, "once: then the usual sizing");
    // An answer cut at its size limit before its target: a range from its start never reaches
    // the block it was cut in (it would be cut again, and again).
    const bytes = createBlockRange({ initial: 1_000, max: 10_000, targetLogs: 2_500 });
    bytes.refused(
      1_000,
      1,
      new RangeLimitError("too large", undefined, { ownLimit: true, reached: sparse }),
    );
    assert.equal(bytes.sizeAt(1), 299, "the blocks before the one it was cut in");
    assert.equal(bytes.sizeAt(200), 100);
  });

  it("sizes the range after a cut-off answer whose whole blocks were kept from the density at the cut", () => {
    // From block 1: one log per block up to block 300, then 50 per block up to the cut.
    const reached = [
      ...Array.from({ length: 12 }, (_, k) => ({ logs: 25 * (k + 1), block: 25 * (k + 1) })),
      ...Array.from({ length: 20 }, (_, j) => ({
        logs: 300 + 25 * (j + 1),
        block: 301 + Math.floor((25 * (j + 1) - 1) / 50),
      })),
    ];
    const range = createBlockRange({ initial: 1_000, max: 10_000, targetLogs: 100 });
    range.cutOff(1, new RangeLimitError("too large", undefined, { ownLimit: true, reached }));
    assert.equal(range.size, 2, "two blocks of 50 logs, not the answer's average density");
    assert.equal(range.sizeAt(311), 2, "wherever the next range starts");
    // A cut that showed no density leaves the size as it was.
    const unknown = createBlockRange({ initial: 1_000, max: 10_000, targetLogs: 100 });
    unknown.cutOff(1, new RangeLimitError("too large", undefined, { ownLimit: true }));
    assert.equal(unknown.size, 1_000);
  });

  it("stops reading a chunked log answer at maxLogsAnswerBytes and names a block it had reached", async () => {
    const server = await startLogServer("chunked");
    try {
      const from = 0x1000;
      const error = await refusedLogQuery(server.url, from);
      assert.equal(error.oversize, undefined, "no size was declared");
      const [answer] = server.answers;
      assert.ok(answer !== undefined);
      await answer.finished;
      assert.equal(server.answers.length, 1, "not retried");
      assert.ok(answer.sent < answer.body.length, "the rest of the answer was not read");
      const reached = error.reached.at(-1)?.block;
      assert.ok(reached !== undefined && reached > from, `reached block ${reached}`);
      const counts = error.reached.map((r) => r.logs);
      assert.deepEqual(
        counts,
        [...counts].sort((a, b) => a - b),
        "samples in answer order",
      );
      const within = blocksIn(answer.body.slice(0, LOG_LIMIT));
      assert.ok(
        within.has(reached),
        `block ${reached} is not in the first ${LOG_LIMIT} bytes (the last there is ${Math.max(...within)})`,
      );
    } finally {
      await server.close();
    }
  });

  it("asks next a range whose answer fits, after a chunked answer cut off at maxLogsAnswerBytes", async () => {
    const server = await startLogServer("chunked");
    try {
      const rpc = createRpcClient({
        url: server.url,
        maxLogsAnswerBytes: LOG_LIMIT,
        baseBackoffMs: 1,
      });
      const from = 0x1000;
      const range = createBlockRange({ initial: 1_000, max: 10_000 });
      const sizes: number[] = [];
      for (let answers = 0; answers < 100; answers++) {
        const blocks = range.size;
        sizes.push(blocks);
        try {
          const logs = await getLogs(rpc, {
            address: [],
            fromBlock: from,
            toBlock: from + blocks - 1,
          });
          assert.equal(logs.length, blocks * LOGS_PER_BLOCK);
          break;
        } catch (error) {
          if (!(error instanceof RangeLimitError)) throw error;
          range.refused(blocks, from, error);
        }
      }
      assert.equal(
        sizes.length,
        2,
        `one cut-off answer, then one that fits (ranges asked: ${sizes.join(", ")})`,
      );
    } finally {
      await server.close();
    }
  });

  it("keeps the whole blocks of a chunked answer cut off at maxLogsAnswerBytes (getLogsUpTo)", async () => {
    const server = await startLogServer("chunked");
    try {
      const rpc = createRpcClient({ url: server.url, maxLogsAnswerBytes: LOG_LIMIT });
      const from = 0x1000;
      const asked = from + 999;
      const first = await getLogsUpTo(rpc, { address: [], fromBlock: from, toBlock: asked });
      assert.ok(first.cut instanceof RangeLimitError, "cut off");
      assert.ok(first.to > from && first.to < asked, `kept up to block ${first.to}`);
      // Every log of the blocks kept, and none after: the block the cut fell in is not kept.
      assert.equal(first.logs.length, (first.to - from + 1) * LOGS_PER_BLOCK);
      assert.deepEqual(
        [...new Set(first.logs.map((l) => l.blockNumber))],
        Array.from({ length: first.to - from + 1 }, (_, i) => from + i),
      );
      const within = blocksIn((server.answers[0] as LogAnswer).body.slice(0, LOG_LIMIT));
      assert.ok(first.to < Math.max(...within), "the last block read is left for the next range");
      // The range after it, asked small enough to fit, is answered whole.
      const next = await getLogsUpTo(rpc, {
        address: [],
        fromBlock: first.to + 1,
        toBlock: first.to + 10,
      });
      assert.equal(next.cut, undefined);
      assert.equal(next.to, first.to + 10);
      assert.equal(next.logs[0]?.blockNumber, first.to + 1);
    } finally {
      await server.close();
    }
  });

  it("refuses a cut-off answer that held no whole block, or whose declared size was too large", async () => {
    const server = await startLogServer("chunked");
    const declared = await startLogServer("declared");
    try {
      // A limit smaller than one block's logs: the first block may go on past the cut.
      const tiny = createRpcClient({ url: server.url, maxLogsAnswerBytes: 300 });
      await assert.rejects(
        getLogsUpTo(tiny, { address: [], fromBlock: 0x1000, toBlock: 0x1100 }),
        RangeLimitError,
      );
      const rpc = createRpcClient({ url: declared.url, maxLogsAnswerBytes: LOG_LIMIT });
      await assert.rejects(
        getLogsUpTo(rpc, { address: [], fromBlock: 0x1000, toBlock: 0x1000 + 999 }),
        RangeLimitError,
      );
    } finally {
      await server.close();
      await declared.close();
    }
  });

  it("refuses a log answer whose declared size passes maxLogsAnswerBytes, saying by how much", async () => {
    const server = await startLogServer("declared");
    try {
      const from = 0x1000;
      const error = await refusedLogQuery(server.url, from);
      assert.equal(error.reached.length, 0, "nothing was read");
      const [answer] = server.answers;
      assert.ok(answer !== undefined);
      const declared = Buffer.byteLength(answer.body);
      assert.ok(error.oversize !== undefined && error.oversize > 4, `oversize ${error.oversize}`);
      assert.ok(Math.abs(error.oversize - declared / LOG_LIMIT) < 1e-9);
      const range = createBlockRange({ initial: 1_000, max: 10_000 });
      range.refused(1_000, from, error);
      assert.equal(range.size, Math.floor((1_000 / error.oversize) * 0.8));
      const rpc = createRpcClient({
        url: server.url,
        maxLogsAnswerBytes: LOG_LIMIT,
        baseBackoffMs: 1,
      });
      const logs = await getLogs(rpc, {
        address: [],
        fromBlock: from,
        toBlock: from + range.size - 1,
      });
      assert.equal(logs.length, range.size * LOGS_PER_BLOCK, "the range asked next fits");
    } finally {
      await server.close();
    }
  });
});

const LOG_LIMIT = 64 * 1024;
const LOGS_PER_BLOCK = 2;

/** One log of `block`, about 600 bytes of JSON. */
const logOf = (block: number, index: number) => ({
  address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  topics: [`0x${"a".repeat(64)}`],
  data: `0x${"ab".repeat(100)}`,
  blockNumber: `0x${block.toString(16)}`,
  blockHash: `0x${block.toString(16).padStart(64, "0")}`,
  transactionHash: `0x${(block * 16 + index).toString(16).padStart(64, "0")}`,
  transactionIndex: `0x${index.toString(16)}`,
  logIndex: `0x${index.toString(16)}`,
  removed: false,
});

/** The block numbers of the logs in (part of) an answer. */
const blocksIn = (text: string) =>
  new Set([...text.matchAll(/"blockNumber":"(0x[0-9a-f]+)"/g)].map((m) => Number(m[1])));

type LogAnswer = {
  readonly body: string;
  /** Bytes written before the answer ended or the client went away. */
  sent: number;
  /** Settles when the answer is written whole or the connection closed. */
  readonly finished: Promise<void>;
};

/**
 * A node answering `eth_getLogs` with {@link LOGS_PER_BLOCK} logs for every block asked, in
 * block order: "declared" with a Content-Length, "chunked" without one, written 10,000 bytes at a
 * time a few milliseconds apart (each a chunk of its own, as a node streaming a large answer).
 */
async function startLogServer(mode: "chunked" | "declared") {
  const answers: LogAnswer[] = [];
  const server = createServer((req, res) => {
    let request = "";
    req.on("data", (c) => {
      request += c;
    });
    req.on("end", () => {
      const { id, params } = JSON.parse(request) as {
        id: number;
        params: [{ fromBlock: string; toBlock: string }];
      };
      const logs = [];
      for (let b = Number(params[0].fromBlock); b <= Number(params[0].toBlock); b++)
        for (let i = 0; i < LOGS_PER_BLOCK; i++) logs.push(logOf(b, i));
      const body = JSON.stringify({ jsonrpc: "2.0", id, result: logs });
      let finish = () => {};
      const answer: LogAnswer = {
        body,
        sent: 0,
        finished: new Promise<void>((resolve) => {
          finish = resolve;
        }),
      };
      answers.push(answer);
      res.on("close", finish);
      res.on("error", finish);
      write(res, mode, answer).then(finish, finish);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function write(res: ServerResponse, mode: "chunked" | "declared", answer: LogAnswer) {
  const { body } = answer;
  if (mode === "declared") {
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
    answer.sent = body.length;
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  for (let at = 0; at < body.length; at += 10_000) {
    if (res.destroyed) return;
    res.write(body.slice(at, at + 10_000));
    answer.sent = Math.min(body.length, at + 10_000);
    await new Promise((r) => setTimeout(r, 3));
  }
  res.end();
}

/** The RangeLimitError of a 1,000-block log query from `from` to the server at `url`, checked. */
async function refusedLogQuery(url: string, from: number): Promise<RangeLimitError> {
  const rpc = createRpcClient({ url, maxLogsAnswerBytes: LOG_LIMIT, baseBackoffMs: 1 });
  const error = await getLogs(rpc, { address: [], fromBlock: from, toBlock: from + 999 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof RangeLimitError, String(error));
  assert.ok(error.ownLimit, "the client's own limit");
  return error;
}
