//! A donor's personal details as the vault reads them back (the JSON inside its sealed rows) and
//! as staff type them: the checks refuse bad input without panicking, and whatever they accept
//! reads back the same; and the donors' search box finds a donor by their own name, kana or
//! address, however they were typed.
#![no_main]

use domain::donor_search::DonorQuery;
use domain::personal::{DonorDetails, PostalCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(details) = serde_json::from_slice::<DonorDetails>(data) {
        let again = serde_json::to_vec(&details).expect("accepted details encode");
        assert_eq!(
            serde_json::from_slice::<DonorDetails>(&again).ok(),
            Some(details.clone()),
            "accepted details must read back the same"
        );
        let _ = (details.postal_address(), details.identified());
        // Whatever a donor's name or address says, typed into the search box, finds them.
        for text in [Some(details.name()), details.address(), details.kana()].into_iter().flatten() {
            if let Some(query) = DonorQuery::parse(text) {
                assert!(query.matches("d-1", &details), "{text:?} must find its donor");
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = DonorQuery::parse(text);
        if let Ok(code) = PostalCode::parse(text) {
            assert_eq!(PostalCode::parse(&code.to_string()).ok(), Some(code));
        }
    }
});
