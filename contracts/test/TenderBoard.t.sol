// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";
import {ICommonErrors} from "../interfaces/ICommonErrors.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {ITenderBoard} from "../interfaces/ITenderBoard.sol";
import {TenderFixture} from "./utils/TenderFixture.sol";
import {Vm} from "./utils/Vm.sol";

contract TenderBoardTest is TenderFixture {
    ICredentialRegistry.Role internal constant SUPPLIER = ICredentialRegistry.Role.Supplier;
    ICredentialRegistry.Role internal constant OFFICIAL = ICredentialRegistry.Role.Official;
    ICredentialRegistry.Role internal constant INSPECTOR = ICredentialRegistry.Role.Inspector;
    string internal constant REASON = unicode"규격 정정";

    uint256 internal tenderId;

    function setUp() public {
        setUpTenders();
        tenderId = _createTender();
    }

    // ------------------------------------------------------------ helpers

    function _credentialError(address account, ICredentialRegistry.Role role, uint32 region)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, account, role, region);
    }

    function _stateError(uint256 id, ITenderBoard.TenderState state) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ITenderBoard.InvalidTenderState.selector, id, state);
    }

    function _create(uint64 quantity, uint64 basePrice, uint32 floorRate, uint40 bidDeadline, uint40 revealDeadline)
        internal
        returns (uint256)
    {
        bytes32 seedCommitment = keccak256(abi.encode(_seedFor(board.tenderCount() + 1)));
        vm.prank(countyOfficial);
        return board.createTender(
            GANGJIN,
            TITLE,
            SPEC,
            quantity,
            UNIT,
            basePrice,
            floorRate,
            bidDeadline,
            revealDeadline,
            BOND,
            seedCommitment
        );
    }

    /// @dev Amends `id` to `basePrice`, bidding open for `BID_PERIOD` from now. No other call
    /// comes before the amendment, so `vm.expectRevert` may precede this helper.
    function _amend(uint256 id, uint64 basePrice) internal {
        uint40 bidAt = uint40(block.timestamp + BID_PERIOD);
        vm.prank(countyOfficial);
        board.amendTender(id, TITLE, SPEC, QUANTITY, UNIT, basePrice, FLOOR_RATE, bidAt, bidAt + REVEAL_PERIOD, REASON);
    }

    function _cancel(uint256 id) internal {
        vm.prank(countyOfficial);
        board.cancelTender(id, unicode"예산 삭감");
    }

    function _counts(uint8[2][] memory picks) internal pure returns (uint8[15] memory counts) {
        for (uint256 i; i < picks.length; ++i) {
            ++counts[picks[i][0]];
            ++counts[picks[i][1]];
        }
    }

    /// @dev The draw the four default bidders' picks give: A (0,1), B (1,2), C (2,3), national (1,4).
    function _fourBidderDraw(uint256 id) internal view returns (Expected memory) {
        uint8[2][] memory picks = new uint8[2][](4);
        picks[0] = _picks(0, 1);
        picks[1] = _picks(1, 2);
        picks[2] = _picks(2, 3);
        picks[3] = _picks(1, 4);
        bytes32[] memory salts = new bytes32[](4);
        salts[0] = _salt(supplierA);
        salts[1] = _salt(supplierB);
        salts[2] = _salt(supplierC);
        salts[3] = _salt(nationalSupplier);
        return _refDraw(id, _seedFor(id), _refSaltMix(salts), BASE_PRICE, FLOOR_RATE, _counts(picks));
    }

    /// @dev Awards `id` to supplierA at the floor price (A is the only bidder and picks 0 and 1).
    function _awardToA(uint256 id) internal returns (uint64 price) {
        bytes32[] memory salts = new bytes32[](1);
        salts[0] = _salt(supplierA);
        uint8[2][] memory picks = new uint8[2][](1);
        picks[0] = _picks(0, 1);
        Expected memory e = _refDraw(id, _seedFor(id), _refSaltMix(salts), BASE_PRICE, FLOOR_RATE, _counts(picks));
        price = uint64(e.floor);
        _commit(id, supplierA, price, _picks(0, 1));
        _toReveal(id);
        _reveal(id, supplierA, price, _picks(0, 1));
        _toAward(id);
        _award(id);
    }

    // ------------------------------------------------------------ createTender

    function test_createTender_storesAndEmits() public {
        uint40 bidDeadline = uint40(block.timestamp + BID_PERIOD);
        uint40 revealDeadline = bidDeadline + REVEAL_PERIOD;
        bytes32 seedCommitment = keccak256(abi.encode(_seedFor(2)));
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderCreated(
            2,
            GANGJIN,
            countyOfficial,
            TITLE,
            SPEC,
            QUANTITY,
            UNIT,
            BASE_PRICE,
            FLOOR_RATE,
            bidDeadline,
            revealDeadline,
            BOND,
            seedCommitment
        );
        uint256 id = _createTender();
        assertEq(id, 2);
        assertEq(board.tenderCount(), 2);
        ITenderBoard.Tender memory t = board.getTender(id);
        assertEq(t.region, GANGJIN);
        assertEq(t.bidDeadline, bidDeadline);
        assertEq(t.revealDeadline, revealDeadline);
        assertEq(uint256(t.state), uint256(ITenderBoard.TenderState.Open));
        assertEq(t.version, 1);
        assertEq(t.bidderCount, 0);
        assertEq(t.commitCount, 0);
        assertEq(t.floorRate, FLOOR_RATE);
        assertEq(t.bond, BOND);
        ITenderBoard.Draw memory d = board.getDraw(id);
        assertEq(d.basePrice, BASE_PRICE);
        // The creator's household tag shares this slot until the first reveal: never shown here.
        assertEq(d.pickCounts, 0);
        assertEq(d.revealedCount, 0);
        assertEq(d.saltMix, 0);
        assertEq(board.tenderOfSeedCommitment(seedCommitment), id);
        assertEq(board.getSchedule(id).drawBlock, 0);
        assertEq(board.getAward(id).winner, address(0));
        assertEq(board.MAX_BIDDERS(), 100);
    }

    function test_createTender_revertsForNonOfficialOrOtherRegion() public {
        vm.expectRevert(_credentialError(haenamOfficial, OFFICIAL, GANGJIN));
        vm.prank(haenamOfficial);
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, 2e9, 3e9, BOND, SPEC);
        vm.expectRevert(_credentialError(supplierA, OFFICIAL, GANGJIN));
        vm.prank(supplierA);
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, 2e9, 3e9, BOND, SPEC);
    }

    function test_createTender_revertsOnInvalidRegion() public {
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.InvalidRegion.selector, uint32(5)));
        vm.prank(countyOfficial);
        board.createTender(5, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, 2e9, 3e9, BOND, SPEC);
    }

    function test_createTender_revertsOnBadTerms() public {
        uint40 bidAt = uint40(block.timestamp + BID_PERIOD);
        uint40 revealAt = bidAt + REVEAL_PERIOD;
        bytes32 sc = keccak256(abi.encode(_seedFor(99)));
        uint256 max = board.MAX_TEXT_BYTES();
        vm.startPrank(countyOfficial);

        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TextLengthInvalid.selector, 0, max));
        board.createTender(GANGJIN, "", SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, bidAt, revealAt, BOND, sc);
        string memory long = string(new bytes(max + 1));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TextLengthInvalid.selector, max + 1, max));
        board.createTender(GANGJIN, long, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, bidAt, revealAt, BOND, sc);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TextLengthInvalid.selector, 0, 32));
        board.createTender(GANGJIN, TITLE, SPEC, 1, "", BASE_PRICE, FLOOR_RATE, bidAt, revealAt, BOND, sc);
        string memory longUnit = string(new bytes(33));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TextLengthInvalid.selector, 33, 32));
        board.createTender(GANGJIN, TITLE, SPEC, 1, longUnit, BASE_PRICE, FLOOR_RATE, bidAt, revealAt, BOND, sc);

        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        board.createTender(GANGJIN, TITLE, bytes32(0), 1, UNIT, BASE_PRICE, FLOOR_RATE, bidAt, revealAt, BOND, sc);
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, bidAt, revealAt, BOND, bytes32(0));

        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidQuantity.selector, uint64(0)));
        board.createTender(GANGJIN, TITLE, SPEC, 0, UNIT, BASE_PRICE, FLOOR_RATE, bidAt, revealAt, BOND, sc);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidBasePrice.selector, uint64(0)));
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, 0, FLOOR_RATE, bidAt, revealAt, BOND, sc);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidFloorRate.selector, uint32(0)));
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, 0, bidAt, revealAt, BOND, sc);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidFloorRate.selector, uint32(100_001)));
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, 100_001, bidAt, revealAt, BOND, sc);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidBond.selector, uint64(0)));
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, bidAt, revealAt, 0, sc);

        uint40 tooSoon = uint40(block.timestamp + 1 days - 1);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidDeadlines.selector, tooSoon, revealAt));
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, tooSoon, revealAt, BOND, sc);
        uint40 shortReveal = bidAt + 1 days - 1;
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidDeadlines.selector, bidAt, shortReveal));
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, bidAt, shortReveal, BOND, sc);
        uint40 maxTime = type(uint40).max;
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidDeadlines.selector, maxTime, maxTime));
        board.createTender(GANGJIN, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, maxTime, maxTime, BOND, sc);
        vm.stopPrank();
    }

    function test_createTender_acceptsBoundaryTerms() public {
        uint40 bidAt = uint40(block.timestamp + 1 days);
        uint256 id = _create(1, 1, 100_000, bidAt, bidAt + 1 days);
        assertEq(board.getTender(id).floorRate, 100_000);
        // A national tender by a national official.
        _setHousehold(nationalOfficial, OFFICIAL, NATIONAL, keccak256("household of the national official"));
        vm.prank(nationalOfficial);
        uint256 national = board.createTender(
            NATIONAL, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, bidAt, bidAt + 1 days, BOND, SPEC
        );
        assertEq(board.getTender(national).region, NATIONAL);
    }

    function test_views_revertForUnknownTender() public {
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderNotFound.selector, 9));
        board.getTender(9);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderNotFound.selector, 9));
        board.getDraw(9);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderNotFound.selector, 9));
        board.getSchedule(9);
        assertEq(board.getBid(9, supplierA).seq, 0);
        assertEq(board.getRevealedBid(9, 0).bidder, address(0));
    }

    // ------------------------------------------------------------ amendTender

    function test_amendTender_recordsNewVersionAndEmits() public {
        uint40 bidAt = uint40(block.timestamp + 10 days);
        uint40 revealAt = bidAt + 3 days;
        bytes32 spec2 = keccak256("spec v2");
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderAmended(
            tenderId, 2, countyOfficial, "title v2", spec2, 3, "EA", 60_000_000, 88_745, bidAt, revealAt, REASON
        );
        vm.prank(countyOfficial);
        board.amendTender(tenderId, "title v2", spec2, 3, "EA", 60_000_000, 88_745, bidAt, revealAt, REASON);
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        assertEq(t.version, 2);
        assertEq(t.bidDeadline, bidAt);
        assertEq(t.revealDeadline, revealAt);
        assertEq(t.floorRate, 88_745);
        assertEq(t.bond, BOND); // not amendable
        assertEq(board.getDraw(tenderId).basePrice, 60_000_000);
        assertEq(board.tenderOfSeedCommitment(keccak256(abi.encode(_seedFor(tenderId)))), tenderId); // not amendable
    }

    function test_amendTender_revertsAtBidDeadline() public {
        _toReveal(tenderId);
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderBiddingClosed.selector, tenderId, t.bidDeadline));
        _amend(tenderId, BASE_PRICE);
    }

    function test_amendTender_revertsForOtherOfficialStateOrTerms() public {
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        vm.expectRevert(_credentialError(haenamOfficial, OFFICIAL, GANGJIN));
        vm.prank(haenamOfficial);
        board.amendTender(
            tenderId, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, t.bidDeadline, t.revealDeadline, REASON
        );

        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TextLengthInvalid.selector, 0, 256));
        vm.prank(countyOfficial);
        board.amendTender(tenderId, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, t.bidDeadline, t.revealDeadline, "");

        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidBasePrice.selector, uint64(0)));
        vm.prank(countyOfficial);
        board.amendTender(tenderId, TITLE, SPEC, 1, UNIT, 0, FLOOR_RATE, t.bidDeadline, t.revealDeadline, REASON);

        // Deadlines are measured from the amendment: a day before the old deadline is too late.
        vm.warp(t.bidDeadline - 1 days + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITenderBoard.InvalidDeadlines.selector, t.bidDeadline, t.revealDeadline)
        );
        vm.prank(countyOfficial);
        board.amendTender(
            tenderId, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, t.bidDeadline, t.revealDeadline, REASON
        );

        _cancel(tenderId);
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Cancelled));
        _amend(tenderId, BASE_PRICE);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderNotFound.selector, 77));
        vm.prank(countyOfficial);
        board.amendTender(77, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, 2e9, 3e9, REASON);
    }

    function test_amendTender_revertsAfter255Versions() public {
        for (uint256 v = 2; v <= 255; ++v) {
            _amend(tenderId, BASE_PRICE);
        }
        assertEq(board.getTender(tenderId).version, 255);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TooManyAmendments.selector, tenderId, uint8(255)));
        _amend(tenderId, BASE_PRICE);
    }

    // ------------------------------------------------------------ commitBid

    function test_commitBid_storesAndEmits() public {
        bytes32 c = _commitment(tenderId, supplierA, 48_000_000, _picks(3, 9), _docHash(supplierA), _salt(supplierA));
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BidCommitted(tenderId, supplierA, 1, 1, c, BOND, _bondDoc(supplierA));
        vm.prank(supplierA);
        board.commitBid(tenderId, c, BOND, _bondDoc(supplierA));
        ITenderBoard.Bid memory bid = board.getBid(tenderId, supplierA);
        assertEq(bytes32(bid.commitment), bytes32(bytes28(c)));
        assertEq(bid.seq, 1);
        assertEq(bid.version, 1);
        assertEq(uint256(bid.status), uint256(ITenderBoard.BidStatus.Committed));
        _commit(tenderId, supplierB, 47_000_000, _picks(1, 2));
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        assertEq(t.bidderCount, 2);
        assertEq(t.commitCount, 2);
        assertEq(board.getBid(tenderId, supplierB).seq, 2);
    }

    function test_commitBid_supplierRegionRule() public {
        // A national supplier may bid on a 강진군 tender; a 해남군 supplier may not, nor may an official.
        _commit(tenderId, nationalSupplier, 49_000_000, _picks(0, 1));
        assertEq(board.getBid(tenderId, nationalSupplier).seq, 1);
        bytes32 c = keccak256("any");
        vm.expectRevert(_credentialError(haenamSupplier, SUPPLIER, GANGJIN));
        vm.prank(haenamSupplier);
        board.commitBid(tenderId, c, BOND, c);
        vm.expectRevert(_credentialError(countyOfficial, SUPPLIER, GANGJIN));
        vm.prank(countyOfficial);
        board.commitBid(tenderId, c, BOND, c);
    }

    function test_commitBid_revertsAtBidDeadline() public {
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        vm.warp(t.bidDeadline - 1);
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1)); // the last second is still open
        vm.warp(t.bidDeadline);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderBiddingClosed.selector, tenderId, t.bidDeadline));
        _commit(tenderId, supplierB, 49_000_000, _picks(0, 1));
    }

    function test_commitBid_revertsOnBadBondOrHash() public {
        bytes32 c = keccak256("commitment");
        vm.startPrank(supplierA);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.BondAmountMismatch.selector, tenderId, BOND, BOND - 1));
        board.commitBid(tenderId, c, BOND - 1, c);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.BondAmountMismatch.selector, tenderId, BOND, BOND * 2));
        board.commitBid(tenderId, c, BOND * 2, c);
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        board.commitBid(tenderId, c, BOND, bytes32(0));
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        board.commitBid(tenderId, bytes32(0), BOND, c);
        vm.stopPrank();
    }

    function test_commitBid_revertsTwiceInOneVersion() public {
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.BidAlreadyCommitted.selector, tenderId, supplierA, 1));
        _commit(tenderId, supplierA, 48_000_000, _picks(0, 2));
    }

    function test_commitBid_revertsOnUnknownOrCancelledTender() public {
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderNotFound.selector, 5));
        _commit(5, supplierA, 49_000_000, _picks(0, 1));
        _cancel(tenderId);
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Cancelled));
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1));
    }

    function test_commitBid_capsDistinctBidders() public {
        uint256 max = board.MAX_BIDDERS();
        for (uint256 i; i < max; ++i) {
            address s = _indexedSupplier(i);
            _commit(tenderId, s, 49_000_000, _picks(0, 1));
        }
        assertEq(board.getTender(tenderId).bidderCount, max);
        address late = _indexedSupplier(max);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderFull.selector, tenderId, max));
        _commit(tenderId, late, 49_000_000, _picks(0, 1));
        // A bidder already in the tender may still re-confirm after an amendment.
        address first = vm.addr(SUPPLIER_KEYS);
        _amend(tenderId, BASE_PRICE);
        _commit(tenderId, first, 49_000_000, _picks(0, 1));
        assertEq(board.getBid(tenderId, first).version, 2);
    }

    function test_commitBid_reconfirmationReplacesBidAndReleasesOldBond() public {
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1));
        _commit(tenderId, supplierB, 48_000_000, _picks(0, 1));
        _amend(tenderId, 55_000_000);
        // Re-confirm with a new price fitting the amended base price.
        bytes32 c = _commitment(tenderId, supplierA, 53_000_000, _picks(2, 3), _docHash(supplierA), _salt(supplierA));
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondReleased(tenderId, supplierA, 1, BOND, ITenderBoard.ReleaseReason.Reconfirmed);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BidCommitted(tenderId, supplierA, 2, 3, c, BOND, _bondDoc(supplierA));
        vm.prank(supplierA);
        board.commitBid(tenderId, c, BOND, _bondDoc(supplierA));
        ITenderBoard.Bid memory bid = board.getBid(tenderId, supplierA);
        assertEq(bid.version, 2);
        assertEq(bid.seq, 3);
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        assertEq(t.bidderCount, 1); // B's void bid holds no slot of version 2
        assertEq(t.commitCount, 3);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.BidAlreadyCommitted.selector, tenderId, supplierA, 2));
        vm.prank(supplierA);
        board.commitBid(tenderId, c, BOND, _bondDoc(supplierA));
    }

    function test_commitBid_afterVoidBondWasSettled() public {
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1));
        _amend(tenderId, BASE_PRICE);
        board.settleBond(tenderId, supplierA); // void: released at once
        vm.recordLogs();
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1));
        assertEq(vm.getRecordedLogs().length, 1); // BidCommitted only: the old bond already ended
        assertEq(uint256(board.getBid(tenderId, supplierA).status), uint256(ITenderBoard.BidStatus.Committed));
        assertEq(board.getTender(tenderId).bidderCount, 1);
    }

    function test_commitBid_throughForwarderActsAsSigner() public {
        uint256 key = 0x5AFE;
        address signer = vm.addr(key);
        _credential(signer, SUPPLIER, GANGJIN);
        bytes32 c = _commitment(tenderId, signer, 49_000_000, _picks(0, 1), _docHash(signer), _salt(signer));
        bytes memory data = abi.encodeCall(board.commitBid, (tenderId, c, BOND, _bondDoc(signer)));
        uint48 deadline = uint48(block.timestamp + 1 hours);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "ForwardRequest(address from,address to,uint256 value,uint256 gas,uint256 nonce,"
                    "uint48 deadline,bytes data)"
                ),
                signer,
                address(board),
                0,
                300_000,
                forwarder.nonces(signer),
                deadline,
                keccak256(data)
            )
        );
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("jangbu"),
                keccak256("1"),
                block.chainid,
                address(forwarder)
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        vm.prank(makeAddr("relayer"));
        forwarder.execute(
            ERC2771Forwarder.ForwardRequestData({
                from: signer,
                to: address(board),
                value: 0,
                gas: 300_000,
                deadline: deadline,
                data: data,
                signature: abi.encodePacked(r, s, v)
            })
        );
        assertEq(board.getBid(tenderId, signer).seq, 1);
    }

    // ------------------------------------------------------------ revealBid

    function test_revealBid_opensBidHoldsBondAndFeedsTheDraw() public {
        _commit(tenderId, supplierA, 48_000_000, _picks(3, 9));
        _commit(tenderId, supplierB, 47_000_000, _picks(9, 14));
        _toReveal(tenderId);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BidRevealed(
            tenderId, supplierB, 1, 2, 47_000_000, _picks(9, 14), _docHash(supplierB), _salt(supplierB)
        );
        vm.recordLogs();
        _reveal(tenderId, supplierB, 47_000_000, _picks(9, 14));
        assertEq(vm.getRecordedLogs().length, 1); // BidRevealed only: the bond stays held
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));

        ITenderBoard.Draw memory d = board.getDraw(tenderId);
        assertEq(d.revealedCount, 2);
        assertEq(d.pickCounts, (uint120(1) << 24) | (uint120(2) << 72) | (uint120(1) << 112));
        bytes32[] memory salts = new bytes32[](2);
        salts[0] = _salt(supplierA);
        salts[1] = _salt(supplierB);
        assertEq(d.saltMix, _refSaltMix(salts));
        ITenderBoard.RevealedBid memory first = board.getRevealedBid(tenderId, 0);
        assertEq(first.bidder, supplierB);
        assertEq(first.price, 47_000_000);
        assertEq(first.seq, 2);
        assertEq(uint256(board.getBid(tenderId, supplierA).status), uint256(ITenderBoard.BidStatus.Revealed));
    }

    function test_revealBid_revertsBeforeAndAfterTheWindow() public {
        _commit(tenderId, supplierA, 48_000_000, _picks(3, 9));
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        vm.warp(t.bidDeadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderRevealNotOpen.selector, tenderId, t.bidDeadline));
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));
        vm.warp(t.revealDeadline);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderRevealClosed.selector, tenderId, t.revealDeadline));
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));
        vm.warp(t.revealDeadline - 1); // the last second of the window is still open
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));
    }

    function test_revealBid_revertsOnWrongOpening() public {
        _commit(tenderId, supplierA, 48_000_000, _picks(3, 9));
        _toReveal(tenderId);
        bytes memory mismatch = abi.encodeWithSelector(ITenderBoard.CommitmentMismatch.selector, tenderId, supplierA);
        vm.startPrank(supplierA);
        vm.expectRevert(mismatch); // wrong salt
        board.revealBid(tenderId, 48_000_000, _picks(3, 9), keccak256("wrong"), _docHash(supplierA));
        vm.expectRevert(mismatch); // wrong price
        board.revealBid(tenderId, 47_999_999, _picks(3, 9), _salt(supplierA), _docHash(supplierA));
        vm.expectRevert(mismatch); // wrong picks
        board.revealBid(tenderId, 48_000_000, _picks(9, 3), _salt(supplierA), _docHash(supplierA));
        vm.expectRevert(mismatch); // wrong document
        board.revealBid(tenderId, 48_000_000, _picks(3, 9), _salt(supplierA), keccak256("other"));
        vm.stopPrank();
    }

    function test_revealBid_copiedCommitmentIsUseless() public {
        bytes32 c = _commitment(tenderId, supplierA, 48_000_000, _picks(3, 9), _docHash(supplierA), _salt(supplierA));
        vm.prank(supplierA);
        board.commitBid(tenderId, c, BOND, _bondDoc(supplierA));
        vm.prank(supplierB); // copies A's commitment from the BidCommitted event
        board.commitBid(tenderId, c, BOND, _bondDoc(supplierB));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));
        // Even with A's opening, now public, B cannot open the copy.
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.CommitmentMismatch.selector, tenderId, supplierB));
        vm.prank(supplierB);
        board.revealBid(tenderId, 48_000_000, _picks(3, 9), _salt(supplierA), _docHash(supplierA));
        _toAward(tenderId);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondForfeited(tenderId, supplierB, 1, BOND);
        board.settleBond(tenderId, supplierB);
    }

    function test_revealBid_commitmentIsBoundToItsTender() public {
        uint256 other = _createTender();
        bytes32 c = _commitment(tenderId, supplierA, 48_000_000, _picks(3, 9), _docHash(supplierA), _salt(supplierA));
        vm.prank(supplierA);
        board.commitBid(other, c, BOND, _bondDoc(supplierA)); // replayed onto another tender
        _toReveal(other);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.CommitmentMismatch.selector, other, supplierA));
        _reveal(other, supplierA, 48_000_000, _picks(3, 9));
    }

    function test_revealBid_revertsOnDoubleReveal() public {
        _commit(tenderId, supplierA, 48_000_000, _picks(3, 9));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));
        vm.expectRevert(
            abi.encodeWithSelector(
                ITenderBoard.InvalidBidStatus.selector, tenderId, supplierA, ITenderBoard.BidStatus.Revealed
            )
        );
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));
    }

    function test_revealBid_revertsAfterAmendmentWithoutReconfirmation() public {
        _commit(tenderId, supplierA, 48_000_000, _picks(3, 9));
        _amend(tenderId, 52_000_000);
        _toReveal(tenderId);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.BidNotConfirmed.selector, tenderId, supplierA, 1, 2));
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));
        // The void bid's bond is released, not forfeited.
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondReleased(tenderId, supplierA, 1, BOND, ITenderBoard.ReleaseReason.NotReconfirmed);
        board.settleBond(tenderId, supplierA);
    }

    function test_revealBid_afterReconfirmation() public {
        _commit(tenderId, supplierA, 48_000_000, _picks(3, 9));
        _amend(tenderId, 52_000_000);
        _commit(tenderId, supplierA, 48_000_000, _picks(3, 9)); // the same commitment, re-confirmed
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 9));
        assertEq(board.getRevealedBid(tenderId, 0).seq, 2);
    }

    function test_revealBid_revertsOnBadPicksDocOrMissingBid() public {
        _commit(tenderId, supplierA, 48_000_000, _picks(3, 3));
        _commit(tenderId, supplierB, 48_000_000, _picks(3, 15));
        _toReveal(tenderId);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidPicks.selector, 3, 3));
        _reveal(tenderId, supplierA, 48_000_000, _picks(3, 3));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidPicks.selector, 3, 15));
        _reveal(tenderId, supplierB, 48_000_000, _picks(3, 15));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidPicks.selector, 15, 3));
        _reveal(tenderId, supplierB, 48_000_000, _picks(15, 3));
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        vm.prank(supplierA);
        board.revealBid(tenderId, 48_000_000, _picks(3, 4), _salt(supplierA), bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.BidNotFound.selector, tenderId, supplierC));
        _reveal(tenderId, supplierC, 48_000_000, _picks(3, 4));
    }

    // ------------------------------------------------------------ award

    function test_award_drawsReserveAndAwardsLowestValidBid() public {
        Expected memory e = _fourBidderDraw(tenderId);
        // A just under the reserve, B exactly at the floor (wins), C just under the floor, N just over the reserve.
        uint64 priceA = uint64(e.reserve);
        uint64 priceB = uint64(e.floor);
        uint64 priceC = uint64(e.floor - 1);
        uint64 priceN = uint64(e.reserve + 1);
        _commit(tenderId, supplierA, priceA, _picks(0, 1));
        _commit(tenderId, supplierB, priceB, _picks(1, 2));
        _commit(tenderId, supplierC, priceC, _picks(2, 3));
        _commit(tenderId, nationalSupplier, priceN, _picks(1, 4));
        _toReveal(tenderId);
        _reveal(tenderId, nationalSupplier, priceN, _picks(1, 4));
        _reveal(tenderId, supplierC, priceC, _picks(2, 3));
        _reveal(tenderId, supplierA, priceA, _picks(0, 1));
        _reveal(tenderId, supplierB, priceB, _picks(1, 2));
        _toAward(tenderId);

        uint8[15] memory counts;
        (counts[0], counts[1], counts[2], counts[3], counts[4]) = (1, 3, 2, 1, 1);
        assertEq(uint256(e.chosen[0]), 1);
        assertEq(uint256(e.chosen[1]), 2);
        assertEq(uint256(e.chosen[2]), 0);
        assertEq(uint256(e.chosen[3]), 3);
        bytes32[] memory salts = new bytes32[](4);
        (salts[0], salts[1], salts[2], salts[3]) =
            (_salt(supplierA), _salt(supplierB), _salt(supplierC), _salt(nationalSupplier));
        _revealSeed(tenderId);
        _mineDrawBlock(tenderId);
        uint64 drawBlock = board.getSchedule(tenderId).drawBlock;
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.ReserveDrawn(
            tenderId,
            _seedFor(tenderId),
            _refSaltMix(salts),
            drawBlock,
            _drawHash(drawBlock),
            e.finalSeed,
            e.candidates,
            counts,
            e.chosen,
            e.reserve,
            e.floor
        );
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderAwarded(
            tenderId, supplierB, countyOfficial, priceB, 2, e.reserve, e.floor, 4, uint40(block.timestamp + 30 days)
        );
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));

        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Awarded));
        ITenderBoard.Award memory a = board.getAward(tenderId);
        assertEq(a.winner, supplierB);
        assertEq(a.amount, priceB);
        // Every candidate within ±3 % of the base price; the reserve is the mean of the chosen four.
        for (uint256 i; i < 15; ++i) {
            assertGe(e.candidates[i], BASE_PRICE * 97 / 100, "candidate low");
            assertLe(e.candidates[i], BASE_PRICE * 103 / 100, "candidate high");
        }
        assertEq(
            board.finalSeedOf(tenderId, _seedFor(tenderId), _refSaltMix(salts), _drawHash(drawBlock)), e.finalSeed
        );
    }

    function test_award_tiesGoToTheEarliestCommit() public {
        Expected memory e = _fourBidderDraw(tenderId);
        uint64 price = uint64(e.reserve);
        _commit(tenderId, supplierC, uint64(e.reserve + 5), _picks(2, 3)); // seq 1, invalid
        _commit(tenderId, nationalSupplier, price, _picks(1, 4)); // seq 2
        _commit(tenderId, supplierA, price, _picks(0, 1)); // seq 3
        _commit(tenderId, supplierB, price, _picks(1, 2)); // seq 4
        _toReveal(tenderId);
        _reveal(tenderId, supplierB, price, _picks(1, 2));
        _reveal(tenderId, supplierA, price, _picks(0, 1));
        _reveal(tenderId, nationalSupplier, price, _picks(1, 4));
        _reveal(tenderId, supplierC, uint64(e.reserve + 5), _picks(2, 3));
        _toAward(tenderId);
        _revealSeed(tenderId);
        _mineDrawBlock(tenderId);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderAwarded(
            tenderId, nationalSupplier, countyOfficial, price, 2, e.reserve, e.floor, 4, uint40(block.timestamp + 30 days)
        );
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));
    }

    function test_award_failsWhenNoBidIsWithinRange() public {
        Expected memory e = _fourBidderDraw(tenderId);
        _commit(tenderId, supplierA, uint64(e.floor - 1), _picks(0, 1));
        _commit(tenderId, supplierB, uint64(e.reserve + 1), _picks(1, 2));
        _commit(tenderId, supplierC, 1, _picks(2, 3));
        _commit(tenderId, nationalSupplier, type(uint64).max, _picks(1, 4));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, uint64(e.floor - 1), _picks(0, 1));
        _reveal(tenderId, supplierB, uint64(e.reserve + 1), _picks(1, 2));
        _reveal(tenderId, supplierC, 1, _picks(2, 3));
        _reveal(tenderId, nationalSupplier, type(uint64).max, _picks(1, 4));
        _toAward(tenderId);
        _revealSeed(tenderId);
        _mineDrawBlock(tenderId);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderFailed(tenderId, countyOfficial, e.reserve, e.floor, 4);
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Failed));
        assertEq(board.getAward(tenderId).winner, address(0));
    }

    function test_award_failsWithoutReveals() public {
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1));
        _toAward(tenderId);
        _revealSeed(tenderId);
        _mineDrawBlock(tenderId);
        uint8[15] memory none;
        Expected memory e = _refDraw(tenderId, _seedFor(tenderId), 0, BASE_PRICE, FLOOR_RATE, none);
        assertEq(uint256(e.chosen[3]), 3);
        uint64 drawBlock = board.getSchedule(tenderId).drawBlock;
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.ReserveDrawn(
            tenderId, _seedFor(tenderId), 0, drawBlock, _drawHash(drawBlock), e.finalSeed, e.candidates, none, e.chosen, e.reserve, e.floor
        );
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderFailed(tenderId, countyOfficial, e.reserve, e.floor, 0);
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));
    }

    function test_award_revertsEarlyWrongSeedOrWrongOfficial() public {
        bytes32 seed = _seedFor(tenderId);
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        vm.warp(t.revealDeadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderRevealNotOver.selector, tenderId, t.revealDeadline));
        _revealSeed(tenderId);
        vm.warp(t.revealDeadline);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.DrawNotScheduled.selector, tenderId));
        vm.prank(countyOfficial);
        board.award(tenderId, seed);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.SeedMismatch.selector, tenderId, bytes32("guess")));
        vm.prank(countyOfficial);
        board.revealSeed(tenderId, bytes32("guess"));
        vm.expectRevert(_credentialError(haenamOfficial, OFFICIAL, GANGJIN));
        vm.prank(haenamOfficial);
        board.revealSeed(tenderId, seed);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderNotFound.selector, 42));
        vm.prank(countyOfficial);
        board.revealSeed(42, seed);
        _revealSeed(tenderId);
        uint64 drawBlock = board.getSchedule(tenderId).drawBlock;
        assertEq(drawBlock, block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.DrawAlreadyScheduled.selector, tenderId, drawBlock));
        _revealSeed(tenderId);
        vm.expectRevert(_credentialError(haenamOfficial, OFFICIAL, GANGJIN));
        vm.prank(haenamOfficial);
        board.award(tenderId, seed);
        _mineDrawBlock(tenderId);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.SeedMismatch.selector, tenderId, bytes32("guess")));
        vm.prank(countyOfficial);
        board.award(tenderId, bytes32("guess"));
        // Another official of the same county may award: the office acts, not the person.
        vm.prank(countyOfficial2);
        board.award(tenderId, seed);
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Failed));
        vm.prank(countyOfficial);
        board.award(tenderId, seed);
    }

    function test_award_revertsWhenCancelledAndOnlyOnce() public {
        uint64 price = _awardToA(tenderId);
        assertEq(board.getAward(tenderId).amount, price);
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Awarded));
        _revealSeed(tenderId);
        uint256 other = _createTender();
        _cancel(other);
        _toAward(other);
        vm.expectRevert(_stateError(other, ITenderBoard.TenderState.Cancelled));
        _revealSeed(other);
    }

    function test_drawReserve_tiesGoToTheLowerIndex() public view {
        uint8[15] memory counts;
        counts[14] = 5;
        counts[7] = 2;
        counts[3] = 2;
        counts[9] = 2;
        counts[1] = 2;
        (uint256[15] memory candidates, uint8[4] memory chosen, uint256 reserve, uint256 floor) =
            board.drawReserve(BASE_PRICE, FLOOR_RATE, SEED, counts);
        assertEq(uint256(chosen[0]), 14);
        assertEq(uint256(chosen[1]), 1);
        assertEq(uint256(chosen[2]), 3);
        assertEq(uint256(chosen[3]), 7);
        assertEq(reserve, (candidates[14] + candidates[1] + candidates[3] + candidates[7]) / 4);
        assertEq(floor, (reserve * FLOOR_RATE + 99_999) / 100_000);
    }

    // ------------------------------------------------------------ cancelTender and settleBond

    function test_cancelTender_beforeBidDeadlineReleasesEveryBond() public {
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1));
        _commit(tenderId, supplierB, 48_000_000, _picks(0, 1));
        vm.warp(board.getTender(tenderId).bidDeadline - 1);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderCancelled(tenderId, countyOfficial, unicode"예산 삭감");
        _cancel(tenderId);
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Cancelled));
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondReleased(tenderId, supplierB, 1, BOND, ITenderBoard.ReleaseReason.Cancelled);
        board.settleBond(tenderId, supplierB);
        assertEq(uint256(board.getBid(tenderId, supplierB).status), uint256(ITenderBoard.BidStatus.Released));
        _toAward(tenderId); // still released, not forfeited, after the reveal deadline
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondReleased(tenderId, supplierA, 1, BOND, ITenderBoard.ReleaseReason.Cancelled);
        board.settleBond(tenderId, supplierA);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITenderBoard.InvalidBidStatus.selector, tenderId, supplierA, ITenderBoard.BidStatus.Released
            )
        );
        board.settleBond(tenderId, supplierA);
    }

    function test_cancelTender_revertsAfterAwardOrForOthers() public {
        vm.expectRevert(_credentialError(supplierA, OFFICIAL, GANGJIN));
        vm.prank(supplierA);
        board.cancelTender(tenderId, "no");
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TextLengthInvalid.selector, 0, 256));
        vm.prank(countyOfficial);
        board.cancelTender(tenderId, "");
        _awardToA(tenderId);
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Awarded));
        _cancel(tenderId);
    }

    function test_settleBond_forfeitsUnrevealedBondAfterTheRevealWindowOnly() public {
        _commit(tenderId, supplierA, 49_000_000, _picks(0, 1));
        _commit(tenderId, supplierB, 48_000_000, _picks(0, 1));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, 49_000_000, _picks(0, 1));
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        vm.warp(t.revealDeadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderRevealNotOver.selector, tenderId, t.revealDeadline));
        board.settleBond(tenderId, supplierB);
        vm.warp(t.revealDeadline);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondForfeited(tenderId, supplierB, 1, BOND);
        vm.prank(outsider); // anyone may settle
        board.settleBond(tenderId, supplierB);
        assertEq(uint256(board.getBid(tenderId, supplierB).status), uint256(ITenderBoard.BidStatus.Forfeited));
        vm.expectRevert(
            abi.encodeWithSelector(
                ITenderBoard.InvalidBidStatus.selector, tenderId, supplierB, ITenderBoard.BidStatus.Forfeited
            )
        );
        board.settleBond(tenderId, supplierB);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.BidNotFound.selector, tenderId, supplierC));
        board.settleBond(tenderId, supplierC);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderNotFound.selector, 8));
        board.settleBond(8, supplierC);
    }

    function test_settleBond_forfeitsAlsoAfterAward() public {
        _commit(tenderId, supplierB, 48_000_000, _picks(0, 1));
        _awardToA(tenderId);
        board.settleBond(tenderId, supplierB);
        assertEq(uint256(board.getBid(tenderId, supplierB).status), uint256(ITenderBoard.BidStatus.Forfeited));
    }

    // ------------------------------------------------------------ delivery, acceptance, payment

    function test_lifecycle_deliveryAcceptanceAndPayment() public {
        uint64 price = _awardToA(tenderId);
        bytes32 delivery = keccak256(unicode"납품서");
        bytes32 inspection = keccak256(unicode"검수조서");
        bytes32 transfer = keccak256(unicode"이체 확인");

        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.DeliveryRecorded(tenderId, supplierA, delivery);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, delivery);
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Delivered));

        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.DeliveryAccepted(tenderId, inspector, INSPECTOR, inspection);
        vm.prank(inspector);
        board.acceptDelivery(tenderId, inspection);
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Accepted));

        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderPaid(tenderId, countyOfficial, supplierA, price, transfer);
        vm.prank(countyOfficial);
        board.recordPayment(tenderId, price, transfer);
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Paid));
    }

    function test_recordDelivery_revertsForOthersEarlyOrWithoutDocument() public {
        bytes32 doc = keccak256(unicode"납품서");
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Open));
        vm.prank(supplierA);
        board.recordDelivery(tenderId, doc);
        _awardToA(tenderId);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.NotWinner.selector, tenderId, supplierB));
        vm.prank(supplierB);
        board.recordDelivery(tenderId, doc);
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderNotFound.selector, 3));
        board.recordDelivery(3, doc);
    }

    function test_acceptDelivery_byOfficialAndChecks() public {
        bytes32 doc = keccak256(unicode"검수조서");
        _awardToA(tenderId);
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Awarded));
        vm.prank(inspector);
        board.acceptDelivery(tenderId, doc);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서"));
        vm.expectRevert(_credentialError(outsider, INSPECTOR, GANGJIN));
        vm.prank(outsider);
        board.acceptDelivery(tenderId, doc);
        vm.expectRevert(_credentialError(haenamOfficial, INSPECTOR, GANGJIN));
        vm.prank(haenamOfficial);
        board.acceptDelivery(tenderId, doc);
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        vm.prank(countyOfficial2);
        board.acceptDelivery(tenderId, bytes32(0));
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.DeliveryAccepted(tenderId, countyOfficial2, OFFICIAL, doc);
        vm.prank(countyOfficial2);
        board.acceptDelivery(tenderId, doc);
    }

    function test_recordPayment_revertsOnWrongAmountStateOrOfficial() public {
        uint64 price = _awardToA(tenderId);
        bytes32 ref = keccak256(unicode"이체");
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Awarded));
        vm.prank(countyOfficial);
        board.recordPayment(tenderId, price, ref);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서"));
        vm.prank(inspector);
        board.acceptDelivery(tenderId, keccak256(unicode"검수조서"));
        vm.expectRevert(_credentialError(inspector, OFFICIAL, GANGJIN));
        vm.prank(inspector);
        board.recordPayment(tenderId, price, ref);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.WrongPaymentAmount.selector, tenderId, price, price - 1));
        vm.prank(countyOfficial);
        board.recordPayment(tenderId, price - 1, ref);
        vm.expectRevert(
            abi.encodeWithSelector(ITenderBoard.WrongPaymentAmount.selector, tenderId, price, uint64(price) * QUANTITY)
        );
        vm.prank(countyOfficial);
        board.recordPayment(tenderId, price * QUANTITY, ref); // the bid is the total, not a unit price
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        vm.prank(countyOfficial);
        board.recordPayment(tenderId, price, bytes32(0));
        vm.prank(countyOfficial);
        board.recordPayment(tenderId, price, ref);
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Paid));
        vm.prank(countyOfficial);
        board.recordPayment(tenderId, price, ref);
    }

    // ------------------------------------------------------------ issue 19: who may act (tender side)
    // Each test below ran as an attack that succeeded against the board at 3cb9945 (see the
    // report of h/tender); it now ends in the exact custom error.

    function _revoke(address subject, ICredentialRegistry.Role role, uint32 region) internal {
        registry.revoke(registry.currentId(subject, role, region), keccak256("revoked mid-tender"));
    }

    /// @dev 94 % and 95 % of the base price lie within [floor, reserve] for every draw.
    uint64 internal constant LOW = BASE_PRICE * 94 / 100;
    uint64 internal constant HIGH = BASE_PRICE * 95 / 100;

    function _awardLoneBid(address bidder) internal {
        _commit(tenderId, bidder, LOW, _picks(0, 1));
        _toReveal(tenderId);
        _reveal(tenderId, bidder, LOW, _picks(0, 1));
        _toAward(tenderId);
        _award(tenderId);
    }

    // hole 3: revocation stops work in flight

    function test_hole3_revokedBidderCannotRevealAndForfeits() public {
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        _revoke(supplierA, SUPPLIER, GANGJIN);
        _toReveal(tenderId);
        vm.expectRevert(_credentialError(supplierA, SUPPLIER, GANGJIN));
        _reveal(tenderId, supplierA, LOW, _picks(0, 1));
        _toAward(tenderId);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondForfeited(tenderId, supplierA, 1, BOND);
        board.settleBond(tenderId, supplierA);
    }

    function test_hole3_revokedBidderIsPassedOverAtAward() public {
        _commit(tenderId, supplierA, LOW, _picks(0, 1)); // the lowest: would win
        _commit(tenderId, supplierB, HIGH, _picks(0, 1));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, LOW, _picks(0, 1));
        _reveal(tenderId, supplierB, HIGH, _picks(0, 1));
        _revoke(supplierA, SUPPLIER, GANGJIN);
        _toAward(tenderId);
        _revealSeed(tenderId);
        _mineDrawBlock(tenderId);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BidPassedOver(tenderId, supplierA, 1, 1);
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));
        assertEq(board.getAward(tenderId).winner, supplierB);
        // The passed-over bid was revealed: its bond is released like a losing bid's.
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondReleased(tenderId, supplierA, 1, BOND, ITenderBoard.ReleaseReason.Revealed);
        board.settleBond(tenderId, supplierA);
    }

    function test_hole3_revokedWinnerCannotDeliver() public {
        _awardLoneBid(supplierA);
        _revoke(supplierA, SUPPLIER, GANGJIN);
        vm.expectRevert(_credentialError(supplierA, SUPPLIER, GANGJIN));
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서"));
    }

    function test_hole3_revokedOfficialOrInspectorCannotAct() public {
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, LOW, _picks(0, 1));
        _toAward(tenderId);
        _revealSeed(tenderId);
        _mineDrawBlock(tenderId);
        _revoke(countyOfficial, OFFICIAL, GANGJIN);
        vm.expectRevert(_credentialError(countyOfficial, OFFICIAL, GANGJIN));
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));
        vm.prank(countyOfficial2);
        board.award(tenderId, _seedFor(tenderId));
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서"));
        _revoke(inspector, INSPECTOR, GANGJIN);
        vm.expectRevert(_credentialError(inspector, INSPECTOR, GANGJIN));
        vm.prank(inspector);
        board.acceptDelivery(tenderId, keccak256(unicode"검수조서"));
    }

    // hole 4: insiders, the creator's household and bidders

    function test_hole4_officialOrInspectorOfTheRegionCannotBid() public {
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InsiderCannotBid.selector, tenderId, dualSupplier, OFFICIAL));
        _commit(tenderId, dualSupplier, LOW, _picks(0, 1));
        _credential(inspector2, SUPPLIER, NATIONAL);
        vm.expectRevert(
            abi.encodeWithSelector(ITenderBoard.InsiderCannotBid.selector, tenderId, inspector2, INSPECTOR)
        );
        _commit(tenderId, inspector2, LOW, _picks(0, 1));
        // An official of another region is no insider here.
        _credential(haenamOfficial, SUPPLIER, GANGJIN);
        _commit(tenderId, haenamOfficial, LOW, _picks(0, 1));
        assertEq(board.getBid(tenderId, haenamOfficial).seq, 1);
    }

    function test_hole4_creatorHouseholdCannotBid() public {
        _setHousehold(supplierB, SUPPLIER, GANGJIN, OFFICIAL_HOUSEHOLD);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.CreatorHouseholdCannotBid.selector, tenderId, supplierB));
        _commit(tenderId, supplierB, LOW, _picks(0, 1));
        _setHousehold(nationalSupplier, SUPPLIER, NATIONAL, OFFICIAL_HOUSEHOLD);
        vm.expectRevert(
            abi.encodeWithSelector(ITenderBoard.CreatorHouseholdCannotBid.selector, tenderId, nationalSupplier)
        );
        _commit(tenderId, nationalSupplier, LOW, _picks(0, 1));
        // Another household, or none, may bid.
        _setHousehold(supplierC, SUPPLIER, GANGJIN, keccak256("another household"));
        _commit(tenderId, supplierC, LOW, _picks(0, 1));
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        assertEq(board.getTender(tenderId).bidderCount, 2);
    }

    /// @dev The creator's tag lives in the draw slot until the first reveal (TenderBoard's
    /// DrawSlot): an amendment rewrites the base price there and must keep the tag; the draw view
    /// and the first reveal must never count the tag as picks or salt.
    function test_hole4_creatorHouseholdSurvivesAmendmentAndNeverEntersTheDraw() public {
        _setHousehold(supplierB, SUPPLIER, GANGJIN, OFFICIAL_HOUSEHOLD);
        uint40 bidAt = uint40(block.timestamp + 10 days);
        vm.prank(countyOfficial);
        board.amendTender(tenderId, "title v2", SPEC, 3, "EA", 60_000_000, FLOOR_RATE, bidAt, bidAt + 3 days, REASON);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.CreatorHouseholdCannotBid.selector, tenderId, supplierB));
        _commit(tenderId, supplierB, LOW, _picks(0, 1));
        ITenderBoard.Draw memory d = board.getDraw(tenderId);
        assertEq(d.basePrice, 60_000_000);
        assertEq(d.pickCounts, 0);
        assertEq(d.revealedCount, 0);
        assertEq(d.saltMix, 0);

        _commit(tenderId, supplierA, LOW, _picks(3, 9));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, LOW, _picks(3, 9));
        d = board.getDraw(tenderId);
        assertEq(d.basePrice, 60_000_000);
        assertEq(d.revealedCount, 1);
        assertEq(d.pickCounts, (uint120(1) << 24) | (uint120(1) << 72));
        bytes32[] memory salts = new bytes32[](1);
        salts[0] = _salt(supplierA);
        assertEq(d.saltMix, _refSaltMix(salts));
    }

    function test_hole4_creatorWithoutHouseholdCannotCreate() public {
        _setHousehold(provinceOfficial, OFFICIAL, JEONNAM, bytes32(0)); // re-issued without a tag
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.CreatorHouseholdUnknown.selector, provinceOfficial, JEONNAM));
        vm.prank(provinceOfficial);
        board.createTender(JEONNAM, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, 2e9, 3e9, BOND, keccak256("s"));
    }

    function test_hole4_bidderTurnedInsiderCannotAct() public {
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        _commit(tenderId, supplierB, HIGH, _picks(0, 1));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, LOW, _picks(0, 1));
        _reveal(tenderId, supplierB, HIGH, _picks(0, 1));
        // supplierB becomes an Official and an Inspector of the region after bidding.
        _credential(supplierB, OFFICIAL, GANGJIN);
        _credential(supplierB, INSPECTOR, GANGJIN);
        bytes memory refused = abi.encodeWithSelector(ITenderBoard.BidderCannotAct.selector, tenderId, supplierB);
        _toAward(tenderId);
        vm.expectRevert(refused);
        vm.prank(supplierB);
        board.revealSeed(tenderId, _seedFor(tenderId));
        _revealSeed(tenderId);
        _mineDrawBlock(tenderId);
        vm.expectRevert(refused);
        vm.prank(supplierB);
        board.award(tenderId, _seedFor(tenderId));
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));
        assertEq(board.getAward(tenderId).winner, supplierA);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서"));
        vm.expectRevert(refused);
        vm.prank(supplierB);
        board.acceptDelivery(tenderId, keccak256(unicode"검수조서"));
        vm.expectRevert(refused);
        vm.prank(supplierB);
        board.refuseDelivery(tenderId, unicode"불량", keccak256(unicode"검수조서"));
        vm.prank(inspector);
        board.refuseDelivery(tenderId, unicode"불량", keccak256(unicode"검수조서"));
        vm.warp(board.getSchedule(tenderId).deliveryDeadline);
        vm.expectRevert(refused);
        vm.prank(supplierB);
        board.terminateForNonDelivery(tenderId, unicode"납품 지연");
    }

    function test_hole4_bidderTurnedOfficialCannotAmendOrCancel() public {
        _commit(tenderId, supplierC, LOW, _picks(0, 1));
        _credential(supplierC, OFFICIAL, GANGJIN);
        bytes memory refused = abi.encodeWithSelector(ITenderBoard.BidderCannotAct.selector, tenderId, supplierC);
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        vm.expectRevert(refused);
        vm.prank(supplierC);
        board.amendTender(
            tenderId, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, t.bidDeadline, t.revealDeadline, REASON
        );
        vm.expectRevert(refused);
        vm.prank(supplierC);
        board.cancelTender(tenderId, REASON);
    }

    function test_hole4_winnerCannotAcceptOrPayItself() public {
        // supplierA wins, then gains an Inspector and an Official credential of the region.
        _awardLoneBid(supplierA);
        _credential(supplierA, INSPECTOR, GANGJIN);
        _credential(supplierA, OFFICIAL, GANGJIN);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서"));
        bytes memory refused = abi.encodeWithSelector(ITenderBoard.BidderCannotAct.selector, tenderId, supplierA);
        vm.expectRevert(refused);
        vm.prank(supplierA);
        board.acceptDelivery(tenderId, keccak256(unicode"검수조서"));
        vm.prank(inspector2);
        board.acceptDelivery(tenderId, keccak256(unicode"검수조서"));
        vm.expectRevert(refused);
        vm.prank(supplierA);
        board.recordPayment(tenderId, LOW, keccak256(unicode"이체"));
    }

    function test_hole4_drawUnknowableInTheRevealWindow() public {
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, LOW, _picks(0, 1));
        ITenderBoard.Tender memory t = board.getTender(tenderId);
        // The draw block cannot be fixed while a bid can still be revealed…
        vm.warp(t.revealDeadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderRevealNotOver.selector, tenderId, t.revealDeadline));
        _revealSeed(tenderId);
        // …and the seed and salts alone do not fix the reserve: it moves with the draw block's hash.
        ITenderBoard.Draw memory d = board.getDraw(tenderId);
        uint8[15] memory counts;
        (counts[0], counts[1]) = (1, 1);
        bytes32 seed = _seedFor(tenderId);
        (,, uint256 reserveA,) = board.drawReserve(
            BASE_PRICE, FLOOR_RATE, board.finalSeedOf(tenderId, seed, d.saltMix, keccak256("one block")), counts
        );
        (,, uint256 reserveB,) = board.drawReserve(
            BASE_PRICE, FLOOR_RATE, board.finalSeedOf(tenderId, seed, d.saltMix, keccak256("another block")), counts
        );
        assertTrue(reserveA != reserveB);
        // After the window: the block after the seed's reveal is drawn, recorded in the events.
        vm.warp(t.revealDeadline);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.DrawScheduled(tenderId, countyOfficial, seed, uint64(block.number + 1));
        _revealSeed(tenderId);
        uint64 drawBlock = board.getSchedule(tenderId).drawBlock;
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.DrawBlockNotMined.selector, tenderId, drawBlock));
        vm.prank(countyOfficial);
        board.award(tenderId, seed);
        _mineDrawBlock(tenderId);
        vm.recordLogs();
        vm.prank(countyOfficial);
        board.award(tenderId, seed);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (,, uint64 loggedBlock, bytes32 loggedHash, bytes32 finalSeed,,,,,) = abi.decode(
            logs[0].data,
            (bytes32, uint64, uint64, bytes32, bytes32, uint256[15], uint8[15], uint8[4], uint256, uint256)
        );
        assertEq(uint256(loggedBlock), uint256(drawBlock));
        assertEq(loggedHash, _drawHash(drawBlock));
        assertEq(finalSeed, board.finalSeedOf(tenderId, seed, d.saltMix, _drawHash(drawBlock)));
    }

    function test_hole4_expiredDrawBlockIsNotRedrawnAndTheTenderLapses() public {
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, LOW, _picks(0, 1));
        _toAward(tenderId);
        _revealSeed(tenderId);
        uint64 drawBlock = board.getSchedule(tenderId).drawBlock;
        vm.roll(uint256(drawBlock) + 257); // 256 blocks later the hash is out of reach
        vm.setBlockhash(drawBlock, _drawHash(drawBlock));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.DrawBlockExpired.selector, tenderId, drawBlock));
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.DrawAlreadyScheduled.selector, tenderId, drawBlock));
        _revealSeed(tenderId);
        vm.warp(board.getTender(tenderId).revealDeadline + board.AWARD_PERIOD());
        vm.prank(outsider);
        board.lapseTender(tenderId);
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Failed));
    }

    // hole 5: no cancellation after the bid deadline; failure by lapse

    function test_hole5_cancellationClosesAtTheBidDeadline() public {
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        uint40 bidDeadline = board.getTender(tenderId).bidDeadline;
        vm.warp(bidDeadline);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.CancellationClosed.selector, tenderId, bidDeadline));
        _cancel(tenderId);
    }

    function test_hole5_anyoneLapsesAnUnawardedTenderAndRevealedBondsAreReleased() public {
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        _commit(tenderId, supplierB, HIGH, _picks(0, 1));
        _toReveal(tenderId);
        _reveal(tenderId, supplierA, LOW, _picks(0, 1));
        uint256 awardDeadline = uint256(board.getTender(tenderId).revealDeadline) + board.AWARD_PERIOD();
        vm.warp(awardDeadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.AwardPeriodNotOver.selector, tenderId, awardDeadline));
        board.lapseTender(tenderId);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.InvalidTenderState.selector, tenderId, ITenderBoard.TenderState.Open));
        board.settleBond(tenderId, supplierA); // a revealed bond waits for the outcome
        vm.warp(awardDeadline);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.AwardPeriodOver.selector, tenderId, awardDeadline));
        _revealSeed(tenderId);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderLapsed(tenderId, outsider, 1);
        vm.prank(outsider);
        board.lapseTender(tenderId);
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Failed));
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondReleased(tenderId, supplierA, 1, BOND, ITenderBoard.ReleaseReason.Revealed);
        board.settleBond(tenderId, supplierA);
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondForfeited(tenderId, supplierB, 1, BOND);
        board.settleBond(tenderId, supplierB);
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Failed));
        board.lapseTender(tenderId);
    }

    // hole 6: delivery deadline, refusal, re-delivery and termination

    function test_hole6_refusedDeliveryIsRedeliveredAndTheBondReleasedOnAcceptance() public {
        _awardLoneBid(supplierA);
        uint40 deadline = board.getSchedule(tenderId).deliveryDeadline;
        assertEq(uint256(deadline), block.timestamp + board.DELIVERY_PERIOD());
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.WinnerBondHeld.selector, tenderId, supplierA));
        board.settleBond(tenderId, supplierA);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서 1"));
        bytes32 report = keccak256(unicode"검수조서 1");
        vm.expectRevert(_credentialError(outsider, INSPECTOR, GANGJIN));
        vm.prank(outsider);
        board.refuseDelivery(tenderId, unicode"규격 미달", report);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TextLengthInvalid.selector, 0, 256));
        vm.prank(inspector);
        board.refuseDelivery(tenderId, "", report);
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        vm.prank(inspector);
        board.refuseDelivery(tenderId, unicode"규격 미달", bytes32(0));
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.DeliveryRefused(tenderId, inspector, INSPECTOR, unicode"규격 미달", report, deadline);
        vm.prank(inspector);
        board.refuseDelivery(tenderId, unicode"규격 미달", report);
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Refused));
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Refused));
        vm.prank(inspector);
        board.acceptDelivery(tenderId, report);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서 2"));
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondReleased(tenderId, supplierA, 1, BOND, ITenderBoard.ReleaseReason.Fulfilled);
        vm.prank(inspector);
        board.acceptDelivery(tenderId, keccak256(unicode"검수조서 2"));
        assertEq(uint256(board.getBid(tenderId, supplierA).status), uint256(ITenderBoard.BidStatus.Released));
    }

    function test_hole6_terminationForNonDeliveryForfeitsTheWinnersBond() public {
        _awardLoneBid(supplierA);
        uint40 deadline = board.getSchedule(tenderId).deliveryDeadline;
        vm.warp(deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.DeliveryDeadlineNotPassed.selector, tenderId, deadline));
        vm.prank(countyOfficial);
        board.terminateForNonDelivery(tenderId, unicode"납품 지연");
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.DeliveryDeadlinePassed.selector, tenderId, deadline));
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서"));
        vm.expectRevert(_credentialError(inspector, OFFICIAL, GANGJIN));
        vm.prank(inspector);
        board.terminateForNonDelivery(tenderId, unicode"납품 지연");
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TextLengthInvalid.selector, 0, 256));
        vm.prank(countyOfficial);
        board.terminateForNonDelivery(tenderId, "");
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.TenderTerminated(tenderId, countyOfficial, supplierA, unicode"납품 지연");
        vm.expectEmit(true, true, true, true, address(board));
        emit ITenderBoard.BondForfeited(tenderId, supplierA, 1, BOND);
        vm.prank(countyOfficial);
        board.terminateForNonDelivery(tenderId, unicode"납품 지연");
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Terminated));
        assertEq(uint256(board.getBid(tenderId, supplierA).status), uint256(ITenderBoard.BidStatus.Forfeited));
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Terminated));
        vm.prank(countyOfficial);
        board.terminateForNonDelivery(tenderId, unicode"납품 지연");
    }

    function test_hole6_terminationAfterARefusedDelivery() public {
        _awardLoneBid(supplierA);
        vm.prank(supplierA);
        board.recordDelivery(tenderId, keccak256(unicode"납품서"));
        vm.expectRevert(_stateError(tenderId, ITenderBoard.TenderState.Delivered));
        vm.prank(countyOfficial);
        board.terminateForNonDelivery(tenderId, unicode"납품 지연");
        vm.prank(countyOfficial2);
        board.refuseDelivery(tenderId, unicode"수량 부족", keccak256(unicode"검수조서"));
        vm.warp(board.getSchedule(tenderId).deliveryDeadline);
        vm.prank(countyOfficial);
        board.terminateForNonDelivery(tenderId, unicode"재납품 없음");
        assertEq(uint256(board.getTender(tenderId).state), uint256(ITenderBoard.TenderState.Terminated));
    }

    // hole 7: amendments keep the bid period

    function test_hole7_amendmentCannotBringTheBidDeadlineEarlier() public {
        uint40 current = board.getTender(tenderId).bidDeadline;
        uint40 sooner = current - 1;
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.BidDeadlineMovedEarlier.selector, tenderId, current, sooner));
        vm.prank(countyOfficial);
        board.amendTender(tenderId, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, sooner, sooner + 2 days, REASON);
    }

    function test_hole7_amendmentLeavesTheMinimumNotice() public {
        uint40 current = board.getTender(tenderId).bidDeadline;
        vm.warp(current - 2 days);
        uint256 earliest = block.timestamp + board.MIN_AMENDMENT_NOTICE();
        vm.expectRevert(
            abi.encodeWithSelector(ITenderBoard.AmendmentNoticeTooShort.selector, tenderId, current, earliest)
        );
        vm.prank(countyOfficial);
        board.amendTender(tenderId, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, current, current + 2 days, REASON);
        uint40 later = uint40(earliest);
        vm.prank(countyOfficial);
        board.amendTender(tenderId, TITLE, SPEC, 1, UNIT, BASE_PRICE, FLOOR_RATE, later, later + 2 days, REASON);
        assertEq(board.getTender(tenderId).bidDeadline, later);
    }

    // hole 8: junk commits do not lock a tender past an amendment

    function test_hole8_amendmentFreesTheSlotsOfVoidBids() public {
        uint256 max = board.MAX_BIDDERS();
        for (uint256 i; i < max; ++i) {
            _commit(tenderId, _indexedSupplier(i), 1, _picks(0, 1)); // junk
        }
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.TenderFull.selector, tenderId, max));
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        _amend(tenderId, BASE_PRICE);
        assertEq(board.getTender(tenderId).bidderCount, 0);
        _commit(tenderId, supplierA, LOW, _picks(0, 1));
        assertEq(board.getBid(tenderId, supplierA).version, 2);
        // A settled void bid holds no slot either, and its bidder may bid again.
        address junk = _indexedSupplier(0);
        board.settleBond(tenderId, junk);
        _commit(tenderId, junk, LOW, _picks(0, 1));
        assertEq(board.getTender(tenderId).bidderCount, 2);
    }

    // hole 9: a seed commitment serves one tender

    function test_hole9_usedSeedCommitmentIsRefused() public {
        bytes32 used = keccak256(abi.encode(_seedFor(tenderId)));
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.SeedCommitmentUsed.selector, used));
        _createTender(_seedFor(tenderId));
        assertEq(board.tenderOfSeedCommitment(used), tenderId);
    }

    // ------------------------------------------------------------ fuzz

    function testFuzz_reveal_opensOnlyTheCommittedBid(uint64 price, uint8 a, uint8 b, bytes32 salt, bytes32 wrongSalt)
        public
    {
        a = uint8(bound(a, 0, 14));
        b = uint8(bound(b, 0, 13));
        if (b >= a) ++b; // distinct
        vm.assume(wrongSalt != salt);
        _commitWith(tenderId, supplierA, price, _picks(a, b), salt);
        _toReveal(tenderId);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.CommitmentMismatch.selector, tenderId, supplierA));
        _revealWith(tenderId, supplierA, price, _picks(a, b), wrongSalt);
        vm.expectRevert(abi.encodeWithSelector(ITenderBoard.CommitmentMismatch.selector, tenderId, supplierA));
        _revealWith(tenderId, supplierA, price ^ 1, _picks(a, b), salt);
        _revealWith(tenderId, supplierA, price, _picks(a, b), salt);
        ITenderBoard.Draw memory d = board.getDraw(tenderId);
        assertEq(d.pickCounts, (uint120(1) << (8 * a)) | (uint120(1) << (8 * b)));
    }

    function testFuzz_award_isTheLowestValidBid(uint64[4] memory offsets, uint8[8] memory rawPicks, bytes32 seed)
        public
    {
        vm.assume(keccak256(abi.encode(seed)) != keccak256(abi.encode(_seedFor(tenderId))));
        uint256 id = _createTender(seed);
        address[4] memory bidders = [supplierA, supplierB, supplierC, nationalSupplier];
        uint8[2][] memory picks = new uint8[2][](4);
        bytes32[] memory salts = new bytes32[](4);
        for (uint256 i; i < 4; ++i) {
            uint8 p = uint8(bound(rawPicks[2 * i], 0, 14));
            uint8 q = uint8(bound(rawPicks[2 * i + 1], 0, 13));
            if (q >= p) ++q;
            picks[i] = _picks(p, q);
            salts[i] = _salt(bidders[i]);
        }
        // Prices around the plausible range: 84 %…104 % of the base price.
        uint64[4] memory prices;
        for (uint256 i; i < 4; ++i) {
            prices[i] = uint64(bound(offsets[i], BASE_PRICE * 84 / 100, BASE_PRICE * 104 / 100));
            _commit(id, bidders[i], prices[i], picks[i]);
        }
        _toReveal(id);
        for (uint256 i = 4; i > 0; --i) {
            _reveal(id, bidders[i - 1], prices[i - 1], picks[i - 1]);
        }
        _toAward(id);
        vm.prank(countyOfficial);
        board.revealSeed(id, seed);
        _mineDrawBlock(id);
        vm.prank(countyOfficial);
        board.award(id, seed);

        Expected memory e = _refDraw(id, seed, _refSaltMix(salts), BASE_PRICE, FLOOR_RATE, _counts(picks));
        address expected;
        uint64 best;
        for (uint256 i; i < 4; ++i) {
            if (prices[i] < e.floor || prices[i] > e.reserve) continue;
            if (expected == address(0) || prices[i] < best) (expected, best) = (bidders[i], prices[i]);
        }
        assertEq(board.getAward(id).winner, expected);
        assertEq(board.getAward(id).amount, best);
        ITenderBoard.TenderState want =
            expected == address(0) ? ITenderBoard.TenderState.Failed : ITenderBoard.TenderState.Awarded;
        assertEq(uint256(board.getTender(id).state), uint256(want));
    }

    function testFuzz_drawReserve_staysWithinThreePercent(
        uint64 basePrice,
        uint32 floorRate,
        bytes32 finalSeed,
        uint8[15] memory counts
    ) public view {
        basePrice = uint64(bound(basePrice, 1, type(uint64).max));
        floorRate = uint32(bound(floorRate, 1, 100_000));
        for (uint256 i; i < 15; ++i) {
            counts[i] = uint8(bound(counts[i], 0, 100));
        }
        (uint256[15] memory candidates, uint8[4] memory chosen, uint256 reserve, uint256 floor) =
            board.drawReserve(basePrice, floorRate, finalSeed, counts);
        uint256 low = uint256(basePrice) * 9_700 / 10_000;
        uint256 high = uint256(basePrice) * 10_300 / 10_000;
        for (uint256 i; i < 15; ++i) {
            assertGe(candidates[i], low, "candidate low");
            assertLe(candidates[i], high, "candidate high");
        }
        assertGe(reserve, low, "reserve low");
        assertLe(reserve, high, "reserve high");
        assertLe(floor, reserve, "floor above reserve");
        assertGe(floor * 100_000, reserve * floorRate, "floor rounds up");
        Expected memory e = _refDraw(0, bytes32(0), 0, basePrice, floorRate, counts);
        // Candidates differ (other seed) but the selection rule must agree on the same counts.
        for (uint256 k; k < 4; ++k) {
            assertEq(uint256(chosen[k]), uint256(e.chosen[k]));
        }
    }
}

