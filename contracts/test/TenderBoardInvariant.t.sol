// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {ITenderBoard} from "../interfaces/ITenderBoard.sol";
import {TenderBoard} from "../TenderBoard.sol";
import {TenderFixture} from "./utils/TenderFixture.sol";
import {Test} from "./utils/Test.sol";
import {Vm} from "./utils/Vm.sol";

/// @notice Drives random sequences of every TenderBoard action — creation, amendments (some that
/// would cut the bid period), commits (some by an ineligible supplier or an insider), reveals (some
/// with a wrong salt), time, seed reveal and award (some with a wrong seed), lapse, cancellation,
/// bond settlement, delivery, refusal, acceptance, payment, termination for non-delivery, and the
/// revocation and re-issue of suppliers' credentials mid-flight — and keeps, from the events the
/// board actually emitted, the ledger of every bond and award that the invariants check.
contract TenderHandler is Test {
    uint32 internal constant GANGJIN = 46_810;
    uint64 internal constant BOND = 2_500_000;
    uint64 internal constant BASE_PRICE = 50_000_000;
    uint256 internal constant MAX_TENDERS = 2;

    /// @dev The opening of a committed bid, as its bidder keeps it.
    struct Opening {
        uint64 price;
        uint8 a;
        uint8 b;
        bytes32 salt;
        bytes32 docHash;
    }

    /// @dev A successfully revealed bid, in reveal order.
    struct Opened {
        address bidder;
        uint64 price;
        uint16 seq;
        uint8 a;
        uint8 b;
        bytes32 salt;
    }

    TenderBoard internal immutable board;
    ICredentialRegistry internal immutable registry;
    address internal immutable official;
    address internal immutable inspector;
    address[] internal suppliers; // the last one holds no credential for 강진군
    address internal immutable dual; // Supplier, Inspector and Official of 강진군

    uint256[] public tenders;
    mapping(uint256 tenderId => bytes32) public seedOf;
    mapping(uint256 tenderId => mapping(address bidder => Opening)) internal _openings;
    mapping(uint256 tenderId => Opened[]) internal _opened;
    mapping(uint256 tenderId => address[]) internal _bidders; // who committed, in first-commit order

    /// @dev A bond posted with a successful commit.
    struct Bond {
        uint256 tenderId;
        address bidder;
        uint8 version;
    }

    Bond[] internal _bonds;
    /// @dev Ends booked per bond, keyed by {bondKey}.
    mapping(bytes32 key => uint256) public released;
    mapping(bytes32 key => uint256) public forfeited;
    mapping(uint256 tenderId => uint256) public awardCount;
    mapping(uint256 tenderId => address) public firstWinner;
    mapping(uint256 tenderId => uint256) public drawCount;
    uint256 public winnerApprovals; // acceptances or payments made by the winner itself
    /// @dev Successful steps taken by a supplier whose credential was not valid at that moment.
    uint256 public stepsByRevoked;
    mapping(uint256 tenderId => mapping(address bidder => bool)) public passedOver;
    mapping(uint256 tenderId => uint256) public terminations;
    mapping(uint256 tenderId => uint256) public lapses;
    uint256 public amendmentsCuttingTheBidPeriod; // successful amendments that should have failed
    uint256 public revocations;
    /// @dev How often the new paths ran (successful calls), to see that a campaign reaches them.
    uint256 public successfulAmendments;
    uint256 public successfulTerminations;
    uint256 public successfulLapses;
    uint256 public successfulRefusals;
    uint256 public passOvers;

    constructor(
        TenderBoard board_,
        ICredentialRegistry registry_,
        address official_,
        address inspector_,
        address dual_,
        address[] memory suppliers_
    ) {
        board = board_;
        registry = registry_;
        official = official_;
        inspector = inspector_;
        dual = dual_;
        suppliers = suppliers_;
    }

    // ---- views for the invariants

    function tenderCount() external view returns (uint256) {
        return tenders.length;
    }

    function bondCount() external view returns (uint256) {
        return _bonds.length;
    }

    function bondAt(uint256 i) external view returns (Bond memory) {
        return _bonds[i];
    }

    function openedCount(uint256 tenderId) external view returns (uint256) {
        return _opened[tenderId].length;
    }

    function opened(uint256 tenderId, uint256 i) external view returns (Opened memory) {
        return _opened[tenderId][i];
    }

    function supplierCount() external view returns (uint256) {
        return suppliers.length;
    }

    function supplierAt(uint256 i) external view returns (address) {
        return suppliers[i];
    }

    function bondKey(uint256 tenderId, address bidder, uint8 version) public pure returns (bytes32) {
        return keccak256(abi.encode(tenderId, bidder, version));
    }

    // ---- actions

    /// @dev The rarer actions in one selector, so that the commit–reveal–award path gets most of
    /// the calls: a new tender, an amendment (one call in three), a cancellation (one in six) or
    /// time passing.
    function disturb(uint256 kind, uint256 tenderSeed, uint256 x, uint256 y) external {
        uint256 which = uint256(keccak256(abi.encode(kind))) % 4;
        if (which == 0) {
            if (tenders.length < MAX_TENDERS) _create(x, y);
        } else if (which == 1) {
            if (_oneIn(y, 3)) _lapse(_tender(tenderSeed));
        } else if (which == 2) {
            if (_oneIn(y, 6)) _cancel(_tender(tenderSeed));
        } else {
            vm.warp(block.timestamp + bound(x, 1 hours, 1 days));
        }
    }

    function _create(uint256 bidSeed, uint256 revealSeed) internal returns (uint256 id) {
        bytes32 seed = keccak256(abi.encode("seed", tenders.length, bidSeed));
        uint40 bidAt = uint40(block.timestamp + bound(bidSeed, 1 days, 3 days));
        uint40 revealAt = bidAt + uint40(bound(revealSeed, 1 days, 2 days));
        vm.prank(official);
        bytes32 seedCommitment = keccak256(abi.encode(seed));
        id = board.createTender(
            GANGJIN, "t", keccak256("spec"), 1, "ea", BASE_PRICE, 87_745, bidAt, revealAt, BOND, seedCommitment
        );
        tenders.push(id);
        seedOf[id] = seed;
    }

    /// @dev Amends a tender: usually to a bid deadline the rules allow (not earlier, at least five
    /// days away), one call in three to one that cuts the bid period, which must fail.
    function amend(uint256 tenderSeed, uint256 priceSeed, uint256 bidSeed) external {
        uint256 id = _tender(tenderSeed);
        uint64 basePrice = uint64(bound(priceSeed, 40_000_000, 60_000_000));
        uint256 current = board.getTender(id).bidDeadline;
        uint256 earliest = block.timestamp + 5 days;
        bool cut = _oneIn(bidSeed, 3);
        uint40 bidAt = cut
            ? uint40(block.timestamp + bound(bidSeed, 1 days, 5 days - 1))
            : uint40((current > earliest ? current : earliest) + bound(bidSeed, 0, 2 days));
        bool cutsPeriod = bidAt < current || bidAt < earliest;
        vm.recordLogs();
        vm.prank(official);
        try board.amendTender(id, "t2", keccak256("spec2"), 1, "ea", basePrice, 87_745, bidAt, bidAt + 1 days, "r") {
            if (cutsPeriod) ++amendmentsCuttingTheBidPeriod;
            ++successfulAmendments;
        } catch {}
        _collect();
    }

    /// @dev Revokes a supplier's credential mid-flight, or re-issues a revoked one (the handler is
    /// an issuer of Supplier credentials of 강진군 and of the nation).
    function revoke(uint256 actorSeed) external {
        address s = suppliers[_pick(actorSeed, suppliers.length)];
        uint32 region = registry.currentId(s, ICredentialRegistry.Role.Supplier, GANGJIN) != 0 ? GANGJIN : 0;
        uint256 id = registry.currentId(s, ICredentialRegistry.Role.Supplier, region);
        if (id == 0) return; // the 해남군 supplier holds neither
        if (registry.isValid(id)) {
            registry.revoke(id, keccak256("mid-flight"));
            ++revocations;
        } else {
            registry.issue(
                s,
                ICredentialRegistry.Role.Supplier,
                region,
                keccak256("re-issued"),
                uint64(block.timestamp + 365 days),
                bytes16(keccak256(abi.encode("household secret of", s)))
            );
        }
    }

    function _lapse(uint256 id) internal {
        uint256 awardDeadline = uint256(board.getTender(id).revealDeadline) + board.AWARD_PERIOD();
        if (block.timestamp < awardDeadline && _oneIn(id + block.timestamp, 2)) vm.warp(awardDeadline);
        vm.recordLogs();
        try board.lapseTender(id) {
            ++lapses[id];
            ++successfulLapses;
        } catch {}
        _collect();
    }

    function _isSupplier(address who) internal view returns (bool) {
        return registry.hasRole(who, ICredentialRegistry.Role.Supplier, GANGJIN)
            || registry.hasRole(who, ICredentialRegistry.Role.Supplier, 0);
    }

    /// @dev Commits one to four bids (so that a short sequence still gets a contest). A quarter
    /// of them come from a bidder already in the tender (a re-confirmation after an amendment, or
    /// a refused second bid); picks are random, so now and then a bid has two equal picks and can
    /// never be opened.
    function commit(uint256 tenderSeed, uint256 actorSeed, uint256 priceSeed, uint256 count) external {
        uint256 id = _tender(tenderSeed);
        uint256 bids = 1 + _pick(count, 4);
        for (uint256 k; k < bids; ++k) {
            _commit(id, uint256(keccak256(abi.encode(actorSeed, k))), uint256(keccak256(abi.encode(priceSeed, k))));
        }
    }

    function _commit(uint256 id, uint256 actorSeed, uint256 valueSeed) internal {
        address[] storage known = _bidders[id];
        address bidder = known.length > 0 && _oneIn(actorSeed, 4)
            ? known[_pick(actorSeed, known.length)]
            : suppliers[_pick(actorSeed, suppliers.length)];
        uint64 base = board.getDraw(id).basePrice;
        // Prices spread over 80 %…108 % of the base price: some below the floor, some above the reserve.
        Opening memory o = Opening({
            price: uint64(uint256(base) * 80 / 100 + valueSeed % (uint256(base) * 28 / 100 + 1)),
            a: uint8((valueSeed >> 128) % 15),
            b: uint8((valueSeed >> 136) % 15),
            salt: keccak256(abi.encode("salt", valueSeed)),
            docHash: keccak256(abi.encode("doc", bidder, valueSeed))
        });
        bytes32 c = keccak256(
            abi.encode(block.chainid, address(board), id, bidder, o.price, o.a, o.b, o.docHash, o.salt)
        );
        bool isNew = board.getBid(id, bidder).status == ITenderBoard.BidStatus.None;
        vm.recordLogs();
        vm.prank(bidder);
        try board.commitBid(id, c, BOND, keccak256("certificate")) {
            if (isNew) known.push(bidder);
            _openings[id][bidder] = o;
            _bonds.push(Bond(id, bidder, board.getBid(id, bidder).version));
        } catch {}
        _collect();
    }

    /// @dev Reveals one to four sealed bids, moving time to the bid deadline first if needed
    /// (mostly once three bidders are in); one reveal in four uses a wrong salt.
    function reveal(uint256 tenderSeed, uint256 actorSeed, uint256 count) external {
        uint256 id = _tender(tenderSeed);
        address[] storage bidders = _bidders[id];
        uint256 n = bidders.length;
        if (n == 0) return;
        uint40 bidDeadline = board.getTender(id).bidDeadline;
        if (block.timestamp < bidDeadline) {
            if (n < 3 && !_oneIn(actorSeed, 8)) return;
            vm.warp(bidDeadline);
        }
        uint256 reveals = 1 + _pick(count, 4);
        for (uint256 k; k < reveals; ++k) {
            // The first bidder from a random start whose bid is still sealed (else the start one).
            uint256 roll = uint256(keccak256(abi.encode(actorSeed, k)));
            uint256 start = _pick(roll, n);
            address bidder = bidders[start];
            for (uint256 i; i < n; ++i) {
                address candidate = bidders[(start + i) % n];
                if (board.getBid(id, candidate).status == ITenderBoard.BidStatus.Committed) {
                    bidder = candidate;
                    break;
                }
            }
            Opening memory o = _openings[id][bidder];
            bytes32 salt = _oneIn(roll, 4) ? ~o.salt : o.salt;
            vm.recordLogs();
            vm.prank(bidder);
            try board.revealBid(id, o.price, [o.a, o.b], salt, o.docHash) {
                _opened[id].push(Opened(bidder, o.price, board.getBid(id, bidder).seq, o.a, o.b, salt));
                if (!_isSupplier(bidder)) ++stepsByRevoked;
            } catch {}
            _collect();
        }
    }

    /// @dev Reveals the seed and awards a tender, moving time to its reveal deadline first if
    /// needed (mostly once every bid is open); one call in four uses a wrong seed. The draw block
    /// gets the hash the fixture's reference draw expects; one call in eight lets it expire.
    function award(uint256 tenderSeed, uint8 wrongSeed) external {
        uint256 id = _tender(tenderSeed);
        uint40 revealDeadline = board.getTender(id).revealDeadline;
        if (block.timestamp < revealDeadline) {
            // Close the reveal window once every bid is open, or now and then.
            if (_sealedCount(id) > 0 && !_oneIn(tenderSeed, 4)) return;
            vm.warp(revealDeadline);
        }
        bytes32 seed = _oneIn(wrongSeed, 4) ? bytes32(0) : seedOf[id];
        vm.recordLogs();
        vm.prank(official);
        try board.revealSeed(id, seed) {} catch {}
        _collect();
        uint64 drawBlock = board.getSchedule(id).drawBlock;
        if (drawBlock == 0) return;
        if (block.number <= drawBlock) {
            vm.roll(_oneIn(uint256(wrongSeed) + 1, 8) ? drawBlock + 257 : drawBlock + 1);
            vm.setBlockhash(drawBlock, keccak256(abi.encode("draw block", uint256(drawBlock))));
        }
        vm.recordLogs();
        vm.prank(official);
        try board.award(id, seed) {
            address winner = board.getAward(id).winner;
            if (winner != address(0) && !_isSupplier(winner)) ++stepsByRevoked;
        } catch {}
        _collect();
    }

    /// @dev Ends a contract for non-delivery, moving time to the delivery deadline now and then
    /// (else the call fails before it).
    function terminate(uint256 tenderSeed, bool wait) external {
        uint256 id = _tenderPastAward(tenderSeed, true);
        uint40 deadline = board.getSchedule(id).deliveryDeadline;
        if (wait && deadline != 0 && block.timestamp < deadline) vm.warp(deadline);
        vm.recordLogs();
        vm.prank(official);
        try board.terminateForNonDelivery(id, "t") {
            ++terminations[id];
            ++successfulTerminations;
        } catch {}
        _collect();
    }

    function _cancel(uint256 id) internal {
        vm.prank(official);
        try board.cancelTender(id, "c") {} catch {}
    }

    function settle(uint256 tenderSeed, uint256 actorSeed) external {
        uint256 id = _tender(tenderSeed);
        vm.recordLogs();
        try board.settleBond(id, suppliers[_pick(actorSeed, suppliers.length)]) {} catch {}
        _collect();
    }

    /// @dev One to three of the steps after the award: the winner delivers, then an Inspector (or
    /// the supplier who is also Inspector and Official of 강진군) accepts or, one time in three,
    /// refuses, then an Official (or that same supplier) records the payment. A step the winner
    /// takes on its own delivery must fail.
    function fulfil(uint256 tenderSeed, uint256 count, bool byDual) external {
        uint256 id = _tenderPastAward(tenderSeed, false);
        ITenderBoard.Award memory a = board.getAward(id);
        uint256 steps = 1 + _pick(count, 3);
        for (uint256 k; k < steps; ++k) {
            ITenderBoard.TenderState state = board.getTender(id).state;
            if (state == ITenderBoard.TenderState.Awarded || state == ITenderBoard.TenderState.Refused) {
                vm.prank(a.winner);
                try board.recordDelivery(id, keccak256("delivery")) {
                    if (!_isSupplier(a.winner)) ++stepsByRevoked;
                } catch {}
            } else if (state == ITenderBoard.TenderState.Delivered) {
                address acceptor = byDual ? dual : inspector;
                vm.recordLogs();
                if (_oneIn(count + k, 2)) {
                    vm.prank(acceptor);
                    try board.refuseDelivery(id, "r", keccak256("inspection")) {
                        if (acceptor == a.winner) ++winnerApprovals;
                        ++successfulRefusals;
                    } catch {}
                } else {
                    vm.prank(acceptor);
                    try board.acceptDelivery(id, keccak256("inspection")) {
                        if (acceptor == a.winner) ++winnerApprovals;
                    } catch {}
                }
                _collect();
            } else if (state == ITenderBoard.TenderState.Accepted) {
                address payer = byDual ? dual : official;
                vm.prank(payer);
                try board.recordPayment(id, a.amount, keccak256("transfer")) {
                    if (payer == a.winner) ++winnerApprovals;
                } catch {}
            }
        }
    }

    // ---- internals

    /// @dev True for one `roll` in `k`, evenly whatever values the fuzzer favours (it likes 0).
    function _oneIn(uint256 roll, uint256 k) internal pure returns (bool) {
        return uint256(keccak256(abi.encode(roll))) % k == 0;
    }

    /// @dev An index below `n` spread evenly over the fuzzer's favourite values too.
    function _pick(uint256 seed, uint256 n) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, "pick"))) % n;
    }

    /// @dev How many bids of the tender's current version are still sealed.
    function _sealedCount(uint256 id) internal view returns (uint256 count) {
        address[] storage bidders = _bidders[id];
        uint8 version = board.getTender(id).version;
        for (uint256 i; i < bidders.length; ++i) {
            ITenderBoard.Bid memory bid = board.getBid(id, bidders[i]);
            if (bid.status == ITenderBoard.BidStatus.Committed && bid.version == version) ++count;
        }
    }

    /// @dev A tender past its award (awaiting delivery or, unless `awaitingOnly`, delivered or
    /// accepted) when there is one, so that the steps after the award are reached; else any.
    function _tenderPastAward(uint256 seed, bool awaitingOnly) internal returns (uint256) {
        uint256 n = tenders.length;
        for (uint256 i; i < n; ++i) {
            uint256 id = tenders[(seed + i) % n];
            ITenderBoard.TenderState state = board.getTender(id).state;
            if (state == ITenderBoard.TenderState.Awarded || state == ITenderBoard.TenderState.Refused) return id;
            if (
                !awaitingOnly
                    && (state == ITenderBoard.TenderState.Delivered || state == ITenderBoard.TenderState.Accepted)
            ) return id;
        }
        return _tender(seed);
    }

    /// @dev One of the tenders, creating the first one when there is none yet.
    function _tender(uint256 seed) internal returns (uint256) {
        if (tenders.length == 0) return _create(seed, seed >> 128);
        return tenders[_pick(seed, tenders.length)];
    }

    /// @dev Books the bond and award events the last call emitted.
    function _collect() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != address(board)) continue;
            bytes32 topic = log.topics[0];
            if (topic == ITenderBoard.BondReleased.selector || topic == ITenderBoard.BondForfeited.selector) {
                (uint8 version) = abi.decode(log.data, (uint8));
                bytes32 key = bondKey(uint256(log.topics[1]), address(uint160(uint256(log.topics[2]))), version);
                if (topic == ITenderBoard.BondReleased.selector) ++released[key];
                else ++forfeited[key];
            } else if (topic == ITenderBoard.TenderAwarded.selector) {
                uint256 id = uint256(log.topics[1]);
                if (awardCount[id]++ == 0) firstWinner[id] = address(uint160(uint256(log.topics[2])));
            } else if (topic == ITenderBoard.ReserveDrawn.selector) {
                ++drawCount[uint256(log.topics[1])];
            } else if (topic == ITenderBoard.BidPassedOver.selector) {
                passedOver[uint256(log.topics[1])][address(uint160(uint256(log.topics[2])))] = true;
                ++passOvers;
            }
        }
    }
}

