// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICredentialRegistry} from "./interfaces/ICredentialRegistry.sol";
import {IFarmGatePrices} from "./interfaces/IFarmGatePrices.sol";
import {IRicePurchase} from "./interfaces/IRicePurchase.sol";
import {CredentialGated} from "./lib/CredentialGated.sol";
import {Regions} from "./lib/Regions.sol";

/// @title FarmGatePrices
/// @notice The farm-gate price series (산지쌀값) each RicePurchase programme's final price is fixed
/// from, recorded by national Officials as Statistics Korea publishes it. See {IFarmGatePrices}.
/// @dev Kept apart from RicePurchase (which is near the contract size limit); it only reads the
/// programme's crop year and whether its final prices are set. A series holds at most nine
/// observations, so the views that return it are bounded.
contract FarmGatePrices is IFarmGatePrices, CredentialGated {
    /// @notice Survey dates in a programme's price window: the 5th, 15th and 25th of Oct–Dec.
    uint8 public constant OBSERVATIONS_PER_SEASON = 9;
    /// @notice Lowest price accepted, won per 80 kg (far below any price since the survey began).
    uint32 public constant MIN_PRICE = 50_000;
    /// @notice Highest price accepted, won per 80 kg (far above any price since the survey began).
    uint32 public constant MAX_PRICE = 500_000;

    /// @notice The programmes the observations count for.
    IRicePurchase public immutable ricePurchase;

    mapping(uint32 programId => Series) private _series;
    mapping(uint32 programId => mapping(uint8 index => Observation)) private _observations;

    constructor(address trustedForwarder_, ICredentialRegistry registry_, IRicePurchase ricePurchase_)
        CredentialGated(trustedForwarder_, registry_)
    {
        ricePurchase = ricePurchase_;
    }

    /// @inheritdoc IFarmGatePrices
    function recordObservation(uint32 programId, uint32 date, uint32 pricePer80kg) external {
        address official = _msgSender();
        _requireTaggedRole(official, ICredentialRegistry.Role.Official, Regions.NATIONAL);
        IRicePurchase.Program memory program = _program(programId);
        if (program.finalPricesSet) revert SeriesClosed(programId);
        if (!isSurveyDate(date, program.cropYear)) revert DateOutsidePriceWindow(programId, date, program.cropYear);
        Series memory series = _series[programId];
        if (date == series.lastDate) revert DuplicateObservation(programId, date);
        if (date < series.lastDate) revert ObservationOutOfOrder(programId, date, series.lastDate);
        if (pricePer80kg < MIN_PRICE || pricePer80kg > MAX_PRICE) {
            revert PriceOutOfBounds(pricePer80kg, MIN_PRICE, MAX_PRICE);
        }
        // Dates only increase through nine survey dates, so `count` stays below 10.
        uint8 index = series.count;
        _observations[programId][index] = Observation(date, pricePer80kg);
        _series[programId] = Series(index + 1, date, series.sum + pricePer80kg);
        emit FarmGatePriceRecorded(programId, date, pricePer80kg, official, index);
    }

    /// @notice True when `date` (`yyyymmdd`) is a survey date of the price window of crop year
    /// `cropYear`: the 5th, 15th or 25th of October, November or December of that year.
    /// @param date The date, `yyyymmdd`.
    /// @param cropYear The programme's crop year.
    function isSurveyDate(uint32 date, uint16 cropYear) public pure returns (bool) {
        uint32 day = date % 100;
        uint32 month = (date / 100) % 100;
        return date / 10_000 == cropYear && month >= 10 && month <= 12 && (day == 5 || day == 15 || day == 25);
    }

    /// @inheritdoc IFarmGatePrices
    function getSeries(uint32 programId) external view returns (Series memory) {
        return _series[programId];
    }

    /// @inheritdoc IFarmGatePrices
    function getObservations(uint32 programId) external view returns (Observation[] memory observations) {
        uint8 count = _series[programId].count;
        observations = new Observation[](count);
        for (uint8 i; i < count; ++i) {
            observations[i] = _observations[programId][i];
        }
    }

    /// @inheritdoc IFarmGatePrices
    function averageOf(uint32 programId) external view returns (uint32) {
        Series memory series = _series[programId];
        if (series.count == 0) revert NoObservations(programId);
        return uint32(series.sum / series.count);
    }

    /// @dev The programme, or `UnknownProgram` when RicePurchase has none by that id.
    function _program(uint32 programId) private view returns (IRicePurchase.Program memory) {
        try ricePurchase.getProgram(programId) returns (IRicePurchase.Program memory program) {
            return program;
        } catch {
            revert UnknownProgram(programId);
        }
    }
}
