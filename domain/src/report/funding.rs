//! Funding summaries.
