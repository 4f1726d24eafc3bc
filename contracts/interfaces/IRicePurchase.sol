// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVarietyErrors} from "./IVarietyTesting.sol";

/// @title Public stockpile rice purchase (공공비축미곡 매입)
/// @notice Programme → regional quotas (national → 시도 → 시군) → farm allocations → sale →
/// inspection → approval → interim payment → final settlement (top-up or clawback).
///
/// Quantities are 40 kg bag equivalents ("units"): a 40 kg 포대 is 1 unit, an 800 kg 톤백 is 20.
/// Amounts are whole won. A sale id is not a counter: it encodes
/// `programId << 216 | region << 192 | seq << 160 | farmer`, where `seq` counts the farm's sales in
/// the programme, so anyone can read programme, 시군 and farmer off an id.
///
/// Variety designations, the 5 % variety-test draw and exclusions live in {IVarietyTesting}, a
/// contract this one deploys ({varietyTesting}); a sale and an allocation raise ask it first.
interface IRicePurchase is IVarietyErrors {
    /// @notice How the paddy was delivered. Bulk (산물벼) is paid the bag price minus the
    /// programme's per-unit packaging deduction.
    enum Packaging {
        Bag40,
        TonBag,
        Bulk
    }

    /// @notice Inspection grades; 등외 (below grade 3) is refused and counted as rejected units.
    enum Grade {
        Special,
        First,
        Second,
        Third
    }

    /// @notice Where a sale is. Disputes are allowed once, from Inspected or Rejected, until approval.
    enum SaleState {
        None,
        Submitted,
        Cancelled,
        Inspected,
        Rejected,
        Disputed,
        Reinspected,
        RejectedOnReinspection,
        Approved,
        InterimPaid,
        ClawbackDue,
        Settled
    }

    /// @notice Payment kinds: the interim payment (중간정산금), the final top-up, and a clawback
    /// repaid by the farmer when the final price is below the interim.
    enum PaymentKind {
        Interim,
        FinalBalance,
        ClawbackRepayment
    }

    /// @notice Parameters of a purchase programme.
    struct ProgramParams {
        uint16 cropYear;
        uint64 nationalQuota;
        uint32 interimPerUnit;
        uint32 bulkDeduction;
        uint40 deliveryStart;
        uint40 deliveryEnd;
        uint16[2] varieties;
        /// @dev Seconds after an inspection during which the farmer may dispute it (> 0).
        uint32 disputePeriod;
    }

    /// @notice A programme as stored, in two slots: the delivery window and the interim price
    /// (read by submitSale, which copies the interim price into the sale) and the final terms
    /// (read by the final payment steps), so no step reads what it does not need.
    struct Program {
        // slot 0: delivery and the interim price
        uint40 deliveryStart;
        uint40 deliveryEnd;
        uint16 cropYear;
        uint16 varietyA;
        uint16 varietyB;
        uint32 disputePeriod;
        uint32 interimPerUnit;
        // slot 1: final terms
        uint32 bulkDeduction;
        bool finalPricesSet;
        /// @dev Set by the programme's first final balance payment or clawback: prices are final.
        bool finalPricesLocked;
        /// @dev How many times final prices took effect (1: first set; more: corrections).
        uint16 priceRevision;
        uint32 priceSpecial;
        uint32 priceFirst;
        uint32 priceSecond;
        uint32 priceThird;
    }

    /// @notice Final-price inputs proposed by one national Official, waiting for a second one.
    struct PriceProposal {
        address proposer;
        uint32 farmGatePer80kg;
        uint32 millingFee;
        uint16 millingYieldBps;
    }

    /// @notice A region's quota: what it received and how much of it it passed down.
    struct Quota {
        uint64 units;
        uint64 distributed;
        /// @dev For a 시군: how many farms have sold there in the programme (the variety-test frame).
        uint32 sellers;
    }

    /// @notice A farm's allocation in one programme.
    /// @dev `committed` counts units held by live sales: the submitted units until inspection,
    /// the accepted units after.
    struct Allocation {
        uint32 units;
        uint32 committed;
        uint32 saleCount;
        uint32 region;
        /// @dev The farm's number (from 1) among its 시군's selling farms, in the order of their
        /// first sale; 0 before its first sale. The variety-test draw numbers farms by it.
        uint32 sellerIndex;
    }

