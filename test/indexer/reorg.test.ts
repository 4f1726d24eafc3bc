/**
 * Reorgs: snapshot, mine one branch (with events that change existing rows), revert, mine a
 * different, longer branch. The index must roll back to the common ancestor and end identical to
 * a clean index of the final chain.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Address, getAddress, keccak256, toHex } from "viem";
import type { Indexer } from "../../indexer/src/service.ts";
import { createPgliteDatabase, type Database } from "../../indexer/src/store/db.ts";
import { CredentialRegistryAbi } from "../../sdk/index.ts";
import { startSeededChain, type TestChain } from "./helpers/chain.ts";
import { dumpStore, envFor, indexUntil, waitFor } from "./helpers/indexer.ts";

const ISSUER_A = getAddress("0x000000000000000000000000000000000000aaaa");
const ISSUER_B = getAddress("0x000000000000000000000000000000000000bbbb");
const ISSUER_C = getAddress("0x000000000000000000000000000000000000cccc");

describe("indexer reorg handling", () => {
  let chain: TestChain & { lastBlock: number };
  let db: Database;
  let indexer: Indexer;

  before(async () => {
    chain = await startSeededChain();
    db = await createPgliteDatabase();
    indexer = await indexUntil(
      envFor(chain.url, chain.deployment, { REORG_DEPTH: "4" }),
      db,
      chain.lastBlock,
    );
  });
  after(async () => {
    await indexer?.close();
    await db?.close();
    await chain?.close();
  });

  const revoke = async (index: number, issuer: Address) => {
    const [admin] = await chain.connection.viem.getWalletClients();
    assert.ok(admin);
    const [credential] = await db.query<{ id: string }>(
      "select id from credentials where not revoked order by issued_pos limit 1 offset $1",
      [index],
    );
    assert.ok(credential);
    await admin.writeContract({
      address: chain.deployment.addresses.CredentialRegistry,
      abi: CredentialRegistryAbi,
      functionName: "revoke",
      args: [BigInt(credential.id), keccak256(toHex(`reason ${index}`))],
    });
    await admin.writeContract({
      address: chain.deployment.addresses.CredentialRegistry,
      abi: CredentialRegistryAbi,
      functionName: "setIssuer",
      args: [issuer, 1, 46810, true],
    });
    return credential.id;
  };

  it("rolls back an abandoned branch and ends identical to a clean index", async () => {
    const snapshot = await chain.request<string>("evm_snapshot");
    const revokedOnA = await revoke(0, ISSUER_A);
    await chain.mine(2);
    const headA = await chain.head();
    await waitFor("branch A", () => indexer.sync.status().indexed >= headA);
    const [onA] = await db.query<{ revoked: boolean }>(
      "select revoked from credentials where id = $1",
      [revokedOnA],
    );
    assert.equal(onA?.revoked, true);

    assert.equal(await chain.request("evm_revert", [snapshot]), true);
    const revokedOnB = await revoke(1, ISSUER_B);
    await chain.mine(5);
    const headB = await chain.head();
    assert.ok(headB > headA);
    await waitFor("branch B", () => indexer.sync.status().indexed >= headB);
    assert.ok(indexer.sync.status().reorgs >= 1, "a reorg was detected");

    const [a] = await db.query<{ revoked: boolean }>(
      "select revoked from credentials where id = $1",
      [revokedOnA],
    );
    const [b] = await db.query<{ revoked: boolean }>(
      "select revoked from credentials where id = $1",
      [revokedOnB],
    );
    assert.equal(a?.revoked, false, "branch A's revocation is gone");
    assert.equal(b?.revoked, true, "branch B's revocation is there");
    const issuers = await db.query(
      "select issuer from issuers where issuer = any($1) order by issuer",
      [[ISSUER_A, ISSUER_B]],
    );
    assert.deepEqual(
      issuers.map((r) => r.issuer),
      [ISSUER_B],
    );

    const clean = await createPgliteDatabase();
    try {
      const fresh = await indexUntil(
        envFor(chain.url, chain.deployment, { REORG_DEPTH: "4" }),
        clean,
        headB,
      );
      await fresh.close();
      assert.deepEqual(await dumpStore(db), await dumpStore(clean));
    } finally {
      await clean.close();
    }
  });

  it("survives the node going back below the indexed block", async () => {
    const snapshot = await chain.request<string>("evm_snapshot");
    await chain.mine(3);
    const high = await chain.head();
    await waitFor("the higher head", () => indexer.sync.status().indexed >= high);
    await chain.request("evm_revert", [snapshot]);
    await revoke(2, ISSUER_C);
    const head = await chain.head();
    assert.ok(head < high);
    await waitFor("the shorter branch", async () => {
      const [row] = await db.query<{ n: number }>(
        "select count(*)::int8 as n from issuers where issuer = $1",
        [ISSUER_C],
      );
      return row?.n === 1;
    });
    const [state] = await db.query<{ block_number: number; block_hash: string }>(
      "select block_number, block_hash from sync_state",
    );
    const block = await chain.request<{ hash: string }>("eth_getBlockByNumber", [
      toHex(state?.block_number ?? 0),
      false,
    ]);
    assert.equal(state?.block_hash, block.hash, "the cursor is on the node's chain");
  });
});
