/**
 * Typed builders for jangbu actions: the one way portal, relay, scripts and tests turn "approve
 * sale X" into a target address and calldata, then into a signed EIP-712 forward request.
 *
 *   const c = jangbuContracts(deployment);
 *   const action = buildAction(c.RicePurchase, "approvePurchase", [saleId]);
 *   const request = await prepareForwardRequest({ publicClient, forwarder, from, action });
 *   const body = await signRelayRequest({ wallet, account, chainId, forwarder, request });
 *   describeAction(action); // "강진군 매입 #3 승인"
 */
import {
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  concat,
  decodeFunctionData,
  encodeFunctionData,
  getAddress,
  type Hex,
  isAddressEqual,
  type PublicClient,
  zeroAddress,
} from "viem";
import type { Deployment } from "./deployments.ts";
import type { ForwardRequest, RelayBody } from "./forwarder.ts";
import {
  CredentialRegistryAbi,
  FarmGatePricesAbi,
  JangbuForwarderAbi,
  RicePurchaseAbi,
  TenderBoardAbi,
  VarietyTestingAbi,
} from "./generated/abis.ts";
import { dateOfDeliveryDay } from "./variety.ts";

/** The contracts whose functions are jangbu actions (the forwarder itself is not one). */
export const ACTION_ABIS = {
  CredentialRegistry: CredentialRegistryAbi,
  RicePurchase: RicePurchaseAbi,
  TenderBoard: TenderBoardAbi,
  FarmGatePrices: FarmGatePricesAbi,
  VarietyTesting: VarietyTestingAbi,
} as const;

export type ActionContractName = keyof typeof ACTION_ABIS;
type AbiOf<C extends ActionContractName> = (typeof ACTION_ABIS)[C];
type Writable = "nonpayable" | "payable";

/** A state-changing function of contract `C`. */
export type ActionFunctionName<C extends ActionContractName> = ContractFunctionName<
  AbiOf<C>,
  Writable
>;
/** The arguments of `C.F`, typed from the generated ABI. */
export type ActionArgs<
  C extends ActionContractName,
  F extends ActionFunctionName<C>,
> = ContractFunctionArgs<AbiOf<C>, Writable, F>;

/** A deployed jangbu contract: its name (which picks the ABI) and its address. */
export interface JangbuContract<C extends ActionContractName = ActionContractName> {
  readonly name: C;
  readonly address: Address;
}

/** A call of a jangbu function: what it is, and the target and calldata that make it. */
export interface Action<C extends ActionContractName = ActionContractName> {
  readonly contract: C;
  readonly functionName: string;
  readonly args: readonly unknown[];
  readonly to: Address;
  readonly data: Hex;
}

/** The action contracts of a deployment (a contract not deployed has the zero address). */
export function jangbuContracts(deployment: Pick<Deployment, "addresses">): {
  readonly [C in ActionContractName]: JangbuContract<C>;
} {
  const { addresses } = deployment;
  return {
    CredentialRegistry: { name: "CredentialRegistry", address: addresses.CredentialRegistry },
    RicePurchase: { name: "RicePurchase", address: addresses.RicePurchase },
    TenderBoard: { name: "TenderBoard", address: addresses.TenderBoard },
    // A deployment from before issue 24 has none: the zero address, as for a missing TenderBoard.
    FarmGatePrices: {
      name: "FarmGatePrices",
      address: addresses.FarmGatePrices ?? zeroAddress,
    },
    VarietyTesting: { name: "VarietyTesting", address: addresses.VarietyTesting },
  };
}

/** Target and calldata of `contract.functionName(...args)`, with arguments checked by the ABI. */
export function buildAction<C extends ActionContractName, const F extends ActionFunctionName<C>>(
  contract: JangbuContract<C>,
  functionName: F,
  args: ActionArgs<C, F>,
): Action<C> {
  const abi: Abi = ACTION_ABIS[contract.name];
  const data = encodeFunctionData({ abi, functionName, args } as never);
  return {
    contract: contract.name,
    functionName,
    args: args as readonly unknown[],
    to: contract.address,
    data,
  };
}

/**
 * The action a `{ to, data }` pair makes on this deployment, or undefined when `to` is not a
 * jangbu action contract or the calldata does not decode against its ABI.
 */