/// @notice Rough gas check against the targets, in total transaction gas. Each test makes one
/// call in a transaction of its own (the state was prepared in `setUp`), so every storage slot
/// starts cold as in a real transaction; total = 21,000 + calldata + the gas the call consumed.
/// This reads about 300 gas above the receipts of the same calls sent as transactions.
contract TenderBoardGasTest is TenderFixture {
    uint256 internal constant REVEALED = 8;

    uint256 internal biddingTender; // bidding open
    uint256 internal revealTender; // in the reveal window
    uint256 internal awardTender; // reveal window over, REVEALED bids revealed
    uint256 internal deliverTender; // awarded to supplierA
    uint256 internal acceptTender; // delivered
    uint256 internal payTender; // accepted
    uint256 internal seedTender; // reveal window over, seed not revealed
    uint256 internal refuseTender; // delivered, to refuse
    uint256 internal terminateTender; // awarded, delivery deadline passed
    uint64 internal payAmount;
    address[] internal bidders;

    function setUp() public {
        setUpTenders();
        for (uint256 i; i < REVEALED; ++i) {
            bidders.push(_indexedSupplier(i));
        }
        // Explicit times: via-IR may reuse one `block.timestamp` read across the warps of a function.
        uint40 start = uint40(block.timestamp);
        awardTender = _createAt(start + 1 days);
        deliverTender = _createAt(start + 1 days);
        acceptTender = _createAt(start + 1 days);
        payTender = _createAt(start + 1 days);
        seedTender = _createAt(start + 1 days);
        refuseTender = _createAt(start + 1 days);
        terminateTender = _createAt(start + 1 days);
        for (uint256 i; i < REVEALED; ++i) {
            _commit(awardTender, bidders[i], uint64(BASE_PRICE - 1_000_000 * i), _picks(uint8(i), uint8(i + 1)));
        }
        uint64 lone = BASE_PRICE * 94 / 100; // 94 % lies within [floor, reserve] for every draw
        _commit(deliverTender, supplierA, lone, _picks(0, 1));
        _commit(acceptTender, supplierA, lone, _picks(0, 1));
        _commit(payTender, supplierA, lone, _picks(0, 1));
        _commit(refuseTender, supplierA, lone, _picks(0, 1));
        _commit(terminateTender, supplierA, lone, _picks(0, 1));
        revealTender = _createAt(start + 3 days);
        _commit(revealTender, supplierA, 48_000_000, _picks(3, 9));
        _commit(revealTender, supplierB, 48_000_000, _picks(3, 9));
        biddingTender = _createAt(start + 9 days);
        _commit(biddingTender, supplierB, 48_000_000, _picks(3, 9));

        vm.warp(start + 1 days);
        for (uint256 i; i < REVEALED; ++i) {
            _reveal(awardTender, bidders[i], uint64(BASE_PRICE - 1_000_000 * i), _picks(uint8(i), uint8(i + 1)));
        }
        _reveal(deliverTender, supplierA, lone, _picks(0, 1));
        _reveal(acceptTender, supplierA, lone, _picks(0, 1));
        _reveal(payTender, supplierA, lone, _picks(0, 1));
        _reveal(refuseTender, supplierA, lone, _picks(0, 1));
        _reveal(terminateTender, supplierA, lone, _picks(0, 1));
        vm.warp(start + 2 days);
        _award(terminateTender);
        _award(deliverTender);
        _award(acceptTender);
        _award(payTender);
        _award(refuseTender);
        vm.startPrank(supplierA);
        board.recordDelivery(acceptTender, keccak256(unicode"납품서"));
        board.recordDelivery(payTender, keccak256(unicode"납품서"));
        board.recordDelivery(refuseTender, keccak256(unicode"납품서"));
        vm.stopPrank();
        vm.prank(inspector);
        board.acceptDelivery(payTender, keccak256(unicode"검수조서"));
        payAmount = board.getAward(payTender).amount;
        _revealSeed(awardTender);
        _mineDrawBlock(awardTender);
        vm.warp(start + 3 days); // revealTender's window opens; biddingTender still takes bids
    }

    /// @dev A 강진군 tender whose bidding ends at `bidAt` and reveal window one day later.
    function _createAt(uint40 bidAt) internal returns (uint256) {
        bytes32 seedCommitment = keccak256(abi.encode(_seedFor(board.tenderCount() + 1)));
        vm.prank(countyOfficial);
        return board.createTender(
            GANGJIN,
            TITLE,
            SPEC,
            QUANTITY,
            UNIT,
            BASE_PRICE,
            FLOOR_RATE,
            bidAt,
            bidAt + 1 days,
            BOND,
            seedCommitment
        );
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 gas) {
        for (uint256 i; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    /// @dev Under `--coverage` every statement of the board makes an extra call to Hardhat's
    /// coverage address, so gas figures mean nothing there: the gas tests then pass vacuously.
    function _instrumentedForCoverage() internal view returns (bool) {
        bytes memory code = address(board).code;
        for (uint256 i; i + 4 < code.length; ++i) {
            if (code[i] == 0xc0 && code[i + 1] == 0xbe && code[i + 2] == 0xc0 && code[i + 3] == 0xbe) return true;
        }
        return false;
    }

    /// @dev Calls the board as `from` and returns the transaction's total gas. The board's address
    /// is warmed first (a transaction's target is warm), its storage is not.
    function _txGas(address from, bytes memory data) internal returns (uint256) {
        board.MAX_BIDDERS();
        vm.prank(from);
        uint256 before = gasleft();
        (bool ok, bytes memory returned) = address(board).call(data);
        uint256 used = before - gasleft();
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returned, 0x20), mload(returned))
            }
        }
        return 21_000 + _calldataGas(data) + used;
    }

    function test_gas_createTender() public {
        if (_instrumentedForCoverage()) return;
        bytes memory data = abi.encodeCall(
            board.createTender,
            (
                GANGJIN,
                TITLE,
                SPEC,
                QUANTITY,
                UNIT,
                BASE_PRICE,
                FLOOR_RATE,
                uint40(block.timestamp + 7 days),
                uint40(block.timestamp + 9 days),
                BOND,
                keccak256(abi.encode(SEED))
            )
        );
        // The creator's household tag is recorded without a slot of its own (it shares the draw
        // slot until the first reveal), so the ceiling from before issue 19 holds.
        assertLe(_txGas(countyOfficial, data), 120_000, "createTender");
    }

    /// @dev The dearest creation: a 256-byte title and a 32-byte unit, every byte non-zero.
    function test_gas_createTender_longestTexts() public {
        if (_instrumentedForCoverage()) return;
        bytes memory title = new bytes(board.MAX_TEXT_BYTES());
        bytes memory unit = new bytes(board.MAX_UNIT_BYTES());
        for (uint256 i; i < title.length; ++i) {
            title[i] = "x";
        }
        for (uint256 i; i < unit.length; ++i) {
            unit[i] = "u";
        }
        bytes memory data = abi.encodeCall(
            board.createTender,
            (
                GANGJIN,
                string(title),
                SPEC,
                type(uint64).max,
                string(unit),
                type(uint64).max,
                FLOOR_RATE,
                uint40(block.timestamp + 7 days),
                uint40(block.timestamp + 9 days),
                type(uint64).max,
                keccak256(abi.encode(SEED))
            )
        );
        assertLe(_txGas(countyOfficial, data), 150_000, "createTender (longest texts)");
    }

    function test_gas_commitBid() public {
        if (_instrumentedForCoverage()) return;
        bytes32 c =
            _commitment(biddingTender, supplierA, 48_000_000, _picks(3, 9), _docHash(supplierA), _salt(supplierA));
        bytes memory data = abi.encodeCall(board.commitBid, (biddingTender, c, BOND, _bondDoc(supplierA)));
        assertLe(_txGas(supplierA, data), 80_000, "commitBid");
    }

    function test_gas_commitBid_nationalSupplier() public {
        if (_instrumentedForCoverage()) return;
        address n = nationalSupplier;
        bytes32 c = _commitment(biddingTender, n, 48_000_000, _picks(3, 9), _docHash(n), _salt(n));
        bytes memory data = abi.encodeCall(board.commitBid, (biddingTender, c, BOND, _bondDoc(nationalSupplier)));
        // The worst case: a national supplier (two Supplier reads before the insider checks and
        // the household tag). Each registry read is one SLOAD since the household-tag reads stopped
        // re-reading their slot (80,033 before).
        assertLe(_txGas(nationalSupplier, data), 80_000, "commitBid (national supplier)");
    }

    function test_gas_revealBid() public {
        if (_instrumentedForCoverage()) return;
        bytes memory data = abi.encodeCall(
            board.revealBid, (revealTender, 48_000_000, _picks(3, 9), _salt(supplierA), _docHash(supplierA))
        );
        assertLe(_txGas(supplierA, data), 85_000, "revealBid");
    }

    function test_gas_award() public {
        if (_instrumentedForCoverage()) return;
        bytes memory data = abi.encodeCall(board.award, (awardTender, _seedFor(awardTender)));
        assertLe(_txGas(countyOfficial, data), 150_000 + 8_000 * REVEALED, "award");
        assertEq(board.getDraw(awardTender).revealedCount, REVEALED);
    }

    function test_gas_revealSeed() public {
        if (_instrumentedForCoverage()) return;
        bytes memory data = abi.encodeCall(board.revealSeed, (seedTender, _seedFor(seedTender)));
        assertLe(_txGas(countyOfficial, data), 65_000, "revealSeed");
    }

    function test_gas_refuseDelivery() public {
        if (_instrumentedForCoverage()) return;
        bytes memory data =
            abi.encodeCall(board.refuseDelivery, (refuseTender, unicode"규격 미달", keccak256(unicode"검수조서")));
        assertLe(_txGas(inspector, data), 50_000, "refuseDelivery");
    }

    function test_gas_terminateForNonDelivery() public {
        if (_instrumentedForCoverage()) return;
        vm.warp(board.getSchedule(terminateTender).deliveryDeadline);
        bytes memory data = abi.encodeCall(board.terminateForNonDelivery, (terminateTender, unicode"납품 지연"));
        assertLe(_txGas(countyOfficial, data), 50_000, "terminateForNonDelivery");
    }

    function test_gas_lapseTender() public {
        if (_instrumentedForCoverage()) return;
        vm.warp(board.getTender(seedTender).revealDeadline + board.AWARD_PERIOD());
        bytes memory data = abi.encodeCall(board.lapseTender, (seedTender));
        assertLe(_txGas(outsider, data), 40_000, "lapseTender");
    }

    function test_gas_recordDelivery() public {
        if (_instrumentedForCoverage()) return;
        bytes memory data = abi.encodeCall(board.recordDelivery, (deliverTender, keccak256(unicode"납품서")));
        assertLe(_txGas(supplierA, data), 45_000, "recordDelivery");
    }

    function test_gas_acceptDelivery_byOfficial() public {
        if (_instrumentedForCoverage()) return;
        // The Official path makes two registry reads (Inspector first): the dearer one. Since the
        // winner's bond is released here (BondReleased), 45,000 → 55,000.
        bytes memory data = abi.encodeCall(board.acceptDelivery, (acceptTender, keccak256(unicode"검수조서")));
        assertLe(_txGas(countyOfficial, data), 55_000, "acceptDelivery");
    }

    function test_gas_recordPayment() public {
        if (_instrumentedForCoverage()) return;
        bytes memory data = abi.encodeCall(board.recordPayment, (payTender, payAmount, keccak256(unicode"이체")));
        assertLe(_txGas(countyOfficial, data), 45_000, "recordPayment");
    }
}

