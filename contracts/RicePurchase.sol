// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICommonErrors} from "./interfaces/ICommonErrors.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";
import {IRicePurchase} from "./interfaces/IRicePurchase.sol";
import {IVarietyTesting} from "./interfaces/IVarietyTesting.sol";
import {CredentialGated} from "./lib/CredentialGated.sol";
import {Regions} from "./lib/Regions.sol";
import {VarietyTesting} from "./VarietyTesting.sol";

/// @title RicePurchase
/// @notice The public stockpile rice purchase (공공비축미곡 매입, 양곡관리법 제10조) as records no one
/// can rewrite. See {IRicePurchase} for the flow and the rules.
/// @dev Gas shapes the storage: a sale is one slot (its seller, programme and region live in the
/// id; the programme's interim price is copied in), an allocation one slot, a programme one slot
/// plus one for its final prices. Every batch is
/// over calldata the caller sends, capped at `MAX_BATCH`; nothing loops over stored lists.
///
/// Who may act: every step reads the actor's credential at that moment (a revoked key stops at
/// once). Every step between an actor and a farm — allocating, inspecting, approving, paying,
/// clawing back — compares the household tags of the two credentials involved and refuses equal
/// ones, and refuses an untagged Farmer, Inspector or Official credential: this programme always
/// relies on households. A farm's lost key is continued by the successor its issuer names in the
/// registry: it cancels and disputes the old sales, and its tag stands for the farm's household.
contract RicePurchase is IRicePurchase, ICommonErrors, CredentialGated {
    /// @notice The largest batch any batch function accepts.
    uint256 public constant MAX_BATCH = 100;
    /// @notice Units (40 kg) in one 800 kg 톤백.
    uint16 public constant TONBAG_UNITS = 20;
    /// @notice Accepted moisture range, in per mille (13.0–15.0 %).
    uint16 public constant MOISTURE_MIN_PERMILLE = 130;
    uint16 public constant MOISTURE_MAX_PERMILLE = 150;

    /// @dev Grade ratios to the unrounded 1등 price, in 1/10,000 (특 103.3 %, 1등, 2등 95.56 %, 3등 85.06 %).
    uint256 private constant RATIO_SPECIAL = 10_330;
    uint256 private constant RATIO_FIRST = 10_000;
    uint256 private constant RATIO_SECOND = 9_556;
    uint256 private constant RATIO_THIRD = 8_506;
    /// @dev ÷10,000 (yield bps) ÷2 (80 kg → 40 kg) ÷10,000 (ratio) ÷10 (round down to 10 won).
    uint256 private constant PRICE_DENOMINATOR = 10_000 * 2 * 10_000 * 10;
    /// @dev Korean time (UTC+9) in seconds, and a day: a delivery day is floor((t + 9 h) / 1 day).
    uint256 private constant KST_OFFSET = 9 hours;

    /// @dev Deployed by the constructor (only its creation code is in this contract's init code).
    IVarietyTesting private immutable _varietyTesting;

    uint32 private _programCount;
    mapping(uint32 programId => Program) private _programs;
    mapping(uint32 programId => mapping(uint32 region => Quota)) private _quotas;
    mapping(uint32 programId => mapping(address farmer => Allocation)) private _allocations;
    mapping(uint256 saleId => Sale) private _sales;
    mapping(uint32 programId => PriceProposal) private _priceProposals;

    constructor(address trustedForwarder_, ICredentialRegistry registry_) CredentialGated(trustedForwarder_, registry_) {
        _varietyTesting = new VarietyTesting(trustedForwarder_, registry_);
    }

    // ------------------------------------------------------------------ programmes and quotas

    /// @inheritdoc IRicePurchase
    function createProgram(ProgramParams calldata params) external returns (uint32 programId) {
        address official = _msgSender();
        _requireRole(official, ICredentialRegistry.Role.Official, Regions.NATIONAL);
        if (
            params.deliveryStart >= params.deliveryEnd || params.nationalQuota == 0 || params.interimPerUnit == 0
                || params.bulkDeduction >= params.interimPerUnit || params.disputePeriod == 0
        ) revert InvalidProgramParams();

        programId = ++_programCount;
        _programs[programId] = Program({
            interimPerUnit: params.interimPerUnit,
            bulkDeduction: params.bulkDeduction,
            finalPricesSet: false,
            finalPricesLocked: false,
            priceRevision: 0,
            priceSpecial: 0,
            priceFirst: 0,
            priceSecond: 0,
            priceThird: 0,
            deliveryStart: params.deliveryStart,
            deliveryEnd: params.deliveryEnd,
            cropYear: params.cropYear,
            varietyA: params.varieties[0],
            varietyB: params.varieties[1],
            disputePeriod: params.disputePeriod
        });
        _quotas[programId][Regions.NATIONAL].units = params.nationalQuota;
        emit ProgramCreated(
            programId,
            official,
            params.cropYear,
            params.nationalQuota,
            params.interimPerUnit,
            params.bulkDeduction,
            params.deliveryStart,
            params.deliveryEnd,
            params.varieties,
            params.disputePeriod
        );
    }

    /// @inheritdoc IRicePurchase
    function allocateRegion(uint32 programId, uint32 region, uint64 units) external {
        address official = _msgSender();
        _requireProgram(programId);
        if (!Regions.isProvince(region) && !Regions.isCounty(region)) revert InvalidRegion(region);
        uint32 parent = Regions.parentOf(region);
        _requireRole(official, ICredentialRegistry.Role.Official, parent);

        Quota storage quota = _quotas[programId][region];
        if (units < quota.distributed) revert QuotaBelowCommitted(units, quota.distributed);
        _moveQuota(_quotas[programId][parent], region, quota.units, units);
        quota.units = units;
        emit RegionAllocated(programId, region, official, parent, units);
    }

    /// @inheritdoc IRicePurchase
    function allocate(uint32 programId, uint32 region, address farmer, uint32 units) external {
        address official = _msgSender();
        (Quota storage county, bytes32 household) = _countyQuota(official, programId, region);
        _allocate(official, household, programId, region, county, farmer, units);
    }

    /// @inheritdoc IRicePurchase
    function allocateBatch(uint32 programId, uint32 region, address[] calldata farmers, uint32[] calldata units)
        external
    {
        address official = _msgSender();
        _requireBatchSize(farmers.length);
        if (units.length != farmers.length) revert ArrayLengthMismatch(farmers.length, units.length);
        (Quota storage county, bytes32 household) = _countyQuota(official, programId, region);
        for (uint256 i; i < farmers.length; ++i) {
            _allocate(official, household, programId, region, county, farmers[i], units[i]);
        }
    }

    // ------------------------------------------------------------------ sales

    /// @inheritdoc IRicePurchase
    function submitSale(
        uint32 programId,
        uint16 units,
        Packaging packaging,
        uint16 variety,
        uint32 collectionPoint,
        uint32 deliveryDay
    ) external returns (uint256 saleId) {
        address farmer = _msgSender();
        uint32 region;
        (saleId, region) = _openSale(farmer, programId, units, packaging, variety, deliveryDay);
        emit SaleSubmitted(saleId, programId, farmer, region, units, packaging, variety, collectionPoint, deliveryDay);
    }

    /// @inheritdoc IRicePurchase
    function cancelSale(uint256 saleId) external {
        address account = _msgSender();
        (uint32 programId, uint32 region,, address farmer) = _decodeSaleId(saleId);
        Sale storage sale = _existingSale(saleId);
        _requireFarmActor(saleId, account, farmer, region);
        if (sale.state != SaleState.Submitted) revert InvalidSaleState(saleId, sale.state);
        sale.state = SaleState.Cancelled;
        _allocations[programId][farmer].committed -= sale.units;
        emit SaleCancelled(saleId, farmer);
    }

    /// @inheritdoc IRicePurchase
    function recordInspection(
        uint256 saleId,
        uint16[4] calldata gradeUnits,
        uint16 rejectedUnits,
        uint16 moisturePermille,
        bytes32 certificateHash
    ) external {
        address inspector = _msgSender();
        (, uint32 region,, address farmer) = _decodeSaleId(saleId);
        (bytes32 household, bytes32 farm) =
            _actorAndFarmHouseholds(inspector, ICredentialRegistry.Role.Inspector, farmer, region);
        _inspect(inspector, household, farm, saleId, gradeUnits, rejectedUnits, moisturePermille, certificateHash);
    }

    /// @inheritdoc IRicePurchase
    function recordInspections(Inspection[] calldata inspections) external {
        address inspector = _msgSender();
        _requireBatchSize(inspections.length);
        uint32 checkedRegion; // 0 is never a sale's region, so the first sale is always checked
        bytes32 household;
        for (uint256 i; i < inspections.length; ++i) {
            Inspection calldata item = inspections[i];
            (, uint32 region,,) = _decodeSaleId(item.saleId);
            if (region != checkedRegion) {
                household = _requireTaggedRole(inspector, ICredentialRegistry.Role.Inspector, region);
                checkedRegion = region;
            }
            _inspect(
                inspector,
                household,
                bytes32(0), // resolved per sale, after its existence check
                item.saleId,
                item.gradeUnits,
                item.rejectedUnits,
                item.moisturePermille,
                item.certificateHash
            );
        }
    }

    /// @inheritdoc IRicePurchase
    function disputeInspection(uint256 saleId, bytes32 reasonHash) external {
        address account = _msgSender();
        (uint32 programId, uint32 region,, address farmer) = _decodeSaleId(saleId);
        Sale storage sale = _existingSale(saleId);
        _requireFarmActor(saleId, account, farmer, region);
        if (sale.state != SaleState.Inspected && sale.state != SaleState.Rejected) {
            revert InvalidSaleState(saleId, sale.state);
        }
        uint256 deadline = uint256(sale.inspectedAt) + _programs[programId].disputePeriod;
        if (block.timestamp > deadline) revert DisputePeriodOver(saleId, deadline);
        if (reasonHash == bytes32(0)) revert ZeroHash();
        sale.state = SaleState.Disputed;
        emit SaleDisputed(saleId, farmer, reasonHash);
    }

    /// @inheritdoc IRicePurchase
    function approvePurchase(uint256 saleId) external {
        address official = _msgSender();
        (, uint32 region,, address farmer) = _decodeSaleId(saleId);
        (bytes32 household, bytes32 farm) =
            _actorAndFarmHouseholds(official, ICredentialRegistry.Role.Official, farmer, region);
        _approve(official, household, farm, saleId);
    }

    /// @inheritdoc IRicePurchase
    function approvePurchases(uint256[] calldata saleIds) external {
        address official = _msgSender();
        _requireBatchSize(saleIds.length);
        uint32 checkedRegion;
        bytes32 household;
        for (uint256 i; i < saleIds.length; ++i) {
            (, uint32 region,,) = _decodeSaleId(saleIds[i]);
            if (region != checkedRegion) {
                household = _requireTaggedRole(official, ICredentialRegistry.Role.Official, region);
                checkedRegion = region;
            }
            _approve(official, household, bytes32(0), saleIds[i]);
        }
    }

    // ------------------------------------------------------------------ settlement

    /// @inheritdoc IRicePurchase
    function setFinalPrices(uint32 programId, uint32 farmGatePer80kg, uint32 millingFee, uint16 millingYieldBps)
        external
    {
        address official = _msgSender();
        _requireTaggedRole(official, ICredentialRegistry.Role.Official, Regions.NATIONAL);
        Program storage program = _requireProgram(programId);
        if (block.timestamp <= program.deliveryEnd) revert DeliveryWindowOpen(programId, program.deliveryEnd);
        if (program.finalPricesLocked) revert FinalPricesLocked(programId);
        uint32[4] memory prices = _checkedPrices(program, farmGatePer80kg, millingFee, millingYieldBps);
        _priceProposals[programId] = PriceProposal(official, farmGatePer80kg, millingFee, millingYieldBps);
        emit FinalPricesProposed(programId, official, farmGatePer80kg, millingFee, millingYieldBps, prices);
    }

    /// @inheritdoc IRicePurchase
    function confirmFinalPrices(uint32 programId, uint32 farmGatePer80kg, uint32 millingFee, uint16 millingYieldBps)
        external
    {
        address official = _msgSender();
        bytes32 household = _requireTaggedRole(official, ICredentialRegistry.Role.Official, Regions.NATIONAL);
        Program storage program = _requireProgram(programId);
        if (program.finalPricesLocked) revert FinalPricesLocked(programId);
        PriceProposal memory proposal = _priceProposals[programId];
        if (
            proposal.proposer == address(0) || proposal.farmGatePer80kg != farmGatePer80kg
                || proposal.millingFee != millingFee || proposal.millingYieldBps != millingYieldBps
        ) revert PriceProposalMismatch(programId);
        // The proposer must still hold its credential: a key revoked meanwhile proposes nothing.
        bytes32 proposerHousehold =
            _requireTaggedRole(proposal.proposer, ICredentialRegistry.Role.Official, Regions.NATIONAL);
        if (official == proposal.proposer || household == proposerHousehold) {
            revert ConfirmationNotIndependent(programId, official);
        }
        uint32[4] memory prices = computeGradePrices(farmGatePer80kg, millingFee, millingYieldBps);

        delete _priceProposals[programId];
        uint16 revision = program.priceRevision + 1;
        program.finalPricesSet = true;
        program.priceRevision = revision;
        program.priceSpecial = prices[0];
        program.priceFirst = prices[1];
        program.priceSecond = prices[2];
        program.priceThird = prices[3];
        emit FinalPricesSet(
            programId, official, farmGatePer80kg, millingFee, millingYieldBps, prices, proposal.proposer, revision
        );
    }

    /// @inheritdoc IRicePurchase
    function recordClawback(uint256 saleId) external {
        address official = _msgSender();
        (uint32 programId,,,) = _decodeSaleId(saleId);
        Sale storage sale = _paymentSale(official, saleId);
        if (sale.state != SaleState.InterimPaid) revert InvalidSaleState(saleId, sale.state);
        Program storage program = _programs[programId];
        if (!program.finalPricesSet) revert FinalPricesNotSet(programId);
        (,, int256 balance) = _settlement(programId, sale);
        if (balance >= 0) revert WrongPaymentKind(saleId, PaymentKind.ClawbackRepayment);
        if (!program.finalPricesLocked) program.finalPricesLocked = true;
        sale.state = SaleState.ClawbackDue;
        emit ClawbackRecorded(saleId, official, uint256(-balance));
    }

    /// @inheritdoc IRicePurchase
    function recordPayment(uint256 saleId, PaymentKind kind, uint256 amount, bytes32 transferRefHash) external {
        address official = _msgSender();
        if (transferRefHash == bytes32(0)) revert ZeroHash();
        Sale storage sale = _paymentSale(official, saleId);
        uint32 programId = uint32(saleId >> 216); // as in _decodeSaleId

        uint256 word = _saleWord(sale); // one SLOAD for every field the interim payment needs
        SaleState state = SaleState(uint8(word >> 24));
        SaleState next;
        uint256 due;
        if (kind == PaymentKind.Interim) {
            if (state != SaleState.Approved) revert InvalidSaleState(saleId, state);
            unchecked {
                due = _acceptedIn(word) * uint32(word >> 128); // < 2^18 · 2^32
            }
            next = SaleState.InterimPaid;
        } else {
            SaleState expected = kind == PaymentKind.FinalBalance ? SaleState.InterimPaid : SaleState.ClawbackDue;
            if (state != expected) revert InvalidSaleState(saleId, state);
            if (!_programs[programId].finalPricesSet) revert FinalPricesNotSet(programId);
            (,, int256 balance) = _settlement(programId, sale);
            if (kind == PaymentKind.FinalBalance && balance < 0) revert WrongPaymentKind(saleId, kind);
            due = balance < 0 ? uint256(-balance) : uint256(balance);
            next = SaleState.Settled;
            if (!_programs[programId].finalPricesLocked) _programs[programId].finalPricesLocked = true;
        }
        if (amount != due) revert WrongPaymentAmount(saleId, due, amount);
        _setSaleState(sale, word, next); // the sale's slot is unchanged since `word` was read
        emit PaymentRecorded(saleId, kind, amount, transferRefHash, official);
    }

    /// @notice The grade prices (특, 1, 2, 3) the published inputs give, per 40 kg, in won.
    /// @dev Every grade, 1등 included, comes from the unrounded 1등 price, then is rounded down to
    /// 10 won — rounding 1등 first can put 특 10 won off.
    function computeGradePrices(uint32 farmGatePer80kg, uint32 millingFee, uint16 millingYieldBps)
        public
        pure
        returns (uint32[4] memory prices)
    {
        uint256 numerator = uint256(farmGatePer80kg - millingFee) * millingYieldBps;
        prices[0] = uint32((numerator * RATIO_SPECIAL) / PRICE_DENOMINATOR * 10);
        prices[1] = uint32((numerator * RATIO_FIRST) / PRICE_DENOMINATOR * 10);
        prices[2] = uint32((numerator * RATIO_SECOND) / PRICE_DENOMINATOR * 10);
        prices[3] = uint32((numerator * RATIO_THIRD) / PRICE_DENOMINATOR * 10);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRicePurchase
    function varietyTesting() external view returns (address) {
        return address(_varietyTesting);
    }

    /// @inheritdoc IRicePurchase
    function getProgram(uint32 programId) external view returns (Program memory) {
        return _requireProgram(programId);
    }

    /// @inheritdoc IRicePurchase
    function getQuota(uint32 programId, uint32 region) external view returns (Quota memory) {
        return _quotas[programId][region];
    }

    /// @inheritdoc IRicePurchase
    function getAllocation(uint32 programId, address farmer) external view returns (Allocation memory) {
        return _allocations[programId][farmer];
    }

    /// @inheritdoc IRicePurchase
    function getSale(uint256 saleId) external view returns (Sale memory) {
        return _existingSale(saleId);
    }

    /// @inheritdoc IRicePurchase
    function getPriceProposal(uint32 programId) external view returns (PriceProposal memory) {
        return _priceProposals[programId];
    }

    /// @inheritdoc IRicePurchase
    function getGradePrices(uint32 programId) external view returns (GradePrices memory) {
        Program storage program = _programs[programId];
        return GradePrices(program.priceSpecial, program.priceFirst, program.priceSecond, program.priceThird);
    }

    /// @inheritdoc IRicePurchase
    function settlementOf(uint256 saleId) external view returns (uint256 interim, uint256 finalAmount, int256 balance) {
        (uint32 programId,,,) = _decodeSaleId(saleId);
        return _settlement(programId, _existingSale(saleId));
    }

    /// @inheritdoc IRicePurchase
    function saleIdOf(uint32 programId, uint32 region, uint32 seq, address farmer) external pure returns (uint256) {
        return _encodeSaleId(programId, region, seq, farmer);
    }

    // ------------------------------------------------------------------ internals

    /// @dev The checks and effects of {submitSale}; returns the new sale's id and region.
    function _openSale(
        address farmer,
        uint32 programId,
        uint16 units,
        Packaging packaging,
        uint16 variety,
        uint32 deliveryDay
    ) private returns (uint256 saleId, uint32 region) {
        Program storage program = _programs[programId];
        Allocation storage allocation = _allocations[programId][farmer];
        region = allocation.region;
        if (region == 0) revert NoAllocation(programId, farmer);
        _requireRole(farmer, ICredentialRegistry.Role.Farmer, region);
        _requireDeliveryWindow(program, deliveryDay);
        _varietyTesting.checkSale(programId, region, program.cropYear, farmer, variety);
        if (units == 0 || (packaging == Packaging.TonBag && units % TONBAG_UNITS != 0)) revert InvalidUnits(units);
        uint32 remaining = allocation.units - allocation.committed;
        if (units > remaining) revert ExceedsAllocation(units, remaining);

        uint32 seq = _commitUnits(allocation, programId, region, units);
        saleId = _encodeSaleId(programId, region, seq, farmer);
        _storeNewSale(saleId, units, packaging, program.interimPerUnit);
    }

    /// @dev Commits `units` of the farm's allocation to its next sale; returns the sale's number.
    function _commitUnits(Allocation storage allocation, uint32 programId, uint32 region, uint16 units)
        private
        returns (uint32 seq)
    {
        unchecked {
            // The caller checked units ≤ remaining, so committed stays ≤ allocation.units; a uint32
            // of sales per farm and programme cannot be reached (each costs a transaction).
            seq = allocation.saleCount + 1;
            allocation.saleCount = seq;
            allocation.committed += units;
            // The farm's first sale numbers it in the county's variety-test frame (< 2^32 farms).
            if (seq == 1) allocation.sellerIndex = ++_quotas[programId][region].sellers;
        }
    }

    /// @dev Today inside the programme's delivery window, and the farmer's delivery day (a Korean
    /// calendar day number) between the window's first and last Korean days.
    function _requireDeliveryWindow(Program storage program, uint32 deliveryDay) private view {
        uint40 start = program.deliveryStart;
        uint40 end = program.deliveryEnd;
        if (block.timestamp < start || block.timestamp > end) revert OutsideDeliveryWindow(start, end);
        uint32 firstDay = uint32((start + KST_OFFSET) / 1 days);
        uint32 lastDay = uint32((end + KST_OFFSET) / 1 days);
        if (deliveryDay < firstDay || deliveryDay > lastDay) revert InvalidDeliveryDay(deliveryDay, firstDay, lastDay);
    }

    /// @dev The new sale's slot. (A hand-packed single SSTORE saves about 1,800 gas here, but with
    /// the delivery day and the variety check in {submitSale} it no longer fits the EVM stack.)
    function _storeNewSale(uint256 saleId, uint16 units, Packaging packaging, uint32 interimPerUnit) private {
        _sales[saleId] = Sale({
            units: units,
            packaging: packaging,
            state: SaleState.Submitted,
            gradeSpecial: 0,
            gradeFirst: 0,
            gradeSecond: 0,
            gradeThird: 0,
            inspectedAt: 0,
            interimPerUnit: interimPerUnit,
            inspectorKey: 0,
            firstInspectorKey: 0
        });
    }

    function _allocate(
        address official,
        bytes32 household,
        uint32 programId,
        uint32 region,
        Quota storage county,
        address farmer,
        uint32 units
    ) private {
        Allocation storage allocation = _allocations[programId][farmer];
        if (official == farmer) revert ConflictOfInterest(official, farmer);
        bytes32 farm = _householdTag(farmer, ICredentialRegistry.Role.Farmer, region);
        if (farm == bytes32(0)) {
            // No live tagged credential. Untagged, or raising a farm whose key is lost: refused.
            // Lowering a lost key's allocation gives the farm nothing, so its unsold quota can
            // move to its new address; it is compared with the successor's household when one
            // is named, and needs none when the farm has left (nobody's household gains).
            if (
                allocation.region != region || units > allocation.units
                    || _hasRole(farmer, ICredentialRegistry.Role.Farmer, region)
            ) _requireTaggedRole(farmer, ICredentialRegistry.Role.Farmer, region);
            address successor = _successorOf(farmer, ICredentialRegistry.Role.Farmer, region);
            if (successor != address(0)) farm = _householdTag(successor, ICredentialRegistry.Role.Farmer, region);
        }
        if (farm != bytes32(0) && farm == household) revert ConflictOfInterest(official, farmer);
        if (allocation.region != 0 && allocation.region != region) {
            revert FarmAllocatedElsewhere(farmer, allocation.region);
        }
        if (units < allocation.committed) revert QuotaBelowCommitted(units, allocation.committed);
        if (units > allocation.units) _varietyTesting.checkAllocation(farmer, _programs[programId].cropYear);
        _moveQuota(county, region, allocation.units, units);
        allocation.units = units;
        allocation.region = region;
        emit QuotaAllocated(programId, farmer, official, region, units);
    }

    /// @dev Checks the caller is a tagged Official of county `region`; returns the county's quota
    /// and the official's household.
    function _countyQuota(address official, uint32 programId, uint32 region)
        private
        view
        returns (Quota storage, bytes32 household)
    {
        _requireProgram(programId);
        if (!Regions.isCounty(region)) revert InvalidRegion(region);
        household = _requireTaggedRole(official, ICredentialRegistry.Role.Official, region);
        return (_quotas[programId][region], household);
    }

    /// @dev Replaces a child's share `oldUnits` by `newUnits` in its parent's distributed total.
    function _moveQuota(Quota storage parent, uint32 child, uint64 oldUnits, uint64 newUnits) private {
        uint64 others = parent.distributed - oldUnits;
        uint64 available = parent.units - others;
        if (newUnits > available) revert QuotaExceedsParent(child, newUnits, available);
        parent.distributed = others + newUnits;
    }

    function _inspect(
        address inspector,
        bytes32 household,
        bytes32 farm,
        uint256 saleId,
        uint16[4] calldata gradeUnits,
        uint16 rejectedUnits,
        uint16 moisturePermille,
        bytes32 certificateHash
    ) private {
        (uint32 programId, uint32 region,, address farmer) = _decodeSaleId(saleId);
        Sale storage sale = _existingSale(saleId);
        if (inspector == farmer) revert SellerCannotInspect(saleId);
        _refuseSameHousehold(inspector, household, farm, farmer, region);
        SaleState state = sale.state;
        bool reinspection = state == SaleState.Disputed;
        if (state != SaleState.Submitted && !reinspection) revert InvalidSaleState(saleId, state);
        uint32 key = _inspectorKey(inspector);
        if (reinspection && key == sale.inspectorKey) revert SameInspector(saleId, inspector);
        if (moisturePermille < MOISTURE_MIN_PERMILLE || moisturePermille > MOISTURE_MAX_PERMILLE) {
            revert MoistureOutOfRange(moisturePermille);
        }
        if (certificateHash == bytes32(0)) revert ZeroHash();
        uint256 accepted = uint256(gradeUnits[0]) + gradeUnits[1] + gradeUnits[2] + gradeUnits[3];
        if (accepted + rejectedUnits != sale.units) {
            revert InspectionUnitsMismatch(saleId, sale.units, accepted + rejectedUnits);
        }

        // The allocation holds the delivered units until inspection and the accepted units after.
        uint32 held = reinspection ? _acceptedUnits(sale) : sale.units;
        if (held != accepted) {
            Allocation storage allocation = _allocations[programId][farmer];
            uint32 committed = allocation.committed - held;
            uint32 remaining = allocation.units - committed;
            if (accepted > remaining) revert ExceedsAllocation(uint32(accepted), remaining);
            allocation.committed = committed + uint32(accepted);
        }

        sale.gradeSpecial = gradeUnits[0];
        sale.gradeFirst = gradeUnits[1];
        sale.gradeSecond = gradeUnits[2];
        sale.gradeThird = gradeUnits[3];
        sale.inspectedAt = uint32(block.timestamp);
        sale.inspectorKey = key;
        if (!reinspection) sale.firstInspectorKey = key;
        if (accepted == 0) {
            sale.state = reinspection ? SaleState.RejectedOnReinspection : SaleState.Rejected;
        } else {
            sale.state = reinspection ? SaleState.Reinspected : SaleState.Inspected;
        }
        emit SaleInspected(saleId, inspector, gradeUnits, rejectedUnits, moisturePermille, certificateHash, reinspection);
    }

    function _approve(address official, bytes32 household, bytes32 farm, uint256 saleId) private {
        (, uint32 region,, address farmer) = _decodeSaleId(saleId);
        Sale storage sale = _sales[saleId];
        uint256 word = _saleWord(sale); // one SLOAD for every field below
        SaleState state = SaleState(uint8(word >> 24));
        if (state == SaleState.None) revert SaleNotFound(saleId);
        if (official == farmer) revert SellerCannotApprove(saleId);
        if (state != SaleState.Inspected && state != SaleState.Reinspected) revert InvalidSaleState(saleId, state);
        uint32 key = _inspectorKey(official);
        if (key == uint32(word >> 160) || key == uint32(word >> 192)) revert InspectorCannotApprove(saleId, official);
        _refuseSameHousehold(official, household, farm, farmer, region);
        _setSaleState(sale, word, SaleState.Approved);
        uint256 accepted = _acceptedIn(word);
        emit PurchaseApproved(saleId, official, uint32(accepted), accepted * uint32(word >> 128));
    }

    /// @dev The sale for a payment step: checks the caller is a tagged Official of its region,
    /// neither the seller nor of its household.
    /// @dev No existence check: an unknown sale is in state None, which no payment step accepts.
    function _paymentSale(address official, uint256 saleId) private view returns (Sale storage sale) {
        (, uint32 region,, address farmer) = _decodeSaleId(saleId);
        sale = _sales[saleId];
        if (official == farmer) revert SellerCannotApprove(saleId);
        (bytes32 household, bytes32 farm) =
            _actorAndFarmHouseholds(official, ICredentialRegistry.Role.Official, farmer, region);
        // An unknown sale (state None) is refused by every payment step after this.
        if (farm == bytes32(0) && sale.state != SaleState.None) farm = _farmHousehold(farmer, region);
        if (household == farm) revert ConflictOfInterest(official, farmer);
    }

    /// @dev The households of `actor` (its live, tagged `role` credential, else a revert) and of
    /// the farm `farmer`'s live Farmer credential, in one registry call. The farm's is zero when
    /// that credential is not live or untagged: callers then resolve it by {_farmHousehold}
    /// (successor, or the reason for refusing) once they know the sale exists.
    function _actorAndFarmHouseholds(address actor, ICredentialRegistry.Role role, address farmer, uint32 region)
        private
        view
        returns (bytes32 household, bytes32 farm)
    {
        (household, farm) = _householdTags(actor, role, farmer, ICredentialRegistry.Role.Farmer, region);
        if (household == bytes32(0)) _requireTaggedRole(actor, role, region); // reverts with the reason
    }

    /// @dev Reverts with `ConflictOfInterest` when `actor`'s household is the farm's; `farm` zero
    /// means "not read yet" (batches, a lost key) and is resolved by {_farmHousehold}.
    function _refuseSameHousehold(address actor, bytes32 household, bytes32 farm, address farmer, uint32 region)
        private
        view
    {
        if (farm == bytes32(0)) farm = _farmHousehold(farmer, region);
        if (household == farm) revert ConflictOfInterest(actor, farmer);
    }

    /// @dev The household of the farm `farmer` of `region`: its live Farmer credential's tag, or,
    /// when that key was lost, the tag of the successor its issuer named. Reverts when the farm
    /// has neither (nothing moves on a farm nobody may answer for) or its credential is untagged.
    function _farmHousehold(address farmer, uint32 region) private view returns (bytes32 tag) {
        tag = _householdTag(farmer, ICredentialRegistry.Role.Farmer, region);
        if (tag == bytes32(0)) {
            address successor = _successorOf(farmer, ICredentialRegistry.Role.Farmer, region);
            tag = _requireTaggedRole(
                successor == address(0) ? farmer : successor, ICredentialRegistry.Role.Farmer, region
            );
        }
    }

    /// @dev Checks `account` may act for the farm `farmer` on `saleId` now: the farm's own live
    /// credential, or the live credential of the successor the registry names for its line.
    function _requireFarmActor(uint256 saleId, address account, address farmer, uint32 region) private view {
        if (account != farmer && account != _successorOf(farmer, ICredentialRegistry.Role.Farmer, region)) {
            revert NotSeller(saleId, account);
        }
        _requireRole(account, ICredentialRegistry.Role.Farmer, region);
    }

    /// @dev The final prices the inputs give, after checking they are possible for the programme.
    function _checkedPrices(Program storage program, uint32 farmGatePer80kg, uint32 millingFee, uint16 millingYieldBps)
        private
        view
        returns (uint32[4] memory prices)
    {
        if (farmGatePer80kg <= millingFee || millingYieldBps == 0 || millingYieldBps > 10_000) {
            revert InvalidPriceInputs();
        }
        prices = computeGradePrices(farmGatePer80kg, millingFee, millingYieldBps);
        if (prices[uint8(Grade.Third)] <= program.bulkDeduction) revert InvalidPriceInputs();
    }

    /// @dev The low 32 bits of an inspector's address, as kept in a sale (see {Sale}).
    function _inspectorKey(address account) private pure returns (uint32) {
        return uint32(uint160(account));
    }

    function _settlement(uint32 programId, Sale memory sale)
        private
        view
        returns (uint256 interim, uint256 finalAmount, int256 balance)
    {
        Program storage program = _programs[programId];
        uint256 accepted = _acceptedOf(sale);
        interim = accepted * sale.interimPerUnit;
        if (program.finalPricesSet) {
            finalAmount = uint256(sale.gradeSpecial) * program.priceSpecial
                + uint256(sale.gradeFirst) * program.priceFirst + uint256(sale.gradeSecond) * program.priceSecond
                + uint256(sale.gradeThird) * program.priceThird;
            // setFinalPrices guarantees every grade price is above the deduction, so this cannot underflow.
            if (sale.packaging == Packaging.Bulk) finalAmount -= accepted * program.bulkDeduction;
            balance = int256(finalAmount) - int256(interim);
        }
    }

    function _acceptedUnits(Sale storage sale) private view returns (uint32) {
        return uint32(sale.gradeSpecial) + sale.gradeFirst + sale.gradeSecond + sale.gradeThird;
    }

    /// @dev A sale's slot as one word. {Sale} from the low bits: units 0, packaging 16, state 24,
    /// grades 32/48/64/80, inspectedAt 96, interimPerUnit 128, inspectorKey 160, firstInspectorKey
    /// 192 (as {_openSale} writes it).
    function _saleWord(Sale storage sale) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(sale.slot)
        }
    }

    /// @dev The accepted units (the four grades) of a sale's word.
    function _acceptedIn(uint256 word) private pure returns (uint256) {
        return uint256(uint16(word >> 32)) + uint16(word >> 48) + uint16(word >> 64) + uint16(word >> 80);
    }

    /// @dev Writes `sale`'s state into `word` (the slot as last read) and stores it: no second read.
    function _setSaleState(Sale storage sale, uint256 word, SaleState next) private {
        uint256 updated = (word & ~(uint256(0xff) << 24)) | (uint256(uint8(next)) << 24);
        assembly ("memory-safe") {
            sstore(sale.slot, updated)
        }
    }

    function _acceptedOf(Sale memory sale) private pure returns (uint32) {
        return uint32(sale.gradeSpecial) + sale.gradeFirst + sale.gradeSecond + sale.gradeThird;
    }

    function _existingSale(uint256 saleId) private view returns (Sale storage sale) {
        sale = _sales[saleId];
        if (sale.state == SaleState.None) revert SaleNotFound(saleId);
    }

    function _requireProgram(uint32 programId) private view returns (Program storage program) {
        program = _programs[programId];
        if (program.deliveryEnd == 0) revert ProgramNotFound(programId);
    }

    function _requireBatchSize(uint256 size) private pure {
        if (size == 0 || size > MAX_BATCH) revert BatchSizeInvalid(size, MAX_BATCH);
    }

    function _encodeSaleId(uint32 programId, uint32 region, uint32 seq, address farmer) private pure returns (uint256) {
        return (uint256(programId) << 216) | (uint256(region) << 192) | (uint256(seq) << 160) | uint160(farmer);
    }

    function _decodeSaleId(uint256 saleId)
        private
        pure
        returns (uint32 programId, uint32 region, uint32 seq, address farmer)
    {
        programId = uint32(saleId >> 216);
        region = uint32(uint24(saleId >> 192));
        seq = uint32(saleId >> 160);
        farmer = address(uint160(saleId));
    }
}
