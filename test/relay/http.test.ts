/**
 * The relay over real HTTP (@hono/node-server on a free port), with keep-alive clients that pool
 * their connections: a 413 for an oversized body must leave the client able to send its next
 * request (the relay answers `Connection: close`, so the client opens a fresh connection instead
 * of writing into one the server is closing).
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type ServerType, serve } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import { createRelay, type Relay } from "../../indexer/src/relay/index.ts";
import type { RelayBody } from "../../sdk/forwarder.ts";
import { type RelayChain, setupRelayChain } from "./setup.ts";

const MAX_BODY = 16_384;

describe("relay over HTTP with a pooled keep-alive client", () => {
  let chain: RelayChain;
  let relay: Relay;
  let server: ServerType;
  let port: number;
  let url: string;

  before(async () => {
    chain = await setupRelayChain({ farmers: 1 });
    relay = createRelay({
      publicClient: chain.publicClient,
      walletClient: chain.relayerWallet,
      deployment: chain.deployment,
      config: { maxBodyBytes: MAX_BODY, ratePerSigner: 0, ratePerIp: 0, pollIntervalMs: 20 },
    });
    await relay.ready();
    const app = new OpenAPIHono();
    app.route("/api/v1", relay.routes);
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    port = (server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}/api/v1/relay`;
  });
  after(async () => {
    await relay?.close();
    if (server !== undefined) {
      await new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
    }
    await chain?.close();
  });

  const oversized = async () =>
    JSON.stringify({
      ...(await chain.sign(chain.farmer(0), chain.submitSale())),
      padding: "x".repeat(4 * MAX_BODY),
    });
  const nextBody = async (): Promise<RelayBody> => chain.sign(chain.farmer(0), chain.submitSale());

  it("fetch (undici's pooled keep-alive connections): a 413, then the next request works", async () => {
    for (let i = 0; i < 3; i++) {
      const big = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: await oversized(),
      });
      assert.equal(big.status, 413);
      assert.equal(big.headers.get("connection"), "close");
      assert.equal(
        ((await big.json()) as { error: { code: string } }).error.code,
        "RELAY_TOO_LARGE",
      );
      const ok = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(await nextBody()),
      });
      assert.equal(ok.status, 202, await ok.text());
      await ok.arrayBuffer().catch(() => undefined);
    }
  });

  it("fetch: a body streamed slowly, and one larger than the server drains: 413, then the next request works", async () => {
    const slice = new Uint8Array(64 * 1024).fill(0x20);
    // Bodies that end around the time the server stops draining a refused body (500 ms in
    // @hono/node-server): the client puts the connection back in its pool just before it closes.
    const slowBody = (ms: number) => () =>
      new ReadableStream<Uint8Array>({
        async start(controller) {
          for (let i = 0; i < 8; i++) {
            controller.enqueue(slice);
            await sleep(ms / 8);
          }
          controller.close();
        },
      });
    const bodies: (() => NonNullable<RequestInit["body"]>)[] = [
      ...[420, 480, 520].map(slowBody),
      () => new Uint8Array(80 * 1024 * 1024),
    ];
    for (const body of bodies) {
      const big = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: body(),
        duplex: "half",
      } as RequestInit);
      assert.equal(big.status, 413);
      assert.equal(big.headers.get("connection"), "close");
      await big.arrayBuffer();
      const ok = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(await nextBody()),
      });
      assert.equal(ok.status, 202, await ok.text());
    }
  });

  it("a body that never ends: the 413 says Connection: close, and the server does close the connection", async () => {
    // Before, the 413 said keep-alive and the server dropped the connection 500 ms later (when
    // it gave up discarding the body): a pooled client reusing it got "other side closed".
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {}); // a reset after the answer is the server closing: expected
    await once(socket, "connect");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    const closed = once(socket, "close");
    socket.write(
      "POST /api/v1/relay HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
        "Content-Length: 1000000\r\nConnection: keep-alive\r\n\r\n",
    );
    socket.write("x".repeat(10_000));
    const end = Date.now() + 5_000;
    while (!/\r\n\r\n\{.*\}$/s.test(received) && Date.now() < end) await sleep(10);
    const [head = "", body = ""] = received.split("\r\n\r\n");
    assert.match(head, /^HTTP\/1\.1 413 /);
    assert.match(head, /^connection: close$/im, head);
    assert.equal(JSON.parse(body).error.code, "RELAY_TOO_LARGE");
    await Promise.race([
      closed,
      sleep(5_000).then(() => assert.fail("the server kept the connection open")),
    ]);
  });

  /** One request through `agent` (`gapMs` between chunks); the socket it used is returned too. */
  const send = (
    agent: Agent,
    body: string | Buffer[],
    { declare = !Array.isArray(body), gapMs = 0 }: { declare?: boolean; gapMs?: number } = {},
  ): Promise<{ status: number; headers: IncomingHttpHeaders; text: string; socket: unknown }> =>
    new Promise((resolve, reject) => {
      const parts = Array.isArray(body) ? body : [Buffer.from(body)];
      const length = parts.reduce((n, p) => n + p.length, 0);
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/api/v1/relay",
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            ...(declare ? { "content-length": length } : {}),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              socket: req.socket,
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      void (async () => {
        for (const part of parts) {
          if (req.destroyed) return;
          req.write(part);
          if (gapMs > 0) await sleep(gapMs);
        }
        req.end();
      })();
    });

  it("node:http Agent with keep-alive and one socket: declared and chunked oversized bodies", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(agent, JSON.stringify(await nextBody()));
      assert.equal(first.status, 202, first.text);
      // Declared too large (Content-Length): refused before the body is read.
      const declared = await send(agent, await oversized());
      assert.equal(declared.status, 413);
      assert.equal(declared.headers.connection, "close");
      assert.equal(JSON.parse(declared.text).error.code, "RELAY_TOO_LARGE");
      const afterDeclared = await send(agent, JSON.stringify(await nextBody()));
      assert.equal(afterDeclared.status, 202, afterDeclared.text);
      // Chunked: found too large while reading.
      const big = await oversized();
      const parts = [Buffer.from(big.slice(0, 8_000)), Buffer.from(big.slice(8_000))];
      const chunked = await send(agent, parts, { declare: false });
      assert.equal(chunked.status, 413);
      assert.equal(chunked.headers.connection, "close");
      const afterChunked = await send(agent, JSON.stringify(await nextBody()));
      assert.equal(afterChunked.status, 202, afterChunked.text);
      // A normal answer keeps the connection open for the next request.
      const again = await send(agent, JSON.stringify(await nextBody()));
      assert.equal(again.status, 202, again.text);
      assert.equal(again.socket, afterChunked.socket, "a 202 keeps its connection");
    } finally {
      agent.destroy();
    }
  });

  it("a large body sent slowly (longer than the server drains a refused body): 413, then the next request works", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const slice = Buffer.alloc(64 * 1024, 0x20);
      for (const declare of [true, false]) {
        const slow = await send(
          agent,
          Array.from({ length: 16 }, () => slice),
          {
            declare,
            gapMs: 60,
          },
        );
        assert.equal(slow.status, 413, slow.text);
        assert.equal(slow.headers.connection, "close");
        const next = await send(agent, JSON.stringify(await nextBody()));
        assert.equal(next.status, 202, next.text);
      }
    } finally {
      agent.destroy();
    }
  });
});