/// @notice {award}'s worst case at the bidder cap: `MAX_BIDDERS` revealed bids in falling price
/// order, all within [floor, reserve], so each one leads in turn and its bidder's credential is
/// read; all but the last bidder revoked, so each of those reads fails on both the regional and
/// the national credential and emits `BidPassedOver`. Prepared in `setUp` so every slot is cold.
contract TenderBoardAwardCapGasTest is TenderFixture {
    uint256 internal capTender;

    function setUp() public {
        setUpTenders();
        uint40 start = uint40(block.timestamp);
        vm.prank(countyOfficial);
        capTender = board.createTender(
            GANGJIN,
            TITLE,
            SPEC,
            QUANTITY,
            UNIT,
            BASE_PRICE,
            FLOOR_RATE,
            start + 1 days,
            start + 2 days,
            BOND,
            keccak256(abi.encode(_seedFor(1)))
        );
        uint256 max = board.MAX_BIDDERS();
        for (uint256 i; i < max; ++i) {
            _commit(capTender, _indexedSupplier(i), _capPrice(i), _picks(uint8(i % 15), uint8((i + 1) % 15)));
        }
        vm.warp(start + 1 days);
        for (uint256 i; i < max; ++i) {
            _reveal(capTender, _indexedSupplier(i), _capPrice(i), _picks(uint8(i % 15), uint8((i + 1) % 15)));
        }
        for (uint256 i; i + 1 < max; ++i) {
            address s = _indexedSupplier(i);
            registry.revoke(registry.currentId(s, ICredentialRegistry.Role.Supplier, GANGJIN), keccak256("r"));
        }
        vm.warp(start + 2 days);
        _revealSeed(capTender);
        _mineDrawBlock(capTender);
    }

    /// @dev 95.9 % of the base price falling by 0.02 % per bid: all within [floor, reserve].
    function _capPrice(uint256 i) internal pure returns (uint64) {
        return uint64(BASE_PRICE * 959 / 1000 - i * 10_000);
    }

    function test_gas_award_worstCaseAtCap() public {
        uint256 max = board.MAX_BIDDERS();
        board.MAX_BIDDERS();
        bytes memory data = abi.encodeCall(board.award, (capTender, _seedFor(capTender)));
        vm.recordLogs();
        vm.prank(countyOfficial);
        uint256 before = gasleft();
        board.award(capTender, _seedFor(capTender));
        uint256 used = before - gasleft() + 21_000 + data.length * 16;
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1 + (max - 1) + 1, "ReserveDrawn, every passed-over bid, TenderAwarded");
        assertEq(board.getAward(capTender).winner, _indexedSupplier(max - 1));
        assertLe(used, 1_400_000, "award at the cap, worst case");
    }
}
