// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICommonErrors} from "./interfaces/ICommonErrors.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";
import {ITenderBoard} from "./interfaces/ITenderBoard.sol";
import {CredentialGated} from "./lib/CredentialGated.sol";
import {Regions} from "./lib/Regions.sol";

/// @title TenderBoard
/// @notice Korean local-government goods tenders (물품 구매 입찰) whose reserve price (복수예가) and
/// award are computed by the contract and can be recomputed by anyone from the events. See
/// {ITenderBoard} for the flow, the rules and the exact derivation.
/// @dev Gas shapes the storage. A tender is three slots written once at creation (live terms and
/// progress; the draw slot, {DrawSlot}; the seed commitment, keyed by the commitment so that it
/// also marks it used) plus one for the draw block and delivery deadline and one for the award.
/// The draw slot holds the base price and, until the first reveal, the creator's 16-byte household
/// tag in the bits the draw inputs later take (see {DrawSlot}): the tag is only read while bidding
/// is open and the draw inputs only gathered once it has closed, so they never need the slot at
/// the same time, and creation writes one new slot fewer. A bid is one slot (a 224-bit commitment
/// prefix with its order, version and status), a revealed bid one more. Title, specification,
/// quantity, unit, reasons and document hashes only travel in events: the rules never read them.
/// Nothing loops over stored lists except {award}, over at most `MAX_BIDDERS` revealed bids.
contract TenderBoard is ITenderBoard, ICommonErrors, CredentialGated {
    /// @notice The storage form of {Draw}: the same fields, `revealedCount` moved next to the base
    /// price (bits 0–63 base price, 64–71 revealedCount, 72–191 pickCounts, 192–255 saltMix).
    /// @dev While `revealedCount` is 0, bits 128–255 hold the creator's household tag instead of
    /// draw inputs (pickCounts and saltMix are then 0 by definition). This is safe because the two
    /// uses never overlap in time: the tag is read only by {commitBid}, which runs only while
    /// `block.timestamp < bidDeadline`; draw inputs are gathered only by {revealBid}, which runs
    /// only from `bidDeadline` on; and the bid deadline cannot move once passed ({amendTender} runs
    /// only before it). So by the first reveal no commit is possible any more, and the first reveal
    /// starts pickCounts and saltMix from 0 ({_liveDraw}), overwriting the tag. The registry's tag
    /// is 16 bytes (`ICredentialRegistry.householdTag` returns it left-aligned, the low 16 bytes
    /// zero), so bits 128–255 hold all of it: the conflict check compares whole tags, nothing is
    /// truncated. `revealedCount` never returns to 0 (at most `MAX_BIDDERS` reveals, all of the
    /// final version) and is outside the tag's bits, so it tells the two apart.
    // solhint-disable-next-line gas-struct-packing
    struct DrawSlot {
        uint64 basePrice;
        uint8 revealedCount;
        uint120 pickCounts;
        uint64 saltMix;
    }

    /// @notice The most bids a tender accepts under one version (an amendment frees every slot).
    /// @dev Bounds {award}: its worst case (every revealed bid leads in turn, so each bidder's
    /// credential is read) is measured by `test_gas_award_worstCaseAtCap`.
    uint256 public constant MAX_BIDDERS = 100;
    /// @notice The number of candidate prices of the 복수예가 draw.
    uint256 public constant CANDIDATES = 15;
    /// @notice How many of the most-picked candidates are averaged.
    uint256 public constant CHOSEN = 4;
    /// @notice Floor rates are in 1/100,000 (87,745 = 87.745 %).
    uint32 public constant RATE_DENOMINATOR = 100_000;
    /// @notice The shortest time from creation or amendment to the bid deadline.
    uint40 public constant MIN_BID_PERIOD = 1 days;
    /// @notice The shortest reveal window.
    uint40 public constant MIN_REVEAL_PERIOD = 1 days;
    /// @notice The shortest time from an amendment to the bid deadline it sets, for every bidder to
    /// re-confirm (정정공고 후 재공고 기간).
    uint40 public constant MIN_AMENDMENT_NOTICE = 5 days;
    /// @notice How long after the reveal deadline the seed may be revealed and the award made; a
    /// tender still Open after that may be ended as failed by anyone.
    uint40 public constant AWARD_PERIOD = 7 days;
    /// @notice The winner's delivery deadline is the award time plus this (납품기한).
    uint40 public constant DELIVERY_PERIOD = 30 days;
    /// @notice The longest title or reason, in bytes (UTF-8).
    uint256 public constant MAX_TEXT_BYTES = 256;
    /// @notice The longest unit name (대, 개, 식, kg…), in bytes (UTF-8).
    uint256 public constant MAX_UNIT_BYTES = 32;

    /// @dev Candidate offsets: `9_700 + (h % 601)` in 1/10,000 of the base price, i.e. −3.00 %…+3.00 %.
    uint256 private constant OFFSET_BASE = 9_700;
    uint256 private constant OFFSET_SPAN = 601;
    uint256 private constant BPS = 10_000;
    /// @dev The low 128 bits of a draw slot: base price and revealedCount, never the tag.
    uint256 private constant LOW_128 = type(uint128).max;

    /// @dev The same registry `CredentialGated` reads; kept here too for the two-region supplier
    /// check, which `_requireRole` (one exact region) cannot express. Immutable: no storage read.
    ICredentialRegistry private immutable _roles;

    /// @dev The next tender id. Starts at 1 in the constructor so the first tender does not pay
    /// for a fresh counter slot.
    uint256 private _nextTenderId;
    mapping(uint256 tenderId => Tender) private _tenders;
    /// @dev The high bits are read only through {_liveDraw} (as draw inputs) or {_creatorHousehold}
    /// (as the tag): which of the two they hold depends on `revealedCount`. The base price and
    /// `revealedCount` are plain fields.
    mapping(uint256 tenderId => DrawSlot) private _draws;
    /// @dev Seed commitment → the tender that committed to it: one slot that both stores the
    /// commitment and refuses its reuse.
    mapping(bytes32 seedCommitment => uint256 tenderId) private _seedTenders;
    mapping(uint256 tenderId => Schedule) private _schedules;
    mapping(uint256 tenderId => Award) private _awards;
    mapping(uint256 tenderId => mapping(address bidder => Bid)) private _bids;
    mapping(uint256 tenderId => mapping(uint256 index => RevealedBid)) private _revealed;

    constructor(address trustedForwarder_, ICredentialRegistry registry_)
        CredentialGated(trustedForwarder_, registry_)
    {
        _roles = registry_;
        _nextTenderId = 1;
    }

    // ------------------------------------------------------------------ tenders

    /// @inheritdoc ITenderBoard
    function createTender(
        uint32 region,
        string calldata title,
        bytes32 specHash,
        uint64 quantity,
        string calldata unit,
        uint64 basePrice,
        uint32 floorRate,
        uint40 bidDeadline,
        uint40 revealDeadline,
        uint64 bond,
        bytes32 seedCommitment
    ) external returns (uint256 tenderId) {
        address official = _msgSender();
        if (!Regions.isValid(region)) revert InvalidRegion(region);
        // One registry call: the tag is zero when the credential is not live (then _requireRole
        // reverts with the reason) or untagged (refused by _checkCreation, after the terms).
        bytes32 household = _householdTag(official, ICredentialRegistry.Role.Official, region);
        if (household == bytes32(0)) _requireRole(official, ICredentialRegistry.Role.Official, region);
        _checkTerms(title, specHash, quantity, unit, basePrice, floorRate, bidDeadline, revealDeadline);
        if (bond == 0) revert InvalidBond(bond);
        _checkCreation(official, region, seedCommitment, household);

        tenderId = _nextTenderId++;
        // Each new slot in one SSTORE: a struct literal compiles to a read and a write per field
        // here (3,500 gas more for the two). Layouts, from the low bits: {Tender} region 0,
        // bidDeadline 32, revealDeadline 72, state 112, version 120, bidderCount 128, commitCount
        // 136, floorRate 152, bond 184; {DrawSlot} basePrice 0, revealedCount 64 (0), and the
        // creator's 16-byte tag in bits 128–255 where it already sits in `household`.
        // test_createTender_storesAndEmits reads both back.
        uint256 terms = uint256(region) | (uint256(bidDeadline) << 32) | (uint256(revealDeadline) << 72)
            | (uint256(uint8(TenderState.Open)) << 112) | (uint256(1) << 120) | (uint256(floorRate) << 152)
            | (uint256(bond) << 184);
        uint256 drawWord = uint256(basePrice) | (uint256(household) & ~LOW_128);
        Tender storage tender = _tenders[tenderId];
        DrawSlot storage draw = _draws[tenderId];
        assembly ("memory-safe") {
            sstore(tender.slot, terms)
            sstore(draw.slot, drawWord)
        }
        _seedTenders[seedCommitment] = tenderId;
        emit TenderCreated(
            tenderId,
            region,
            official,
            title,
            specHash,
            quantity,
            unit,
            basePrice,
            floorRate,
            bidDeadline,
            revealDeadline,
            bond,
            seedCommitment
        );
    }

    /// @inheritdoc ITenderBoard
    function amendTender(
        uint256 tenderId,
        string calldata title,
        bytes32 specHash,
        uint64 quantity,
        string calldata unit,
        uint64 basePrice,
        uint32 floorRate,
        uint40 bidDeadline,
        uint40 revealDeadline,
        string calldata reason
    ) external {
        address official = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        _requireOfficialNotBidder(tenderId, official, tender.region);
        _requireOpen(tenderId, tender.state);
        if (block.timestamp >= tender.bidDeadline) revert TenderBiddingClosed(tenderId, tender.bidDeadline);
        if (tender.version == type(uint8).max) revert TooManyAmendments(tenderId, type(uint8).max);
        _checkTerms(title, specHash, quantity, unit, basePrice, floorRate, bidDeadline, revealDeadline);
        if (bidDeadline < tender.bidDeadline) revert BidDeadlineMovedEarlier(tenderId, tender.bidDeadline, bidDeadline);
        if (bidDeadline < block.timestamp + MIN_AMENDMENT_NOTICE) {
            revert AmendmentNoticeTooShort(tenderId, bidDeadline, block.timestamp + MIN_AMENDMENT_NOTICE);
        }
        _checkText(reason, MAX_TEXT_BYTES);

        uint8 version = tender.version + 1;
        tender.version = version;
        // Every earlier bid is now void: its slot is free until its bidder re-confirms.
        tender.bidderCount = 0;
        tender.bidDeadline = bidDeadline;
        tender.revealDeadline = revealDeadline;
        tender.floorRate = floorRate;
        // A field write: the creator's tag in the same slot is kept.
        _draws[tenderId].basePrice = basePrice;
        emit TenderAmended(
            tenderId,
            version,
            official,
            title,
            specHash,
            quantity,
            unit,
            basePrice,
            floorRate,
            bidDeadline,
            revealDeadline,
            reason
        );
    }

    /// @inheritdoc ITenderBoard
    function cancelTender(uint256 tenderId, string calldata reason) external {
        address official = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        _requireOfficialNotBidder(tenderId, official, tender.region);
        _requireOpen(tenderId, tender.state);
        // After the bid deadline the official may have seen who bid: the tender must then end in an
        // award or 유찰, not in a free cancellation.
        if (block.timestamp >= tender.bidDeadline) revert CancellationClosed(tenderId, tender.bidDeadline);
        _checkText(reason, MAX_TEXT_BYTES);

        tender.state = TenderState.Cancelled;
        emit TenderCancelled(tenderId, official, reason);
    }

    /// @inheritdoc ITenderBoard
    function lapseTender(uint256 tenderId) external {
        Tender storage tender = _existingTender(tenderId);
        _requireOpen(tenderId, tender.state);
        uint256 awardDeadline = uint256(tender.revealDeadline) + AWARD_PERIOD;
        if (block.timestamp < awardDeadline) revert AwardPeriodNotOver(tenderId, awardDeadline);
        tender.state = TenderState.Failed;
        emit TenderLapsed(tenderId, _msgSender(), _draws[tenderId].revealedCount);
    }

    // ------------------------------------------------------------------ bids

    /// @inheritdoc ITenderBoard
    function commitBid(uint256 tenderId, bytes32 commitment, uint64 bondAmount, bytes32 bondDocHash) external {
        address bidder = _msgSender();
        Tender memory tender = _existingTender(tenderId);
        uint32 supplierRegion = _requireSupplier(bidder, tender.region);
        _requireOpen(tenderId, tender.state);
        if (block.timestamp >= tender.bidDeadline) revert TenderBiddingClosed(tenderId, tender.bidDeadline);
        _requireNoConflict(tenderId, bidder, tender.region, supplierRegion);
        if (bondAmount != tender.bond) revert BondAmountMismatch(tenderId, tender.bond, bondAmount);
        if (commitment == bytes32(0) || bondDocHash == bytes32(0)) revert ZeroHash();

        Bid memory previous = _bids[tenderId][bidder];
        if (previous.status != BidStatus.None && previous.version == tender.version) {
            revert BidAlreadyCommitted(tenderId, bidder, tender.version);
        }
        // A bid of an older version holds no slot (the amendment freed it): every bid of this
        // version takes one.
        if (tender.bidderCount >= MAX_BIDDERS) revert TenderFull(tenderId, MAX_BIDDERS);
        ++tender.bidderCount;
        // At most MAX_BIDDERS commits per version and 255 versions: a uint16 cannot overflow.
        uint16 seq = ++tender.commitCount;
        _tenders[tenderId] = tender;
        _bids[tenderId][bidder] =
            Bid({commitment: bytes28(commitment), seq: seq, version: tender.version, status: BidStatus.Committed});
        if (previous.status == BidStatus.Committed) {
            emit BondReleased(tenderId, bidder, previous.version, tender.bond, ReleaseReason.Reconfirmed);
        }
        emit BidCommitted(tenderId, bidder, tender.version, seq, commitment, bondAmount, bondDocHash);
    }

    /// @inheritdoc ITenderBoard
    function revealBid(uint256 tenderId, uint64 price, uint8[2] calldata picks, bytes32 salt, bytes32 docHash)
        external
    {
        address bidder = _msgSender();
        Tender memory tender = _existingTender(tenderId);
        _requireSupplier(bidder, tender.region);
        _requireOpen(tenderId, tender.state);
        if (block.timestamp < tender.bidDeadline) revert TenderRevealNotOpen(tenderId, tender.bidDeadline);
        if (block.timestamp >= tender.revealDeadline) revert TenderRevealClosed(tenderId, tender.revealDeadline);
        Bid storage bid = _bids[tenderId][bidder];
        Bid memory committed = bid;
        _requireCommitted(tenderId, bidder, committed.status);
        if (committed.version != tender.version) {
            revert BidNotConfirmed(tenderId, bidder, committed.version, tender.version);
        }
        if (picks[0] >= CANDIDATES || picks[1] >= CANDIDATES || picks[0] == picks[1]) {
            revert InvalidPicks(picks[0], picks[1]);
        }
        if (docHash == bytes32(0)) revert ZeroHash();
        bytes32 opened = keccak256(
            abi.encode(block.chainid, address(this), tenderId, bidder, price, picks[0], picks[1], docHash, salt)
        );
        if (bytes28(opened) != committed.commitment) revert CommitmentMismatch(tenderId, bidder);

        bid.status = BidStatus.Revealed;
        // The first reveal starts the draw inputs from 0, replacing the creator's tag (see DrawSlot).
        DrawSlot memory draw = _liveDraw(tenderId);
        _revealed[tenderId][draw.revealedCount] = RevealedBid({bidder: bidder, price: price, seq: committed.seq});
        // One byte per candidate: a count never exceeds MAX_BIDDERS < 256, so no carry.
        draw.pickCounts += uint120((uint256(1) << (8 * picks[0])) | (uint256(1) << (8 * picks[1])));
        ++draw.revealedCount;
        draw.saltMix ^= uint64(uint256(keccak256(abi.encode(salt))));
        _draws[tenderId] = draw;
        emit BidRevealed(tenderId, bidder, committed.version, committed.seq, price, picks, docHash, salt);
    }

    /// @inheritdoc ITenderBoard
    function settleBond(uint256 tenderId, address bidder) external {
        Tender memory tender = _existingTender(tenderId);
        Bid storage bid = _bids[tenderId][bidder];
        Bid memory held = bid;
        if (held.status == BidStatus.None) revert BidNotFound(tenderId, bidder);

        ReleaseReason reason;
        if (held.status == BidStatus.Revealed) {
            // Held until the outcome; the winner's until its delivery is accepted or terminated.
            if (tender.state == TenderState.Open) revert InvalidTenderState(tenderId, tender.state);
            if (tender.state != TenderState.Failed && _awards[tenderId].winner == bidder) {
                revert WinnerBondHeld(tenderId, bidder);
            }
            reason = ReleaseReason.Revealed;
        } else {
            _requireCommitted(tenderId, bidder, held.status);
            if (held.version != tender.version) {
                reason = ReleaseReason.NotReconfirmed;
            } else if (tender.state == TenderState.Cancelled) {
                reason = ReleaseReason.Cancelled;
            } else {
                if (block.timestamp < tender.revealDeadline) {
                    revert TenderRevealNotOver(tenderId, tender.revealDeadline);
                }
                bid.status = BidStatus.Forfeited;
                emit BondForfeited(tenderId, bidder, held.version, tender.bond);
                return;
            }
        }
        bid.status = BidStatus.Released;
        emit BondReleased(tenderId, bidder, held.version, tender.bond, reason);
    }

    // ------------------------------------------------------------------ award

    /// @inheritdoc ITenderBoard
    function revealSeed(uint256 tenderId, bytes32 seed) external {
        address official = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        _requireOfficialNotBidder(tenderId, official, tender.region);
        _requireOpen(tenderId, tender.state);
        _requireAwardPeriod(tenderId, tender.revealDeadline);
        _requireSeed(tenderId, seed);
        Schedule storage schedule = _schedules[tenderId];
        if (schedule.drawBlock != 0) revert DrawAlreadyScheduled(tenderId, schedule.drawBlock);
        // The next block: its hash does not exist yet, so nobody knows the draw in this transaction.
        uint64 drawBlock = uint64(block.number + 1);
        schedule.drawBlock = drawBlock;
        emit DrawScheduled(tenderId, official, seed, drawBlock);
    }

    /// @inheritdoc ITenderBoard
    function award(uint256 tenderId, bytes32 seed) external {
        address official = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        _requireOfficialNotBidder(tenderId, official, tender.region);
        _requireOpen(tenderId, tender.state);
        _requireAwardPeriod(tenderId, tender.revealDeadline);
        Schedule storage schedule = _schedules[tenderId];
        uint64 drawBlock = schedule.drawBlock;
        if (drawBlock == 0) revert DrawNotScheduled(tenderId);
        if (block.number <= drawBlock) revert DrawBlockNotMined(tenderId, drawBlock);
        bytes32 drawBlockHash = blockhash(drawBlock);
        if (drawBlockHash == bytes32(0)) revert DrawBlockExpired(tenderId, drawBlock);
        _requireSeed(tenderId, seed);

        DrawSlot memory draw = _liveDraw(tenderId);
        bytes32 finalSeed = _finalSeed(tenderId, seed, draw.saltMix, drawBlockHash);
        uint8[15] memory counts = _unpackCounts(draw.pickCounts);
        (uint256[15] memory candidates, uint8[4] memory chosen, uint256 reserve, uint256 floor) =
            _drawReserve(draw.basePrice, tender.floorRate, finalSeed, counts);
        emit ReserveDrawn(
            tenderId,
            seed,
            draw.saltMix,
            drawBlock,
            drawBlockHash,
            finalSeed,
            candidates,
            counts,
            chosen,
            reserve,
            floor
        );

        (address winner, uint64 price, uint16 seq) =
            _lowestValidBid(tenderId, tender.region, tender.version, draw.revealedCount, floor, reserve);
        if (winner == address(0)) {
            tender.state = TenderState.Failed;
            emit TenderFailed(tenderId, official, reserve, floor, draw.revealedCount);
        } else {
            tender.state = TenderState.Awarded;
            uint40 deliveryDeadline = uint40(block.timestamp) + DELIVERY_PERIOD;
            schedule.deliveryDeadline = deliveryDeadline;
            _awards[tenderId] = Award({winner: winner, amount: price});
            emit TenderAwarded(
                tenderId, winner, official, price, seq, reserve, floor, draw.revealedCount, deliveryDeadline
            );
        }
    }

    // ------------------------------------------------------------------ delivery and payment

    /// @inheritdoc ITenderBoard
    function recordDelivery(uint256 tenderId, bytes32 deliveryDocHash) external {
        address account = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        TenderState state = tender.state;
        if (state != TenderState.Awarded && state != TenderState.Refused) revert InvalidTenderState(tenderId, state);
        if (account != _awards[tenderId].winner) revert NotWinner(tenderId, account);
        _requireSupplier(account, tender.region);
        uint40 deadline = _schedules[tenderId].deliveryDeadline;
        if (block.timestamp >= deadline) revert DeliveryDeadlinePassed(tenderId, deadline);
        if (deliveryDocHash == bytes32(0)) revert ZeroHash();
        tender.state = TenderState.Delivered;
        emit DeliveryRecorded(tenderId, account, deliveryDocHash);
    }

    /// @inheritdoc ITenderBoard
    function acceptDelivery(uint256 tenderId, bytes32 inspectionDocHash) external {
        address acceptor = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        ICredentialRegistry.Role role = _requireInspection(tenderId, acceptor, tender.region);
        if (tender.state != TenderState.Delivered) revert InvalidTenderState(tenderId, tender.state);
        if (inspectionDocHash == bytes32(0)) revert ZeroHash();
        tender.state = TenderState.Accepted;
        address winner = _awards[tenderId].winner;
        uint8 version = tender.version;
        _bids[tenderId][winner].status = BidStatus.Released;
        emit DeliveryAccepted(tenderId, acceptor, role, inspectionDocHash);
        emit BondReleased(tenderId, winner, version, tender.bond, ReleaseReason.Fulfilled);
    }

    /// @inheritdoc ITenderBoard
    function refuseDelivery(uint256 tenderId, string calldata reason, bytes32 inspectionDocHash) external {
        address inspector = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        ICredentialRegistry.Role role = _requireInspection(tenderId, inspector, tender.region);
        if (tender.state != TenderState.Delivered) revert InvalidTenderState(tenderId, tender.state);
        _checkText(reason, MAX_TEXT_BYTES);
        if (inspectionDocHash == bytes32(0)) revert ZeroHash();
        tender.state = TenderState.Refused;
        emit DeliveryRefused(
            tenderId, inspector, role, reason, inspectionDocHash, _schedules[tenderId].deliveryDeadline
        );
    }

    /// @inheritdoc ITenderBoard
    function terminateForNonDelivery(uint256 tenderId, string calldata reason) external {
        address official = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        _requireOfficialNotBidder(tenderId, official, tender.region);
        TenderState state = tender.state;
        if (state != TenderState.Awarded && state != TenderState.Refused) revert InvalidTenderState(tenderId, state);
        uint40 deadline = _schedules[tenderId].deliveryDeadline;
        if (block.timestamp < deadline) revert DeliveryDeadlineNotPassed(tenderId, deadline);
        _checkText(reason, MAX_TEXT_BYTES);
        tender.state = TenderState.Terminated;
        address winner = _awards[tenderId].winner;
        uint8 version = tender.version;
        _bids[tenderId][winner].status = BidStatus.Forfeited;
        emit TenderTerminated(tenderId, official, winner, reason);
        emit BondForfeited(tenderId, winner, version, tender.bond);
    }

    /// @inheritdoc ITenderBoard
    function recordPayment(uint256 tenderId, uint64 amount, bytes32 transferRefHash) external {
        address official = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        _requireOfficialNotBidder(tenderId, official, tender.region);
        if (tender.state != TenderState.Accepted) revert InvalidTenderState(tenderId, tender.state);
        Award memory awarded = _awards[tenderId];
        if (amount != awarded.amount) revert WrongPaymentAmount(tenderId, awarded.amount, amount);
        if (transferRefHash == bytes32(0)) revert ZeroHash();
        tender.state = TenderState.Paid;
        emit TenderPaid(tenderId, official, awarded.winner, amount, transferRefHash);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ITenderBoard
    function tenderCount() external view returns (uint256) {
        return _nextTenderId - 1;
    }

    /// @inheritdoc ITenderBoard
    function getTender(uint256 tenderId) external view returns (Tender memory) {
        return _existingTender(tenderId);
    }

    /// @inheritdoc ITenderBoard
    function getDraw(uint256 tenderId) external view returns (Draw memory) {
        _existingTender(tenderId);
        DrawSlot memory draw = _liveDraw(tenderId);
        return Draw({
            basePrice: draw.basePrice,
            pickCounts: draw.pickCounts,
            revealedCount: draw.revealedCount,
            saltMix: draw.saltMix
        });
    }

    /// @inheritdoc ITenderBoard
    function tenderOfSeedCommitment(bytes32 seedCommitment) external view returns (uint256) {
        return _seedTenders[seedCommitment];
    }

    /// @inheritdoc ITenderBoard
    function getSchedule(uint256 tenderId) external view returns (Schedule memory) {
        _existingTender(tenderId);
        return _schedules[tenderId];
    }

    /// @inheritdoc ITenderBoard
    function getAward(uint256 tenderId) external view returns (Award memory) {
        return _awards[tenderId];
    }

    /// @inheritdoc ITenderBoard
    function getBid(uint256 tenderId, address bidder) external view returns (Bid memory) {
        return _bids[tenderId][bidder];
    }

    /// @inheritdoc ITenderBoard
    function getRevealedBid(uint256 tenderId, uint256 index) external view returns (RevealedBid memory) {
        return _revealed[tenderId][index];
    }

    /// @inheritdoc ITenderBoard
    function finalSeedOf(uint256 tenderId, bytes32 seed, uint64 saltMix, bytes32 drawBlockHash)
        external
        view
        returns (bytes32)
    {
        return _finalSeed(tenderId, seed, saltMix, drawBlockHash);
    }

    /// @inheritdoc ITenderBoard
    function drawReserve(uint64 basePrice, uint32 floorRate, bytes32 finalSeed, uint8[15] calldata pickCounts)
        external
        pure
        returns (uint256[15] memory candidates, uint8[4] memory chosen, uint256 reserve, uint256 floor)
    {
        return _drawReserve(basePrice, floorRate, finalSeed, pickCounts);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Steps 3–6 of the derivation in {ITenderBoard}.
    function _drawReserve(uint64 basePrice, uint32 floorRate, bytes32 finalSeed, uint8[15] memory counts)
        private
        pure
        returns (uint256[15] memory candidates, uint8[4] memory chosen, uint256 reserve, uint256 floor)
    {
        for (uint256 i; i < CANDIDATES; ++i) {
            uint256 offset = uint256(keccak256(abi.encode(finalSeed, i))) % OFFSET_SPAN;
            candidates[i] = (uint256(basePrice) * (OFFSET_BASE + offset)) / BPS;
        }
        // Four passes: each takes the most-picked candidate not yet taken, the lower index on a tie.
        uint256 taken;
        uint256 sum;
        for (uint256 k; k < CHOSEN; ++k) {
            uint256 best = CANDIDATES;
            for (uint256 i; i < CANDIDATES; ++i) {
                if (taken & (1 << i) == 0 && (best == CANDIDATES || counts[i] > counts[best])) best = i;
            }
            taken |= 1 << best;
            chosen[k] = uint8(best);
            sum += candidates[best];
        }
        reserve = sum / CHOSEN;
        floor = (reserve * floorRate + RATE_DENOMINATOR - 1) / RATE_DENOMINATOR;
    }

    /// @dev Step 7: the lowest revealed price in [floor, reserve], ties to the lowest `seq`, of a
    /// bidder still holding a Supplier credential. The credential is read only for a bid that
    /// would lead, so every bid better than the winner was read: leaving out exactly the bids named
    /// by `BidPassedOver` reproduces the result. At most `revealedCount` reads of each kind.
    function _lowestValidBid(
        uint256 tenderId,
        uint32 region,
        uint8 version,
        uint256 revealedCount,
        uint256 floor,
        uint256 reserve
    ) private returns (address winner, uint64 price, uint16 seq) {
        mapping(uint256 index => RevealedBid) storage revealed = _revealed[tenderId];
        for (uint256 i; i < revealedCount; ++i) {
            RevealedBid memory bid = revealed[i];
            if (bid.price < floor || bid.price > reserve) continue;
            if (winner == address(0) || bid.price < price || (bid.price == price && bid.seq < seq)) {
                if (!_isSupplier(bid.bidder, region)) {
                    emit BidPassedOver(tenderId, bid.bidder, version, bid.seq);
                    continue;
                }
                (winner, price, seq) = (bid.bidder, bid.price, bid.seq);
            }
        }
    }

    function _finalSeed(uint256 tenderId, bytes32 seed, uint64 saltMix, bytes32 drawBlockHash)
        private
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(this), tenderId, seed, saltMix, drawBlockHash));
    }

    /// @dev The draw slot as draw inputs: before the first reveal its high bits are the creator's
    /// tag, which counts for nothing here, so pickCounts and saltMix read as 0.
    function _liveDraw(uint256 tenderId) private view returns (DrawSlot memory draw) {
        draw = _draws[tenderId];
        if (draw.revealedCount == 0) {
            draw.pickCounts = 0;
            draw.saltMix = 0;
        }
    }

    /// @dev The creator's household tag, left-aligned as the registry returns tags. Only
    /// meaningful before the first reveal, hence only called from {commitBid} (see {DrawSlot}).
    function _creatorHousehold(uint256 tenderId) private view returns (bytes32 tag) {
        DrawSlot storage draw = _draws[tenderId];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(draw.slot)
        }
        tag = bytes32(word & ~LOW_128);
    }

    function _unpackCounts(uint120 packed) private pure returns (uint8[15] memory counts) {
        for (uint256 i; i < CANDIDATES; ++i) {
            counts[i] = uint8(packed >> (8 * i));
        }
    }

    /// @dev A fresh seed commitment, and the creator's household tag (which must exist).
    function _checkCreation(address official, uint32 region, bytes32 seedCommitment, bytes32 household)
        private
        view
    {
        if (seedCommitment == bytes32(0)) revert ZeroHash();
        if (_seedTenders[seedCommitment] != 0) revert SeedCommitmentUsed(seedCommitment);
        if (household == bytes32(0)) revert CreatorHouseholdUnknown(official, region);
    }

    /// @dev The checks {createTender} and {amendTender} share.
    function _checkTerms(
        string calldata title,
        bytes32 specHash,
        uint64 quantity,
        string calldata unit,
        uint64 basePrice,
        uint32 floorRate,
        uint40 bidDeadline,
        uint40 revealDeadline
    ) private view {
        _checkText(title, MAX_TEXT_BYTES);
        _checkText(unit, MAX_UNIT_BYTES);
        if (specHash == bytes32(0)) revert ZeroHash();
        if (quantity == 0) revert InvalidQuantity(quantity);
        if (basePrice == 0) revert InvalidBasePrice(basePrice);
        if (floorRate == 0 || floorRate > RATE_DENOMINATOR) revert InvalidFloorRate(floorRate);
        if (
            bidDeadline < block.timestamp + MIN_BID_PERIOD
                || uint256(revealDeadline) < uint256(bidDeadline) + MIN_REVEAL_PERIOD
        ) revert InvalidDeadlines(bidDeadline, revealDeadline);
    }

    function _checkText(string calldata text, uint256 maxBytes) private pure {
        uint256 length = bytes(text).length;
        if (length == 0 || length > maxBytes) revert TextLengthInvalid(length, maxBytes);
    }

    /// @dev A valid Supplier credential of the tender's region, or a national one; returns the
    /// region of the credential found.
    function _requireSupplier(address bidder, uint32 region) private view returns (uint32) {
        if (_roles.hasRole(bidder, ICredentialRegistry.Role.Supplier, region)) return region;
        if (_roles.hasRole(bidder, ICredentialRegistry.Role.Supplier, Regions.NATIONAL)) return Regions.NATIONAL;
        revert ICredentialRegistry.CredentialRequired(bidder, ICredentialRegistry.Role.Supplier, region);
    }

    function _isSupplier(address bidder, uint32 region) private view returns (bool) {
        return _roles.hasRole(bidder, ICredentialRegistry.Role.Supplier, region)
            || _roles.hasRole(bidder, ICredentialRegistry.Role.Supplier, Regions.NATIONAL);
    }

    /// @dev No Official or Inspector of the tender's region, and no member of the creator's
    /// household (compared through the tag of the Supplier credential the bidder uses), may bid.
    function _requireNoConflict(uint256 tenderId, address bidder, uint32 region, uint32 supplierRegion)
        private
        view
    {
        if (_roles.hasRole(bidder, ICredentialRegistry.Role.Official, region)) {
            revert InsiderCannotBid(tenderId, bidder, ICredentialRegistry.Role.Official);
        }
        if (_roles.hasRole(bidder, ICredentialRegistry.Role.Inspector, region)) {
            revert InsiderCannotBid(tenderId, bidder, ICredentialRegistry.Role.Inspector);
        }
        bytes32 tag = _householdTag(bidder, ICredentialRegistry.Role.Supplier, supplierRegion);
        if (tag != bytes32(0) && tag == _creatorHousehold(tenderId)) {
            revert CreatorHouseholdCannotBid(tenderId, bidder);
        }
    }

    /// @dev An Official of the region (valid now) that has no bid on the tender.
    function _requireOfficialNotBidder(uint256 tenderId, address official, uint32 region) private view {
        _requireRole(official, ICredentialRegistry.Role.Official, region);
        _requireNotBidder(tenderId, official);
    }

    function _requireNotBidder(uint256 tenderId, address account) private view {
        if (_bids[tenderId][account].status != BidStatus.None) revert BidderCannotAct(tenderId, account);
    }

    /// @dev An Inspector (checked first) or Official of the region, valid now, that did not bid;
    /// returns the role found.
    function _requireInspection(uint256 tenderId, address account, uint32 region)
        private
        view
        returns (ICredentialRegistry.Role role)
    {
        role = ICredentialRegistry.Role.Inspector;
        if (!_roles.hasRole(account, role, region)) {
            if (!_roles.hasRole(account, ICredentialRegistry.Role.Official, region)) {
                revert ICredentialRegistry.CredentialRequired(account, role, region);
            }
            role = ICredentialRegistry.Role.Official;
        }
        _requireNotBidder(tenderId, account);
    }

    function _requireAwardPeriod(uint256 tenderId, uint40 revealDeadline) private view {
        if (block.timestamp < revealDeadline) revert TenderRevealNotOver(tenderId, revealDeadline);
        uint256 awardDeadline = uint256(revealDeadline) + AWARD_PERIOD;
        if (block.timestamp >= awardDeadline) revert AwardPeriodOver(tenderId, awardDeadline);
    }

    function _requireSeed(uint256 tenderId, bytes32 seed) private view {
        if (_seedTenders[keccak256(abi.encode(seed))] != tenderId) revert SeedMismatch(tenderId, seed);
    }

    function _requireOpen(uint256 tenderId, TenderState state) private pure {
        if (state != TenderState.Open) revert InvalidTenderState(tenderId, state);
    }

    function _requireCommitted(uint256 tenderId, address bidder, BidStatus status) private pure {
        if (status == BidStatus.None) revert BidNotFound(tenderId, bidder);
        if (status != BidStatus.Committed) revert InvalidBidStatus(tenderId, bidder, status);
    }

    function _existingTender(uint256 tenderId) private view returns (Tender storage tender) {
        tender = _tenders[tenderId];
        if (tender.state == TenderState.None) revert TenderNotFound(tenderId);
    }
}
