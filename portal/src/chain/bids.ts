/** The signed-in bidder's bid and the tender's version, read from the chain (never the indexer). */
import { type Address, decodeFunctionResult, encodeFunctionData } from "viem";
import { getConfig } from "../api/client.ts";
import { TenderBoardAbi } from "./abis.ts";
import { ethCall } from "./rpc-lite.ts";
import type { ChainBid } from "./secrets.ts";

/** `getBid(tenderId, bidder)` and the tender's current version (`getTender`), from the node. */
export async function readChainBid(
  tenderId: string,
  bidder: Address,
): Promise<{ bid: ChainBid; tenderVersion: number }> {
  const cfg = await getConfig();
  const to = cfg.contracts.TenderBoard as Address;
  const id = BigInt(tenderId);
  const [bidOut, tenderOut] = await Promise.all([
    ethCall(cfg.rpcUrl, {
      to,
      data: encodeFunctionData({ abi: TenderBoardAbi, functionName: "getBid", args: [id, bidder] }),
    }),
    ethCall(cfg.rpcUrl, {
      to,
      data: encodeFunctionData({ abi: TenderBoardAbi, functionName: "getTender", args: [id] }),
    }),
  ]);
  const bid = decodeFunctionResult({ abi: TenderBoardAbi, functionName: "getBid", data: bidOut });
  const tender = decodeFunctionResult({
    abi: TenderBoardAbi,
    functionName: "getTender",
    data: tenderOut,
  });
  return {
    bid: { commitment: bid.commitment, version: Number(bid.version), status: Number(bid.status) },
    tenderVersion: Number(tender.version),
  };
}
