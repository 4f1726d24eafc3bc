// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICredentialRegistry} from "../../interfaces/ICredentialRegistry.sol";
import {TenderBoard} from "../../TenderBoard.sol";
import {JangbuFixture} from "./JangbuFixture.sol";

/// @notice The jangbu stack of {JangbuFixture} plus a TenderBoard on the same forwarder and
/// registry, and a cast of suppliers: three of 강진군, one national, one of 해남군 (not eligible for a
/// 강진군 tender) and one of 강진군 who is also an Inspector and an Official there (for the
/// separation-of-duties checks). The 강진군 officials carry household tags (a tender's creator must);
/// every tender gets its own seed ({_seedFor}), since a used seed commitment is refused.
abstract contract TenderFixture is JangbuFixture {
    uint64 internal constant BASE_PRICE = 50_000_000; // 기초금액 5천만 원
    uint32 internal constant FLOOR_RATE = 87_745; // 87.745 %
    uint64 internal constant BOND = 2_500_000;
    uint64 internal constant QUANTITY = 2;
    uint40 internal constant BID_PERIOD = 7 days;
    uint40 internal constant REVEAL_PERIOD = 2 days;
    bytes32 internal constant SEED = keccak256("official seed of tender 1");
    bytes32 internal constant SPEC = keccak256("spec v1");
    string internal constant TITLE = unicode"2026년 강진군 관용 전기승합차 구매";
    string internal constant UNIT = unicode"대";

    TenderBoard internal board;

    address internal supplierA;
    address internal supplierB;
    address internal supplierC;
    address internal nationalSupplier;
    address internal haenamSupplier;
    address internal dualSupplier; // Supplier, Inspector and Official of 강진군

    function setUpTenders() internal {
        setUpStack();
        board = new TenderBoard(address(forwarder), registry);
        supplierA = makeAddr("supplierA");
        supplierB = makeAddr("supplierB");
        supplierC = makeAddr("supplierC");
        nationalSupplier = makeAddr("nationalSupplier");
        haenamSupplier = makeAddr("haenamSupplier");
        dualSupplier = makeAddr("dualSupplier");
        _credential(supplierA, ICredentialRegistry.Role.Supplier, GANGJIN);
        _credential(supplierB, ICredentialRegistry.Role.Supplier, GANGJIN);
        _credential(supplierC, ICredentialRegistry.Role.Supplier, GANGJIN);
        _credential(nationalSupplier, ICredentialRegistry.Role.Supplier, NATIONAL);
        _credential(haenamSupplier, ICredentialRegistry.Role.Supplier, HAENAM);
        _credential(dualSupplier, ICredentialRegistry.Role.Supplier, GANGJIN);
        _credential(dualSupplier, ICredentialRegistry.Role.Inspector, GANGJIN);
        _credential(dualSupplier, ICredentialRegistry.Role.Official, GANGJIN);
        _setHousehold(countyOfficial, ICredentialRegistry.Role.Official, GANGJIN, OFFICIAL_HOUSEHOLD);
        _setHousehold(countyOfficial2, ICredentialRegistry.Role.Official, GANGJIN, keccak256("household of official 2"));
    }

    bytes32 internal constant OFFICIAL_HOUSEHOLD = keccak256("household of countyOfficial");

    /// @dev The one place tests give a credential its household tag. A tag belongs to the
    /// credential and changes only by re-issuing, so the current credential is revoked and issued
    /// again with the first 16 bytes of `tag` (as a county derives a tag from a household secret).
    function _setHousehold(address subject, ICredentialRegistry.Role role, uint32 region, bytes32 tag) internal {
        registry.revoke(registry.currentId(subject, role, region), keccak256("re-issued with a household"));
        _credential(subject, role, region, bytes16(tag));
    }

    /// @dev The seed of tender `id` (fresh per tender: a used commitment is refused).
    function _seedFor(uint256 id) internal pure returns (bytes32) {
        return keccak256(abi.encode(SEED, id));
    }

    /// @dev The hash the tests give to draw block `n` (`vm.setBlockhash`).
    function _drawHash(uint256 n) internal pure returns (bytes32) {
        return keccak256(abi.encode("draw block", n));
    }

    /// @dev The draw block of `id`: fixed by {ITenderBoard.revealSeed}, else the one a seed
    /// revealed now would fix.
    function _drawBlockOf(uint256 id) internal view returns (uint256) {
        if (id == 0 || id > board.tenderCount()) return block.number + 1;
        uint64 fixedBlock = board.getSchedule(id).drawBlock;
        return fixedBlock != 0 ? fixedBlock : block.number + 1;
    }

    /// @dev The first private key of the numbered suppliers of {_indexedSupplier}.
    uint256 internal constant SUPPLIER_KEYS = 0xB1D000;

    /// @dev The `i`-th numbered supplier of 강진군, credentialed on first use.
    function _indexedSupplier(uint256 i) internal returns (address supplier) {
        supplier = vm.addr(SUPPLIER_KEYS + i);
        if (!registry.hasRole(supplier, ICredentialRegistry.Role.Supplier, GANGJIN)) {
            _credential(supplier, ICredentialRegistry.Role.Supplier, GANGJIN);
        }
    }

    /// @dev A 강진군 tender by `countyOfficial`, bidding open for `BID_PERIOD` from now.
    function _createTender() internal returns (uint256) {
        return _createTender(_seedFor(board.tenderCount() + 1));
    }

    function _createTender(bytes32 seed) internal returns (uint256) {
        vm.prank(countyOfficial);
        return board.createTender(
            GANGJIN,
            TITLE,
            SPEC,
            QUANTITY,
            UNIT,
            BASE_PRICE,
            FLOOR_RATE,
            uint40(block.timestamp + BID_PERIOD),
            uint40(block.timestamp + BID_PERIOD + REVEAL_PERIOD),
            BOND,
            keccak256(abi.encode(seed))
        );
    }

    /// @dev The commitment formula of {ITenderBoard}, computed locally.
    function _commitment(
        uint256 tenderId,
        address bidder,
        uint64 price,
        uint8[2] memory picks,
        bytes32 docHash,
        bytes32 salt
    ) internal view returns (bytes32) {
        return keccak256(
            abi.encode(block.chainid, address(board), tenderId, bidder, price, picks[0], picks[1], docHash, salt)
        );
    }

    function _salt(address bidder) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", bidder));
    }

    function _docHash(address bidder) internal pure returns (bytes32) {
        return keccak256(abi.encode("bid document", bidder));
    }

    function _bondDoc(address bidder) internal pure returns (bytes32) {
        return keccak256(abi.encode("guarantee certificate", bidder));
    }

    function _picks(uint8 a, uint8 b) internal pure returns (uint8[2] memory p) {
        p = [a, b];
    }

    /// @dev Commits `bidder`'s bid with its default salt and documents.
    function _commit(uint256 tenderId, address bidder, uint64 price, uint8[2] memory picks) internal {
        _commitWith(tenderId, bidder, price, picks, _salt(bidder));
    }

    function _commitWith(uint256 tenderId, address bidder, uint64 price, uint8[2] memory picks, bytes32 salt)
        internal
    {
        bytes32 c = _commitment(tenderId, bidder, price, picks, _docHash(bidder), salt);
        vm.prank(bidder);
        board.commitBid(tenderId, c, BOND, _bondDoc(bidder));
    }

    function _reveal(uint256 tenderId, address bidder, uint64 price, uint8[2] memory picks) internal {
        _revealWith(tenderId, bidder, price, picks, _salt(bidder));
    }

    function _revealWith(uint256 tenderId, address bidder, uint64 price, uint8[2] memory picks, bytes32 salt)
        internal
    {
        vm.prank(bidder);
        board.revealBid(tenderId, price, picks, salt, _docHash(bidder));
    }

    // ---- an independent rendering of the derivation in ITenderBoard, to check the contract against

    struct Expected {
        bytes32 finalSeed;
        uint256[15] candidates;
        uint8[4] chosen;
        uint256 reserve;
        uint256 floor;
    }

    /// @dev The low 8 bytes of keccak256(salt), XORed over the given salts.
    function _refSaltMix(bytes32[] memory salts) internal pure returns (uint64 mix) {
        for (uint256 i; i < salts.length; ++i) {
            mix ^= uint64(uint256(keccak256(bytes.concat(salts[i]))));
        }
    }

    function _refDraw(
        uint256 tenderId,
        bytes32 seed,
        uint64 saltMix,
        uint64 basePrice,
        uint32 floorRate,
        uint8[15] memory counts
    ) internal view returns (Expected memory e) {
        bytes32 drawBlockHash = _drawHash(_drawBlockOf(tenderId));
        e.finalSeed = keccak256(abi.encode(block.chainid, address(board), tenderId, seed, saltMix, drawBlockHash));
        for (uint256 i; i < 15; ++i) {
            int256 offsetBps = int256(uint256(keccak256(abi.encode(e.finalSeed, i))) % 601) - 300;
            e.candidates[i] = uint256(int256(uint256(basePrice)) * (10_000 + offsetBps) / 10_000);
        }
        // Insertion sort of the indices by (count desc, index asc).
        uint256[15] memory order;
        for (uint256 i; i < 15; ++i) {
            order[i] = i;
        }
        for (uint256 i = 1; i < 15; ++i) {
            uint256 j = i;
            while (j > 0 && counts[order[j]] > counts[order[j - 1]]) {
                (order[j], order[j - 1]) = (order[j - 1], order[j]);
                --j;
            }
        }
        uint256 sum;
        for (uint256 k; k < 4; ++k) {
            e.chosen[k] = uint8(order[k]);
            sum += e.candidates[order[k]];
        }
        e.reserve = sum / 4;
        uint256 scaled = e.reserve * floorRate;
        e.floor = scaled / 100_000 + (scaled % 100_000 == 0 ? 0 : 1);
    }

    function _toReveal(uint256 tenderId) internal {
        vm.warp(board.getTender(tenderId).bidDeadline);
    }

    function _toAward(uint256 tenderId) internal {
        vm.warp(board.getTender(tenderId).revealDeadline);
    }

    function _award(uint256 tenderId) internal {
        _revealSeed(tenderId);
        _mineDrawBlock(tenderId);
        vm.prank(countyOfficial);
        board.award(tenderId, _seedFor(tenderId));
    }

    function _revealSeed(uint256 tenderId) internal {
        vm.prank(countyOfficial);
        board.revealSeed(tenderId, _seedFor(tenderId));
    }

    /// @dev Moves to the block after the draw block and gives the draw block its test hash.
    function _mineDrawBlock(uint256 tenderId) internal {
        uint256 drawBlock = board.getSchedule(tenderId).drawBlock;
        vm.roll(drawBlock + 1);
        vm.setBlockhash(drawBlock, _drawHash(drawBlock));
    }
}