export function decodeAction(
  deployment: Pick<Deployment, "addresses">,
  call: { to: Address; data: Hex },
): Action | undefined {
  for (const contract of Object.values(jangbuContracts(deployment))) {
    if (contract.address === zeroAddress || !isAddressEqual(contract.address, call.to)) continue;
    try {
      const { functionName, args } = decodeFunctionData({
        abi: ACTION_ABIS[contract.name] as Abi,
        data: call.data,
      });
      return {
        contract: contract.name,
        functionName,
        args: args ?? [],
        to: contract.address,
        data: call.data,
      };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export interface BuildForwardRequestParameters {
  from: Address;
  to: Address;
  data: Hex;
  nonce: bigint;
  /** Unix seconds; the forwarder refuses the request after it. */
  deadline: number | bigint;
  /** Gas the forwarder passes to the call. */
  gas: bigint;
  /** Ether sent with the call; jangbu actions take none (the relay refuses any). */
  value?: bigint;
}

/** A `ForwardRequest` with normalised addresses and a numeric deadline. */
export function buildForwardRequest(p: BuildForwardRequestParameters): ForwardRequest {
  const deadline = Number(p.deadline);
  if (!Number.isSafeInteger(deadline) || deadline < 0 || deadline >= 2 ** 48) {
    throw new RangeError(`deadline ${p.deadline} is not a uint48 of unix seconds`);
  }
  if (p.gas <= 0n) throw new RangeError("gas must be positive");
  return {
    from: getAddress(p.from),
    to: getAddress(p.to),
    value: p.value ?? 0n,
    gas: p.gas,
    nonce: p.nonce,
    deadline,
    data: p.data,
  };
}

/** The signer's next forwarder nonce. */
export function readForwarderNonce(
  publicClient: Pick<PublicClient, "readContract">,
  forwarder: Address,
  from: Address,
): Promise<bigint> {
  return publicClient.readContract({
    address: forwarder,
    abi: JangbuForwarderAbi,
    functionName: "nonces",
    args: [from],
  });
}

/**
 * Gas the call needs when the forwarder makes it (the target sees `from` appended to the calldata,
 * as ERC-2771 does), plus a margin. Throws the call's revert when it would fail.
 */
export async function estimateActionGas(
  publicClient: Pick<PublicClient, "estimateGas">,
  p: { forwarder: Address; from: Address; to: Address; data: Hex; marginPercent?: number },
): Promise<bigint> {
  const estimate = await publicClient.estimateGas({
    account: p.forwarder,
    to: p.to,
    data: concat([p.data, p.from]),
  });
  // The estimate includes the 21,000 base of a transaction, which a forwarded call does not pay.
  const margin = BigInt(100 + (p.marginPercent ?? 25));
  return (estimate * margin) / 100n;
}

export interface PrepareForwardRequestParameters {
  publicClient: Pick<PublicClient, "readContract" | "estimateGas" | "getBlock">;
  forwarder: Address;
  from: Address;
  action: Pick<Action, "to" | "data">;
  /** Default: read from the forwarder. */
  nonce?: bigint;
  /** Default: estimated (see {@link estimateActionGas}). */
  gas?: bigint;
  /** Seconds from the chain's latest block to the deadline (default 3,600). */
  validForSeconds?: number;
}

/** A ready-to-sign request for `action`: nonce, gas and deadline filled in from the chain. */
export async function prepareForwardRequest(
  p: PrepareForwardRequestParameters,
): Promise<ForwardRequest> {
  const [nonce, gas, block] = await Promise.all([
    p.nonce ?? readForwarderNonce(p.publicClient, p.forwarder, p.from),
    p.gas ??
      estimateActionGas(p.publicClient, {
        forwarder: p.forwarder,
        from: p.from,
        to: p.action.to,
        data: p.action.data,
      }),
    p.publicClient.getBlock({ blockTag: "latest" }),
  ]);
  return buildForwardRequest({
    from: p.from,
    to: p.action.to,
    data: p.action.data,
    nonce,
    gas,
    deadline: Number(block.timestamp) + (p.validForSeconds ?? 3_600),
  });
}

// ---------------------------------------------------------------- Korean one-line summaries

/** Region names for summaries (short forms); the portal passes its own table. */
const REGION_NAMES: Readonly<Record<number, string>> = {
  0: "전국",
  46000: "전라남도",
  46810: "강진군",
  46820: "해남군",
};
const ROLE_KO = ["농업인", "공급업체", "공무원", "검사원", "감사인"] as const;
const PACKAGING_KO = ["40kg 포대", "톤백", "산물벼"] as const;
const PAYMENT_KO = ["중간정산금 지급", "최종정산금 지급", "환수금 납부"] as const;

const won = (amount: unknown) => `₩${BigInt(amount as bigint).toLocaleString("ko-KR")}`;
const count = (n: unknown) => Number(n).toLocaleString("ko-KR");
const short = (address: unknown) => {
  const a = String(address);
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
};

/** The parts of a RicePurchase sale id: `programId << 216 | region << 192 | seq << 160 | farmer`. */
export function decodeSaleId(saleId: bigint): {
  programId: number;
  region: number;
  seq: number;
  farmer: Address;
} {
  const mask = (bits: bigint) => (1n << bits) - 1n;
  return {
    programId: Number((saleId >> 216n) & mask(32n)),
    region: Number((saleId >> 192n) & mask(24n)),
    seq: Number((saleId >> 160n) & mask(32n)),
    farmer: getAddress(`0x${(saleId & mask(160n)).toString(16).padStart(40, "0")}`),
  };
}

export interface DescribeActionOptions {
  /** A region's display name (default: a small built-in table, else "지역 <code>"). */
  regionName?: (code: number) => string;
}

/**
 * A one-line Korean summary of an action, for the signing screen and the relay's log:
 * `approvePurchase(saleId)` → "강진군 매입 #3 승인". Unknown functions fall back to their name.
 */
export function describeAction(
  action: Pick<Action, "contract" | "functionName" | "args">,
  options: DescribeActionOptions = {},
): string {
  const region = (code: unknown) =>
    options.regionName?.(Number(code)) ?? REGION_NAMES[Number(code)] ?? `지역 ${String(code)}`;
  const a = action.args;
  const sale = () => {
    const { region: r, seq } = decodeSaleId(BigInt(a[0] as bigint));
    return `${region(r)} 매입 #${seq}`;
  };
  const tender = () => `입찰 #${String(a[0])}`;
  const list = (i: number) => (Array.isArray(a[i]) ? (a[i] as unknown[]).length : 0);
  switch (`${action.contract}.${action.functionName}`) {
    case "FarmGatePrices.recordObservation": {
      const d = String(a[1]);
      return `매입 계획 #${String(a[0])} 산지쌀값 기록 (${Number(d.slice(4, 6))}월 ${Number(d.slice(6, 8))}일, 80kg ${won(a[2])})`;
    }
    case "RicePurchase.createProgram": {
      const p = a[0] as { cropYear: number; nationalQuota: bigint };
      return `${p.cropYear}년산 공공비축미 매입 계획 수립 (전국 ${count(p.nationalQuota)}포대)`;
    }
    case "RicePurchase.allocateRegion":
      return `매입 계획 #${String(a[0])} ${region(a[1])} 물량 ${count(a[2])}포대 배정`;
    case "RicePurchase.allocate":
      return `${region(a[1])} 농가 ${short(a[2])} 물량 ${count(a[3])}포대 배정`;
    case "RicePurchase.allocateBatch":
      return `${region(a[1])} 농가 ${list(2)}곳 물량 배정`;
    case "RicePurchase.submitSale":
      return `매입 계획 #${String(a[0])} 출하 신청 ${count(a[1])}포대 (${PACKAGING_KO[Number(a[2])] ?? "?"}, ${dateOfDeliveryDay(Number(a[5]))} 출하)`;
    case "VarietyTesting.designateVarieties":
      return `매입 계획 #${String(a[0])} ${region(a[1])} 지정 품종 결정`;
    case "VarietyTesting.commitSeed":
      return `매입 계획 #${String(a[0])} ${region(a[1])} 품종검정 추첨 약속값 등록`;
    case "VarietyTesting.revealSeed":
      return `매입 계획 #${String(a[0])} ${region(a[1])} 품종검정 추첨 비밀값 공개`;
    case "VarietyTesting.draw":
      return `매입 계획 #${String(a[0])} ${region(a[1])} 품종검정 대상 농가 추첨`;
    case "VarietyTesting.recordResult":
      return `매입 계획 #${String(a[0])} 농가 ${short(a[1])} 품종검정 결과 등록 (타품종 ${Number(a[2]) / 10}%)`;
    case "RicePurchase.cancelSale":
      return `${sale()} 취소`;
    case "RicePurchase.recordInspection":
      return `${sale()} 검사 결과 등록`;
    case "RicePurchase.recordInspections":
      return `매입 ${list(0)}건 검사 결과 등록`;
    case "RicePurchase.disputeInspection":
      return `${sale()} 검사 이의 신청`;
    case "RicePurchase.approvePurchase":
      return `${sale()} 승인`;
    case "RicePurchase.approvePurchases":
      return `매입 ${list(0)}건 승인`;
    case "RicePurchase.setFinalPrices":
      return `매입 계획 #${String(a[0])} 최종 가격 제안`;
    case "RicePurchase.confirmFinalPrices":
      return `매입 계획 #${String(a[0])} 최종 가격 확인 (확정)`;
    case "RicePurchase.recordClawback":
      return `${sale()} 환수 확정`;
    case "RicePurchase.recordPayment":
      return `${sale()} ${PAYMENT_KO[Number(a[1])] ?? "지급"} ${won(a[2])} 기록`;
    case "TenderBoard.createTender":
      return `${region(a[0])} 입찰 공고 「${String(a[1])}」`;
    case "TenderBoard.amendTender":
      return `${tender()} 정정 공고`;
    case "TenderBoard.commitBid":
      return `${tender()} 투찰 (밀봉)`;
    case "TenderBoard.revealBid":
      return `${tender()} 투찰 공개`;
    case "TenderBoard.revealSeed":
      return `${tender()} 예정가격 추첨 시드 공개`;
    case "TenderBoard.award":
      return `${tender()} 낙찰자 결정`;
    case "TenderBoard.lapseTender":
      return `${tender()} 유찰 처리 (낙찰 기한 경과)`;
    case "TenderBoard.cancelTender":
      return `${tender()} 취소`;
    case "TenderBoard.settleBond":
      return `${tender()} 보증금 정산`;
    case "TenderBoard.recordDelivery":
      return `${tender()} 납품 등록`;
    case "TenderBoard.acceptDelivery":
      return `${tender()} 검수 완료`;
    case "TenderBoard.refuseDelivery":
      return `${tender()} 납품 반려`;
    case "TenderBoard.terminateForNonDelivery":
      return `${tender()} 계약 해지 (납품 불이행)`;
    case "TenderBoard.recordPayment":
      return `${tender()} 대금 ${won(a[1])} 지급 기록`;
    case "CredentialRegistry.issue":
      return `${region(a[2])} ${ROLE_KO[Number(a[1])] ?? "?"} 자격 발급 (${short(a[0])})`;
    case "CredentialRegistry.nameSuccessor": {
      const id = BigInt(a[1] as bigint);
      const subject = `0x${(id >> 96n).toString(16).padStart(40, "0")}`;
      return `${region((id >> 64n) & 0xffffffn)} ${ROLE_KO[Number((id >> 88n) & 0xffn)] ?? "?"} 자격 승계 (${short(subject)})`;
    }
    case "CredentialRegistry.revoke": {
      // Credential id: subject << 96 | role << 88 | region << 64 | serial.
      const id = BigInt(a[0] as bigint);
      const subject = `0x${(id >> 96n).toString(16).padStart(40, "0")}`;
      const role = ROLE_KO[Number((id >> 88n) & 0xffn)] ?? "?";
      return `${region((id >> 64n) & 0xffffffn)} ${role} 자격 폐지 (${short(subject)})`;
    }
    default:
      return `${action.contract}.${action.functionName}`;
  }
}

// ---------------------------------------------------------------- talking to the relay

/** A refusal or failure answered by the relay: `code` is one of its RELAY_* codes. */
export class RelayRequestError extends Error {
  override readonly name = "RelayRequestError";
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds, from Retry-After (429 and 503). */
  readonly retryAfter: number | undefined;
  constructor(
    status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
    retryAfter?: number,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

/** What the relay answers to an accepted request. */
export interface RelaySubmitted {
  /** The request's EIP-712 digest: `GET /api/v1/relay/{requestId}` follows it. */
  requestId: Hex;
  /**
   * Null when the relay holds the request (`state: "held"`: its signer's earlier nonces have not
   * arrived yet) or its queue kept it longer than it waits: follow `requestId` until it is sent.
   */
  txHash: Hex | null;
  state: string;
  duplicate: boolean;
}

/**
 * POSTs a signed body to the relay (`baseUrl` like "https://ledger.example/api/v1") and returns
 * its answer, or throws {@link RelayRequestError} with the relay's code.
 */
export async function submitRelayRequest(
  baseUrl: string,
  body: RelayBody,
  fetchImpl: typeof fetch = fetch,
): Promise<RelaySubmitted> {
  const res = await fetchImpl(`${baseUrl.replace(/\/$/, "")}/relay`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Partial<RelaySubmitted> & {
    error?: { code: string; message: string; details?: Record<string, unknown> };
  };
  if (!res.ok || json.requestId === undefined) {
    const retry = Number(res.headers.get("retry-after"));
    throw new RelayRequestError(
      res.status,
      json.error?.code ?? "RELAY_HTTP_ERROR",
      json.error?.message ?? `the relay answered ${res.status}`,
      json.error?.details,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
  }
  return json as RelaySubmitted;
}
