//! An effective date: the day a fact took effect in the NPO's world.
//!
//! Bounded to the fiscal years Spiral accepts ([`crate::fiscal_year::FIRST_YEAR`] 年度 to
//! [`crate::fiscal_year::LAST_YEAR`] 年度), and checked when it is deserialised, so no layer —
//! an API request, a stored event, an import line — can hold a day that has no 年度 or no 和暦.
//! A typo such as `0218-05-01` is refused at the door instead of breaking every page that
//! formats it later.

use crate::fiscal_year::{FiscalYear, FIRST_YEAR, LAST_YEAR};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A day between 1868-04-01 and 2201-03-31 (the first day of the first fiscal year and the last
/// day of the last). Serialised as `YYYY-MM-DD`, exactly as a [`NaiveDate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "NaiveDate")]
pub struct Date(NaiveDate);

/// Read by hand rather than through chrono's format parser: the same strict `YYYY-MM-DD`
/// everywhere, and the parser's code stays out of the browser's bundle.
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl serde::de::Visitor<'_> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date as YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Date, E> {
                let day = parse_ymd(text.as_bytes())
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(text), &self))?;
                Date::new(day).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(DateVisitor)
    }
}

/// `YYYY-M[M]-D[D]`, nothing before or after; a day that exists.
fn parse_ymd(text: &[u8]) -> Option<NaiveDate> {
    let mut parts = text.splitn(3, |b| *b == b'-');
    let year = number(parts.next()?, 4, 4)?;
    let month = number(parts.next()?, 1, 2)?;
    let day = number(parts.next()?, 1, 2)?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Decimal digits only, between `min` and `max` of them.
fn number(digits: &[u8], min: usize, max: usize) -> Option<u32> {
    if !(min..=max).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Recorded times (RFC 3339, as the store writes them: `2026-11-28T09:00:00.123456Z`), read by
/// hand like [`Date`]. Offsets other than `Z` are accepted and converted to UTC.
pub mod rfc3339 {
    use super::{number, parse_ymd};
    use chrono::{DateTime, Duration, NaiveTime, Utc};

    /// An RFC 3339 time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    pub fn parse(text: &str) -> Option<DateTime<Utc>> {
        let bytes = text.as_bytes();
        if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't' | b' ') {
            return None;
        }
        let day = parse_ymd(&bytes[..10])?;
        let rest = &bytes[11..];
        let clock = |i: usize| number(rest.get(i..i + 2)?, 2, 2);
        if rest.get(2) != Some(&b':') || rest.get(5) != Some(&b':') {
            return None;
        }
        let (hour, minute, second) = (clock(0)?, clock(3)?, clock(6)?);
        let mut at = 8;
        let mut nanos = 0u32;
        if rest.get(at) == Some(&b'.') {
            let digits = rest[at + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            for (i, d) in rest[at + 1..at + 1 + digits].iter().enumerate() {
                if i < 9 {
                    nanos = nanos * 10 + u32::from(d - b'0');
                }
            }
            nanos *= 10u32.pow(9u32.saturating_sub(digits as u32));
            at += 1 + digits;
        }
        let offset_minutes: i64 = match rest.get(at..)? {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let hours = number(&[*h1, *h2], 2, 2)?;
                let minutes = number(&[*m1, *m2], 2, 2)?;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let total = i64::from(hours * 60 + minutes);
                if *sign == b'-' {
                    -total
                } else {
                    total
                }
            }
            _ => return None,
        };
        let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
        let local = day.and_time(time);
        local
            .checked_sub_signed(Duration::minutes(offset_minutes))
            .map(|utc| utc.and_utc())
    }

    /// For `#[serde(deserialize_with)]` on a recorded time.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        struct TimeVisitor;
        impl serde::de::Visitor<'_> for TimeVisitor {
            type Value = DateTime<Utc>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an RFC 3339 time such as 2026-11-28T09:00:00Z")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
                parse(text).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(text), &self))
            }
        }
        deserializer.deserialize_str(TimeVisitor)
    }
}

