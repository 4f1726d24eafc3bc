// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {IRicePurchase} from "../interfaces/IRicePurchase.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";

/// @notice Issue 19, holes 1, 2, 3, 10 and 11 on RicePurchase: each attack below ran to success
/// on the code before the fix (the same steps with the old API); here it must stop with the exact
/// custom error, and the legitimate path next to it must still work.
contract RicePurchaseWhoMayActTest is JangbuFixture {
    ICredentialRegistry.Role internal constant FARMER = ICredentialRegistry.Role.Farmer;
    ICredentialRegistry.Role internal constant INSPECTOR = ICredentialRegistry.Role.Inspector;
    ICredentialRegistry.Role internal constant OFFICIAL = ICredentialRegistry.Role.Official;

    function setUp() public {
        setUpStack();
        setUpProgram();
    }

    function _conflict(address actor, address farm) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IRicePurchase.ConflictOfInterest.selector, actor, farm);
    }

    function _state(uint256 saleId) internal view returns (IRicePurchase.SaleState) {
        return rice.getSale(saleId).state;
    }

    // ------------------------------------------------------------ hole 1: household tags

    /// @dev A Farmer/해남 issuer issued a sham credential to a 강진 inspector related to the farmer,
    /// relinked the address's household and revoked the sham: the relative then graded 특등.
    function test_hole1_foreignIssuerCannotUnlinkARelative() public {
        address relative = makeAddr("relativeInspector");
        _credential(relative, INSPECTOR, GANGJIN, _ownHousehold(farmer));
        address haenamIssuer = makeAddr("haenamIssuer");
        registry.setIssuer(haenamIssuer, FARMER, HAENAM, true);
        vm.startPrank(haenamIssuer);
        uint256 sham = registry.issue(
            relative, FARMER, HAENAM, keccak256("sham"), uint64(block.timestamp + 1 days), bytes16(keccak256("other"))
        );
        registry.revoke(sham, bytes32(0));
        vm.stopPrank();
        uint256 saleId = _submit(20);
        vm.expectRevert(_conflict(relative, farmer));
        _inspect(relative, saleId, _grades(20, 0, 0, 0), 0);
    }

    /// @dev Every inspector framed as the farmer's relative: a foreign issuer can no longer do it.
    function test_hole1_foreignIssuerCannotFrameInspectors() public {
        address haenamIssuer = makeAddr("haenamIssuer");
        registry.setIssuer(haenamIssuer, FARMER, HAENAM, true);
        vm.prank(haenamIssuer);
        registry.issue(inspector, FARMER, HAENAM, keccak256("sham"), uint64(block.timestamp + 1 days), _ownHousehold(farmer));
        uint256 saleId = _submit(20);
        _inspect(inspector, saleId, _grades(0, 20, 0, 0), 0); // still graded: the Inspector credential decides
        assertEq(uint8(_state(saleId)), uint8(IRicePurchase.SaleState.Inspected));
    }

    /// @dev A missing tag is refused, never read as "unrelated".
    function test_hole1_untaggedCredentialsAreRefused() public {
        address untagged = makeAddr("untaggedInspector");
        _credential(untagged, INSPECTOR, GANGJIN, bytes16(0));
        uint256 saleId = _submit(20);
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.HouseholdTagMissing.selector, untagged, INSPECTOR, GANGJIN)
        );
        _inspect(untagged, saleId, _grades(0, 20, 0, 0), 0);

        address untaggedFarm = makeAddr("untaggedFarm");
        _credential(untaggedFarm, FARMER, GANGJIN, bytes16(0));
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.HouseholdTagMissing.selector, untaggedFarm, FARMER, GANGJIN)
        );
        vm.prank(countyOfficial);
        rice.allocate(programId, GANGJIN, untaggedFarm, 10);

        address untaggedOfficial = makeAddr("untaggedOfficial");
        _credential(untaggedOfficial, OFFICIAL, GANGJIN, bytes16(0));
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.HouseholdTagMissing.selector, untaggedOfficial, OFFICIAL, GANGJIN)
        );
        vm.prank(untaggedOfficial);
        rice.allocate(programId, GANGJIN, farmer2, 10);
    }

    // ------------------------------------------------------------ hole 2: conflicts at every step

    function test_hole2_officialCannotAllocateToItselfOrItsHousehold() public {
        _credential(countyOfficial, FARMER, GANGJIN);
        vm.expectRevert(_conflict(countyOfficial, countyOfficial));
        vm.prank(countyOfficial);
        rice.allocate(programId, GANGJIN, countyOfficial, 5_000);

        address spouse = makeAddr("spouse");
        _credential(spouse, FARMER, GANGJIN, _ownHousehold(countyOfficial));
        address[] memory farms = new address[](2);
        farms[0] = farmer2;
        farms[1] = spouse;
        uint32[] memory units = new uint32[](2);
        units[0] = 10;
        units[1] = 5_000;
        vm.expectRevert(_conflict(countyOfficial, spouse));
        vm.prank(countyOfficial);
        rice.allocateBatch(programId, GANGJIN, farms, units);
        vm.prank(countyOfficial2); // an unrelated official may
        rice.allocateBatch(programId, GANGJIN, farms, units);
        assertEq(rice.getAllocation(programId, spouse).units, 5_000);
    }

    function test_hole2_householdOfficialCannotApprovePayOrClawBack() public {
        address relative = makeAddr("relativeOfficial");
        _credential(relative, OFFICIAL, GANGJIN, _ownHousehold(farmer));
        uint256 saleId = _submit(farmer, 20, IRicePurchase.Packaging.Bulk);
        _inspect(inspector, saleId, _grades(0, 20, 0, 0), 0);
        vm.expectRevert(_conflict(relative, farmer));
        vm.prank(relative);
        rice.approvePurchase(saleId);
        uint256[] memory ids = new uint256[](1);
        ids[0] = saleId;
        vm.expectRevert(_conflict(relative, farmer));
        vm.prank(relative);
        rice.approvePurchases(ids);
        _approve(saleId);
        vm.expectRevert(_conflict(relative, farmer));
        vm.prank(relative);
        rice.recordPayment(saleId, IRicePurchase.PaymentKind.Interim, 20 * uint256(INTERIM), keccak256("t"));
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 20 * uint256(INTERIM));
        _setFinalPrices(118_000, 8_000, 7_200); // a clawback of 1,400 won a unit
        vm.expectRevert(_conflict(relative, farmer));
        vm.prank(relative);
        rice.recordClawback(saleId);
        vm.prank(countyOfficial);
        rice.recordClawback(saleId);
        vm.expectRevert(_conflict(relative, farmer));
        vm.prank(relative);
        rice.recordPayment(saleId, IRicePurchase.PaymentKind.ClawbackRepayment, 28_000, keccak256("t"));
        _pay(saleId, IRicePurchase.PaymentKind.ClawbackRepayment, 28_000);
        assertEq(uint8(_state(saleId)), uint8(IRicePurchase.SaleState.Settled));
    }

    function test_hole2_householdOfficialCannotSettleFinalBalance() public {
        address relative = makeAddr("relativeOfficial");
        _credential(relative, OFFICIAL, GANGJIN, _ownHousehold(farmer));
        uint256 saleId = _submit(20);
        _inspect(inspector, saleId, _grades(0, 20, 0, 0), 0);
        _approve(saleId);
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 20 * uint256(INTERIM));
        _setFinalPrices(187_268, 8_002, 7_200);
        (,, int256 balance) = rice.settlementOf(saleId);
        vm.expectRevert(_conflict(relative, farmer));
        vm.prank(relative);
        rice.recordPayment(saleId, IRicePurchase.PaymentKind.FinalBalance, uint256(balance), keccak256("t"));
    }

    /// @dev The first inspector of a disputed sale, holding an Official credential, approved the
    /// re-inspected sale (only the last inspector was checked).
    function test_hole2_noInspectorAtAnyPointMayApprove() public {
        _credential(inspector, OFFICIAL, GANGJIN);
        _credential(inspector2, OFFICIAL, GANGJIN);
        uint256 saleId = _submit(20);
        _inspect(inspector, saleId, _grades(0, 10, 10, 0), 0);
        vm.prank(farmer);
        rice.disputeInspection(saleId, keccak256("too low"));
        _inspect(inspector2, saleId, _grades(0, 20, 0, 0), 0);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.InspectorCannotApprove.selector, saleId, inspector));
        vm.prank(inspector);
        rice.approvePurchase(saleId);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.InspectorCannotApprove.selector, saleId, inspector2));
        vm.prank(inspector2);
        rice.approvePurchase(saleId);
        _approve(saleId);
        assertEq(uint8(_state(saleId)), uint8(IRicePurchase.SaleState.Approved));
    }

    // ------------------------------------------------------------ hole 3: revocation in flight

    function _revokeFarmer() internal returns (uint256 id) {
        id = registry.currentId(farmer, FARMER, GANGJIN);
        registry.revoke(id, keccak256("phone lost"));
    }

    /// @dev A farmer's revoked key (a lost phone) still cancelled a delivered sale and disputed.
    function test_hole3_revokedFarmerKeyCannotCancelOrDispute() public {
        uint256 a = _submit(20);
        uint256 b = _submit(20);
        _inspect(inspector, b, _grades(0, 20, 0, 0), 0);
        _revokeFarmer();
        bytes memory stale = abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, farmer, FARMER, GANGJIN);
        vm.expectRevert(stale);
        vm.prank(farmer);
        rice.cancelSale(a);
        vm.expectRevert(stale);
        vm.prank(farmer);
        rice.disputeInspection(b, keccak256("stolen phone disputes"));
    }

    function test_hole3_revokedActorsStopAtOnce() public {
        uint256 saleId = _submit(20);
        registry.revoke(registry.currentId(inspector, INSPECTOR, GANGJIN), bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, inspector, INSPECTOR, GANGJIN));
        _inspect(inspector, saleId, _grades(0, 20, 0, 0), 0);
        _inspect(inspector2, saleId, _grades(0, 20, 0, 0), 0);
        registry.revoke(registry.currentId(countyOfficial, OFFICIAL, GANGJIN), bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, countyOfficial, OFFICIAL, GANGJIN)
        );
        _approve(saleId);
    }

    /// @dev The farm's new address, named successor by its issuer, completes the old sales: it
    /// cancels and disputes them; the officials inspect, approve and pay them against the
    /// successor's household; the county moves the unsold quota to the new address.
    function test_hole3_successorCompletesTheOldSales() public {
        uint256 delivered = _submit(20);
        uint256 waiting = _submit(20);
        _inspect(inspector, delivered, _grades(0, 10, 10, 0), 0);
        uint256 oldId = _revokeFarmer();
        address newPhone = makeAddr("newPhone");

        // Before a successor is named nobody answers for the farm: nothing moves.
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.NotSeller.selector, waiting, newPhone));
        vm.prank(newPhone);
        rice.cancelSale(waiting);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, farmer, FARMER, GANGJIN));
        _inspect(inspector, waiting, _grades(0, 20, 0, 0), 0);

        uint256 newId = _credential(newPhone, FARMER, GANGJIN, _ownHousehold(farmer));
        vm.expectEmit(true, true, true, true, address(registry));
        emit ICredentialRegistry.SuccessorNamed(oldId, newId, address(this), farmer);
        registry.nameSuccessor(oldId, newId);

        vm.prank(newPhone);
        rice.disputeInspection(delivered, keccak256("grade too low"));
        _inspect(inspector2, delivered, _grades(0, 20, 0, 0), 0);
        _approve(delivered);
        _pay(delivered, IRicePurchase.PaymentKind.Interim, 20 * uint256(INTERIM));
        assertEq(uint8(_state(delivered)), uint8(IRicePurchase.SaleState.InterimPaid));
        vm.prank(newPhone);
        rice.cancelSale(waiting);
        assertEq(uint8(_state(waiting)), uint8(IRicePurchase.SaleState.Cancelled));

        // The household of the farm is the successor's: a relative of the farm is still refused.
        address relative = makeAddr("relativeOfficial");
        _credential(relative, OFFICIAL, GANGJIN, _ownHousehold(farmer));
        uint256 third = rice.saleIdOf(programId, GANGJIN, 3, farmer);
        assertEq(third, third); // (no third sale: the old key cannot submit)
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, farmer, FARMER, GANGJIN));
        _submit(20);

        // Unsold quota moves: the old address can only be lowered, the new one allocated.
        vm.startPrank(countyOfficial);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, farmer, FARMER, GANGJIN));
        rice.allocate(programId, GANGJIN, farmer, 1_001);
        rice.allocate(programId, GANGJIN, farmer, 20);
        rice.allocate(programId, GANGJIN, newPhone, 980);
        vm.stopPrank();
        assertEq(rice.getAllocation(programId, farmer).units, 20);
        _submit(newPhone, 20, IRicePurchase.Packaging.Bag40);
        assertEq(rice.getAllocation(programId, newPhone).committed, 20);
    }

    // ------------------------------------------------------------ hole 10: dispute period

    function test_hole10_disputeOnlyWithinThePeriod() public {
        uint256 onTime = _submit(20);
        uint256 late = _submit(20);
        _inspect(inspector, onTime, _grades(0, 20, 0, 0), 0);
        _inspect(inspector, late, _grades(0, 20, 0, 0), 0);
        uint256 deadline = block.timestamp + DISPUTE_PERIOD;
        vm.warp(deadline);
        vm.prank(farmer);
        rice.disputeInspection(onTime, keccak256("last day"));
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.DisputePeriodOver.selector, late, deadline));
        vm.prank(farmer);
        rice.disputeInspection(late, keccak256("late"));
    }

    // ------------------------------------------------------------ hole 11: final prices

    function test_hole11_notDuringTheDeliveryWindow() public {
        uint40 end = rice.getProgram(programId).deliveryEnd;
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.DeliveryWindowOpen.selector, programId, end));
        vm.prank(nationalOfficial);
        rice.setFinalPrices(programId, 187_268, 8_002, 7_200);
    }

    function test_hole11_oneKeyIsNotEnough() public {
        vm.warp(uint256(rice.getProgram(programId).deliveryEnd) + 1);
        vm.prank(nationalOfficial);
        rice.setFinalPrices(programId, 187_268, 8_002, 7_200);
        assertEq(rice.getGradePrices(programId).first, 0);
        // The proposer itself, or its household, cannot confirm.
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.ConfirmationNotIndependent.selector, programId, nationalOfficial)
        );
        vm.prank(nationalOfficial);
        rice.confirmFinalPrices(programId, 187_268, 8_002, 7_200);
        address spouse = makeAddr("spouseOfficial");
        _credential(spouse, OFFICIAL, NATIONAL, _ownHousehold(nationalOfficial));
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.ConfirmationNotIndependent.selector, programId, spouse));
        vm.prank(spouse);
        rice.confirmFinalPrices(programId, 187_268, 8_002, 7_200);
        // Another Official confirming other inputs confirms nothing.
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.PriceProposalMismatch.selector, programId));
        vm.prank(nationalOfficial2);
        rice.confirmFinalPrices(programId, 187_268, 8_002, 7_300);
        // A county official is not a national one.
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, countyOfficial, OFFICIAL, NATIONAL));
        vm.prank(countyOfficial);
        rice.confirmFinalPrices(programId, 187_268, 8_002, 7_200);
        // A proposer revoked meanwhile proposes nothing.
        registry.revoke(registry.currentId(nationalOfficial, OFFICIAL, NATIONAL), bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, nationalOfficial, OFFICIAL, NATIONAL)
        );
        vm.prank(nationalOfficial2);
        rice.confirmFinalPrices(programId, 187_268, 8_002, 7_200);
    }

    function test_hole11_correctableUntilTheFirstFinalPayment() public {
        uint256 saleId = _submit(20);
        _inspect(inspector, saleId, _grades(0, 20, 0, 0), 0);
        _approve(saleId);
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 20 * uint256(INTERIM));
        _setFinalPrices(187_286, 8_002, 7_200); // a typo in the farm-gate price
        assertEq(rice.getProgram(programId).priceRevision, 1);

        // Corrected, by both again; the event says which revision.
        uint32[4] memory corrected = rice.computeGradePrices(187_268, 8_002, 7_200);
        vm.prank(nationalOfficial2);
        rice.setFinalPrices(programId, 187_268, 8_002, 7_200);
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.FinalPricesSet(programId, nationalOfficial, 187_268, 8_002, 7_200, corrected, nationalOfficial2, 2);
        vm.prank(nationalOfficial);
        rice.confirmFinalPrices(programId, 187_268, 8_002, 7_200);
        assertEq(rice.getGradePrices(programId).first, 64_530);

        (,, int256 balance) = rice.settlementOf(saleId);
        _pay(saleId, IRicePurchase.PaymentKind.FinalBalance, uint256(balance));
        assertTrue(rice.getProgram(programId).finalPricesLocked);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.FinalPricesLocked.selector, programId));
        vm.prank(nationalOfficial);
        rice.setFinalPrices(programId, 190_000, 8_002, 7_200);
    }

    function test_hole11_aClawbackLocksThePricesToo() public {
        uint256 saleId = _submit(20);
        _inspect(inspector, saleId, _grades(0, 20, 0, 0), 0);
        _approve(saleId);
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 20 * uint256(INTERIM));
        _setFinalPrices(118_000, 8_000, 7_200);
        vm.prank(nationalOfficial);
        rice.setFinalPrices(programId, 187_268, 8_002, 7_200); // a pending correction
        vm.prank(countyOfficial);
        rice.recordClawback(saleId);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.FinalPricesLocked.selector, programId));
        vm.prank(nationalOfficial2);
        rice.confirmFinalPrices(programId, 187_268, 8_002, 7_200);
    }
}
