// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CredentialRegistry} from "../CredentialRegistry.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {IRicePurchase} from "../interfaces/IRicePurchase.sol";
import {RicePurchase} from "../RicePurchase.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";
import {Test} from "./utils/Test.sol";

/// @notice Drives random sequences of every RicePurchase action by a small cast whose roles
/// overlap on purpose (a farmer who is also an inspector and an official), so the separation
/// rules are exercised, and keeps the ghost records the invariants compare against.
contract RiceHandler is Test {
    RicePurchase internal immutable rice;
    uint32 internal immutable programId;
    uint32 internal constant GANGJIN = 46_810;

    address[] public actors; // every actor holds Farmer, Inspector and Official in 강진군
    uint256[] public saleIds;
    mapping(uint256 saleId => address) public inspectorOf;
    mapping(uint256 saleId => address) public approverOf;
    mapping(uint256 saleId => uint256) public paid;
    uint256 public selfDealings; // successful actions by an actor on its own sale

    constructor(RicePurchase rice_, uint32 programId_, address[] memory actors_) {
        rice = rice_;
        programId = programId_;
        actors = actors_;
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

    function submit(uint256 actorSeed, uint16 units, uint8 packagingSeed) external {
        address actor = _actor(actorSeed);
        IRicePurchase.Packaging packaging = IRicePurchase.Packaging(packagingSeed % 3);
        units = uint16(bound(units, 1, 400));
        if (packaging == IRicePurchase.Packaging.TonBag) units = uint16(bound(units, 1, 20) * 20);
        vm.prank(actor);
        try rice.submitSale(programId, units, packaging, 101, 1) returns (uint256 saleId) {
            saleIds.push(saleId);
        } catch {}
    }

    function cancel(uint256 saleSeed) external {
        uint256 saleId = _sale(saleSeed);
        vm.prank(_seller(saleId));
        try rice.cancelSale(saleId) {} catch {}
    }

    function inspect(uint256 actorSeed, uint256 saleSeed, uint16[4] memory g) external {
        uint256 saleId = _sale(saleSeed);
        if (saleId == 0) return;
        address actor = _actor(actorSeed);
        uint16 units = rice.getSale(saleId).units;
        uint256 remaining = units;
        for (uint256 i; i < 4; ++i) {
            g[i] = uint16(bound(g[i], 0, remaining));
            remaining -= g[i];
        }
        vm.prank(actor);
        try rice.recordInspection(saleId, g, uint16(remaining), 140, keccak256(abi.encode(saleId, actor))) {
            inspectorOf[saleId] = actor;
            if (actor == _seller(saleId)) ++selfDealings;
        } catch {}
    }

    function dispute(uint256 saleSeed) external {
        uint256 saleId = _sale(saleSeed);
        vm.prank(_seller(saleId));
        try rice.disputeInspection(saleId, keccak256("reason")) {} catch {}
    }

    function approve(uint256 actorSeed, uint256 saleSeed) external {
        uint256 saleId = _sale(saleSeed);
        address actor = _actor(actorSeed);
        vm.prank(actor);
        try rice.approvePurchase(saleId) {
            approverOf[saleId] = actor;
            if (actor == _seller(saleId) || actor == inspectorOf[saleId]) ++selfDealings;
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
        vm.prank(actor);
        try rice.recordPayment(saleId, kind, amount, keccak256(abi.encode(saleId, kind))) {
            if (kind != IRicePurchase.PaymentKind.ClawbackRepayment) paid[saleId] += amount;
            if (actor == _seller(saleId)) ++selfDealings;
        } catch {}
    }

    function clawback(uint256 actorSeed, uint256 saleSeed) external {
        uint256 saleId = _sale(saleSeed);
        vm.prank(_actor(actorSeed));
        try rice.recordClawback(saleId) {} catch {}
    }

    function fixPrices(uint32 farmGate) external {
        farmGate = uint32(bound(farmGate, 110_000, 220_000));
        vm.prank(actors[0]); // actors[0] is also a national official
        try rice.setFinalPrices(programId, farmGate, 8_000, 7_200) {} catch {}
    }

    function reallocate(uint256 actorSeed, uint32 units) external {
        address farm = _actor(actorSeed);
        vm.prank(_actor(actorSeed + 1));
        try rice.allocate(programId, GANGJIN, farm, uint32(bound(units, 0, 2_000))) {} catch {}
    }
}

contract RicePurchaseInvariantTest is JangbuFixture {
    RiceHandler internal handler;
    address[] internal cast;

    function setUp() public {
        setUpStack();
        setUpProgram();
        for (uint256 i; i < 4; ++i) {
            address actor = makeAddr(string.concat("actor", vm.toString(i)));
            _credential(actor, ICredentialRegistry.Role.Farmer, GANGJIN);
            _credential(actor, ICredentialRegistry.Role.Inspector, GANGJIN);
            _credential(actor, ICredentialRegistry.Role.Official, GANGJIN);
            vm.prank(countyOfficial);
            rice.allocate(programId, GANGJIN, actor, 1_000);
            cast.push(actor);
        }
        _credential(cast[0], ICredentialRegistry.Role.Official, NATIONAL);
        handler = new RiceHandler(rice, programId, cast);
        targetContract(address(handler));
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
                assertTrue(sale.inspector != address(0), "approved without inspector");
                assertTrue(handler.approverOf(saleId) != sale.inspector, "approver was inspector");
            }
            (uint256 interim, uint256 finalAmount,) = rice.settlementOf(saleId);
            uint256 due = finalAmount > interim ? finalAmount : interim;
            assertLe(handler.paid(saleId), due, "paid within due");
        }
    }

    /// @notice No actor ever inspected, approved or paid its own sale, nor approved what it inspected.
    function invariant_noActorActedOnItsOwnSale() public view {
        assertEq(handler.selfDealings(), 0, "self-dealing");
    }
}
