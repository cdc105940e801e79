//! 年度: the Japanese fiscal year, April 1 to March 31, named by the calendar year it starts in.
//!
//! Government bodies budget, settle and report per 年度 (地方自治法208条), so every contract and every
//! receipt of money is tied to one. Users read years both as 西暦 (2004年度) and as 和暦 (平成16年度).

use crate::date::Date;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A fiscal year, named by the calendar year in which it starts (2004 = 2004-04-01 .. 2005-03-31).
/// Always within [`FIRST_YEAR`]..=[`LAST_YEAR`]: the bounds are checked when one is deserialised,
/// so an impossible year never reaches a rule, a report or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct FiscalYear(i32);

/// In the OpenAPI document: an integer with its bounds, so clients (and contract testers) know
/// which years the server accepts.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for FiscalYear {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(FIRST_YEAR))
            .maximum(Some(LAST_YEAR))
            .description(Some(
                "A fiscal year (年度), named by the calendar year it starts in",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for FiscalYear {}

/// The years Spiral accepts: before the Meiji era's first 年度 or far in the future is a typo.
pub const FIRST_YEAR: i32 = 1868;
pub const LAST_YEAR: i32 = 2200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fiscal year {0} is out of range ({FIRST_YEAR}..={LAST_YEAR})")]
pub struct FiscalYearOutOfRange(pub i32);

impl FiscalYear {
    pub fn new(year: i32) -> Result<Self, FiscalYearOutOfRange> {
        if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
            Ok(Self(year))
        } else {
            Err(FiscalYearOutOfRange(year))
        }
    }

    pub const fn first() -> Self {
        Self(FIRST_YEAR)
    }

    pub const fn last() -> Self {
        Self(LAST_YEAR)
    }

    /// The fiscal year a date falls in: January to March belong to the year before. Every
    /// [`Date`] lies in an accepted fiscal year, so this cannot fail.
    pub fn containing(date: Date) -> Self {
        Self(year_containing(date.naive()))
    }

    /// The fiscal year of any calendar day, or why it has none Spiral accepts.
    pub fn of_day(day: NaiveDate) -> Result<Self, FiscalYearOutOfRange> {
        Self::new(year_containing(day))
    }

    pub fn year(self) -> i32 {
        self.0
    }

    pub fn first_day(self) -> Date {
        Date::within_bounds(NaiveDate::from_ymd_opt(self.0, 4, 1).expect("April 1 exists in every year"))
    }

    pub fn last_day(self) -> Date {
        Date::within_bounds(
            NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).expect("March 31 exists in every year"),
        )
    }

    pub fn contains(self, date: NaiveDate) -> bool {
        year_containing(date) == self.0
    }

    /// The year after; `None` after the last year Spiral accepts.
    pub fn next(self) -> Option<Self> {
        Self::new(self.0 + 1).ok()
    }

    /// The year before; `None` before the first year Spiral accepts.
    pub fn previous(self) -> Option<Self> {
        Self::new(self.0 - 1).ok()
    }

    /// 2004年度
    pub fn seireki(self) -> String {
        format!("{}年度", self.0)
    }

    /// 平成16年度; 令和元年度 for 2019.
    ///
    /// A 年度 takes the era that began in or before its starting calendar year: 2019年度 started on
    /// 2019-04-01 under 平成 but is officially and commonly 令和元年度, as 1989年度 is 平成元年度.
    pub fn wareki(self) -> String {
        let era = ERAS
            .iter()
            .rev()
            .find(|era| era.first_year <= self.0)
            // Unreachable: a FiscalYear is never before Meiji's first year.
            .unwrap_or(&ERAS[0]);
        match self.0 - era.first_year + 1 {
            1 => format!("{}元年度", era.name),
            n => format!("{}{}年度", era.name, n),
        }
    }
}

