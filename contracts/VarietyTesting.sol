// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICommonErrors} from "./interfaces/ICommonErrors.sol";
import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";
import {IRicePurchase} from "./interfaces/IRicePurchase.sol";
import {IVarietyTesting} from "./interfaces/IVarietyTesting.sol";
import {CredentialGated} from "./lib/CredentialGated.sol";
import {Regions} from "./lib/Regions.sol";

/// @title VarietyTesting
/// @notice County variety designations, the verifiable 5 % draw, variety test results and the
/// five-year exclusions of the rice purchase. See {IVarietyTesting} for the rules and the draw.
/// @dev Deployed by {RicePurchase}'s constructor, which it reads (programmes, county frames, a
/// farm's number in the frame) and which calls its two views on every allocation raise and sale.
/// Kept apart so that the purchase contract stays under the 24,576-byte code limit.
contract VarietyTesting is IVarietyTesting, ICommonErrors, CredentialGated {
    /// @notice Rounds of the swap-or-not shuffle (as many as the beacon chain's committee shuffle).
    uint256 public constant SHUFFLE_ROUNDS = 90;
    /// @notice Share of a non-designated variety (‰) above which a farm is excluded.
    uint16 public constant EXCLUSION_THRESHOLD_PERMILLE = 200;
    /// @notice Crop years an exclusion lasts, starting with the year after the tested one.
    uint16 public constant EXCLUSION_YEARS = 5;

    IRicePurchase private immutable _purchase;

    mapping(uint32 programId => mapping(uint32 region => CountyDraw)) private _draws;
    mapping(address farmer => Exclusion) private _exclusions;
    mapping(uint32 programId => mapping(address farmer => TestResult)) private _results;

    /// @dev `msg.sender` is the purchase contract deploying this one.
    constructor(address trustedForwarder_, ICredentialRegistry registry_) CredentialGated(trustedForwarder_, registry_) {
        _purchase = IRicePurchase(msg.sender);
    }

    // ------------------------------------------------------------------ county acts

    /// @inheritdoc IVarietyTesting
    function designateVarieties(uint32 programId, uint32 region, uint16[2] calldata varieties) external {
        address official = _msgSender();
        _requireCountyOfficial(official, region);
        _purchase.getProgram(programId); // reverts with ProgramNotFound
        if (
            varieties[0] == 0 || varieties[0] == varieties[1]
                || _purchase.getQuota(programId, region).sellers != 0
        ) revert InvalidDesignation(programId, region);
        CountyDraw storage county = _draws[programId][region];
        county.varietyA = varieties[0];
        county.varietyB = varieties[1];
        emit VarietiesDesignated(programId, region, official, varieties);
    }

    /// @inheritdoc IVarietyTesting
    function commitSeed(uint32 programId, uint32 region, bytes32 commitment) external {
        address official = _msgSender();
        _requireCountyOfficial(official, region);
        CountyDraw storage county = _draws[programId][region];
        if (county.varietyA == 0) revert NoDesignation(programId, region);
        if (block.timestamp > _purchase.getProgram(programId).deliveryEnd) revert WrongDrawPhase(programId, region);
        if (county.commitment != bytes32(0)) revert SeedAlreadyCommitted(programId, region);
        if (commitment == bytes32(0)) revert VarietySeedMismatch(programId, region);
        county.commitment = commitment;
        emit SeedCommitted(programId, region, official, commitment);
    }

    /// @inheritdoc IVarietyTesting
    function revealSeed(uint32 programId, uint32 region, bytes32 secret) external {
        address official = _msgSender();
        _requireCountyOfficial(official, region);
        CountyDraw storage county = _draws[programId][region];
        if (block.timestamp <= _purchase.getProgram(programId).deliveryEnd) revert WrongDrawPhase(programId, region);
        if (county.anchorBlock != 0) revert SeedAlreadyCommitted(programId, region);
        if (county.commitment == bytes32(0) || keccak256(abi.encode(programId, region, secret)) != county.commitment) {
            revert VarietySeedMismatch(programId, region);
        }
        uint32 sellers = _purchase.getQuota(programId, region).sellers;
        uint32 size = _sampleSize(sellers);
        uint64 anchor = uint64(block.number + 1);
        county.secret = secret;
        county.sellers = sellers;
        county.sampleSize = size;
        county.anchorBlock = anchor;
        emit SeedRevealed(programId, region, official, secret, sellers, size, anchor);
    }

    /// @inheritdoc IVarietyTesting
    function draw(uint32 programId, uint32 region) external {
        CountyDraw storage county = _draws[programId][region];
        uint64 anchor = county.anchorBlock;
        if (anchor == 0 || block.number <= anchor || county.seed != bytes32(0)) revert DrawNotReady(programId, region);
        bytes32 anchorHash = blockhash(anchor);
        if (anchorHash == bytes32(0)) {
            // More than 256 blocks ago: nobody could foresee the next block's hash either.
            anchor = uint64(block.number + 1);
            county.anchorBlock = anchor;
            emit AnchorRenewed(programId, region, anchor);
            return;
        }
        bytes32 seed = keccak256(abi.encode(block.chainid, address(this), programId, region, county.secret, anchorHash));
        county.seed = seed;
        emit SampleDrawn(programId, region, seed, anchor, anchorHash, county.sellers, county.sampleSize);
    }

    // ------------------------------------------------------------------ inspection

    /// @inheritdoc IVarietyTesting
    function recordResult(uint32 programId, address farmer, uint16 offTypePermille, bytes32 certificateHash)
        external
    {
        address inspector = _msgSender();
        IRicePurchase.Allocation memory allocation = _purchase.getAllocation(programId, farmer);
        uint32 region = allocation.region;
        (bytes32 household, bytes32 farm) =
            _householdTags(inspector, ICredentialRegistry.Role.Inspector, farmer, ICredentialRegistry.Role.Farmer, region);
        if (household == bytes32(0)) _requireTaggedRole(inspector, ICredentialRegistry.Role.Inspector, region);
        if (inspector == farmer || household == farm) revert InspectorConflict(inspector, farmer);

        CountyDraw storage county = _draws[programId][region];
        bytes32 seed = county.seed;
        if (seed == bytes32(0)) revert NotDrawn(programId, region);
        uint32 index = allocation.sellerIndex;
        if (
            index == 0 || index > county.sellers
                || _shuffledPosition(seed, county.sellers, index - 1) >= county.sampleSize
        ) revert NotSampled(programId, region, farmer);
        TestResult storage result = _results[programId][farmer];
        if (result.recorded) revert ResultAlreadyRecorded(programId, farmer);
        if (offTypePermille > 1000) revert InvalidPermille(offTypePermille);
        if (certificateHash == bytes32(0)) revert ZeroHash();

        result.recorded = true;
        result.offTypePermille = offTypePermille;
        result.certificateHash = certificateHash;
        bool excluded = offTypePermille > EXCLUSION_THRESHOLD_PERMILLE;
        emit VarietyTestRecorded(
            programId, farmer, inspector, region, index, offTypePermille, certificateHash, excluded
        );
        if (excluded) {
            uint16 cropYear = _purchase.getProgram(programId).cropYear;
            Exclusion storage exclusion = _exclusions[farmer];
            uint16 fromYear = cropYear + 1;
            uint16 toYear = cropYear + EXCLUSION_YEARS;
            // A later exclusion extends an earlier one; it never shortens it.
            if (exclusion.toYear >= fromYear && exclusion.fromYear < fromYear) fromYear = exclusion.fromYear;
            if (exclusion.toYear > toYear) toYear = exclusion.toYear;
            _exclusions[farmer] = Exclusion(fromYear, toYear, programId, offTypePermille);
            emit FarmExclusionRecorded(farmer, programId, fromYear, toYear, offTypePermille);
        }
    }

    // ------------------------------------------------------------------ checks for RicePurchase

    /// @inheritdoc IVarietyTesting
    function checkSale(uint32 programId, uint32 region, uint16 cropYear, address farmer, uint16 variety)
        external
        view
    {
        CountyDraw storage county = _draws[programId][region];
        uint16 a = county.varietyA;
        if (a != 0 && variety != a && variety != county.varietyB) {
            revert VarietyNotDesignated(programId, region, variety);
        }
        _checkExclusion(farmer, cropYear);
    }

    /// @inheritdoc IVarietyTesting
    function checkAllocation(address farmer, uint16 cropYear) external view {
        _checkExclusion(farmer, cropYear);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IVarietyTesting
    function purchase() external view returns (address) {
        return address(_purchase);
    }

    /// @inheritdoc IVarietyTesting
    function isExcluded(address farmer, uint16 cropYear) public view returns (bool) {
        Exclusion storage exclusion = _exclusions[farmer];
        return exclusion.fromYear != 0 && cropYear >= exclusion.fromYear && cropYear <= exclusion.toYear;
    }

    /// @inheritdoc IVarietyTesting
    function exclusionOf(address farmer) external view returns (Exclusion memory) {
        return _exclusions[farmer];
    }

    /// @inheritdoc IVarietyTesting
    function countyDrawOf(uint32 programId, uint32 region) external view returns (CountyDraw memory) {
        return _draws[programId][region];
    }

    /// @inheritdoc IVarietyTesting
    function resultOf(uint32 programId, address farmer) external view returns (TestResult memory) {
        return _results[programId][farmer];
    }

    /// @inheritdoc IVarietyTesting
    function isSampled(uint32 programId, uint32 region, uint32 sellerIndex) external view returns (bool) {
        CountyDraw storage county = _draws[programId][region];
        if (county.seed == bytes32(0) || sellerIndex == 0 || sellerIndex > county.sellers) return false;
        return _shuffledPosition(county.seed, county.sellers, sellerIndex - 1) < county.sampleSize;
    }

    /// @inheritdoc IVarietyTesting
    function sampleSizeOf(uint32 sellers) external pure returns (uint32) {
        return _sampleSize(sellers);
    }

    /// @inheritdoc IVarietyTesting
    function shuffledPosition(bytes32 seed, uint32 count, uint32 index) external pure returns (uint32) {
        return _shuffledPosition(seed, count, index);
    }

    // ------------------------------------------------------------------ internals

    function _checkExclusion(address farmer, uint16 cropYear) private view {
        Exclusion storage exclusion = _exclusions[farmer];
        uint16 fromYear = exclusion.fromYear;
        if (fromYear != 0 && cropYear >= fromYear && cropYear <= exclusion.toYear) {
            revert FarmExcluded(farmer, cropYear, fromYear, exclusion.toYear);
        }
    }

    function _requireCountyOfficial(address official, uint32 region) private view {
        if (!Regions.isCounty(region)) revert InvalidRegion(region);
        _requireRole(official, ICredentialRegistry.Role.Official, region);
    }

    /// @dev ceil(sellers × 5 / 100); at least one when anyone sold.
    function _sampleSize(uint32 sellers) private pure returns (uint32) {
        return uint32((uint256(sellers) * 5 + 99) / 100);
    }

    /// @dev Swap-or-not shuffle: a fixed number of rounds, two hashes each (see {IVarietyTesting}).
    function _shuffledPosition(bytes32 seed, uint32 count, uint32 index) private pure returns (uint32) {
        if (index >= count) revert IndexOutOfRange(index, count);
        uint256 n = count;
        uint256 x = index;
        for (uint256 round; round < SHUFFLE_ROUNDS; ++round) {
            uint256 pivot = uint256(keccak256(abi.encode(seed, round))) % n;
            uint256 flip = (pivot + n - x) % n;
            uint256 position = x > flip ? x : flip;
            if (uint256(keccak256(abi.encode(seed, round, position))) & 1 == 1) x = flip;
        }
        return uint32(x);
    }
}
