// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICommonErrors} from "../interfaces/ICommonErrors.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {IRicePurchase} from "../interfaces/IRicePurchase.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";

contract RicePurchaseTest is JangbuFixture {
    function setUp() public {
        setUpStack();
        setUpProgram();
    }

    // ------------------------------------------------------------ programmes and quotas

    function test_createProgram_storesAndEmits() public {
        IRicePurchase.ProgramParams memory p = _params();
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.ProgramCreated(
            2,
            nationalOfficial,
            2026,
            11_250_000,
            INTERIM,
            BULK_DEDUCTION,
            p.deliveryStart,
            p.deliveryEnd,
            p.varieties,
            DISPUTE_PERIOD
        );
        vm.prank(nationalOfficial);
        uint32 id = rice.createProgram(p);
        assertEq(id, 2);
        IRicePurchase.Program memory stored = rice.getProgram(id);
        assertEq(stored.interimPerUnit, INTERIM);
        assertEq(stored.cropYear, 2026);
        assertEq(stored.varietyB, 102);
        assertEq(rice.getQuota(id, NATIONAL).units, 11_250_000);
    }

    function test_createProgram_revertsForCountyOfficial() public {
        vm.expectRevert(RiceErrors.credential(countyOfficial, ICredentialRegistry.Role.Official, NATIONAL));
        vm.prank(countyOfficial);
        rice.createProgram(_params());
    }

    function test_createProgram_revertsOnBadParams() public {
        IRicePurchase.ProgramParams memory p = _params();
        p.deliveryEnd = p.deliveryStart;
        vm.expectRevert(IRicePurchase.InvalidProgramParams.selector);
        vm.prank(nationalOfficial);
        rice.createProgram(p);
        p = _params();
        p.bulkDeduction = INTERIM;
        vm.expectRevert(IRicePurchase.InvalidProgramParams.selector);
        vm.prank(nationalOfficial);
        rice.createProgram(p);
        p = _params();
        p.disputePeriod = 0;
        vm.expectRevert(IRicePurchase.InvalidProgramParams.selector);
        vm.prank(nationalOfficial);
        rice.createProgram(p);
    }

    function test_getProgram_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.ProgramNotFound.selector, uint32(9)));
        rice.getProgram(9);
    }

    function test_allocateRegion_movesQuotaDownTheHierarchy() public {
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.RegionAllocated(programId, HAENAM, provinceOfficial, JEONNAM, 50_000);
        vm.prank(provinceOfficial);
        rice.allocateRegion(programId, HAENAM, 50_000);
        assertEq(rice.getQuota(programId, JEONNAM).distributed, 150_000);
        // Lowering a county's quota frees the province's share.
        vm.prank(provinceOfficial);
        rice.allocateRegion(programId, HAENAM, 20_000);
        assertEq(rice.getQuota(programId, JEONNAM).distributed, 120_000);
        assertEq(rice.getQuota(programId, NATIONAL).distributed, 1_000_000);
    }

    function test_allocateRegion_revertsOverParent() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.QuotaExceedsParent.selector, HAENAM, uint64(900_001), uint64(900_000))
        );
        vm.prank(provinceOfficial);
        rice.allocateRegion(programId, HAENAM, 900_001);
    }

    function test_allocateRegion_revertsBelowDistributed() public {
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.QuotaBelowCommitted.selector, uint64(999), uint64(1_000)));
        vm.prank(provinceOfficial);
        rice.allocateRegion(programId, GANGJIN, 999);
    }

    function test_allocateRegion_revertsForWrongLevelOrRegion() public {
        vm.expectRevert(RiceErrors.credential(countyOfficial, ICredentialRegistry.Role.Official, JEONNAM));
        vm.prank(countyOfficial);
        rice.allocateRegion(programId, HAENAM, 1);
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.InvalidRegion.selector, NATIONAL));
        vm.prank(nationalOfficial);
        rice.allocateRegion(programId, NATIONAL, 1);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.ProgramNotFound.selector, uint32(7)));
        vm.prank(nationalOfficial);
        rice.allocateRegion(7, JEONNAM, 1);
    }

    function test_allocate_setsFarmAllocation() public {
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.QuotaAllocated(programId, farmer2, countyOfficial, GANGJIN, 300);
        vm.prank(countyOfficial);
        rice.allocate(programId, GANGJIN, farmer2, 300);
        IRicePurchase.Allocation memory a = rice.getAllocation(programId, farmer2);
        assertEq(a.units, 300);
        assertEq(a.region, GANGJIN);
        assertEq(rice.getQuota(programId, GANGJIN).distributed, 1_300);
    }

    function test_allocate_revertsForFarmerWithoutCredentialOrOtherCounty() public {
        vm.expectRevert(RiceErrors.credential(outsider, ICredentialRegistry.Role.Farmer, GANGJIN));
        vm.prank(countyOfficial);
        rice.allocate(programId, GANGJIN, outsider, 10);

        vm.prank(provinceOfficial);
        rice.allocateRegion(programId, HAENAM, 1_000);
        _credential(farmer, ICredentialRegistry.Role.Farmer, HAENAM);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.FarmAllocatedElsewhere.selector, farmer, GANGJIN));
        vm.prank(haenamOfficial);
        rice.allocate(programId, HAENAM, farmer, 10);
    }

    function test_allocate_revertsForWrongRegionOfficialOrProvinceRegion() public {
        vm.expectRevert(RiceErrors.credential(haenamOfficial, ICredentialRegistry.Role.Official, GANGJIN));
        vm.prank(haenamOfficial);
        rice.allocate(programId, GANGJIN, farmer2, 10);
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.InvalidRegion.selector, JEONNAM));
        vm.prank(provinceOfficial);
        rice.allocate(programId, JEONNAM, farmer2, 10);
    }

    function test_allocate_revertsBelowSoldUnits() public {
        _submit(600);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.QuotaBelowCommitted.selector, uint64(599), uint64(600)));
        vm.prank(countyOfficial);
        rice.allocate(programId, GANGJIN, farmer, 599);
    }

    function test_allocateBatch_allOrNothing() public {
        address[] memory farmers = new address[](2);
        uint32[] memory units = new uint32[](2);
        farmers[0] = farmer2;
        units[0] = 500;
        farmers[1] = outsider; // no credential: the whole batch fails
        units[1] = 500;
        vm.expectRevert(RiceErrors.credential(outsider, ICredentialRegistry.Role.Farmer, GANGJIN));
        vm.prank(countyOfficial);
        rice.allocateBatch(programId, GANGJIN, farmers, units);
        assertEq(rice.getAllocation(programId, farmer2).units, 0);

        farmers[1] = farmer;
        vm.prank(countyOfficial);
        rice.allocateBatch(programId, GANGJIN, farmers, units);
        assertEq(rice.getAllocation(programId, farmer2).units, 500);
        assertEq(rice.getAllocation(programId, farmer).units, 500);
        assertEq(rice.getQuota(programId, GANGJIN).distributed, 1_000);
    }

    function test_allocateBatch_revertsOnShape() public {
        address[] memory farmers = new address[](1);
        uint32[] memory units = new uint32[](2);
        vm.startPrank(countyOfficial);
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.ArrayLengthMismatch.selector, uint256(1), uint256(2)));
        rice.allocateBatch(programId, GANGJIN, farmers, units);
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.BatchSizeInvalid.selector, uint256(0), uint256(100)));
        rice.allocateBatch(programId, GANGJIN, new address[](0), new uint32[](0));
        vm.stopPrank();
    }

    // ------------------------------------------------------------ sales

    function test_submitSale_recordsSaleAndEmits() public {
        uint256 expectedId = rice.saleIdOf(programId, GANGJIN, 1, farmer);
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.SaleSubmitted(
            expectedId, programId, farmer, GANGJIN, 40, IRicePurchase.Packaging.TonBag, 101, COLLECTION_POINT, _today()
        );
        uint256 saleId = _submit(farmer, 40, IRicePurchase.Packaging.TonBag);
        assertEq(saleId, expectedId);
        IRicePurchase.Sale memory s = rice.getSale(saleId);
        assertEq(s.units, 40);
        assertEq(uint256(s.state), uint256(IRicePurchase.SaleState.Submitted));
        assertEq(uint256(s.packaging), uint256(IRicePurchase.Packaging.TonBag));
        // The slot is written whole (see RicePurchase._openSale): every other field reads back.
        assertEq(s.interimPerUnit, INTERIM);
        assertEq(uint256(s.gradeSpecial) + s.gradeFirst + s.gradeSecond + s.gradeThird, 0);
        assertEq(s.inspectedAt, 0);
        assertEq(s.inspectorKey, 0);
        assertEq(s.firstInspectorKey, 0);
        assertEq(rice.getAllocation(programId, farmer).committed, 40);
        assertEq(rice.getAllocation(programId, farmer).saleCount, 1);
    }

    function test_submitSale_marksNonDesignatedVariety() public {
        uint256 expectedId = rice.saleIdOf(programId, GANGJIN, 1, farmer);
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.SaleSubmitted(
            expectedId, programId, farmer, GANGJIN, 5, IRicePurchase.Packaging.Bag40, 555, COLLECTION_POINT, _today()
        );
        vm.prank(farmer);
        rice.submitSale(programId, 5, IRicePurchase.Packaging.Bag40, 555, COLLECTION_POINT, _today());
    }

    function test_submitSale_revertsWhenOverAllocation() public {
        _submit(900);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.ExceedsAllocation.selector, uint32(101), uint32(100)));
        _submit(101);
    }

    function test_submitSale_revertsWithoutAllocation() public {
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.NoAllocation.selector, programId, farmer2));
        _submit(farmer2, 1, IRicePurchase.Packaging.Bag40);
    }

    function test_submitSale_revertsOutsideWindow() public {
        IRicePurchase.Program memory p = rice.getProgram(programId);
        vm.warp(p.deliveryEnd + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.OutsideDeliveryWindow.selector, p.deliveryStart, p.deliveryEnd)
        );
        _submit(1);
    }

    function test_submitSale_revertsOnBadUnits() public {
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.InvalidUnits.selector, uint256(0)));
        _submit(0);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.InvalidUnits.selector, uint256(30)));
        _submit(farmer, 30, IRicePurchase.Packaging.TonBag); // 1.5 톤백
    }

    function test_submitSale_revertsForRevokedFarmer() public {
        registry.revoke(registry.currentId(farmer, ICredentialRegistry.Role.Farmer, GANGJIN), bytes32(0));
        vm.expectRevert(RiceErrors.credential(farmer, ICredentialRegistry.Role.Farmer, GANGJIN));
        _submit(1);
    }

    function test_submitSale_revertsForExpiredFarmer() public {
        vm.warp(block.timestamp + YEAR);
        vm.expectRevert(RiceErrors.credential(farmer, ICredentialRegistry.Role.Farmer, GANGJIN));
        _submit(1);
    }

    function test_cancelSale_releasesAllocation() public {
        uint256 saleId = _submit(100);
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.SaleCancelled(saleId, farmer);
        vm.prank(farmer);
        rice.cancelSale(saleId);
        assertEq(uint256(rice.getSale(saleId).state), uint256(IRicePurchase.SaleState.Cancelled));
        assertEq(rice.getAllocation(programId, farmer).committed, 0);
    }

    function test_cancelSale_revertsForOthersAndAfterInspection() public {
        uint256 saleId = _submit(10);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.NotSeller.selector, saleId, countyOfficial));
        vm.prank(countyOfficial);
        rice.cancelSale(saleId);
        _inspect(inspector, saleId, _grades(0, 10, 0, 0), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.Inspected)
        );
        vm.prank(farmer);
        rice.cancelSale(saleId);
    }

    function test_getSale_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.SaleNotFound.selector, uint256(1)));
        rice.getSale(1);
    }

    // ------------------------------------------------------------ inspection

    function test_recordInspection_gradesAndReleasesRejected() public {
        uint256 saleId = _submit(100);
        bytes32 cert = keccak256("cert");
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.SaleInspected(saleId, inspector, _grades(10, 60, 20, 5), 5, 142, cert, false);
        vm.prank(inspector);
        rice.recordInspection(saleId, _grades(10, 60, 20, 5), 5, 142, cert);
        IRicePurchase.Sale memory s = rice.getSale(saleId);
        assertEq(uint256(s.state), uint256(IRicePurchase.SaleState.Inspected));
        assertEq(s.gradeFirst, 60);
        assertEq(s.inspectorKey, uint32(uint160(inspector)));
        assertEq(s.firstInspectorKey, uint32(uint160(inspector)));
        assertEq(s.inspectedAt, block.timestamp);
        assertEq(rice.getAllocation(programId, farmer).committed, 95);
    }

    function test_recordInspection_allRejectedIsRejected() public {
        uint256 saleId = _submit(10);
        _inspect(inspector, saleId, _grades(0, 0, 0, 0), 10);
        assertEq(uint256(rice.getSale(saleId).state), uint256(IRicePurchase.SaleState.Rejected));
        assertEq(rice.getAllocation(programId, farmer).committed, 0);
    }

    function test_recordInspection_revertsForSeller() public {
        _credential(farmer, ICredentialRegistry.Role.Inspector, GANGJIN);
        uint256 saleId = _submit(10);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.SellerCannotInspect.selector, saleId));
        _inspect(farmer, saleId, _grades(0, 10, 0, 0), 0);
    }

    /// @dev An inspector from the seller's household is refused before anything is graded.
    function test_recordInspection_revertsOnSharedHousehold() public {
        address relative = makeAddr("relativeInspector");
        _credential(relative, ICredentialRegistry.Role.Inspector, GANGJIN, _ownHousehold(farmer));
        uint256 saleId = _submit(10);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.ConflictOfInterest.selector, relative, farmer));
        _inspect(relative, saleId, _grades(0, 10, 0, 0), 0);
        _inspect(inspector2, saleId, _grades(0, 10, 0, 0), 0); // an unrelated inspector may
        assertEq(rice.getSale(saleId).inspectorKey, uint32(uint160(inspector2)));
    }

    function test_recordInspection_revertsForNonInspectorOrOtherRegion() public {
        uint256 saleId = _submit(10);
        vm.expectRevert(RiceErrors.credential(countyOfficial, ICredentialRegistry.Role.Inspector, GANGJIN));
        _inspect(countyOfficial, saleId, _grades(0, 10, 0, 0), 0);
        address haenamInspector = makeAddr("haenamInspector");
        _credential(haenamInspector, ICredentialRegistry.Role.Inspector, HAENAM);
        vm.expectRevert(RiceErrors.credential(haenamInspector, ICredentialRegistry.Role.Inspector, GANGJIN));
        _inspect(haenamInspector, saleId, _grades(0, 10, 0, 0), 0);
    }

    function test_recordInspection_revertsOnMoistureUnitsAndHash() public {
        uint256 saleId = _submit(10);
        vm.startPrank(inspector);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.MoistureOutOfRange.selector, uint16(129)));
        rice.recordInspection(saleId, _grades(0, 10, 0, 0), 0, 129, keccak256("c"));
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.MoistureOutOfRange.selector, uint16(151)));
        rice.recordInspection(saleId, _grades(0, 10, 0, 0), 0, 151, keccak256("c"));
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InspectionUnitsMismatch.selector, saleId, uint256(10), uint256(11))
        );
        rice.recordInspection(saleId, _grades(0, 10, 0, 0), 1, 140, keccak256("c"));
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        rice.recordInspection(saleId, _grades(0, 10, 0, 0), 0, 140, bytes32(0));
        vm.stopPrank();
    }

    function test_recordInspection_revertsOnWrongStateAndUnknownSale() public {
        uint256 saleId = _submit(10);
        _inspect(inspector, saleId, _grades(0, 10, 0, 0), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.Inspected)
        );
        _inspect(inspector2, saleId, _grades(0, 10, 0, 0), 0);
        uint256 ghost = rice.saleIdOf(programId, GANGJIN, 99, farmer);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.SaleNotFound.selector, ghost));
        _inspect(inspector, ghost, _grades(0, 10, 0, 0), 0);
    }

    function test_recordInspections_batch() public {
        IRicePurchase.Inspection[] memory batch = new IRicePurchase.Inspection[](3);
        for (uint256 i; i < 3; ++i) {
            uint256 saleId = _submit(20);
            batch[i] = IRicePurchase.Inspection(saleId, _grades(0, 18, 2, 0), 0, 140, keccak256(abi.encode(i)));
        }
        vm.prank(inspector);
        rice.recordInspections(batch);
        for (uint256 i; i < 3; ++i) {
            assertEq(uint256(rice.getSale(batch[i].saleId).state), uint256(IRicePurchase.SaleState.Inspected));
        }
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.BatchSizeInvalid.selector, uint256(101), uint256(100)));
        vm.prank(inspector);
        rice.recordInspections(new IRicePurchase.Inspection[](101));
    }

    // ------------------------------------------------------------ disputes

    function test_dispute_thenReinspectionByAnotherInspector() public {
        uint256 saleId = _submit(50);
        _inspect(inspector, saleId, _grades(0, 0, 40, 0), 10);
        bytes32 reason = keccak256("moisture meter miscalibrated");
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.SaleDisputed(saleId, farmer, reason);
        vm.prank(farmer);
        rice.disputeInspection(saleId, reason);

        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.SameInspector.selector, saleId, inspector));
        _inspect(inspector, saleId, _grades(0, 50, 0, 0), 0);

        vm.expectEmit(true, true, true, false, address(rice));
        emit IRicePurchase.SaleInspected(saleId, inspector2, _grades(0, 50, 0, 0), 0, 140, bytes32(0), true);
        _inspect(inspector2, saleId, _grades(0, 50, 0, 0), 0);
        IRicePurchase.Sale memory s = rice.getSale(saleId);
        assertEq(uint256(s.state), uint256(IRicePurchase.SaleState.Reinspected));
        assertEq(s.inspectorKey, uint32(uint160(inspector2)));
        assertEq(s.firstInspectorKey, uint32(uint160(inspector)));
        assertEq(rice.getAllocation(programId, farmer).committed, 50);

        // Only one dispute.
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.Reinspected)
        );
        vm.prank(farmer);
        rice.disputeInspection(saleId, reason);
    }

    function test_dispute_ofRejectionCanEndRejectedAgain() public {
        uint256 saleId = _submit(10);
        _inspect(inspector, saleId, _grades(0, 0, 0, 0), 10);
        vm.prank(farmer);
        rice.disputeInspection(saleId, keccak256("r"));
        _inspect(inspector2, saleId, _grades(0, 0, 0, 0), 10);
        assertEq(uint256(rice.getSale(saleId).state), uint256(IRicePurchase.SaleState.RejectedOnReinspection));
    }

    function test_dispute_reinspectionCannotExceedAllocationReused() public {
        uint256 saleId = _submit(1_000);
        _inspect(inspector, saleId, _grades(0, 0, 0, 0), 1_000);
        _submit(1_000); // the released units are sold again
        vm.prank(farmer);
        rice.disputeInspection(saleId, keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.ExceedsAllocation.selector, uint32(1_000), uint32(0)));
        _inspect(inspector2, saleId, _grades(0, 1_000, 0, 0), 0);
    }

    function test_dispute_revertsForOthersBadStateOrZeroReason() public {
        uint256 saleId = _submit(10);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.Submitted)
        );
        vm.prank(farmer);
        rice.disputeInspection(saleId, keccak256("r"));
        _inspect(inspector, saleId, _grades(0, 10, 0, 0), 0);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.NotSeller.selector, saleId, farmer2));
        vm.prank(farmer2);
        rice.disputeInspection(saleId, keccak256("r"));
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        vm.prank(farmer);
        rice.disputeInspection(saleId, bytes32(0));
    }

    // ------------------------------------------------------------ approval

    function test_approvePurchase_computesInterim() public {
        uint256 saleId = _submit(100);
        _inspect(inspector, saleId, _grades(10, 80, 5, 0), 5);
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.PurchaseApproved(saleId, countyOfficial, 95, 95 * uint256(INTERIM));
        _approve(saleId);
        assertEq(uint256(rice.getSale(saleId).state), uint256(IRicePurchase.SaleState.Approved));
    }

    function test_approvePurchase_separationOfDuties() public {
        uint256 saleId = _submit(10);
        _inspect(inspector, saleId, _grades(0, 10, 0, 0), 0);
        // The seller, even holding an Official credential, cannot approve.
        _credential(farmer, ICredentialRegistry.Role.Official, GANGJIN);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.SellerCannotApprove.selector, saleId));
        vm.prank(farmer);
        rice.approvePurchase(saleId);
        // The inspector, even holding an Official credential, cannot approve.
        _credential(inspector, ICredentialRegistry.Role.Official, GANGJIN);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.InspectorCannotApprove.selector, saleId, inspector));
        vm.prank(inspector);
        rice.approvePurchase(saleId);
        // An official of another county cannot approve.
        vm.expectRevert(RiceErrors.credential(haenamOfficial, ICredentialRegistry.Role.Official, GANGJIN));
        vm.prank(haenamOfficial);
        rice.approvePurchase(saleId);
    }

    function test_approvePurchase_revertsUninspectedOrDisputed() public {
        uint256 saleId = _submit(10);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.Submitted)
        );
        _approve(saleId);
        _inspect(inspector, saleId, _grades(0, 10, 0, 0), 0);
        vm.prank(farmer);
        rice.disputeInspection(saleId, keccak256("r"));
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.Disputed)
        );
        _approve(saleId);
    }

    function test_approvePurchases_batch() public {
        uint256[] memory ids = new uint256[](2);
        ids[0] = _submit(10);
        ids[1] = _submit(20);
        _inspect(inspector, ids[0], _grades(0, 10, 0, 0), 0);
        _inspect(inspector, ids[1], _grades(0, 20, 0, 0), 0);
        vm.prank(countyOfficial);
        rice.approvePurchases(ids);
        assertEq(uint256(rice.getSale(ids[1]).state), uint256(IRicePurchase.SaleState.Approved));
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.BatchSizeInvalid.selector, uint256(0), uint256(100)));
        vm.prank(countyOfficial);
        rice.approvePurchases(new uint256[](0));
    }

    // ------------------------------------------------------------ prices and payments

    function test_computeGradePrices_2022Published() public view {
        // (187,268 − 8,002) × 72 % ÷ 2 = 64,535.76 → 특 66,660, 1등 64,530, 2등 61,670, 3등 54,890.
        uint32[4] memory p = rice.computeGradePrices(187_268, 8_002, 7_200);
        assertEq(p[0], 66_660, "2022 special");
        assertEq(p[1], 64_530, "2022 first");
        assertEq(p[2], 61_670, "2022 second");
        assertEq(p[3], 54_890, "2022 third");
        // Rounding 1등 first would give 64,530 × 1.033 = 66,659.5 → 66,650: 10 won off.
        assertTrue(p[0] != (uint256(64_530) * 10_330 / 10_000) / 10 * 10);
    }

    function test_computeGradePrices_2024Published() public view {
        // 2024 harvest-season rice price 184,700 won / 80 kg. Published: 특 65,600, 1등 63,510,
        // 2등 60,690, 3등 54,020. The milling fee is not in the announcement; 8,280 is inside the
        // range (8,272, 8,283] for which all four published prices follow.
        uint32[4] memory p = rice.computeGradePrices(184_700, 8_280, 7_200);
        assertEq(p[0], 65_600, "2024 special");
        assertEq(p[1], 63_510, "2024 first");
        assertEq(p[2], 60_690, "2024 second");
        assertEq(p[3], 54_020, "2024 third");
    }

    function test_setFinalPrices_proposedThenConfirmedAndEmits() public {
        uint32[4] memory expected = [uint32(66_660), 64_530, 61_670, 54_890];
        vm.warp(block.timestamp + 61 days);
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.FinalPricesProposed(programId, nationalOfficial, 187_268, 8_002, 7_200, expected);
        vm.prank(nationalOfficial);
        rice.setFinalPrices(programId, 187_268, 8_002, 7_200);
        assertFalse(rice.getProgram(programId).finalPricesSet); // nothing until confirmed
        assertEq(rice.getPriceProposal(programId).proposer, nationalOfficial);

        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.FinalPricesSet(
            programId, nationalOfficial2, 187_268, 8_002, 7_200, expected, nationalOfficial, 1
        );
        vm.prank(nationalOfficial2);
        rice.confirmFinalPrices(programId, 187_268, 8_002, 7_200);
        assertEq(rice.getGradePrices(programId).special, 66_660);
        assertTrue(rice.getProgram(programId).finalPricesSet);
        assertEq(rice.getProgram(programId).priceRevision, 1);
        assertEq(rice.getPriceProposal(programId).proposer, address(0));
    }

    function test_setFinalPrices_revertsOnBadInputsOrRole() public {
        vm.warp(block.timestamp + 61 days);
        vm.startPrank(nationalOfficial);
        vm.expectRevert(IRicePurchase.InvalidPriceInputs.selector);
        rice.setFinalPrices(programId, 8_000, 8_000, 7_200);
        vm.expectRevert(IRicePurchase.InvalidPriceInputs.selector);
        rice.setFinalPrices(programId, 187_268, 8_002, 0);
        vm.expectRevert(IRicePurchase.InvalidPriceInputs.selector);
        rice.setFinalPrices(programId, 187_268, 8_002, 10_001);
        vm.expectRevert(IRicePurchase.InvalidPriceInputs.selector); // 3등 price below the bulk deduction
        rice.setFinalPrices(programId, 10_000, 8_000, 7_200);
        vm.stopPrank();
        vm.expectRevert(RiceErrors.credential(countyOfficial, ICredentialRegistry.Role.Official, NATIONAL));
        vm.prank(countyOfficial);
        rice.setFinalPrices(programId, 187_268, 8_002, 7_200);
    }

    /// @dev The whole path of a sale with a positive balance: interim, then the final top-up.
    function test_payments_interimThenFinalTopUp() public {
        uint256 saleId = _submit(100);
        _inspect(inspector, saleId, _grades(10, 80, 10, 0), 0);
        _approve(saleId);

        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.WrongPaymentAmount.selector, saleId, 4_000_000, uint256(3_999_999))
        );
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 3_999_999);
        bytes32 ref = keccak256(abi.encode("transfer", saleId, IRicePurchase.PaymentKind.Interim));
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.PaymentRecorded(saleId, IRicePurchase.PaymentKind.Interim, 4_000_000, ref, countyOfficial);
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 4_000_000);

        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.FinalPricesNotSet.selector, programId));
        _pay(saleId, IRicePurchase.PaymentKind.FinalBalance, 0);

        _setFinalPrices(187_268, 8_002, 7_200);
        uint256 expectedFinal = 10 * 66_660 + 80 * 64_530 + 10 * 61_670;
        (uint256 interim, uint256 finalAmount, int256 balance) = rice.settlementOf(saleId);
        assertEq(interim, 4_000_000);
        assertEq(finalAmount, expectedFinal);
        assertEq(balance, int256(expectedFinal) - 4_000_000);

        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.WrongPaymentKind.selector, saleId, IRicePurchase.PaymentKind.ClawbackRepayment)
        );
        vm.prank(countyOfficial);
        rice.recordClawback(saleId);

        _pay(saleId, IRicePurchase.PaymentKind.FinalBalance, expectedFinal - 4_000_000);
        assertEq(uint256(rice.getSale(saleId).state), uint256(IRicePurchase.SaleState.Settled));
    }

    /// @dev Final below interim (as in 2016): the balance is a debt, recorded, then repaid exactly.
    function test_payments_clawbackWhenFinalBelowInterim() public {
        uint256 saleId = _submit(farmer, 20, IRicePurchase.Packaging.Bulk);
        _inspect(inspector, saleId, _grades(0, 20, 0, 0), 0);
        _approve(saleId);
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 20 * uint256(INTERIM));
        // (118,000 − 8,000) × 72 % ÷ 2 = 39,600 for 1등; bulk paddy − 1,000 → 38,600 < 40,000.
        _setFinalPrices(118_000, 8_000, 7_200);
        (, uint256 finalAmount, int256 balance) = rice.settlementOf(saleId);
        assertEq(finalAmount, 20 * uint256(38_600));
        assertEq(balance, -28_000);

        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.WrongPaymentKind.selector, saleId, IRicePurchase.PaymentKind.FinalBalance)
        );
        _pay(saleId, IRicePurchase.PaymentKind.FinalBalance, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.InterimPaid)
        );
        _pay(saleId, IRicePurchase.PaymentKind.ClawbackRepayment, 28_000);

        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.ClawbackRecorded(saleId, countyOfficial, 28_000);
        vm.prank(countyOfficial);
        rice.recordClawback(saleId);
        assertEq(uint256(rice.getSale(saleId).state), uint256(IRicePurchase.SaleState.ClawbackDue));

        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.WrongPaymentAmount.selector, saleId, 28_000, uint256(28_001)));
        _pay(saleId, IRicePurchase.PaymentKind.ClawbackRepayment, 28_001);
        _pay(saleId, IRicePurchase.PaymentKind.ClawbackRepayment, 28_000);
        assertEq(uint256(rice.getSale(saleId).state), uint256(IRicePurchase.SaleState.Settled));
    }

    function test_recordClawback_revertsBeforePricesOrInWrongState() public {
        uint256 saleId = _submit(10);
        _inspect(inspector, saleId, _grades(0, 10, 0, 0), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.Inspected)
        );
        vm.prank(countyOfficial);
        rice.recordClawback(saleId);
        _approve(saleId);
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 10 * uint256(INTERIM));
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.FinalPricesNotSet.selector, programId));
        vm.prank(countyOfficial);
        rice.recordClawback(saleId);
    }

    function test_recordPayment_revertsForSellerStrangerZeroRefOrWrongState() public {
        uint256 saleId = _submit(10);
        _inspect(inspector, saleId, _grades(0, 10, 0, 0), 0);
        _credential(farmer, ICredentialRegistry.Role.Official, GANGJIN);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.SellerCannotApprove.selector, saleId));
        vm.prank(farmer);
        rice.recordPayment(saleId, IRicePurchase.PaymentKind.Interim, 400_000, keccak256("t"));
        vm.expectRevert(RiceErrors.credential(outsider, ICredentialRegistry.Role.Official, GANGJIN));
        vm.prank(outsider);
        rice.recordPayment(saleId, IRicePurchase.PaymentKind.Interim, 400_000, keccak256("t"));
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        vm.prank(countyOfficial);
        rice.recordPayment(saleId, IRicePurchase.PaymentKind.Interim, 400_000, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidSaleState.selector, saleId, IRicePurchase.SaleState.Inspected)
        );
        _pay(saleId, IRicePurchase.PaymentKind.Interim, 400_000);
    }

    // ------------------------------------------------------------ ERC-2771

    function test_forwarder_isTrusted() public view {
        assertTrue(rice.isTrustedForwarder(address(forwarder)));
        assertEq(address(rice.credentialRegistry()), address(registry));
    }

    /// @dev Appending an address to calldata only means something when the forwarder sends it:
    /// from anyone else the appended bytes are ignored and the real caller is the actor.
    function test_directCallCannotSpoofTheSigner() public {
        bytes memory spoofed = abi.encodePacked(
            abi.encodeCall(rice.submitSale, (programId, 10, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, _today())),
            farmer
        );
        vm.prank(outsider);
        (bool ok, bytes memory revertData) = address(rice).call(spoofed);
        assertFalse(ok);
        assertEq(keccak256(revertData), keccak256(abi.encodeWithSelector(IRicePurchase.NoAllocation.selector, programId, outsider)));
    }

    // ------------------------------------------------------------ fuzz

    /// @dev Any split of a delivery into grades and rejects is accepted exactly when it adds up,
    /// and the interim is always accepted units × the programme's interim.
    function testFuzz_inspection_acceptsOnlyConsistentSplits(uint16 units, uint16[4] memory g, uint16 rejected)
        public
    {
        units = uint16(bound(units, 1, 1_000));
        uint256 remaining = units;
        for (uint256 i; i < 4; ++i) {
            g[i] = uint16(bound(g[i], 0, remaining));
            remaining -= g[i];
        }
        rejected = uint16(remaining);
        uint256 saleId = _submit(units);
        _inspect(inspector, saleId, g, rejected);
        uint256 accepted = uint256(g[0]) + g[1] + g[2] + g[3];
        assertEq(rice.getAllocation(programId, farmer).committed, accepted);
        if (accepted == 0) {
            assertEq(uint256(rice.getSale(saleId).state), uint256(IRicePurchase.SaleState.Rejected));
            return;
        }
        _approve(saleId);
        (uint256 interim,,) = rice.settlementOf(saleId);
        assertEq(interim, accepted * INTERIM);
    }

    /// @dev Every grade price is a multiple of 10, ordered 특 ≥ 1 ≥ 2 ≥ 3, and within 10 won of the
    /// exact (unrounded) value.
    function testFuzz_gradePrices_roundDownTo10Won(uint32 farmGate, uint32 fee, uint16 yieldBps) public view {
        farmGate = uint32(bound(farmGate, 100_000, 400_000));
        fee = uint32(bound(fee, 0, 20_000));
        yieldBps = uint16(bound(yieldBps, 6_000, 8_000));
        uint32[4] memory p = rice.computeGradePrices(farmGate, fee, yieldBps);
        uint256[4] memory ratios = [uint256(10_330), 10_000, 9_556, 8_506];
        for (uint256 i; i < 4; ++i) {
            assertEq(p[i] % 10, 0, "multiple of 10");
            uint256 exactTimes1e8 = uint256(farmGate - fee) * yieldBps * ratios[i]; // price × 2e8
            assertLe(uint256(p[i]) * 2e8, exactTimes1e8, "not above exact");
            assertGe(uint256(p[i]) * 2e8 + 10 * 2e8, exactTimes1e8 + 1, "within 10 won");
            if (i > 0) assertGe(p[i - 1], p[i], "grade order");
        }
    }

    /// @dev Settlement: final − interim is exactly the balance, whatever the grades and price.
    function testFuzz_settlement_balanceIsFinalMinusInterim(uint16 special, uint16 first, uint32 farmGate) public {
        special = uint16(bound(special, 0, 500));
        first = uint16(bound(first, 1, 500));
        farmGate = uint32(bound(farmGate, 100_000, 300_000));
        uint256 saleId = _submit(special + first);
        _inspect(inspector, saleId, _grades(special, first, 0, 0), 0);
        _approve(saleId);
        _setFinalPrices(farmGate, 8_000, 7_200);
        IRicePurchase.GradePrices memory p = rice.getGradePrices(programId);
        (uint256 interim, uint256 finalAmount, int256 balance) = rice.settlementOf(saleId);
        assertEq(finalAmount, uint256(special) * p.special + uint256(first) * p.first);
        assertEq(balance, int256(finalAmount) - int256(interim));
    }
}

/// @dev Encodes the registry's credential error, used by many revert checks above.
library RiceErrors {
    function credential(address account, ICredentialRegistry.Role role, uint32 region)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, account, role, region);
    }
}