/// "2019-2023" → (2019年度, 2023年度): how the CLI and the API name an assessment period.
pub fn parse_period(text: &str) -> Result<(FiscalYear, FiscalYear), String> {
    let (from, to) = text
        .split_once('-')
        .ok_or_else(|| format!("{text:?} is not a period: write FROM-TO, e.g. 2019-2023"))?;
    let year = |t: &str| {
        t.trim()
            .parse::<i32>()
            .map_err(|_| format!("{t:?} is not a year"))
            .and_then(|y| FiscalYear::new(y).map_err(|e| e.to_string()))
    };
    Ok((year(from)?, year(to)?))
}

fn year_containing(day: NaiveDate) -> i32 {
    if day.month() >= 4 {
        day.year()
    } else {
        day.year() - 1
    }
}

impl TryFrom<i32> for FiscalYear {
    type Error = FiscalYearOutOfRange;
    fn try_from(year: i32) -> Result<Self, Self::Error> {
        Self::new(year)
    }
}

impl From<FiscalYear> for i32 {
    fn from(fy: FiscalYear) -> i32 {
        fy.0
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}年度", self.0)
    }
}

struct Era {
    name: &'static str,
    first_year: i32,
}

const ERAS: [Era; 5] = [
    Era {
        name: "明治",
        first_year: 1868,
    },
    Era {
        name: "大正",
        first_year: 1912,
    },
    Era {
        name: "昭和",
        first_year: 1926,
    },
    Era {
        name: "平成",
        first_year: 1989,
    },
    Era {
        name: "令和",
        first_year: 2019,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn april_starts_the_year_and_march_ends_it() {
        let fy_of = |d| FiscalYear::containing(Date::new(d).unwrap()).year();
        assert_eq!(fy_of(date(2004, 4, 1)), 2004);
        assert_eq!(fy_of(date(2005, 3, 31)), 2004);
        assert_eq!(fy_of(date(2005, 1, 15)), 2004);
        let fy = FiscalYear::new(2004).unwrap();
        assert_eq!(fy.first_day(), date(2004, 4, 1));
        assert_eq!(fy.last_day().naive(), date(2005, 3, 31));
        assert!(fy.contains(date(2005, 2, 28)));
        assert!(!fy.contains(date(2005, 4, 1)));
    }

    #[test]
    fn wareki_names_follow_the_era_that_began_in_the_starting_year() {
        let w = |y| FiscalYear::new(y).unwrap().wareki();
        assert_eq!(w(2004), "平成16年度");
        assert_eq!(w(1989), "平成元年度");
        assert_eq!(w(1988), "昭和63年度");
        assert_eq!(w(2018), "平成30年度");
        assert_eq!(w(2019), "令和元年度");
        assert_eq!(w(2020), "令和2年度");
        assert_eq!(w(2001), "平成13年度");
        assert_eq!(FiscalYear::new(2004).unwrap().seireki(), "2004年度");
    }

    #[test]
    fn out_of_range_years_are_refused() {
        assert_eq!(FiscalYear::new(1200), Err(FiscalYearOutOfRange(1200)));
        assert!(FiscalYear::new(20004).is_err());
        assert_eq!(
            FiscalYear::of_day(date(1868, 3, 31)),
            Err(FiscalYearOutOfRange(1867))
        );
        assert_eq!(FiscalYear::last().next(), None);
        assert_eq!(FiscalYear::first().previous(), None);
    }

    #[test]
    fn deserialising_checks_the_bounds() {
        assert_eq!(serde_json::from_str::<FiscalYear>("2004").unwrap().year(), 2004);
        for bad in ["1800", "0", "-5", "2201", "9999"] {
            let err = serde_json::from_str::<FiscalYear>(bad).unwrap_err();
            assert!(err.to_string().contains("out of range"), "{bad}: {err}");
        }
        let bytes = postcard::to_allocvec(&1800i32).unwrap();
        assert!(postcard::from_bytes::<FiscalYear>(&bytes).is_err());
    }
}