    /// @notice A sale as stored (one slot, 224 of its 256 bits used). Seller, programme and region
    /// are in the sale id.
    /// @dev The inspectors are kept as keys, the low 32 bits of their addresses (the full
    /// addresses are in {SaleInspected}), so that both inspectors of a disputed sale, the
    /// inspection time and the programme's interim price fit the one slot. The keys only ever
    /// refuse: an address whose key matches an inspector's cannot approve, which includes the
    /// inspector itself; a stranger matching by chance (1 in 2^32) is refused too, never let
    /// through, and any other official of the region may act instead. `interimPerUnit` is the
    /// programme's (fixed at its creation), copied at submission so that approval and the interim
    /// payment read one slot.
    struct Sale {
        uint16 units;
        Packaging packaging;
        SaleState state;
        uint16 gradeSpecial;
        uint16 gradeFirst;
        uint16 gradeSecond;
        uint16 gradeThird;
        /// @dev Unix time of the last inspection (uint32 lasts until 2106); 0 before.
        uint32 inspectedAt;
        /// @dev The programme's interim price per unit, in won.
        uint32 interimPerUnit;
        /// @dev Key of the last inspector.
        uint32 inspectorKey;
        /// @dev Key of the first inspector (the last one's until a re-inspection).
        uint32 firstInspectorKey;
    }

    /// @notice One delivery's inspection, for the batch form.
    struct Inspection {
        uint256 saleId;
        uint16[4] gradeUnits;
        uint16 rejectedUnits;
        uint16 moisturePermille;
        bytes32 certificateHash;
    }

    /// @notice Final prices per unit (40 kg), by grade, in won.
    struct GradePrices {
        uint32 special;
        uint32 first;
        uint32 second;
        uint32 third;
    }

    event ProgramCreated(
        uint32 indexed programId,
        address indexed official,
        uint16 cropYear,
        uint64 nationalQuota,
        uint32 interimPerUnit,
        uint32 bulkDeduction,
        uint40 deliveryStart,
        uint40 deliveryEnd,
        uint16[2] varieties,
        uint32 disputePeriod
    );

    /// @notice Emitted when `region`'s quota is set by an official of `parentRegion`.
    event RegionAllocated(
        uint32 indexed programId, uint32 indexed region, address indexed official, uint32 parentRegion, uint64 units
    );

    /// @notice Emitted when a farm's allocation is set by an official of its 시군.
    event QuotaAllocated(
        uint32 indexed programId, address indexed farmer, address indexed official, uint32 region, uint32 units
    );

    /// @notice Emitted when a farmer submits a sale. `variety` is one of the county's designated
    /// varieties when it named any ({IVarietyTesting-VarietiesDesignated}). `deliveryDay` is the
    /// day the farm will deliver, as days since 1970-01-01 of the Korean calendar date (UTC+9).
    event SaleSubmitted(
        uint256 indexed saleId,
        uint32 indexed programId,
        address indexed farmer,
        uint32 region,
        uint16 units,
        Packaging packaging,
        uint16 variety,
        uint32 collectionPoint,
        uint32 deliveryDay
    );

    event SaleCancelled(uint256 indexed saleId, address indexed farmer);

    /// @notice Emitted for an inspection and for a re-inspection (`reinspection` true).
    event SaleInspected(
        uint256 indexed saleId,
        address indexed inspector,
        uint16[4] gradeUnits,
        uint16 rejectedUnits,
        uint16 moisturePermille,
        bytes32 certificateHash,
        bool reinspection
    );

    event SaleDisputed(uint256 indexed saleId, address indexed farmer, bytes32 reasonHash);

    event PurchaseApproved(
        uint256 indexed saleId, address indexed official, uint32 acceptedUnits, uint256 interimAmount
    );

    /// @notice Emitted when a national Official proposes final-price inputs (first or corrected);
    /// nothing is paid on them until a second Official confirms ({FinalPricesSet}).
    event FinalPricesProposed(
        uint32 indexed programId,
        address indexed official,
        uint32 farmGatePer80kg,
        uint32 millingFee,
        uint16 millingYieldBps,
        uint32[4] gradePrices
    );

