// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FarmGatePrices} from "../FarmGatePrices.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {IFarmGatePrices} from "../interfaces/IFarmGatePrices.sol";
import {IRicePurchase} from "../interfaces/IRicePurchase.sol";
import {JangbuFixture} from "./utils/JangbuFixture.sol";

/// @notice The farm-gate price series: who may record, which dates and prices count, and that the
/// series' average gives the final prices a programme's settlement uses.
contract FarmGatePricesTest is JangbuFixture {
    ICredentialRegistry.Role internal constant OFFICIAL = ICredentialRegistry.Role.Official;
    FarmGatePrices internal prices;

    event FarmGatePriceRecorded(
        uint32 indexed programId, uint32 date, uint32 pricePer80kg, address indexed official, uint8 index
    );

    /// @dev The nine survey dates of crop year 2026 and a falling season (as in 2016).
    uint32[9] internal dates =
        [uint32(20261005), 20261015, 20261025, 20261105, 20261115, 20261125, 20261205, 20261215, 20261225];
    uint32[9] internal season = [uint32(181_000), 179_500, 177_800, 176_000, 174_200, 172_900, 171_100, 169_600, 168_400];

    function setUp() public {
        setUpStack();
        setUpProgram();
        prices = new FarmGatePrices(address(forwarder), registry, rice);
    }

    function _record(address by, uint32 date, uint32 price) internal {
        vm.prank(by);
        prices.recordObservation(programId, date, price);
    }

    function _credentialError(address actor) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ICredentialRegistry.CredentialRequired.selector, actor, OFFICIAL, NATIONAL);
    }

    // ------------------------------------------------------------ recording

    function test_recordsTheSeasonAndAverages() public {
        vm.expectEmit(true, true, false, true, address(prices));
        emit FarmGatePriceRecorded(programId, dates[0], season[0], nationalOfficial, 0);
        _record(nationalOfficial, dates[0], season[0]);
        uint256 sum = season[0];
        for (uint256 i = 1; i < 9; ++i) {
            // Either national Official may record; both count in one series.
            _record(i % 2 == 0 ? nationalOfficial : nationalOfficial2, dates[i], season[i]);
            sum += season[i];
        }
        IFarmGatePrices.Series memory series = prices.getSeries(programId);
        assertEq(series.count, 9);
        assertEq(series.lastDate, 20261225);
        assertEq(series.sum, sum);
        assertEq(prices.averageOf(programId), sum / 9);
        IFarmGatePrices.Observation[] memory all = prices.getObservations(programId);
        assertEq(all.length, 9);
        assertEq(all[4].date, 20261115);
        assertEq(all[4].pricePer80kg, 174_200);
    }

    /// @dev The final prices computed from the nine observations' average give every sale the
    /// settlement the sdk's estimate gives once the series is complete (same formula, same input).
    function test_finalPricesFromTheAverage() public {
        for (uint256 i; i < 9; ++i) {
            _record(nationalOfficial, dates[i], season[i]);
        }
        uint32 average = prices.averageOf(programId); // 174,500 (1,570,500 / 9)
        assertEq(average, 174_500);
        uint256 saleId = _submit(20);
        _inspect(inspector, saleId, _grades(2, 10, 5, 3), 0);
        _approve(saleId);
        _setFinalPrices(average, 8_500, 7_300);
        (uint256 interim, uint256 finalAmount, int256 balance) = rice.settlementOf(saleId);
        uint32[4] memory g = rice.computeGradePrices(average, 8_500, 7_300);
        assertEq(g[1], 60_590); // (174,500 − 8,500) × 0.73 ÷ 2 = 60,590
        assertEq(interim, 20 * uint256(INTERIM));
        assertEq(finalAmount, 2 * uint256(g[0]) + 10 * uint256(g[1]) + 5 * uint256(g[2]) + 3 * uint256(g[3]));
        assertEq(balance, int256(finalAmount) - int256(interim));
    }

    function test_averageNeedsAnObservation() public {
        vm.expectRevert(abi.encodeWithSelector(IFarmGatePrices.NoObservations.selector, programId));
        prices.averageOf(programId);
    }

    // ------------------------------------------------------------ who may act

    function test_outsiderCannotRecord() public {
        vm.expectRevert(_credentialError(outsider));
        _record(outsider, dates[0], season[0]);
    }

    function test_regionalOfficialsCannotRecord() public {
        vm.expectRevert(_credentialError(countyOfficial));
        _record(countyOfficial, dates[0], season[0]);
        vm.expectRevert(_credentialError(provinceOfficial));
        _record(provinceOfficial, dates[0], season[0]);
    }

    function test_nationalHolderOfAnotherRoleCannotRecord() public {
        address nationalInspector = makeAddr("nationalInspector");
        _credential(nationalInspector, ICredentialRegistry.Role.Inspector, NATIONAL);
        vm.expectRevert(_credentialError(nationalInspector));
        _record(nationalInspector, dates[0], season[0]);
        vm.expectRevert(_credentialError(farmer));
        _record(farmer, dates[0], season[0]);
    }

    function test_revokedOfficialCannotRecord() public {
        address official = makeAddr("revokedOfficial");
        uint256 id = _credential(official, OFFICIAL, NATIONAL);
        _record(official, dates[0], season[0]); // live: accepted
        registry.revoke(id, keccak256("left the ministry"));
        vm.expectRevert(_credentialError(official));
        _record(official, dates[1], season[1]);
        assertEq(prices.getSeries(programId).count, 1);
    }

    function test_expiredOfficialCannotRecord() public {
        vm.warp(block.timestamp + YEAR + 1);
        vm.expectRevert(_credentialError(nationalOfficial));
        _record(nationalOfficial, dates[0], season[0]);
    }

    function test_untaggedOfficialCannotRecord() public {
        address untagged = makeAddr("untaggedOfficial");
        _credential(untagged, OFFICIAL, NATIONAL, bytes16(0));
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.HouseholdTagMissing.selector, untagged, OFFICIAL, NATIONAL)
        );
        _record(untagged, dates[0], season[0]);
    }

    // ------------------------------------------------------------ inputs

    function test_unknownProgramme() public {
        vm.prank(nationalOfficial);
        vm.expectRevert(abi.encodeWithSelector(IFarmGatePrices.UnknownProgram.selector, uint32(99)));
        prices.recordObservation(99, dates[0], season[0]);
    }

    function test_datesOutsideTheWindowAreRefused() public {
        uint32[8] memory bad =
            [uint32(20261004), 20261226, 20261010, 20251005, 20271005, 20260905, 20270105, 20261305];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IFarmGatePrices.DateOutsidePriceWindow.selector, programId, bad[i], uint16(2026))
            );
            _record(nationalOfficial, bad[i], season[0]);
        }
        assertEq(prices.getSeries(programId).count, 0);
        assertTrue(prices.isSurveyDate(20261225, 2026));
        assertFalse(prices.isSurveyDate(20261225, 2025));
    }

    function test_duplicateAndOutOfOrderDatesAreRefused() public {
        _record(nationalOfficial, dates[1], season[1]);
        vm.expectRevert(abi.encodeWithSelector(IFarmGatePrices.DuplicateObservation.selector, programId, dates[1]));
        _record(nationalOfficial2, dates[1], season[2]);
        vm.expectRevert(
            abi.encodeWithSelector(IFarmGatePrices.ObservationOutOfOrder.selector, programId, dates[0], dates[1])
        );
        _record(nationalOfficial, dates[0], season[0]);
        assertEq(prices.getSeries(programId).count, 1);
        assertEq(prices.getObservations(programId)[0].pricePer80kg, season[1]);
    }

    function test_priceBounds() public {
        vm.expectRevert(
            abi.encodeWithSelector(IFarmGatePrices.PriceOutOfBounds.selector, uint32(49_999), uint32(50_000), uint32(500_000))
        );
        _record(nationalOfficial, dates[0], 49_999);
        vm.expectRevert(
            abi.encodeWithSelector(IFarmGatePrices.PriceOutOfBounds.selector, uint32(500_001), uint32(50_000), uint32(500_000))
        );
        _record(nationalOfficial, dates[0], 500_001);
        _record(nationalOfficial, dates[0], 50_000);
        _record(nationalOfficial, dates[1], 500_000);
        assertEq(prices.getSeries(programId).count, 2);
    }

    function test_seriesClosesWithFinalPrices() public {
        _record(nationalOfficial, dates[0], season[0]);
        _setFinalPrices(season[0], 8_500, 7_300);
        vm.expectRevert(abi.encodeWithSelector(IFarmGatePrices.SeriesClosed.selector, programId));
        _record(nationalOfficial, dates[1], season[1]);
    }

    function test_seriesArePerProgramme() public {
        vm.prank(nationalOfficial);
        uint32 other = rice.createProgram(_params());
        _record(nationalOfficial, dates[5], season[5]);
        vm.prank(nationalOfficial);
        prices.recordObservation(other, dates[0], season[0]); // its own series starts afresh
        assertEq(prices.getSeries(other).count, 1);
        assertEq(prices.getSeries(programId).lastDate, dates[5]);
    }
}
