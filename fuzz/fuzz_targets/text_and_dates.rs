//! The small parsers behind every form field and query parameter: dates, fiscal years and
//! periods, free text, identifiers and streams.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(date) = text.parse::<domain::Date>() {
        let fy = date.fiscal_year();
        let _ = (fy.wareki(), fy.seireki(), fy.first_day(), fy.last_day(), fy.next(), fy.previous());
        let _ = date.plus_days(i64::from(date.day()) * 40_000);
        let _ = date.days_since(domain::Date::first());
        let _ = date.wareki();
    }
    if let Ok(number) = text.parse::<domain::certificate::CertificateNo>() {
        assert_eq!(number.to_string(), text, "a certificate number reads back as written");
    }
    let _ = serde_json::from_str::<domain::certificate::CertificateNo>(text);
    if let Ok((from, to)) = domain::fiscal_year::parse_period(text) {
        let _ = (from.wareki(), to.wareki());
    }
    let _ = serde_json::from_str::<domain::FiscalYear>(text);
    let _ = serde_json::from_str::<domain::Date>(text);
    let _ = domain::text::check(text, 200, domain::text::Lines::One);
    let _ = domain::text::check_optional(text, 2000, domain::text::Lines::Many);
    let _ = domain::ids::ProgramId::new(text);
    let _ = domain::events::SubjectRef::from_stream(text);
});