/// A recorded time as each form reads best: RFC 3339 text in JSON (what the store keeps and
/// hashes, and what the API shows), whole seconds and nanoseconds since 1970 in postcard, where a
/// browser decodes a million of them on a visit to a large ledger (no text to allocate and
/// parse). Lossless both ways.
pub mod recorded_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            at.serialize(serializer)
        } else {
            (at.timestamp(), at.timestamp_subsec_nanos()).serialize(serializer)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        if deserializer.is_human_readable() {
            return super::rfc3339::deserialize(deserializer);
        }
        let (seconds, nanos) = <(i64, u32)>::deserialize(deserializer)?;
        DateTime::from_timestamp(seconds, nanos).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{seconds} s and {nanos} ns since 1970 is not a recorded time"
            ))
        })
    }
}

/// In the OpenAPI document: a `date` string whose year is within Spiral's fiscal years (the
/// pattern allows 1868–2201; the server then refuses days outside 1868-04-01..=2201-03-31).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Date {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(DATE_PATTERN))
            .examples(["2004-04-01"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Date {}

/// Days from 1868-04-01 to 2201-03-31, as a regular expression over `YYYY-MM-DD`.
pub const DATE_PATTERN: &str = "^(1868-(0[4-9]|1[0-2])|(18(69|[7-9][0-9])|19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])|2201-0[1-3])-(0[1-9]|[12][0-9]|3[01])$";

/// The words every bound's refusal carries (dates here, fiscal years in
/// [`crate::fiscal_year::FiscalYearOutOfRange`]): the HTTP edge recognises a value that decoded
/// but lies outside its bounds by them, and answers 422 rather than 400.
pub const OUT_OF_RANGE: &str = "is out of range";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("date {0} is out of range ({FIRST_YEAR}-04-01..={end}-03-31, fiscal years {FIRST_YEAR} to {LAST_YEAR})", end = LAST_YEAR + 1)]
pub struct DateOutOfRange(pub NaiveDate);

impl Date {
    /// The earliest day Spiral accepts.
    pub fn first() -> Date {
        FiscalYear::first().first_day()
    }

    /// The latest day Spiral accepts.
    pub fn last() -> Date {
        FiscalYear::last().last_day()
    }

    /// For a day the caller has derived from a [`FiscalYear`], which is in range by construction.
    pub(crate) fn within_bounds(day: NaiveDate) -> Date {
        Date(day)
    }

    pub fn new(day: NaiveDate) -> Result<Date, DateOutOfRange> {
        if (Self::first().0..=Self::last().0).contains(&day) {
            Ok(Date(day))
        } else {
            Err(DateOutOfRange(day))
        }
    }

    /// A calendar day; `None` when it does not exist or is out of range.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).and_then(|d| Date::new(d).ok())
    }

    /// The nearest accepted day: for a clock reading (today) rather than for input.
    pub fn clamped(day: NaiveDate) -> Date {
        Date(day.clamp(Self::first().0, Self::last().0))
    }

    pub fn naive(self) -> NaiveDate {
        self.0
    }

    /// The day in the Japanese calendar (和暦), as certificates date themselves: 令和7年1月20日,
    /// with 元年 for an era's first year. An era starts on the day it began (令和 on 2019-05-01,
    /// so 2019-04-30 is 平成31年4月30日).
    pub fn wareki(self) -> String {
        const ERAS: [(&str, (i32, u32, u32)); 5] = [
            ("明治", (1868, 1, 25)),
            ("大正", (1912, 7, 30)),
            ("昭和", (1926, 12, 25)),
            ("平成", (1989, 1, 8)),
            ("令和", (2019, 5, 1)),
        ];
        let day = (self.0.year(), self.0.month(), self.0.day());
        let (name, first_year) = ERAS
            .iter()
            .rev()
            .find(|(_, start)| *start <= day)
            .map_or(("明治", 1868), |(name, (year, _, _))| (*name, *year));
        let year = match self.0.year() - first_year + 1 {
            1 => "元".to_owned(),
            n => n.to_string(),
        };
        format!("{name}{year}年{}月{}日", self.0.month(), self.0.day())
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u32 {
        self.0.month()
    }

    pub fn day(self) -> u32 {
        self.0.day()
    }

    /// Days from `earlier` to this day (negative if `earlier` is later).
    pub fn days_since(self, earlier: Date) -> i64 {
        (self.0 - earlier.0).num_days()
    }

    /// The day `days` later (earlier when negative), kept within the accepted days.
    pub fn plus_days(self, days: i64) -> Date {
        let day = chrono::Duration::try_days(days)
            .and_then(|d| self.0.checked_add_signed(d))
            .unwrap_or(if days < 0 { NaiveDate::MIN } else { NaiveDate::MAX });
        Date::clamped(day)
    }

    /// The fiscal year this day falls in; always in range.
    pub fn fiscal_year(self) -> FiscalYear {
        FiscalYear::containing(self)
    }
}

impl TryFrom<NaiveDate> for Date {
    type Error = DateOutOfRange;
    fn try_from(day: NaiveDate) -> Result<Self, Self::Error> {
        Date::new(day)
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.0
    }
}

impl PartialEq<NaiveDate> for Date {
    fn eq(&self, other: &NaiveDate) -> bool {
        self.0 == *other
    }
}

impl PartialOrd<NaiveDate> for Date {
    fn partial_cmp(&self, other: &NaiveDate) -> Option<std::cmp::Ordering> {
        self.0.partial_cmp(other)
    }
}

impl PartialEq<Date> for NaiveDate {
    fn eq(&self, other: &Date) -> bool {
        *self == other.0
    }
}

impl PartialOrd<Date> for NaiveDate {
    fn partial_cmp(&self, other: &Date) -> Option<std::cmp::Ordering> {
        self.partial_cmp(&other.0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let day = parse_ymd(text.trim().as_bytes())
            .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))?;
        Date::new(day).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {

    /// A recorded time survives postcard to the nanosecond (the chain and the browser's replay
    /// read it), JSON still carries chrono's RFC 3339 text, and a time out of range is an error.
    #[test]
    fn a_recorded_time_is_seconds_in_postcard_and_text_in_json() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct At(#[serde(with = "recorded_time")] chrono::DateTime<chrono::Utc>);
        for text in [
            "2026-12-08T01:42:11.039245Z",
            "1970-01-01T00:00:00Z",
            "1868-04-01T09:00:00.123456789Z",
        ] {
            let at: chrono::DateTime<chrono::Utc> = text.parse().unwrap();
            let bytes = postcard::to_allocvec(&At(at)).unwrap();
            assert!(bytes.len() <= 15, "{text}: {} bytes", bytes.len());
            assert_eq!(postcard::from_bytes::<At>(&bytes).unwrap(), At(at), "{text}");
            assert_eq!(
                serde_json::to_string(&At(at)).unwrap(),
                serde_json::to_string(&at).unwrap()
            );
            assert_eq!(
                serde_json::from_str::<At>(&serde_json::to_string(&at).unwrap()).unwrap(),
                At(at)
            );
        }
        let beyond = postcard::to_allocvec(&(i64::MAX, 0u32)).unwrap();
        assert!(postcard::from_bytes::<At>(&beyond).is_err());
        let nanos = postcard::to_allocvec(&(0i64, u32::MAX)).unwrap();
        assert!(postcard::from_bytes::<At>(&nanos).is_err());
    }
    use super::*;

    #[test]
    fn wareki_turns_on_the_day_an_era_began() {
        let w = |y, m, d| Date::from_ymd(y, m, d).unwrap().wareki();
        assert_eq!(w(2019, 4, 30), "平成31年4月30日");
        assert_eq!(w(2019, 5, 1), "令和元年5月1日");
        assert_eq!(w(2025, 1, 20), "令和7年1月20日");
        assert_eq!(w(1989, 1, 7), "昭和64年1月7日");
        assert_eq!(w(1989, 1, 8), "平成元年1月8日");
        assert_eq!(w(1926, 12, 25), "昭和元年12月25日");
        assert_eq!(w(1868, 4, 1), "明治元年4月1日");
    }

    #[test]
    fn days_outside_the_fiscal_years_spiral_knows_are_refused() {
        assert!(Date::from_ymd(1868, 4, 1).is_some());
        assert!(Date::from_ymd(2201, 3, 31).is_some());
        for (y, m, d) in [
            (1868, 3, 31),
            (2201, 4, 1),
            (1800, 5, 1),
            (218, 5, 1),
            (9999, 5, 1),
        ] {
            assert_eq!(Date::from_ymd(y, m, d), None, "{y}-{m}-{d}");
        }
        assert!("0218-05-01".parse::<Date>().is_err());
        assert!("2004-02-30".parse::<Date>().is_err());
    }

    #[test]
    fn deserialising_checks_the_bounds_and_the_text_is_that_of_a_naive_date() {
        let ok: Date = serde_json::from_str("\"2004-04-01\"").unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"2004-04-01\"");
        let err = serde_json::from_str::<Date>("\"1800-05-01\"").unwrap_err();
        assert!(err.to_string().contains(OUT_OF_RANGE), "{err}");
        let err = serde_json::from_str::<FiscalYear>("1800").unwrap_err();
        assert!(err.to_string().contains(OUT_OF_RANGE), "{err}");
        let bytes = postcard::to_allocvec(&ok).unwrap();
        assert_eq!(
            bytes,
            postcard::to_allocvec(&NaiveDate::from_ymd_opt(2004, 4, 1).unwrap()).unwrap()
        );
        let far = postcard::to_allocvec(&NaiveDate::from_ymd_opt(9999, 5, 1).unwrap()).unwrap();
        assert!(postcard::from_bytes::<Date>(&far).is_err());
    }

    #[test]
    fn recorded_times_read_as_chrono_writes_them() {
        for text in [
            "2026-11-28T09:00:00Z",
            "2026-11-28T09:00:00.123456Z",
            "2026-11-28T09:00:00.123456789Z",
            "2026-11-28T18:00:00+09:00",
            "2026-11-28T08:30:00.5-00:30",
        ] {
            let ours = rfc3339::parse(text).unwrap_or_else(|| panic!("{text}"));
            let chrono = chrono::DateTime::parse_from_rfc3339(text).unwrap();
            assert_eq!(ours, chrono, "{text}");
        }
        let written: chrono::DateTime<chrono::Utc> = "2024-05-01T09:30:15.123456Z".parse().unwrap();
        let text = serde_json::to_string(&written).unwrap();
        assert_eq!(rfc3339::parse(text.trim_matches('"')), Some(written));
        for bad in [
            "2026-11-28",
            "2026-11-28T09:00:00",
            "2026-11-28T25:00:00Z",
            "2026-11-28T09:00:00.Z",
            "x026-11-28T09:00:00Z",
            "2026-11-28T09:00:00+9:00",
        ] {
            assert_eq!(rfc3339::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_read_strictly_but_as_chrono_read_them() {
        for (text, y, m, d) in [("2004-04-01", 2004, 4, 1), ("2004-4-1", 2004, 4, 1)] {
            assert_eq!(text.parse::<Date>().unwrap(), Date::from_ymd(y, m, d).unwrap());
            let json = format!("\"{text}\"");
            assert_eq!(
                serde_json::from_str::<Date>(&json).unwrap(),
                Date::from_ymd(y, m, d).unwrap()
            );
        }
        for bad in [
            "2004-04-01x",
            "04-04-01",
            "2004/04/01",
            "2004-02-30",
            " 2004-04-01",
            "+2004-04-01",
        ] {
            assert!(
                serde_json::from_str::<Date>(&format!("\"{bad}\"")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_accepted_day_has_a_fiscal_year_with_a_wareki_name() {
        assert_eq!(Date::first().fiscal_year().wareki(), "明治元年度");
        assert_eq!(Date::last().fiscal_year().year(), LAST_YEAR);
        assert_eq!(Date::clamped(NaiveDate::MIN), Date::first());
    }
}