contract TenderBoardInvariantTest is TenderFixture {
    TenderHandler internal handler;

    function setUp() public {
        setUpTenders();
        address[] memory cast = new address[](6);
        (cast[0], cast[1], cast[2], cast[3], cast[4], cast[5]) =
            (supplierA, supplierB, supplierC, nationalSupplier, dualSupplier, haenamSupplier);
        handler = new TenderHandler(board, registry, countyOfficial, inspector, dualSupplier, cast);
        registry.setIssuer(address(handler), ICredentialRegistry.Role.Supplier, GANGJIN, true);
        registry.setIssuer(address(handler), ICredentialRegistry.Role.Supplier, NATIONAL, true);
        targetContract(address(handler));
        bytes4[] memory actions = new bytes4[](9);
        actions[0] = TenderHandler.commit.selector;
        actions[1] = TenderHandler.reveal.selector;
        actions[2] = TenderHandler.award.selector;
        actions[3] = TenderHandler.settle.selector;
        actions[4] = TenderHandler.fulfil.selector;
        actions[5] = TenderHandler.disturb.selector;
        actions[6] = TenderHandler.amend.selector;
        actions[7] = TenderHandler.revoke.selector;
        actions[8] = TenderHandler.terminate.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: actions}));
    }

    /// @notice Every bond posted ends at most once — released or forfeited, never both — and its
    /// end agrees with its bid: an open bond is a Committed or Revealed bid of that version (a
    /// revealed bond is held until the outcome); a released bid had its bond released; a forfeited
    /// bid had it forfeited; a bond replaced by a re-confirmation was released. Ends are booked
    /// from the events the board emitted.
    function invariant_everyBondEndsOnceAndMatchesItsBid() public view {
        for (uint256 k; k < handler.bondCount(); ++k) {
            TenderHandler.Bond memory bond = handler.bondAt(k);
            bytes32 key = handler.bondKey(bond.tenderId, bond.bidder, bond.version);
            uint256 r = handler.released(key);
            uint256 f = handler.forfeited(key);
            assertLe(r + f, 1, "bond ended twice");
            ITenderBoard.Bid memory bid = board.getBid(bond.tenderId, bond.bidder);
            ITenderBoard.BidStatus status = bid.status;
            if (bond.version < bid.version) {
                assertEq(r, 1, "replaced bond not released");
            } else if (status == ITenderBoard.BidStatus.Committed || status == ITenderBoard.BidStatus.Revealed) {
                assertEq(r + f, 0, "open bond ended");
            } else if (status == ITenderBoard.BidStatus.Forfeited) {
                assertEq(f, 1, "forfeit missing");
            } else {
                assertEq(r, 1, "release missing");
            }
        }
    }

    /// @notice An awarded tender went to the lowest revealed bid in [floor, reserve] (ties to the
    /// earliest commit) of a bidder not passed over for a revoked credential, recomputed here from
    /// the revealed openings alone; a failed one had none. A tender that lapsed was never drawn.
    function invariant_awardIsTheLowestValidBid() public view {
        for (uint256 t; t < handler.tenderCount(); ++t) {
            uint256 id = handler.tenders(t);
            ITenderBoard.TenderState state = board.getTender(id).state;
            bool awarded = state == ITenderBoard.TenderState.Awarded
                || uint8(state) >= uint8(ITenderBoard.TenderState.Delivered);
            if (!awarded && state != ITenderBoard.TenderState.Failed) continue;
            if (handler.lapses(id) == 1) {
                assertEq(handler.drawCount(id), 0, "lapsed after a draw");
                continue;
            }

            uint256 n = handler.openedCount(id);
            uint8[15] memory counts;
            bytes32[] memory salts = new bytes32[](n);
            for (uint256 i; i < n; ++i) {
                TenderHandler.Opened memory o = handler.opened(id, i);
                ++counts[o.a];
                ++counts[o.b];
                salts[i] = o.salt;
            }
            ITenderBoard.Draw memory d = board.getDraw(id);
            assertEq(d.revealedCount, n, "revealed count");
            assertEq(d.saltMix, _refSaltMix(salts), "salt mix");
            Expected memory e =
                _refDraw(id, handler.seedOf(id), d.saltMix, d.basePrice, board.getTender(id).floorRate, counts);

            address winner;
            uint64 best;
            uint16 bestSeq;
            for (uint256 i; i < n; ++i) {
                TenderHandler.Opened memory o = handler.opened(id, i);
                if (o.price < e.floor || o.price > e.reserve || handler.passedOver(id, o.bidder)) continue;
                if (winner == address(0) || o.price < best || (o.price == best && o.seq < bestSeq)) {
                    (winner, best, bestSeq) = (o.bidder, o.price, o.seq);
                }
            }
            ITenderBoard.Award memory a = board.getAward(id);
            assertEq(a.winner, winner);
            assertEq(a.amount, best, "contract amount");
            assertEq(awarded, winner != address(0));
        }
    }

    /// @notice Nobody wins twice: a tender is drawn and awarded at most once and its winner never
    /// changes; the winner never accepts or pays its own delivery.
    function invariant_nobodyWinsTwice() public view {
        for (uint256 t; t < handler.tenderCount(); ++t) {
            uint256 id = handler.tenders(t);
            assertLe(handler.drawCount(id), 1, "drawn twice");
            assertLe(handler.awardCount(id), 1, "awarded twice");
            assertEq(board.getAward(id).winner, handler.firstWinner(id));
        }
        assertEq(handler.winnerApprovals(), 0, "winner approved itself");
    }

    /// @notice Who may act: no supplier revealed, won or delivered while its credential was not
    /// valid; the insider (Supplier, Inspector and Official of 강진군) never holds a bid; no
    /// amendment cut the bid period; a terminated tender's winner forfeited its bond.
    function invariant_whoMayAct() public view {
        assertEq(handler.stepsByRevoked(), 0, "a revoked supplier acted");
        assertEq(handler.amendmentsCuttingTheBidPeriod(), 0, "an amendment cut the bid period");
        for (uint256 t; t < handler.tenderCount(); ++t) {
            uint256 id = handler.tenders(t);
            assertEq(uint256(board.getBid(id, dualSupplier).status), 0, "an insider bid");
            if (board.getTender(id).state == ITenderBoard.TenderState.Terminated) {
                assertEq(handler.terminations(id), 1, "terminated once");
                address winner = board.getAward(id).winner;
                assertEq(uint256(board.getBid(id, winner).status), uint256(ITenderBoard.BidStatus.Forfeited));
            }
        }
    }
}