    /// @notice Emitted when final prices take effect: `official` confirmed what `proposer`
    /// proposed. `revision` 1 is the first setting, each later one a correction.
    event FinalPricesSet(
        uint32 indexed programId,
        address indexed official,
        uint32 farmGatePer80kg,
        uint32 millingFee,
        uint16 millingYieldBps,
        uint32[4] gradePrices,
        address proposer,
        uint16 revision
    );

    /// @notice Emitted when a sale's final balance is negative and becomes the farmer's debt.
    event ClawbackRecorded(uint256 indexed saleId, address indexed official, uint256 amount);

    /// @notice Emitted for each payment or repayment. `official` is not indexed to keep the
    /// payment step under its gas budget; indexers read it from the data.
    event PaymentRecorded(
        uint256 indexed saleId, PaymentKind kind, uint256 amount, bytes32 transferRefHash, address official
    );

    /// @notice Thrown when `programId` names no programme.
    error ProgramNotFound(uint32 programId);

    /// @notice Thrown when programme parameters are inconsistent (window, quota, prices).
    error InvalidProgramParams();

    /// @notice Thrown when a region would get more than its parent has left to give.
    error QuotaExceedsParent(uint32 region, uint64 requested, uint64 available);

    /// @notice Thrown when a quota or allocation is set below what was already passed down or sold.
    error QuotaBelowCommitted(uint64 requested, uint64 committed);

    /// @notice Thrown when a farm already has its allocation in another 시군 for this programme.
    error FarmAllocatedElsewhere(address farmer, uint32 region);

    /// @notice Thrown when the farm has no allocation in the programme.
    error NoAllocation(uint32 programId, address farmer);

    /// @notice Thrown when a sale is submitted outside the delivery window.
    error OutsideDeliveryWindow(uint40 start, uint40 end);

    /// @notice Thrown when the delivery day is outside the programme's delivery window
    /// (`firstDay`…`lastDay`, days since 1970-01-01 in Korean time).
    error InvalidDeliveryDay(uint32 deliveryDay, uint32 firstDay, uint32 lastDay);

    /// @notice Thrown when units are zero, above 65,535, or not a whole number of 톤백 (20).
    error InvalidUnits(uint256 units);

    /// @notice Thrown when a sale would take the farm over its allocation.
    error ExceedsAllocation(uint32 requested, uint32 remaining);

    /// @notice Thrown when `saleId` names no sale.
    error SaleNotFound(uint256 saleId);

    /// @notice Thrown when a sale is not in a state the function accepts.
    error InvalidSaleState(uint256 saleId, SaleState state);

    /// @notice Thrown when someone other than the seller acts for the seller.
    error NotSeller(uint256 saleId, address account);

    /// @notice Thrown when the seller tries to inspect their own sale.
    error SellerCannotInspect(uint256 saleId);

    /// @notice Thrown when the seller tries to approve or record payments on their own sale.
    error SellerCannotApprove(uint256 saleId);

    /// @notice Thrown when `actor` would allocate to, inspect, approve, pay or claw back the farm
    /// `farmer` while being that farm or of its household (equal household tags of the two
    /// credentials involved).
    error ConflictOfInterest(address actor, address farmer);

    /// @notice Thrown when a dispute comes after the programme's dispute period.
    error DisputePeriodOver(uint256 saleId, uint256 deadline);

    /// @notice Thrown when final prices are proposed before the delivery window closed.
    error DeliveryWindowOpen(uint32 programId, uint40 deliveryEnd);

    /// @notice Thrown when final prices change after the programme's first final payment or clawback.
    error FinalPricesLocked(uint32 programId);

    /// @notice Thrown when confirming final prices that nobody proposed, or other inputs than proposed.
    error PriceProposalMismatch(uint32 programId);

    /// @notice Thrown when the confirming Official is the proposer or of the proposer's household.
    error ConfirmationNotIndependent(uint32 programId, address official);

    /// @notice Thrown when the inspector of a sale tries to approve it.
    error InspectorCannotApprove(uint256 saleId, address inspector);

    /// @notice Thrown when a disputed sale is re-inspected by its first inspector.
    error SameInspector(uint256 saleId, address inspector);

