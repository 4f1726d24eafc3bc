// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Korean administrative region codes
/// @notice jangbu names regions by the 5-digit 시군구 code of 행정표준코드: `46810` is 전라남도
/// 강진군. A 시도 is written with its two-digit prefix and `000` (`46000` = 전라남도), and `0` means
/// the whole country. The parent of a 시군구 is its 시도, the parent of a 시도 is the nation, so the
/// quota hierarchy national → 시도 → 시군 can be checked from the codes alone.
library Regions {
    uint32 internal constant NATIONAL = 0;
    uint32 private constant MIN_CODE = 11_000; // 서울특별시
    uint32 private constant MAX_CODE = 99_999;

    /// @return True when `region` is a 시도 code such as 46000.
    function isProvince(uint32 region) internal pure returns (bool) {
        return region >= MIN_CODE && region <= MAX_CODE && region % 1000 == 0;
    }

    /// @return True when `region` is a 시군구 code such as 46810.
    function isCounty(uint32 region) internal pure returns (bool) {
        return region >= MIN_CODE && region <= MAX_CODE && region % 1000 != 0;
    }

    /// @return True for the nation, a 시도 or a 시군구.
    function isValid(uint32 region) internal pure returns (bool) {
        return region == NATIONAL || (region >= MIN_CODE && region <= MAX_CODE);
    }

    /// @return The region one level up: the 시도 of a 시군구, the nation for a 시도.
    /// @dev Only meaningful for a province or a county; callers check the kind first.
    function parentOf(uint32 region) internal pure returns (uint32) {
        return isCounty(region) ? (region / 1000) * 1000 : NATIONAL;
    }
}
