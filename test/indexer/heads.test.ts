/**
 * Adaptive head polling (indexer/src/sync/heads.ts): slow polls until shortly before the next
 * block is due, fast polls around it, back to slow on an idle chain; and the WebSocket URL that
 * RPC_WS_URL resolves to.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "../../indexer/src/internal/logger.ts";
import { createHeadWatcher, resolveWsUrl } from "../../indexer/src/sync/heads.ts";

describe("head watcher", () => {
  it("polls fast only around the expected next block", () => {
    let now = 0;
    const heads = createHeadWatcher({
      pollIntervalMs: 500,
      fastPollMs: 40,
      logger: silentLogger,
      now: () => now,
    });
    assert.equal(heads.pollDelay(), 500, "nothing learnt yet: the poll interval");
    for (let block = 1; block <= 5; block++) {
      heads.saw(block);
      now += 1_000;
    }
    now -= 1_000; // block 5 was seen at t = 4000
    now += 10;
    assert.equal(heads.pollDelay(), 500, "far from the next block: the poll interval at most");
    now = 4_000 + 700;
    assert.equal(heads.pollDelay(), 100, "sleeps until 200 ms before the next block is due");
    now = 4_000 + 850;
    assert.equal(heads.pollDelay(), 40, "inside the window: fast polls");
    now = 4_000 + 1_300;
    assert.equal(heads.pollDelay(), 40, "late block: still fast");
    now = 4_000 + 2_100;
    assert.equal(heads.pollDelay(), 500, "an idle chain: back to the poll interval");
    heads.saw(6);
    assert.equal(heads.pollDelay(), 500);
  });

  it("learns nothing from bursts of blocks", () => {
    let now = 0;
    const heads = createHeadWatcher({ pollIntervalMs: 500, logger: silentLogger, now: () => now });
    for (let block = 10; block <= 100; block += 10) {
      heads.saw(block);
      now += 1_000;
    }
    assert.equal(heads.pollDelay(), 500);
  });

  it("resolves RPC_WS_URL", () => {
    assert.equal(resolveWsUrl("auto", "http://127.0.0.1:8545"), "ws://127.0.0.1:8545/");
    assert.equal(resolveWsUrl("auto", "https://rpc.example/x"), "wss://rpc.example/x");
    assert.equal(resolveWsUrl("off", "http://127.0.0.1:8545"), undefined);
    assert.equal(resolveWsUrl("ws://besu:8546", "http://besu:8545"), "ws://besu:8546");
  });
});