    /// @notice Thrown when graded plus rejected units differ from the delivered units.
    error InspectionUnitsMismatch(uint256 saleId, uint256 delivered, uint256 inspected);

    /// @notice Thrown when moisture is outside 13.0–15.0 %.
    error MoistureOutOfRange(uint16 moisturePermille);

    /// @notice Thrown when a final-settlement step needs prices that are not set yet.
    error FinalPricesNotSet(uint32 programId);

    /// @notice Thrown when the final-price inputs are impossible.
    error InvalidPriceInputs();

    /// @notice Thrown when a payment is not exactly the amount due.
    error WrongPaymentAmount(uint256 saleId, uint256 due, uint256 offered);

    /// @notice Thrown when the payment kind does not match what the sale owes.
    error WrongPaymentKind(uint256 saleId, PaymentKind kind);

    /// @notice Creates a purchase programme with its national quota.
    /// @dev Requirements: caller is an Official of region 0; `deliveryStart < deliveryEnd`;
    /// `nationalQuota > 0`; `bulkDeduction < interimPerUnit`.
    /// @return programId The new programme's id (from 1).
    function createProgram(ProgramParams calldata params) external returns (uint32 programId);

    /// @notice Sets the quota of a 시도 (by a national official) or a 시군 (by an official of its 시도).
    /// @dev Requirements: the region is a province or county; the parent has enough left; the new
    /// quota is not below what the region already passed down.
    function allocateRegion(uint32 programId, uint32 region, uint64 units) external;

    /// @notice Sets a farm's allocation, by an Official of the 시군 `region`.
    /// @dev Requirements: the official's and the farm's credentials are live and tagged, and the
    /// official is not the farm nor of its household; a raise refused for a farm excluded by a
    /// variety test in the programme's crop year ({IVarietyErrors-FarmExcluded}); the county has enough quota left; the
    /// allocation is not below the farm's live sales. A farm whose credential is no longer live
    /// (a lost key) can only be lowered, so its unsold quota moves to its new address.
    function allocate(uint32 programId, uint32 region, address farmer, uint32 units) external;

    /// @notice Batch form of {allocate}: all-or-nothing, at most `MAX_BATCH` farms.
    function allocateBatch(uint32 programId, uint32 region, address[] calldata farmers, uint32[] calldata units)
        external;

    /// @notice Submits a sale of `units` by the calling farmer, to be delivered on `deliveryDay`
    /// (days since 1970-01-01 of the Korean calendar date: `floor((unixTime + 9 h) / 1 day)`).
    /// @dev Requirements: inside the delivery window; the farmer's credential is valid in its
    /// allocation's region; units fit the remaining allocation and the packaging (톤백: ×20);
    /// `deliveryDay` within the window's first and last Korean days; the variety designated by the
    /// county (when it named any) and the farm not excluded this crop year ({IVarietyTesting-checkSale}).
    /// The farm's first sale in the programme gives it its number in the county's variety-test frame.
    /// @return saleId The new sale's id.
    function submitSale(
        uint32 programId,
        uint16 units,
        Packaging packaging,
        uint16 variety,
        uint32 collectionPoint,
        uint32 deliveryDay
    ) external returns (uint256 saleId);

    /// @notice Cancels a sale before inspection; only the seller (its live Farmer credential), or
    /// the successor the registry names for the seller's lost key.
    function cancelSale(uint256 saleId) external;

    /// @notice Records the grading of a delivery by an Inspector of the sale's region.
    /// @dev Requirements: the inspector's credential is live and tagged; not the seller nor of the
    /// seller's household (the tags of the two credentials differ); sale Submitted (or Disputed:
    /// then not the first inspector); `gradeUnits` (특,1,2,3) plus `rejectedUnits` equal the delivered units; moisture
    /// 130–150 ‰; a certificate hash. No accepted unit → Rejected.
    function recordInspection(
        uint256 saleId,
        uint16[4] calldata gradeUnits,
        uint16 rejectedUnits,
        uint16 moisturePermille,
        bytes32 certificateHash
    ) external;

