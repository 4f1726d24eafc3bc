// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Errors a sale or an allocation can meet in variety testing
/// @notice {RicePurchase} inherits these so that its ABI decodes the refusals it passes on from
/// {IVarietyTesting-checkSale} and {IVarietyTesting-checkAllocation}.
interface IVarietyErrors {
    /// @notice Thrown when a farm of `region` sells a variety its county did not designate.
    error VarietyNotDesignated(uint32 programId, uint32 region, uint16 variety);

    /// @notice Thrown when an excluded farm is given an allocation or sells in crop years
    /// `fromYear`…`toYear` (after a variety test found more than 20 % of a non-designated variety).
    error FarmExcluded(address farmer, uint16 cropYear, uint16 fromYear, uint16 toYear);
}

/// @title Variety testing (품종검정) of the public stockpile rice purchase
/// @notice Each county (시군) names at most two designated varieties for its share of a programme;
/// after its delivery window closes, 5 % of the farms that sold there (rounded up, at least one)
/// are drawn, an Inspector records each drawn farm's result, and a farm whose sample holds more
/// than 200 ‰ of a non-designated variety is excluded from the next five crop years.
///
/// **The sample frame.** {RicePurchase} numbers the farms of a county in the order of their first
/// sale in the programme: `Allocation.sellerIndex` 1, 2, … and the county's `Quota.sellers` counts
/// them (a farm whose sales were all cancelled keeps its number). The same order is the order of
/// the farms' first `SaleSubmitted` events. Once the window has closed the frame cannot change.
///
/// **The seed nobody can steer.** Before the window closes the county Official commits
/// `keccak256(abi.encode(programId, region, secret))` ({commitSeed}). After it closes, the Official
/// reveals `secret` ({revealSeed}); that transaction fixes the anchor block, the next one. Anyone
/// then calls {draw}, which takes `blockhash(anchorBlock)` and records
/// `seed = keccak256(abi.encode(block.chainid, address(this), programId, region, secret, anchorHash))`.
/// The county chose `secret` before it could know which farms would sell, and could not know the
/// anchor block's hash when it revealed; once the secret is public anyone may draw, so withholding
/// the draw is not possible either (only the reveal, which is then visible as a commitment never
/// opened). If nobody draws within 256 blocks, {draw} moves the anchor to the next block.
///
/// **The sample.** With `n` farms and `k = ceil(n × 5 / 100)`, the farm numbered `i` (1-based) is
/// drawn when `shuffledPosition(seed, n, i − 1) < k`: a swap-or-not shuffle of `0…n−1` with
/// `SHUFFLE_ROUNDS` rounds, where round `r` takes `pivot = keccak256(abi.encode(seed, r)) % n`,
/// `flip = (pivot + n − x) % n`, and swaps `x` for `flip` when the low bit of
/// `keccak256(abi.encode(seed, r, max(x, flip)))` is 1 (`r` and positions as uint256). It is a
/// permutation, so exactly `k` farms are drawn; checking one farm costs a fixed number of hashes,
/// never a loop over the farms. `sdk/variety.ts` computes the same sample from chain data.
interface IVarietyTesting is IVarietyErrors {
    /// @notice A county's designation and draw in one programme.
    struct CountyDraw {
        // slot 0
        uint16 varietyA;
        uint16 varietyB;
        /// @dev Farms in the sample frame, snapshotted at the reveal.
        uint32 sellers;
        /// @dev Farms to draw: ceil(sellers × 5 %).
        uint32 sampleSize;
        /// @dev The block whose hash {draw} mixes in (0 before the reveal).
        uint64 anchorBlock;
        // slot 1
        bytes32 commitment;
        // slot 2
        bytes32 secret;
        // slot 3: zero until drawn
        bytes32 seed;
    }

    /// @notice A farm's exclusion: no allocation and no sale in crop years `fromYear`…`toYear`.
    struct Exclusion {
        uint16 fromYear;
        uint16 toYear;
        /// @dev The programme whose test excluded the farm.
        uint32 programId;
        uint16 offTypePermille;
    }

    /// @notice A sampled farm's recorded result (`recorded` false before).
    struct TestResult {
        bool recorded;
        uint16 offTypePermille;
        bytes32 certificateHash;
    }

    /// @notice Emitted when a county Official names the designated varieties (second one 0: only one).
    event VarietiesDesignated(
        uint32 indexed programId, uint32 indexed region, address indexed official, uint16[2] varieties
    );

    /// @notice Emitted when a county Official commits to the secret of its draw.
    event SeedCommitted(uint32 indexed programId, uint32 indexed region, address indexed official, bytes32 commitment);

    /// @notice Emitted when the secret is revealed: the frame size, the sample size and the anchor
    /// block are fixed.
    event SeedRevealed(
        uint32 indexed programId,
        uint32 indexed region,
        address indexed official,
        bytes32 secret,
        uint32 sellers,
        uint32 sampleSize,
        uint64 anchorBlock
    );

    /// @notice Emitted when {draw} found the anchor block's hash no longer available and moved it.
    event AnchorRenewed(uint32 indexed programId, uint32 indexed region, uint64 anchorBlock);

    /// @notice Emitted by {draw}: the seed that fixes the sample, with everything that made it.
    event SampleDrawn(
        uint32 indexed programId,
        uint32 indexed region,
        bytes32 seed,
        uint64 anchorBlock,
        bytes32 anchorHash,
        uint32 sellers,
        uint32 sampleSize
    );

    /// @notice Emitted when an Inspector records a drawn farm's result; `excluded` when above 200 ‰.
    event VarietyTestRecorded(
        uint32 indexed programId,
        address indexed farmer,
        address indexed inspector,
        uint32 region,
        uint32 sellerIndex,
        uint16 offTypePermille,
        bytes32 certificateHash,
        bool excluded
    );

