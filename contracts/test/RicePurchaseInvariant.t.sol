// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CredentialRegistry} from "../CredentialRegistry.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {IRicePurchase} from "../interfaces/IRicePurchase.sol";
import {RicePurchase} from "../RicePurchase.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";
import {Test} from "./utils/Test.sol";

/// @notice Drives random sequences of every RicePurchase action by a small cast whose roles
/// overlap on purpose (every actor is a Farmer, Inspector and Official of 강진군, and two of them
/// share a household), so the separation rules are exercised. It also revokes, re-issues and
/// replaces credentials mid-flight (a farm's lost key continued by a successor), re-inspects
/// disputed sales and lets time pass, and keeps the ghost records the invariants compare against.
contract RiceHandler is Test {
    RicePurchase internal immutable rice;
    CredentialRegistry internal immutable registry;
    uint32 internal immutable programId;
    uint32 internal constant GANGJIN = 46_810;
    ICredentialRegistry.Role internal constant FARMER = ICredentialRegistry.Role.Farmer;
    ICredentialRegistry.Role internal constant INSPECTOR = ICredentialRegistry.Role.Inspector;
    ICredentialRegistry.Role internal constant OFFICIAL = ICredentialRegistry.Role.Official;

    address[] public actors; // every actor holds Farmer, Inspector and Official in 강진군
    address[2] public nationals; // two national Officials of different households
    uint256[] public saleIds;
    mapping(address actor => bytes16) public householdOf;
    mapping(uint256 saleId => mapping(address => bool)) public inspectedBy; // at any point
    mapping(uint256 saleId => address) public approverOf;
    mapping(uint256 saleId => uint256) public paid;
    mapping(address farm => address) public successorOf;
    uint256 public selfDealings; // successful actions by an actor on its own (household's) sale
    uint256 public staleActs; // successful actions by an address whose credential was not live
    uint256 public reinspections;
    uint256 public revocations;
    uint256 public finalPaymentsOrClawbacks;
    uint256 public priceChangesAfterLock;
    uint256 internal _elapsed;

    constructor(
        RicePurchase rice_,
        CredentialRegistry registry_,
        uint32 programId_,
        address[] memory actors_,
        bytes16[] memory households_,
        address[2] memory nationals_
    ) {
        rice = rice_;
        registry = registry_;
        programId = programId_;
        actors = actors_;
        nationals = nationals_;
        for (uint256 i; i < actors_.length; ++i) {
            householdOf[actors_[i]] = households_[i];
        }
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function saleCount() external view returns (uint256) {
        return saleIds.length;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    function _sale(uint256 seed) internal view returns (uint256) {
        return saleIds.length == 0 ? 0 : saleIds[seed % saleIds.length];
    }

    function _seller(uint256 saleId) internal pure returns (address) {
        return address(uint160(saleId));
    }

    /// @dev True when `actor` is the sale's farm or of its household.
    function _conflicted(address actor, uint256 saleId) internal view returns (bool) {
        address seller = _seller(saleId);
        return actor == seller || householdOf[actor] == householdOf[seller];
    }

    function _live(address actor, ICredentialRegistry.Role role) internal view returns (bool) {
        return registry.hasRole(actor, role, GANGJIN);
    }

    /// @dev The address that answers for the sale's farm: the seller, or (sometimes) its successor.
    function _farmActor(uint256 saleId, uint256 seed) internal view returns (address) {
        address seller = _seller(saleId);
        address successor = successorOf[seller];
        return successor != address(0) && seed % 2 == 0 ? successor : seller;
    }

    function submit(uint256 actorSeed, uint16 units, uint8 packagingSeed) external {
        address actor = _actor(actorSeed);
        IRicePurchase.Packaging packaging = IRicePurchase.Packaging(packagingSeed % 3);
        units = uint16(bound(units, 1, 400));
        if (packaging == IRicePurchase.Packaging.TonBag) units = uint16(bound(units, 1, 20) * 20);
        bool live = _live(actor, FARMER);
        vm.prank(actor);
        try rice.submitSale(programId, units, packaging, 101, 1, uint32((block.timestamp + 9 hours) / 1 days)) returns (uint256 saleId) {
            saleIds.push(saleId);
            if (!live) ++staleActs;
        } catch {}
    }

    function cancel(uint256 saleSeed, uint256 who) external {
        uint256 saleId = _sale(saleSeed);
        if (saleId == 0) return;
        address actor = _farmActor(saleId, who);
        bool live = _live(actor, FARMER);
        vm.prank(actor);
        try rice.cancelSale(saleId) {
            if (!live) ++staleActs;
        } catch {}
    }

    function inspect(uint256 actorSeed, uint256 saleSeed, uint16[4] memory g) external {
        uint256 saleId = _sale(saleSeed);
        if (saleId == 0) return;
        _inspectAs(_actor(actorSeed), saleId, g);
    }

    /// @dev Re-inspection: a disputed sale graded by a random actor (the first inspector and the
    /// seller's household must be refused).
    function reinspect(uint256 actorSeed, uint256 saleSeed, uint16[4] memory g) external {
        for (uint256 i; i < saleIds.length && i < 16; ++i) {
            uint256 saleId = _sale(saleSeed + i);
            if (rice.getSale(saleId).state == IRicePurchase.SaleState.Disputed) {
                _inspectAs(_actor(actorSeed), saleId, g);
                return;
            }
        }
    }

    function _inspectAs(address actor, uint256 saleId, uint16[4] memory g) internal {
        IRicePurchase.SaleState before = rice.getSale(saleId).state;
        uint16 units = rice.getSale(saleId).units;
        uint256 remaining = units;
        for (uint256 i; i < 4; ++i) {
            g[i] = uint16(bound(g[i], 0, remaining));
            remaining -= g[i];
        }
        bool live = _live(actor, INSPECTOR);
        vm.prank(actor);
        try rice.recordInspection(saleId, g, uint16(remaining), 140, keccak256(abi.encode(saleId, actor))) {
            if (before == IRicePurchase.SaleState.Disputed) {
                ++reinspections;
                if (inspectedBy[saleId][actor]) ++selfDealings; // the first inspector again
            }
            inspectedBy[saleId][actor] = true;
            if (_conflicted(actor, saleId)) ++selfDealings;
            if (!live) ++staleActs;
        } catch {}
    }

    function dispute(uint256 saleSeed, uint256 who) external {
        uint256 saleId = _sale(saleSeed);
        if (saleId == 0) return;
        address actor = _farmActor(saleId, who);
        bool live = _live(actor, FARMER);
        IRicePurchase.Sale memory sale = rice.getSale(saleId);
        bool late = block.timestamp > uint256(sale.inspectedAt) + rice.getProgram(programId).disputePeriod;
        vm.prank(actor);
        try rice.disputeInspection(saleId, keccak256("reason")) {
            if (!live) ++staleActs;
            if (late) ++staleActs; // a dispute after the period is as bad as a stale key
        } catch {}
    }

    function approve(uint256 actorSeed, uint256 saleSeed) external {
        uint256 saleId = _sale(saleSeed);
        address actor = _actor(actorSeed);
        bool live = _live(actor, OFFICIAL);
        vm.prank(actor);
        try rice.approvePurchase(saleId) {
            approverOf[saleId] = actor;
            if (_conflicted(actor, saleId) || inspectedBy[saleId][actor]) ++selfDealings;
            if (!live) ++staleActs;
        } catch {}
    }

    function pay(uint256 actorSeed, uint256 saleSeed, uint8 kindSeed, uint256 amountSeed) external {
        uint256 saleId = _sale(saleSeed);
        if (saleId == 0) return;
        address actor = _actor(actorSeed);
        IRicePurchase.PaymentKind kind = IRicePurchase.PaymentKind(kindSeed % 3);
        (uint256 interim,, int256 balance) = rice.settlementOf(saleId);
        uint256 exact = kind == IRicePurchase.PaymentKind.Interim ? interim : (balance < 0 ? uint256(-balance) : uint256(balance));
        // Mostly the exact amount, sometimes a wrong one that must be refused.
        uint256 amount = amountSeed % 4 == 0 ? exact + 1 : exact;
        bool live = _live(actor, OFFICIAL);
        vm.prank(actor);
        try rice.recordPayment(saleId, kind, amount, keccak256(abi.encode(saleId, kind))) {
            if (kind != IRicePurchase.PaymentKind.ClawbackRepayment) paid[saleId] += amount;
            if (kind != IRicePurchase.PaymentKind.Interim) ++finalPaymentsOrClawbacks;
            if (_conflicted(actor, saleId)) ++selfDealings;
            if (!live) ++staleActs;
        } catch {}
    }

    function clawback(uint256 actorSeed, uint256 saleSeed) external {
        uint256 saleId = _sale(saleSeed);
        if (saleId == 0) return;
        address actor = _actor(actorSeed);
        bool live = _live(actor, OFFICIAL);
        vm.prank(actor);
        try rice.recordClawback(saleId) {
            ++finalPaymentsOrClawbacks;
            if (_conflicted(actor, saleId)) ++selfDealings;
            if (!live) ++staleActs;
        } catch {}
    }

    /// @dev One national Official proposes, the other (or, to be refused, the same) confirms.
    function fixPrices(uint32 farmGate, bool sameOfficial) external {
        farmGate = uint32(bound(farmGate, 110_000, 220_000));
        uint16 revision = rice.getProgram(programId).priceRevision;
        vm.prank(nationals[0]);
        try rice.setFinalPrices(programId, farmGate, 8_000, 7_200) {} catch {}
        vm.prank(sameOfficial ? nationals[0] : nationals[1]);
        try rice.confirmFinalPrices(programId, farmGate, 8_000, 7_200) {
            if (sameOfficial) ++selfDealings;
            if (finalPaymentsOrClawbacks > 0) ++priceChangesAfterLock;
            if (rice.getProgram(programId).priceRevision != revision + 1) ++priceChangesAfterLock;
        } catch {}
    }

    function reallocate(uint256 actorSeed, uint32 units) external {
        address farm = _actor(actorSeed);
        address official = _actor(actorSeed + 1 + (units % 2)); // sometimes of the farm's household
        bool live = _live(official, OFFICIAL);
        uint32 before = rice.getAllocation(programId, farm).units;
        units = uint32(bound(units, 0, 2_000));
        // A farm that lost its key without a successor has no household to compare: lowering it
        // by anyone gives nobody anything. Every other allocation by its household is self-dealing.
        bool householdKnown = _live(farm, FARMER) || successorOf[farm] != address(0);
        vm.prank(official);
        try rice.allocate(programId, GANGJIN, farm, units) {
            bool related = official == farm || householdOf[official] == householdOf[farm];
            if (related && (householdKnown || units > before)) ++selfDealings;
            if (!_live(farm, FARMER) && units > before) ++selfDealings; // raised a lost key
            if (!live) ++staleActs;
        } catch {}
    }

    /// @dev Revocation mid-flight: one of an actor's credentials is revoked (a lost key).
    function revoke(uint256 actorSeed, uint8 roleSeed) external {
        address actor = _actor(actorSeed);
        ICredentialRegistry.Role role = ICredentialRegistry.Role(uint8([0, 2, 3][roleSeed % 3]));
        if (!_live(actor, role)) return;
        registry.revoke(registry.currentId(actor, role, GANGJIN), keccak256("lost"));
        ++revocations;
    }

    /// @dev The county re-issues a revoked credential to the same address (the key was found).
    function reissue(uint256 actorSeed, uint8 roleSeed) external {
        address actor = _actor(actorSeed);
        ICredentialRegistry.Role role = ICredentialRegistry.Role(uint8([0, 2, 3][roleSeed % 3]));
        if (_live(actor, role) || successorOf[actor] != address(0)) return;
        registry.issue(actor, role, GANGJIN, keccak256("claims"), uint64(block.timestamp + 300 days), householdOf[actor]);
    }

    /// @dev A farm whose Farmer key was revoked gets a new address, named its successor.
    function replaceFarmKey(uint256 actorSeed) external {
        address farm = _actor(actorSeed);
        if (_live(farm, FARMER) || successorOf[farm] != address(0)) return;
        address successor = makeAddr(string.concat("successor of ", vm.toString(uint256(uint160(farm)))));
        uint256 id = registry.issue(
            successor, FARMER, GANGJIN, keccak256("claims"), uint64(block.timestamp + 300 days), householdOf[farm]
        );
        registry.nameSuccessor(registry.currentId(farm, FARMER, GANGJIN), id);
        householdOf[successor] = householdOf[farm];
        successorOf[farm] = successor;
    }

    /// @dev Time passes (disputes expire, the delivery window closes), at most 200 days in all so
    /// that no credential expires.
    function wait(uint32 secondsSeed) external {
        uint256 step = bound(secondsSeed, 1 hours, 10 days);
        if (_elapsed + step > 200 days) return;
        _elapsed += step;
        vm.warp(block.timestamp + step);
    }
}

contract RicePurchaseInvariantTest is JangbuFixture {
    RiceHandler internal handler;
    address[] internal cast;

    function setUp() public {
        setUpStack();
        setUpProgram();
        bytes16[] memory households = new bytes16[](4);
        for (uint256 i; i < 4; ++i) {
            address actor = makeAddr(string.concat("actor", vm.toString(i)));
            // actors 0 and 1 are one household; 2 and 3 each their own.
            households[i] = i == 1 ? households[0] : _ownHousehold(actor);
            _credential(actor, ICredentialRegistry.Role.Farmer, GANGJIN, households[i]);
            _credential(actor, ICredentialRegistry.Role.Inspector, GANGJIN, households[i]);
            _credential(actor, ICredentialRegistry.Role.Official, GANGJIN, households[i]);
            vm.prank(countyOfficial);
            rice.allocate(programId, GANGJIN, actor, 1_000);
            cast.push(actor);
        }
        handler = new RiceHandler(rice, registry, programId, cast, households, [nationalOfficial, nationalOfficial2]);
        // The handler revokes, re-issues and names successors as the county's issuer would.
        for (uint8 role; role <= uint8(type(ICredentialRegistry.Role).max); ++role) {
            registry.setIssuer(address(handler), ICredentialRegistry.Role(role), NATIONAL, true);
        }
        targetContract(address(handler));
    }

    /// @dev The handlers themselves work (the runner then mixes them at random): a fixed run
    /// revokes and replaces a farm key, re-inspects a disputed sale, and completes it through the
    /// successor, with every refusal counted nowhere.
    function test_handlers_revokeReplaceAndReinspectMidFlight() public {
        handler.submit(0, 40, 0); // actor0 sells 40 bags
        uint256 saleId = handler.saleIds(0);
        handler.inspect(2, 0, [uint16(0), 40, 0, 0]); // actor2 grades
        handler.revoke(0, 0); // actor0's Farmer key is lost
        handler.dispute(0, 1); // the lost key disputes: refused
        assertEq(uint8(rice.getSale(saleId).state), uint8(IRicePurchase.SaleState.Inspected));
        handler.replaceFarmKey(0);
        handler.dispute(0, 0); // the successor disputes
        assertEq(uint8(rice.getSale(saleId).state), uint8(IRicePurchase.SaleState.Disputed));
        handler.reinspect(2, 0, [uint16(0), 40, 0, 0]); // the first inspector again: refused
        handler.reinspect(1, 0, [uint16(0), 40, 0, 0]); // actor1 is of the farm's household: refused
        handler.reinspect(3, 0, [uint16(10), 30, 0, 0]);
        assertEq(handler.reinspections(), 1);
        handler.approve(2, 0); // an inspector of the sale at some point: refused
        handler.approve(1, 0); // the farm's household: refused
        assertEq(uint8(rice.getSale(saleId).state), uint8(IRicePurchase.SaleState.Reinspected));
        handler.revoke(3, 1); // the re-inspector (actor3) also loses its Official key
        handler.approve(3, 0);
        assertEq(uint8(rice.getSale(saleId).state), uint8(IRicePurchase.SaleState.Reinspected));
        assertEq(handler.revocations(), 2);
        assertEq(handler.selfDealings() + handler.staleActs(), 0);
    }

    /// @notice Σ farm allocations ≤ county ≤ province ≤ national.
    function invariant_quotaHierarchyHolds() public view {
        uint256 farms;
        for (uint256 i; i < cast.length; ++i) {
            farms += rice.getAllocation(programId, cast[i]).units;
        }
        farms += rice.getAllocation(programId, farmer).units;
        IRicePurchase.Quota memory county = rice.getQuota(programId, GANGJIN);
        IRicePurchase.Quota memory province = rice.getQuota(programId, JEONNAM);
        IRicePurchase.Quota memory nation = rice.getQuota(programId, NATIONAL);
        assertEq(farms, county.distributed, "farms = county distributed");
        assertLe(county.distributed, county.units, "county");
        assertLe(county.units, province.distributed, "county within province");
        assertLe(province.distributed, province.units, "province");
        assertLe(province.units, nation.distributed, "province within nation");
        assertLe(nation.distributed, nation.units, "nation");
    }

    /// @notice Σ live sales of a farm ≤ its allocation, and `committed` is exactly that sum.
    function invariant_liveSalesWithinAllocation() public view {
        uint256[] memory held = new uint256[](cast.length);
        for (uint256 s; s < handler.saleCount(); ++s) {
            uint256 saleId = handler.saleIds(s);
            IRicePurchase.Sale memory sale = rice.getSale(saleId);
            uint256 units;
            if (sale.state == IRicePurchase.SaleState.Submitted) {
                units = sale.units;
            } else if (sale.state != IRicePurchase.SaleState.Cancelled) {
                units = uint256(sale.gradeSpecial) + sale.gradeFirst + sale.gradeSecond + sale.gradeThird;
            }
            for (uint256 i; i < cast.length; ++i) {
                if (address(uint160(saleId)) == cast[i]) held[i] += units;
            }
        }
        for (uint256 i; i < cast.length; ++i) {
            IRicePurchase.Allocation memory a = rice.getAllocation(programId, cast[i]);
            assertEq(a.committed, held[i], "committed = live units");
            assertLe(a.committed, a.units, "within allocation");
        }
    }

    /// @notice Nothing is approved or paid without an inspection; paid never exceeds what is due.
    function invariant_paidWithinDueAndNothingApprovedUninspected() public view {
        for (uint256 s; s < handler.saleCount(); ++s) {
            uint256 saleId = handler.saleIds(s);
            IRicePurchase.Sale memory sale = rice.getSale(saleId);
            if (uint8(sale.state) >= uint8(IRicePurchase.SaleState.Approved)) {
                assertTrue(sale.inspectorKey != 0 && sale.inspectedAt != 0, "approved without inspection");
                assertTrue(!handler.inspectedBy(saleId, handler.approverOf(saleId)), "approver was an inspector");
            }
            (uint256 interim, uint256 finalAmount,) = rice.settlementOf(saleId);
            uint256 due = finalAmount > interim ? finalAmount : interim;
            assertLe(handler.paid(saleId), due, "paid within due");
        }
    }

    /// @notice No actor ever allocated to, inspected, approved, paid or clawed back its own or its
    /// household's sale, approved what it inspected at any point, re-inspected its own grading,
    /// or confirmed its own final prices.
    function invariant_noActorActedOnItsOwnSale() public view {
        assertEq(handler.selfDealings(), 0, "self-dealing");
    }

    /// @notice No action ever succeeded with a credential that was not live at that moment, and no
    /// dispute came after the programme's dispute period.
    function invariant_noStaleCredentialActed() public view {
        assertEq(handler.staleActs(), 0, "stale credential or late dispute");
    }

    /// @notice Final prices never changed after the programme's first final payment or clawback,
    /// and each confirmation is exactly one more revision.
    function invariant_finalPricesLockAtFirstFinalPayment() public view {
        assertEq(handler.priceChangesAfterLock(), 0, "price change after lock");
    }
}