    /// @notice Batch form of {recordInspection}: all-or-nothing, at most `MAX_BATCH` sales.
    function recordInspections(Inspection[] calldata inspections) external;

    /// @notice Disputes an inspection; only the seller (or its named successor), once, before
    /// approval, and within the programme's `disputePeriod` after the inspection.
    function disputeInspection(uint256 saleId, bytes32 reasonHash) external;

    /// @notice Approves the purchase of an inspected sale; interim = accepted units × interimPerUnit.
    /// @dev Requirements: an Official of the sale's region, with a tagged credential, who is
    /// neither the seller nor of its household, nor any inspector of the sale (first or re-).
    function approvePurchase(uint256 saleId) external;

    /// @notice Batch form of {approvePurchase}: all-or-nothing, at most `MAX_BATCH` sales.
    function approvePurchases(uint256[] calldata saleIds) external;

    /// @notice Fixes the final prices from the published statistic's inputs.
    /// @dev Unrounded 1등 = (farmGatePer80kg − millingFee) × millingYieldBps ÷ 10,000 ÷ 2; each
    /// grade = unrounded 1등 × (103.3 %, 100 %, 95.56 %, 85.06 %), rounded down to 10 won.
    /// This proposes: the prices take effect when a second national Official confirms the same
    /// inputs ({confirmFinalPrices}). A new proposal replaces a pending one; once prices are set,
    /// a proposal is a correction, which again needs a confirmation.
    /// Requirements: a tagged Official of region 0; the delivery window closed; no final balance
    /// paid and no clawback recorded in the programme yet.
    function setFinalPrices(uint32 programId, uint32 farmGatePer80kg, uint32 millingFee, uint16 millingYieldBps)
        external;

    /// @notice Confirms the pending final-price proposal, which then takes effect ({FinalPricesSet}).
    /// @dev Requirements: a tagged Official of region 0, not the proposer nor of its household
    /// (tags differ); the proposer's credential still live; the same inputs as proposed; no final
    /// balance paid and no clawback recorded in the programme yet.
    function confirmFinalPrices(uint32 programId, uint32 farmGatePer80kg, uint32 millingFee, uint16 millingYieldBps)
        external;

    /// @notice Records that an interim-paid sale's final balance is negative: the farmer owes it.
    /// @dev Requirements: a tagged Official of the sale's region, not the seller nor of its
    /// household; final prices set. The programme's first clawback locks its final prices.
    function recordClawback(uint256 saleId) external;

    /// @notice Records a payment or a repayment with exactly the amount due.
    /// @dev Interim on an Approved sale; FinalBalance (≥ 0) on an InterimPaid sale once prices are
    /// set; ClawbackRepayment on a ClawbackDue sale. Requirements: a tagged Official of the sale's
    /// region, not the seller nor of its household; a transfer reference hash. The programme's
    /// first final balance payment locks its final prices.
    function recordPayment(uint256 saleId, PaymentKind kind, uint256 amount, bytes32 transferRefHash) external;

    /// @notice The variety-testing contract this one deployed and asks on sales and allocations.
    function varietyTesting() external view returns (address);

    /// @notice The programme `programId`.
    function getProgram(uint32 programId) external view returns (Program memory);

    /// @notice The quota of `region` (0: national) in a programme.
    function getQuota(uint32 programId, uint32 region) external view returns (Quota memory);

    /// @notice A farm's allocation in a programme.
    function getAllocation(uint32 programId, address farmer) external view returns (Allocation memory);

    /// @notice The sale `saleId`.
    function getSale(uint256 saleId) external view returns (Sale memory);

    /// @notice The final-price proposal waiting for confirmation (proposer zero when none).
    function getPriceProposal(uint32 programId) external view returns (PriceProposal memory);

    /// @notice The final prices of a programme (zero until set).
    function getGradePrices(uint32 programId) external view returns (GradePrices memory);

    /// @notice What a sale is worth: interim, final (0 until prices are set) and final − interim.
    function settlementOf(uint256 saleId) external view returns (uint256 interim, uint256 finalAmount, int256 balance);

    /// @notice The sale id for a programme, region, per-farm sequence number and farmer.
    function saleIdOf(uint32 programId, uint32 region, uint32 seq, address farmer) external pure returns (uint256);
}
