// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CredentialRegistry} from "../../CredentialRegistry.sol";
import {ICredentialRegistry} from "../../interfaces/ICredentialRegistry.sol";
import {IRicePurchase} from "../../interfaces/IRicePurchase.sol";
import {JangbuForwarder} from "../../JangbuForwarder.sol";
import {RicePurchase} from "../../RicePurchase.sol";
import {Test} from "./Test.sol";

/// @notice Deploys a jangbu stack and credentials the usual cast for 전라남도 강진군 (46810).
/// The test contract is the registry admin and a national issuer of every role.
abstract contract JangbuFixture is Test {
    uint32 internal constant NATIONAL = 0;
    uint32 internal constant JEONNAM = 46_000;
    uint32 internal constant GANGJIN = 46_810;
    uint32 internal constant HAENAM = 46_820;
    uint64 internal constant YEAR = 365 days;
    uint32 internal constant INTERIM = 40_000;
    uint32 internal constant BULK_DEDUCTION = 1_000;
    uint32 internal constant COLLECTION_POINT = 4_681_001;
    uint32 internal constant DISPUTE_PERIOD = 14 days;
    address internal nationalOfficial2; // a second national Official of another household

    JangbuForwarder internal forwarder;
    CredentialRegistry internal registry;
    RicePurchase internal rice;

    uint256 internal constant FARMER_KEY = 0xFA11;
    address internal farmer;
    address internal farmer2;
    address internal inspector;
    address internal inspector2;
    address internal countyOfficial;
    address internal countyOfficial2;
    address internal provinceOfficial;
    address internal nationalOfficial;
    address internal haenamOfficial;
    address internal outsider;

    uint32 internal programId;

    function setUpStack() internal {
        vm.warp(1_790_000_000); // 2026-09
        forwarder = new JangbuForwarder();
        registry = new CredentialRegistry(address(forwarder), address(this), 2 days);
        rice = new RicePurchase(address(forwarder), registry);
        for (uint8 role; role <= uint8(type(ICredentialRegistry.Role).max); ++role) {
            registry.setIssuer(address(this), ICredentialRegistry.Role(role), NATIONAL, true);
        }
        farmer = vm.addr(FARMER_KEY);
        vm.label(farmer, "farmer");
        farmer2 = makeAddr("farmer2");
        inspector = makeAddr("inspector");
        inspector2 = makeAddr("inspector2");
        countyOfficial = makeAddr("countyOfficial");
        countyOfficial2 = makeAddr("countyOfficial2");
        provinceOfficial = makeAddr("provinceOfficial");
        nationalOfficial = makeAddr("nationalOfficial");
        nationalOfficial2 = makeAddr("nationalOfficial2");
        haenamOfficial = makeAddr("haenamOfficial");
        outsider = makeAddr("outsider");

        _credential(farmer, ICredentialRegistry.Role.Farmer, GANGJIN);
        _credential(farmer2, ICredentialRegistry.Role.Farmer, GANGJIN);
        _credential(inspector, ICredentialRegistry.Role.Inspector, GANGJIN);
        _credential(inspector2, ICredentialRegistry.Role.Inspector, GANGJIN);
        _credential(countyOfficial, ICredentialRegistry.Role.Official, GANGJIN);
        _credential(countyOfficial2, ICredentialRegistry.Role.Official, GANGJIN);
        _credential(provinceOfficial, ICredentialRegistry.Role.Official, JEONNAM);
        _credential(nationalOfficial, ICredentialRegistry.Role.Official, NATIONAL);
        _credential(nationalOfficial2, ICredentialRegistry.Role.Official, NATIONAL);
        _credential(haenamOfficial, ICredentialRegistry.Role.Official, HAENAM);
    }

    /// @dev A programme open now for 60 days, 450,000 t nationally, with a quota chain down to
    /// 강진군 and 1,000 units for `farmer`.
    function setUpProgram() internal {
        vm.prank(nationalOfficial);
        programId = rice.createProgram(_params());
        vm.prank(nationalOfficial);
        rice.allocateRegion(programId, JEONNAM, 1_000_000);
        vm.prank(provinceOfficial);
        rice.allocateRegion(programId, GANGJIN, 100_000);
        vm.prank(countyOfficial);
        rice.allocate(programId, GANGJIN, farmer, 1_000);
    }

    function _params() internal view returns (IRicePurchase.ProgramParams memory) {
        return IRicePurchase.ProgramParams({
            cropYear: 2026,
            nationalQuota: 11_250_000, // 450,000 t in 40 kg units
            interimPerUnit: INTERIM,
            bulkDeduction: BULK_DEDUCTION,
            deliveryStart: uint40(block.timestamp),
            deliveryEnd: uint40(block.timestamp + 60 days),
            varieties: [uint16(101), uint16(102)],
            disputePeriod: DISPUTE_PERIOD
        });
    }

    /// @dev A credential whose household is the subject's own (every address its own 세대).
    function _credential(address subject, ICredentialRegistry.Role role, uint32 region) internal returns (uint256) {
        return _credential(subject, role, region, _ownHousehold(subject));
    }

    function _credential(address subject, ICredentialRegistry.Role role, uint32 region, bytes16 household)
        internal
        returns (uint256)
    {
        return registry.issue(
            subject, role, region, keccak256(abi.encode("claims", subject, role)), uint64(block.timestamp + YEAR), household
        );
    }

    /// @dev The household tag of a one-person household: the first 16 bytes of a hash, as a county
    /// derives it from a random household secret.
    function _ownHousehold(address subject) internal pure returns (bytes16) {
        return bytes16(keccak256(abi.encode("household secret of", subject)));
    }

    /// @dev Final prices as the two national Officials set them: one proposes, the other confirms.
    function _setFinalPrices(uint32 farmGate, uint32 millingFee, uint16 yieldBps) internal {
        IRicePurchase.Program memory program = rice.getProgram(programId);
        if (block.timestamp <= program.deliveryEnd) vm.warp(uint256(program.deliveryEnd) + 1);
        vm.prank(nationalOfficial);
        rice.setFinalPrices(programId, farmGate, millingFee, yieldBps);
        vm.prank(nationalOfficial2);
        rice.confirmFinalPrices(programId, farmGate, millingFee, yieldBps);
    }

    function _submit(address seller, uint16 units, IRicePurchase.Packaging packaging) internal returns (uint256) {
        vm.prank(seller);
        return rice.submitSale(programId, units, packaging, 101, COLLECTION_POINT, _today());
    }

    /// @dev Today's delivery day (days since 1970-01-01 in Korean time), as the sale form sends it.
    function _today() internal view returns (uint32) {
        return uint32((block.timestamp + 9 hours) / 1 days);
    }

    function _submit(uint16 units) internal returns (uint256) {
        return _submit(farmer, units, IRicePurchase.Packaging.Bag40);
    }

    function _inspect(address by, uint256 saleId, uint16[4] memory grades, uint16 rejected) internal {
        vm.prank(by);
        rice.recordInspection(saleId, grades, rejected, 140, keccak256(abi.encode("certificate", saleId, by)));
    }

    function _approve(uint256 saleId) internal {
        vm.prank(countyOfficial);
        rice.approvePurchase(saleId);
    }

    function _pay(uint256 saleId, IRicePurchase.PaymentKind kind, uint256 amount) internal {
        vm.prank(countyOfficial);
        rice.recordPayment(saleId, kind, amount, keccak256(abi.encode("transfer", saleId, kind)));
    }

    function _grades(uint16 s, uint16 a, uint16 b, uint16 c) internal pure returns (uint16[4] memory g) {
        g = [s, a, b, c];
    }
}
