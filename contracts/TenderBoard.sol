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
/// progress; base price and the draw inputs gathered at reveal; the seed commitment) plus one for
/// the award. A bid is one slot (a 224-bit commitment prefix with its order, version and status), a
/// revealed bid one more. Title, specification, quantity, unit, reasons and document hashes only
/// travel in events: the rules never read them. Nothing loops over stored lists except {award},
/// over at most `MAX_BIDDERS` revealed bids.
contract TenderBoard is ITenderBoard, ICommonErrors, CredentialGated {
    /// @notice The most distinct bidders a tender accepts.
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
    /// @notice The longest title or reason, in bytes (UTF-8).
    uint256 public constant MAX_TEXT_BYTES = 256;
    /// @notice The longest unit name (대, 개, 식, kg…), in bytes (UTF-8).
    uint256 public constant MAX_UNIT_BYTES = 32;

    /// @dev Candidate offsets: `9_700 + (h % 601)` in 1/10,000 of the base price, i.e. −3.00 %…+3.00 %.
    uint256 private constant OFFSET_BASE = 9_700;
    uint256 private constant OFFSET_SPAN = 601;
    uint256 private constant BPS = 10_000;

    /// @dev The same registry `CredentialGated` reads; kept here too for the two-region supplier
    /// check, which `_requireRole` (one exact region) cannot express. Immutable: no storage read.
    ICredentialRegistry private immutable _roles;

    /// @dev The next tender id. Starts at 1 in the constructor so the first tender does not pay
    /// for a fresh counter slot.
    uint256 private _nextTenderId;
    mapping(uint256 tenderId => Tender) private _tenders;
    mapping(uint256 tenderId => Draw) private _draws;
    mapping(uint256 tenderId => bytes32) private _seedCommitments;
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
        _requireRole(official, ICredentialRegistry.Role.Official, region);
        _checkTerms(title, specHash, quantity, unit, basePrice, floorRate, bidDeadline, revealDeadline);
        if (bond == 0) revert InvalidBond(bond);
        if (seedCommitment == bytes32(0)) revert ZeroHash();

        tenderId = _nextTenderId++;
        _tenders[tenderId] = Tender({
            region: region,
            bidDeadline: bidDeadline,
            revealDeadline: revealDeadline,
            state: TenderState.Open,
            version: 1,
            bidderCount: 0,
            commitCount: 0,
            floorRate: floorRate,
            bond: bond,
            cancelledBeforeRevealEnd: false
        });
        _draws[tenderId] = Draw({basePrice: basePrice, pickCounts: 0, revealedCount: 0, saltMix: 0});
        _seedCommitments[tenderId] = seedCommitment;
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
        _requireRole(official, ICredentialRegistry.Role.Official, tender.region);
        _requireOpen(tenderId, tender.state);
        if (block.timestamp >= tender.bidDeadline) revert TenderBiddingClosed(tenderId, tender.bidDeadline);
        if (tender.version == type(uint8).max) revert TooManyAmendments(tenderId, type(uint8).max);
        _checkTerms(title, specHash, quantity, unit, basePrice, floorRate, bidDeadline, revealDeadline);
        _checkText(reason, MAX_TEXT_BYTES);

        uint8 version = tender.version + 1;
        tender.version = version;
        tender.bidDeadline = bidDeadline;
        tender.revealDeadline = revealDeadline;
        tender.floorRate = floorRate;
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
        _requireRole(official, ICredentialRegistry.Role.Official, tender.region);
        _requireOpen(tenderId, tender.state);
        _checkText(reason, MAX_TEXT_BYTES);

        bool bondsReleased = block.timestamp < tender.revealDeadline;
        tender.state = TenderState.Cancelled;
        tender.cancelledBeforeRevealEnd = bondsReleased;
        emit TenderCancelled(tenderId, official, reason, bondsReleased);
    }

    // ------------------------------------------------------------------ bids

    /// @inheritdoc ITenderBoard
    function commitBid(uint256 tenderId, bytes32 commitment, uint64 bondAmount, bytes32 bondDocHash) external {
        address bidder = _msgSender();
        Tender memory tender = _existingTender(tenderId);
        _requireSupplier(bidder, tender.region);
        _requireOpen(tenderId, tender.state);
        if (block.timestamp >= tender.bidDeadline) revert TenderBiddingClosed(tenderId, tender.bidDeadline);
        if (bondAmount != tender.bond) revert BondAmountMismatch(tenderId, tender.bond, bondAmount);
        if (commitment == bytes32(0) || bondDocHash == bytes32(0)) revert ZeroHash();

        Bid memory previous = _bids[tenderId][bidder];
        if (previous.status == BidStatus.None) {
            if (tender.bidderCount >= MAX_BIDDERS) revert TenderFull(tenderId, MAX_BIDDERS);
            ++tender.bidderCount;
        } else if (previous.version == tender.version) {
            revert BidAlreadyCommitted(tenderId, bidder, tender.version);
        }
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
        Draw memory draw = _draws[tenderId];
        _revealed[tenderId][draw.revealedCount] = RevealedBid({bidder: bidder, price: price, seq: committed.seq});
        // One byte per candidate: a count never exceeds MAX_BIDDERS < 256, so no carry.
        draw.pickCounts += uint120((uint256(1) << (8 * picks[0])) | (uint256(1) << (8 * picks[1])));
        ++draw.revealedCount;
        draw.saltMix ^= uint64(uint256(keccak256(abi.encode(salt))));
        _draws[tenderId] = draw;
        emit BidRevealed(tenderId, bidder, committed.version, committed.seq, price, picks, docHash, salt);
        emit BondReleased(tenderId, bidder, committed.version, tender.bond, ReleaseReason.Revealed);
    }

    /// @inheritdoc ITenderBoard
    function settleBond(uint256 tenderId, address bidder) external {
        Tender memory tender = _existingTender(tenderId);
        Bid storage bid = _bids[tenderId][bidder];
        Bid memory committed = bid;
        _requireCommitted(tenderId, bidder, committed.status);

        ReleaseReason reason;
        if (committed.version != tender.version) {
            reason = ReleaseReason.NotReconfirmed;
        } else if (tender.state == TenderState.Cancelled && tender.cancelledBeforeRevealEnd) {
            reason = ReleaseReason.Cancelled;
        } else {
            if (block.timestamp < tender.revealDeadline) revert TenderRevealNotOver(tenderId, tender.revealDeadline);
            bid.status = BidStatus.Forfeited;
            emit BondForfeited(tenderId, bidder, committed.version, tender.bond);
            return;
        }
        bid.status = BidStatus.Released;
        emit BondReleased(tenderId, bidder, committed.version, tender.bond, reason);
    }

    // ------------------------------------------------------------------ award

    /// @inheritdoc ITenderBoard
    function award(uint256 tenderId, bytes32 seed) external {
        address official = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        _requireRole(official, ICredentialRegistry.Role.Official, tender.region);
        _requireOpen(tenderId, tender.state);
        if (block.timestamp < tender.revealDeadline) revert TenderRevealNotOver(tenderId, tender.revealDeadline);
        if (keccak256(abi.encode(seed)) != _seedCommitments[tenderId]) revert SeedMismatch(tenderId, seed);

        Draw memory draw = _draws[tenderId];
        bytes32 finalSeed = _finalSeed(tenderId, seed, draw.saltMix);
        uint8[15] memory counts = _unpackCounts(draw.pickCounts);
        (uint256[15] memory candidates, uint8[4] memory chosen, uint256 reserve, uint256 floor) =
            _drawReserve(draw.basePrice, tender.floorRate, finalSeed, counts);
        emit ReserveDrawn(tenderId, seed, draw.saltMix, finalSeed, candidates, counts, chosen, reserve, floor);

        (address winner, uint64 price, uint16 seq) = _lowestValidBid(tenderId, draw.revealedCount, floor, reserve);
        if (winner == address(0)) {
            tender.state = TenderState.Failed;
            emit TenderFailed(tenderId, official, reserve, floor, draw.revealedCount);
        } else {
            tender.state = TenderState.Awarded;
            _awards[tenderId] = Award({winner: winner, amount: price});
            emit TenderAwarded(tenderId, winner, official, price, seq, reserve, floor, draw.revealedCount);
        }
    }

    // ------------------------------------------------------------------ delivery and payment

    /// @inheritdoc ITenderBoard
    function recordDelivery(uint256 tenderId, bytes32 deliveryDocHash) external {
        address account = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        if (tender.state != TenderState.Awarded) revert InvalidTenderState(tenderId, tender.state);
        if (account != _awards[tenderId].winner) revert NotWinner(tenderId, account);
        if (deliveryDocHash == bytes32(0)) revert ZeroHash();
        tender.state = TenderState.Delivered;
        emit DeliveryRecorded(tenderId, account, deliveryDocHash);
    }

    /// @inheritdoc ITenderBoard
    function acceptDelivery(uint256 tenderId, bytes32 inspectionDocHash) external {
        address acceptor = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        uint32 region = tender.region;
        ICredentialRegistry.Role role = ICredentialRegistry.Role.Inspector;
        if (!_roles.hasRole(acceptor, role, region)) {
            if (!_roles.hasRole(acceptor, ICredentialRegistry.Role.Official, region)) {
                revert ICredentialRegistry.CredentialRequired(acceptor, role, region);
            }
            role = ICredentialRegistry.Role.Official;
        }
        if (tender.state != TenderState.Delivered) revert InvalidTenderState(tenderId, tender.state);
        address winner = _awards[tenderId].winner;
        if (acceptor == winner) revert WinnerCannotApprove(tenderId, winner);
        if (inspectionDocHash == bytes32(0)) revert ZeroHash();
        tender.state = TenderState.Accepted;
        emit DeliveryAccepted(tenderId, acceptor, role, inspectionDocHash);
    }

    /// @inheritdoc ITenderBoard
    function recordPayment(uint256 tenderId, uint64 amount, bytes32 transferRefHash) external {
        address official = _msgSender();
        Tender storage tender = _existingTender(tenderId);
        _requireRole(official, ICredentialRegistry.Role.Official, tender.region);
        if (tender.state != TenderState.Accepted) revert InvalidTenderState(tenderId, tender.state);
        Award memory awarded = _awards[tenderId];
        if (official == awarded.winner) revert WinnerCannotApprove(tenderId, awarded.winner);
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
        return _draws[tenderId];
    }

    /// @inheritdoc ITenderBoard
    function seedCommitmentOf(uint256 tenderId) external view returns (bytes32) {
        _existingTender(tenderId);
        return _seedCommitments[tenderId];
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
    function finalSeedOf(uint256 tenderId, bytes32 seed, uint64 saltMix) external view returns (bytes32) {
        return _finalSeed(tenderId, seed, saltMix);
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

    /// @dev Step 7: the lowest revealed price in [floor, reserve], ties to the lowest `seq`.
    function _lowestValidBid(uint256 tenderId, uint256 revealedCount, uint256 floor, uint256 reserve)
        private
        view
        returns (address winner, uint64 price, uint16 seq)
    {
        mapping(uint256 index => RevealedBid) storage revealed = _revealed[tenderId];
        for (uint256 i; i < revealedCount; ++i) {
            RevealedBid memory bid = revealed[i];
            if (bid.price < floor || bid.price > reserve) continue;
            if (winner == address(0) || bid.price < price || (bid.price == price && bid.seq < seq)) {
                (winner, price, seq) = (bid.bidder, bid.price, bid.seq);
            }
        }
    }

    function _finalSeed(uint256 tenderId, bytes32 seed, uint64 saltMix) private view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), tenderId, seed, saltMix));
    }

    function _unpackCounts(uint120 packed) private pure returns (uint8[15] memory counts) {
        for (uint256 i; i < CANDIDATES; ++i) {
            counts[i] = uint8(packed >> (8 * i));
        }
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

    /// @dev A Supplier credential of the tender's region, or a national one.
    function _requireSupplier(address bidder, uint32 region) private view {
        if (
            !_roles.hasRole(bidder, ICredentialRegistry.Role.Supplier, region)
                && !_roles.hasRole(bidder, ICredentialRegistry.Role.Supplier, Regions.NATIONAL)
        ) revert ICredentialRegistry.CredentialRequired(bidder, ICredentialRegistry.Role.Supplier, region);
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
