// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICommonErrors} from "../interfaces/ICommonErrors.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {IRicePurchase} from "../interfaces/IRicePurchase.sol";
import {IVarietyErrors, IVarietyTesting} from "../interfaces/IVarietyTesting.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";

/// @notice Variety designations, the 5 % draw, results and five-year exclusions (issue 24), and
/// the delivery day of a sale (issue 21).
contract VarietyTestingTest is JangbuFixture {
    IVarietyTesting internal vt;
    bytes32 internal constant SECRET = keccak256("gangjin draw secret 2026");
    bytes32 internal constant ANCHOR_HASH = keccak256("anchor block hash");
    uint256 internal constant SELLERS = 30; // with `farmer`: 31 farms → 2 drawn
    address[] internal sellers;

    function setUp() public {
        setUpStack();
        setUpProgram();
        vt = IVarietyTesting(rice.varietyTesting());
        sellers.push(farmer);
        for (uint256 i; i < SELLERS; ++i) {
            address seller = makeAddr(string.concat("seller", vm.toString(i)));
            _credential(seller, ICredentialRegistry.Role.Farmer, GANGJIN);
            vm.prank(countyOfficial);
            rice.allocate(programId, GANGJIN, seller, 100);
            sellers.push(seller);
        }
    }

    // ------------------------------------------------------------ helpers

    function _designate(uint16 a, uint16 b) internal {
        vm.prank(countyOfficial);
        vt.designateVarieties(programId, GANGJIN, [a, b]);
    }

    function _commitment() internal view returns (bytes32) {
        return keccak256(abi.encode(programId, GANGJIN, SECRET));
    }

    /// @dev Designates, commits, lets every farm sell once, closes the window, reveals and draws.
    function _drawn() internal {
        _designate(101, 102);
        vm.prank(countyOfficial);
        vt.commitSeed(programId, GANGJIN, _commitment());
        for (uint256 i; i < sellers.length; ++i) {
            _submit(sellers[i], 10, IRicePurchase.Packaging.Bag40);
        }
        vm.warp(uint256(rice.getProgram(programId).deliveryEnd) + 1);
        vm.prank(countyOfficial);
        vt.revealSeed(programId, GANGJIN, SECRET);
        uint256 anchor = block.number + 1;
        vm.roll(anchor + 1);
        vm.setBlockhash(anchor, ANCHOR_HASH);
        vt.draw(programId, GANGJIN);
    }

    function _sampled() internal view returns (address[] memory out) {
        IVarietyTesting.CountyDraw memory d = vt.countyDrawOf(programId, GANGJIN);
        out = new address[](d.sampleSize);
        uint256 found;
        for (uint256 i; i < sellers.length; ++i) {
            uint32 index = rice.getAllocation(programId, sellers[i]).sellerIndex;
            if (vt.isSampled(programId, GANGJIN, index)) out[found++] = sellers[i];
        }
        assertEq(found, d.sampleSize, "exactly the sample size is drawn");
    }

    function _notSampled() internal view returns (address) {
        for (uint256 i; i < sellers.length; ++i) {
            uint32 index = rice.getAllocation(programId, sellers[i]).sellerIndex;
            if (!vt.isSampled(programId, GANGJIN, index)) return sellers[i];
        }
        revert("every farm sampled");
    }

    function _record(address by, address farm, uint16 permille) internal {
        vm.prank(by);
        vt.recordResult(programId, farm, permille, keccak256(abi.encode("certificate", farm)));
    }

    /// @dev A programme of another crop year, with 강진군 quota, open now for 60 days.
    function _programOfYear(uint16 cropYear) internal returns (uint32 id) {
        IRicePurchase.ProgramParams memory p = _params();
        p.cropYear = cropYear;
        p.deliveryStart = uint40(block.timestamp);
        p.deliveryEnd = uint40(block.timestamp + 60 days);
        vm.prank(nationalOfficial);
        id = rice.createProgram(p);
        vm.prank(nationalOfficial);
        rice.allocateRegion(id, JEONNAM, 1_000_000);
        vm.prank(provinceOfficial);
        rice.allocateRegion(id, GANGJIN, 100_000);
    }

    // ------------------------------------------------------------ deployment

    function test_deployedByThePurchaseContract() public view {
        assertEq(vt.purchase(), address(rice));
        assertEq(address(CredentialGatedView(address(vt)).credentialRegistry()), address(registry));
    }

    // ------------------------------------------------------------ designations

    function test_designation_refusesOtherVarietiesInTheCounty() public {
        vm.expectEmit(true, true, true, true, address(vt));
        emit IVarietyTesting.VarietiesDesignated(programId, GANGJIN, countyOfficial, [uint16(101), uint16(303)]);
        _designate(101, 303);
        vm.expectRevert(
            abi.encodeWithSelector(IVarietyErrors.VarietyNotDesignated.selector, programId, GANGJIN, uint16(102))
        );
        vm.prank(farmer);
        rice.submitSale(programId, 5, IRicePurchase.Packaging.Bag40, 102, COLLECTION_POINT, _today());
        vm.prank(farmer);
        rice.submitSale(programId, 5, IRicePurchase.Packaging.Bag40, 303, COLLECTION_POINT, _today());
        _submit(5); // 101
    }

    function test_designation_absentMeansAnyVariety() public {
        vm.prank(farmer);
        rice.submitSale(programId, 5, IRicePurchase.Packaging.Bag40, 999, COLLECTION_POINT, _today());
    }

    function test_designation_refusals() public {
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, haenamOfficial, ICredentialRegistry.Role.Official, GANGJIN)
        );
        vm.prank(haenamOfficial);
        vt.designateVarieties(programId, GANGJIN, [uint16(101), uint16(0)]);
        vm.expectRevert(abi.encodeWithSelector(ICommonErrors.InvalidRegion.selector, JEONNAM));
        vm.prank(provinceOfficial);
        vt.designateVarieties(programId, JEONNAM, [uint16(101), uint16(0)]);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.InvalidDesignation.selector, programId, GANGJIN));
        _designate(0, 101);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.InvalidDesignation.selector, programId, GANGJIN));
        _designate(101, 101);
        vm.expectRevert(abi.encodeWithSelector(IRicePurchase.ProgramNotFound.selector, uint32(99)));
        vm.prank(countyOfficial);
        vt.designateVarieties(99, GANGJIN, [uint16(101), uint16(0)]);
        _designate(101, 0);
        _submit(5);
        // After the county's first sale the rule may no longer change.
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.InvalidDesignation.selector, programId, GANGJIN));
        _designate(102, 0);
    }

    // ------------------------------------------------------------ delivery day (issue 21)

    function test_deliveryDay_recordedAndBounded() public {
        IRicePurchase.Program memory p = rice.getProgram(programId);
        uint32 firstDay = uint32((uint256(p.deliveryStart) + 9 hours) / 1 days);
        uint32 lastDay = uint32((uint256(p.deliveryEnd) + 9 hours) / 1 days);
        vm.startPrank(farmer);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidDeliveryDay.selector, firstDay - 1, firstDay, lastDay)
        );
        rice.submitSale(programId, 5, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, firstDay - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRicePurchase.InvalidDeliveryDay.selector, lastDay + 1, firstDay, lastDay)
        );
        rice.submitSale(programId, 5, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, lastDay + 1);
        vm.expectEmit(true, true, true, true, address(rice));
        emit IRicePurchase.SaleSubmitted(
            rice.saleIdOf(programId, GANGJIN, 1, farmer),
            programId,
            farmer,
            GANGJIN,
            5,
            IRicePurchase.Packaging.Bag40,
            101,
            COLLECTION_POINT,
            lastDay
        );
        rice.submitSale(programId, 5, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, lastDay);
        rice.submitSale(programId, 5, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, firstDay);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ frame

    function test_frame_numbersFarmsByFirstSale() public {
        _submit(sellers[3], 10, IRicePurchase.Packaging.Bag40);
        _submit(farmer, 10, IRicePurchase.Packaging.Bag40);
        _submit(sellers[3], 10, IRicePurchase.Packaging.Bag40); // a second sale: same number
        assertEq(rice.getAllocation(programId, sellers[3]).sellerIndex, 1);
        assertEq(rice.getAllocation(programId, farmer).sellerIndex, 2);
        assertEq(rice.getAllocation(programId, sellers[4]).sellerIndex, 0);
        assertEq(rice.getQuota(programId, GANGJIN).sellers, 2);
    }

    // ------------------------------------------------------------ seed and draw

    function test_sampleSize_roundsUp() public view {
        assertEq(vt.sampleSizeOf(0), 0);
        assertEq(vt.sampleSizeOf(1), 1);
        assertEq(vt.sampleSizeOf(20), 1);
        assertEq(vt.sampleSizeOf(21), 2);
        assertEq(vt.sampleSizeOf(100), 5);
        assertEq(vt.sampleSizeOf(101), 6);
    }

    function test_shuffle_isAPermutation() public view {
        bytes32 seed = keccak256("any seed");
        for (uint32 n = 1; n <= 23; n += 11) {
            bool[] memory hit = new bool[](n);
            for (uint32 i; i < n; ++i) {
                uint32 pos = vt.shuffledPosition(seed, n, i);
                assertTrue(pos < n && !hit[pos], "a permutation of 0..n-1");
                hit[pos] = true;
            }
        }
    }

    function test_shuffle_refusesOutOfRange() public {
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.IndexOutOfRange.selector, uint32(3), uint32(3)));
        vt.shuffledPosition(bytes32(0), 3, 3);
    }

    function test_draw_seedFromCommittedSecretAndLaterBlock() public {
        _drawn();
        IVarietyTesting.CountyDraw memory d = vt.countyDrawOf(programId, GANGJIN);
        assertEq(d.sellers, SELLERS + 1);
        assertEq(d.sampleSize, 2);
        assertEq(
            d.seed, keccak256(abi.encode(block.chainid, address(vt), programId, GANGJIN, SECRET, ANCHOR_HASH))
        );
        _sampled();
    }

    function test_draw_reproducible() public {
        // The sample is a function of the recorded seed and the frame only: recomputing it with
        // the pure shuffle gives the farms isSampled accepts.
        _drawn();
        IVarietyTesting.CountyDraw memory d = vt.countyDrawOf(programId, GANGJIN);
        address[] memory sample = _sampled();
        uint256 matched;
        for (uint256 i; i < sellers.length; ++i) {
            uint32 index = rice.getAllocation(programId, sellers[i]).sellerIndex;
            if (vt.shuffledPosition(d.seed, d.sellers, index - 1) < d.sampleSize) {
                assertTrue(sellers[i] == sample[0] || sellers[i] == sample[1], "same farms");
                ++matched;
            }
        }
        assertEq(matched, 2);
    }

    function test_draw_expiredAnchorIsRenewedToALaterBlock() public {
        // The county reveals, then nobody draws for more than 256 blocks: the anchor's hash is
        // gone, so draw() moves the anchor to the next block (a hash nobody knows yet) instead
        // of drawing from a zero hash, and the draw made after it uses the new block's hash.
        _designate(101, 102);
        vm.prank(countyOfficial);
        vt.commitSeed(programId, GANGJIN, _commitment());
        for (uint256 i; i < sellers.length; ++i) {
            _submit(sellers[i], 10, IRicePurchase.Packaging.Bag40);
        }
        vm.warp(uint256(rice.getProgram(programId).deliveryEnd) + 1);
        vm.prank(countyOfficial);
        vt.revealSeed(programId, GANGJIN, SECRET);
        uint64 first = vt.countyDrawOf(programId, GANGJIN).anchorBlock;
        assertEq(first, block.number + 1);
        vm.roll(uint256(first) + 1);
        vm.setBlockhash(first, ANCHOR_HASH);
        // (Block numbers kept in variables: the optimizer may reuse a `block.number` read from
        // before a vm.roll.)
        uint256 late = uint256(first) + 257;
        vm.roll(late);
        assertTrue(blockhash(first) == bytes32(0), "the first anchor's hash is out of reach");

        vm.expectEmit(true, true, true, true, address(vt));
        emit IVarietyTesting.AnchorRenewed(programId, GANGJIN, uint64(late + 1));
        vt.draw(programId, GANGJIN);
        IVarietyTesting.CountyDraw memory d = vt.countyDrawOf(programId, GANGJIN);
        uint64 renewed = d.anchorBlock;
        assertEq(renewed, late + 1, "the anchor moves to the next block");
        assertTrue(d.seed == bytes32(0), "nothing is drawn from the lost hash");
        assertTrue(d.secret == SECRET, "the revealed secret stays");
        assertEq(d.sellers, SELLERS + 1, "the frame stays");
        // No result before the draw, and no draw in the renewal's own block.
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.NotDrawn.selector, programId, GANGJIN));
        _record(inspector, farmer, 100);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.DrawNotReady.selector, programId, GANGJIN));
        vt.draw(programId, GANGJIN);

        // Once the new anchor is mined, anyone draws with its hash.
        bytes32 laterHash = keccak256("the renewed anchor's hash");
        vm.roll(uint256(renewed) + 1);
        vm.setBlockhash(renewed, laterHash);
        bytes32 expected = keccak256(abi.encode(block.chainid, address(vt), programId, GANGJIN, SECRET, laterHash));
        vm.expectEmit(true, true, true, true, address(vt));
        emit IVarietyTesting.SampleDrawn(programId, GANGJIN, expected, renewed, laterHash, uint32(SELLERS + 1), 2);
        vm.prank(makeAddr("anyone"));
        vt.draw(programId, GANGJIN);
        assertEq(vt.countyDrawOf(programId, GANGJIN).seed, expected);
        _sampled();
        // Drawn once: a second call is refused.
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.DrawNotReady.selector, programId, GANGJIN));
        vt.draw(programId, GANGJIN);
    }

    function test_seed_refusals() public {
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.NoDesignation.selector, programId, GANGJIN));
        vm.prank(countyOfficial);
        vt.commitSeed(programId, GANGJIN, _commitment());
        _designate(101, 102);
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, inspector, ICredentialRegistry.Role.Official, GANGJIN)
        );
        vm.prank(inspector);
        vt.commitSeed(programId, GANGJIN, _commitment());
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.VarietySeedMismatch.selector, programId, GANGJIN));
        vm.prank(countyOfficial);
        vt.commitSeed(programId, GANGJIN, bytes32(0));
        vm.prank(countyOfficial);
        vt.commitSeed(programId, GANGJIN, _commitment());
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.SeedAlreadyCommitted.selector, programId, GANGJIN));
        vm.prank(countyOfficial);
        vt.commitSeed(programId, GANGJIN, keccak256("another"));
        // Reveal only after the window closed.
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.WrongDrawPhase.selector, programId, GANGJIN));
        vm.prank(countyOfficial);
        vt.revealSeed(programId, GANGJIN, SECRET);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.DrawNotReady.selector, programId, GANGJIN));
        vt.draw(programId, GANGJIN);
        vm.warp(uint256(rice.getProgram(programId).deliveryEnd) + 1);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.VarietySeedMismatch.selector, programId, GANGJIN));
        vm.prank(countyOfficial);
        vt.revealSeed(programId, GANGJIN, keccak256("not the secret"));
        vm.prank(countyOfficial);
        vt.revealSeed(programId, GANGJIN, SECRET);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.SeedAlreadyCommitted.selector, programId, GANGJIN));
        vm.prank(countyOfficial);
        vt.revealSeed(programId, GANGJIN, SECRET);
        // The anchor block is the next one: drawing in the reveal's block is refused.
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.DrawNotReady.selector, programId, GANGJIN));
        vt.draw(programId, GANGJIN);
    }

    function test_seed_commitAfterWindowRefused() public {
        _designate(101, 102);
        vm.warp(uint256(rice.getProgram(programId).deliveryEnd) + 1);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.WrongDrawPhase.selector, programId, GANGJIN));
        vm.prank(countyOfficial);
        vt.commitSeed(programId, GANGJIN, _commitment());
    }

    // ------------------------------------------------------------ results and exclusion

    function test_result_200PermillePasses() public {
        _drawn();
        address farm = _sampled()[0];
        _record(inspector, farm, 200);
        assertFalse(vt.isExcluded(farm, 2027));
        IVarietyTesting.TestResult memory r = vt.resultOf(programId, farm);
        assertTrue(r.recorded);
        assertEq(r.offTypePermille, 200);
    }

    function test_result_201PermilleExcludesForFiveYears() public {
        _drawn();
        address farm = _sampled()[1];
        vm.expectEmit(true, true, true, true, address(vt));
        emit IVarietyTesting.FarmExclusionRecorded(farm, programId, 2027, 2031, 201);
        _record(inspector, farm, 201);
        assertFalse(vt.isExcluded(farm, 2026));
        assertTrue(vt.isExcluded(farm, 2027));
        assertTrue(vt.isExcluded(farm, 2031));
        assertFalse(vt.isExcluded(farm, 2032));
        IVarietyTesting.Exclusion memory e = vt.exclusionOf(farm);
        assertEq(e.fromYear, 2027);
        assertEq(e.toYear, 2031);
        assertEq(e.programId, programId);
    }

    function test_exclusion_refusesAllocationsAndSales() public {
        // Next year's programme allocated before the result: the sale is refused then.
        uint32 next = _programOfYear(2027);
        _drawn();
        address farm = _sampled()[0];
        vm.warp(block.timestamp - 1); // still before next year's window end
        vm.prank(countyOfficial);
        rice.allocate(next, GANGJIN, farm, 100);
        _record(inspector, farm, 350);

        vm.prank(farm);
        vm.expectRevert(
            abi.encodeWithSelector(IVarietyErrors.FarmExcluded.selector, farm, uint16(2027), uint16(2027), uint16(2031))
        );
        rice.submitSale(next, 10, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, _today());
        // Raising is refused, lowering is not (it frees county quota).
        vm.expectRevert(
            abi.encodeWithSelector(IVarietyErrors.FarmExcluded.selector, farm, uint16(2027), uint16(2027), uint16(2031))
        );
        vm.prank(countyOfficial);
        rice.allocate(next, GANGJIN, farm, 200);
        vm.prank(countyOfficial);
        rice.allocate(next, GANGJIN, farm, 0);

        uint32 fifth = _programOfYear(2031);
        vm.expectRevert(
            abi.encodeWithSelector(IVarietyErrors.FarmExcluded.selector, farm, uint16(2031), uint16(2027), uint16(2031))
        );
        vm.prank(countyOfficial);
        rice.allocate(fifth, GANGJIN, farm, 100);

        uint32 sixth = _programOfYear(2032);
        vm.prank(countyOfficial);
        rice.allocate(sixth, GANGJIN, farm, 100);
        vm.prank(farm);
        rice.submitSale(sixth, 10, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, _today());
    }

    function test_result_refusals() public {
        _designate(101, 102);
        vm.prank(countyOfficial);
        vt.commitSeed(programId, GANGJIN, _commitment());
        _submit(5);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.NotDrawn.selector, programId, GANGJIN));
        _record(inspector, farmer, 100);
        vm.warp(uint256(rice.getProgram(programId).deliveryEnd) + 1);
        // A sale after the window is refused as before, so the frame stays as it was.
        for (uint256 i = 1; i < sellers.length; ++i) {
            vm.expectRevert();
            vm.prank(sellers[i]);
            rice.submitSale(programId, 10, IRicePurchase.Packaging.Bag40, 101, COLLECTION_POINT, _today());
        }
    }

    function test_result_whoMayRecord() public {
        _drawn();
        address farm = _sampled()[0];
        // Not an inspector of the county.
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, countyOfficial, ICredentialRegistry.Role.Inspector, GANGJIN)
        );
        _record(countyOfficial, farm, 100);
        // An inspector of the farm's household.
        address kin = makeAddr("kin");
        _credential(kin, ICredentialRegistry.Role.Inspector, GANGJIN, _ownHousehold(farm));
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.InspectorConflict.selector, kin, farm));
        _record(kin, farm, 100);
        // A farm outside the sample, and a farm that never sold.
        address other = _notSampled();
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.NotSampled.selector, programId, GANGJIN, other));
        _record(inspector, other, 100);
        address nobody = makeAddr("never sold");
        _credential(nobody, ICredentialRegistry.Role.Farmer, GANGJIN);
        vm.warp(block.timestamp); // (window closed: allocations still possible)
        vm.prank(countyOfficial);
        rice.allocate(programId, GANGJIN, nobody, 10);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.NotSampled.selector, programId, GANGJIN, nobody));
        _record(inspector, nobody, 100);
        // Bad inputs.
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.InvalidPermille.selector, uint16(1001)));
        _record(inspector, farm, 1001);
        vm.expectRevert(ICommonErrors.ZeroHash.selector);
        vm.prank(inspector);
        vt.recordResult(programId, farm, 100, bytes32(0));
        // Once only.
        _record(inspector, farm, 100);
        vm.expectRevert(abi.encodeWithSelector(IVarietyTesting.ResultAlreadyRecorded.selector, programId, farm));
        _record(inspector2, farm, 300);
    }
}

interface CredentialGatedView {
    function credentialRegistry() external view returns (ICredentialRegistry);
}
