//! What a command's rules may ask about the rest of the ledger.
//!
//! An aggregate sees only its own stream; rules such as "a spin-off needs an existing parent" or
//! "a commissioner must be a known department" need the other subjects. The server answers from its
//! projection of the whole log; tests answer from a fixed list.

use crate::date::Date;
use crate::ids::{DonorId, PartnerId, ProgramId};
use crate::partner::PartnerKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramInfo {
    pub launched_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerInfo {
    pub kind: PartnerKind,
}

pub trait Directory: Send + Sync {
    fn program(&self, id: &ProgramId) -> Option<ProgramInfo>;
    fn partner(&self, id: &PartnerId) -> Option<PartnerInfo>;
    /// Whether a donor has been registered.
    fn donor(&self, id: &DonorId) -> bool;
    /// The whole projection, for rules that ask more than the questions above (a certificate's
    /// gifts, the NPO's certification on a day). `None` where there is none (a fixed test
    /// list): those rules then refuse.
    #[cfg(feature = "aggregate")]
    fn ledger(&self) -> Option<&crate::projection::LedgerState> {
        None
    }
}
