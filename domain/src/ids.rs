//! Stable identifiers of the things the ledger talks about.
//!
//! Ids are short ASCII slugs chosen when a thing is first recorded (`anma-river`, `shizuoka-pref`).
//! Names change (departments are renamed, programs retitled); ids never do, so history can always
//! be joined up. Donors are referred to by id only: their names and addresses stay out of the ledger.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid {kind} id {id:?}: use 1 to 64 of a-z, 0-9, '-', '_' and '.', starting with a letter or digit"
)]
pub struct InvalidId {
    pub kind: &'static str,
    pub id: String,
}

fn check(kind: &'static str, id: &str) -> Result<(), InvalidId> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
        && id.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err(InvalidId {
            kind,
            id: id.to_owned(),
        })
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
        #[serde(transparent)]
        // Shared, immutable text: projections clone ids for every mark and contract, and an
        // `Arc` clone is a counter increment rather than an allocation.
        pub struct $name(Arc<str>);

        impl $name {
            pub const KIND: &'static str = $kind;

            pub fn new(id: impl Into<String>) -> Result<Self, InvalidId> {
                let id = id.into();
                check($kind, &id)?;
                Ok(Self(Arc::from(id)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Ids arriving through serde are checked by the command rules, not here, so that a
            /// bad id is refused with a typed error rather than a parse failure.
            pub fn validate(&self) -> Result<(), InvalidId> {
                check($kind, &self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A program (事業): a line of work that may run over many fiscal years.
    ProgramId, "program"
);
id_type!(
    /// A partner: a government body or department, foundation, citizen group, university, company.
    PartnerId, "partner"
);
id_type!(
    /// A meeting, survey, consultation or policy proposal.
    ActivityId, "activity"
);
id_type!(
    /// One receipt of money.
    ReceiptId, "receipt"
);
id_type!(
    /// A donor, by a stable pseudonymous id; personal details are kept outside the ledger.
    DonorId, "donor"
);
id_type!(
    /// A household: donors in one household count once in the public support test.
    HouseholdId, "household"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_accepted_and_anything_else_refused() {
        assert!(ProgramId::new("anma-river").is_ok());
        assert!(ProgramId::new("p1.a_b").is_ok());
        for bad in ["", "-x", "Upper", "安間川", "a b", &"x".repeat(65)] {
            let err = ProgramId::new(bad).unwrap_err();
            assert_eq!(err.kind, "program");
        }
    }
}