    /// @notice Emitted with an excluding result: the farm may not be allocated or sell in crop
    /// years `fromYear`…`toYear`.
    event FarmExclusionRecorded(
        address indexed farmer, uint32 indexed programId, uint16 fromYear, uint16 toYear, uint16 offTypePermille
    );

    /// @notice Thrown when the designation is empty, repeats a variety, or comes after the
    /// county's first sale.
    error InvalidDesignation(uint32 programId, uint32 region);

    /// @notice Thrown when committing a seed for a county without designated varieties.
    error NoDesignation(uint32 programId, uint32 region);

    /// @notice Thrown when committing after the window closed, or revealing before it closed.
    error WrongDrawPhase(uint32 programId, uint32 region);

    /// @notice Thrown when the county already committed to a seed.
    error SeedAlreadyCommitted(uint32 programId, uint32 region);

    /// @notice Thrown when the revealed secret does not open the commitment (or none was made).
    error VarietySeedMismatch(uint32 programId, uint32 region);

    /// @notice Thrown when drawing twice, or before the anchor block is mined.
    error DrawNotReady(uint32 programId, uint32 region);

    /// @notice Thrown when recording a result before the draw.
    error NotDrawn(uint32 programId, uint32 region);

    /// @notice Thrown when the farm is not in the sample of its county.
    error NotSampled(uint32 programId, uint32 region, address farmer);

    /// @notice Thrown when the farm's result is already recorded.
    error ResultAlreadyRecorded(uint32 programId, address farmer);

    /// @notice Thrown when a shuffle position is asked for an index outside `0…count−1`.
    error IndexOutOfRange(uint32 index, uint32 count);

    /// @notice Thrown when a share is above 1000 ‰.
    error InvalidPermille(uint16 permille);

    /// @notice Thrown when the inspector is the farm or of its household.
    error InspectorConflict(address inspector, address farmer);

    /// @notice Names the designated varieties of county `region` in a programme (at most two;
    /// `varieties[1]` 0 for one). Sales of other varieties are then refused in the county.
    /// @dev Requirements: a live Official of `region` (a 시군); the programme exists; the first
    /// variety non-zero, the second different; no farm of the county has sold yet.
    function designateVarieties(uint32 programId, uint32 region, uint16[2] calldata varieties) external;

    /// @notice Commits the county's draw secret: `keccak256(abi.encode(programId, region, secret))`.
    /// @dev Requirements: a live Official of `region`; varieties designated; the delivery window
    /// not yet closed; no earlier commitment.
    function commitSeed(uint32 programId, uint32 region, bytes32 commitment) external;

    /// @notice Reveals the county's secret after the window closed: fixes the frame size, the
    /// sample size and the anchor block (the next block).
    /// @dev Requirements: a live Official of `region`; the window closed; the secret opens the
    /// commitment; not revealed before.
    function revealSeed(uint32 programId, uint32 region, bytes32 secret) external;

    /// @notice Records the seed from the revealed secret and the anchor block's hash. Anyone may
    /// call it once the anchor block is mined; when its hash is gone (256 blocks later), the anchor
    /// moves to the next block instead ({AnchorRenewed}) and the call must be repeated.
    function draw(uint32 programId, uint32 region) external;

    /// @notice Records a drawn farm's variety test: the share of non-designated varieties in its
    /// sample (‰) and the certificate's hash. Above 200 ‰ the farm is excluded for the next five
    /// crop years (cropYear + 1 … cropYear + 5).
    /// @dev Requirements: a live, tagged Inspector of the farm's county, not of the farm's
    /// household; the county drawn; the farm in the sample; share ≤ 1000; a certificate hash;
    /// once per farm and programme.
    function recordResult(uint32 programId, address farmer, uint16 offTypePermille, bytes32 certificateHash)
        external;

    /// @notice Reverts with {VarietyNotDesignated} or {FarmExcluded} when the sale may not be made.
    /// Called by {RicePurchase-submitSale}.
    function checkSale(uint32 programId, uint32 region, uint16 cropYear, address farmer, uint16 variety)
        external
        view;

    /// @notice Reverts with {FarmExcluded} when `farmer` is excluded in `cropYear`. Called by
    /// {RicePurchase-allocate} when an allocation is raised.
    function checkAllocation(address farmer, uint16 cropYear) external view;

    /// @notice The purchase contract that deployed this one.
    function purchase() external view returns (address);

    /// @notice True when `farmer` may not be allocated or sell in `cropYear`.
    function isExcluded(address farmer, uint16 cropYear) external view returns (bool);

    /// @notice `farmer`'s exclusion (zero when never excluded).
    function exclusionOf(address farmer) external view returns (Exclusion memory);

    /// @notice County `region`'s designation and draw in a programme.
    function countyDrawOf(uint32 programId, uint32 region) external view returns (CountyDraw memory);

    /// @notice `farmer`'s test result in a programme.
    function resultOf(uint32 programId, address farmer) external view returns (TestResult memory);

    /// @notice True when the farm numbered `sellerIndex` (1-based) is in the drawn sample.
    function isSampled(uint32 programId, uint32 region, uint32 sellerIndex) external view returns (bool);

    /// @notice ceil(sellers × 5 / 100): how many farms are drawn from `sellers`.
    function sampleSizeOf(uint32 sellers) external pure returns (uint32);

    /// @notice Where the swap-or-not shuffle keyed by `seed` puts `index` among `0…count−1`.
    function shuffledPosition(bytes32 seed, uint32 count, uint32 index) external pure returns (uint32);
}
