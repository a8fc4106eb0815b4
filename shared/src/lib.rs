//! kennin's shared library: the rules (`domain`), what happens at each step (`signup`, `login`,
//! `session`, `account`, `recovery`, `roster`…), storage (`store`, and `blobs` for document
//! files), mail (`mail`) and the HTTP edge (`http`). The modules form no cycle
//! (tests/tests/integration/module_graph.rs).

pub mod account;
pub mod answers;
pub mod api;
pub mod audit;
#[cfg(feature = "aws")]
pub mod aws;
pub mod blobs;
pub mod campaign;
pub mod clock;
pub mod codes;
pub mod compression;
pub mod config;
pub mod console;
pub mod dependents;
pub mod deps;
pub mod document_file;
pub mod documents_purge;
pub mod domain;
pub mod eligibility;
pub mod error;
pub mod http;
pub mod import_file;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod leaflet;
pub mod lockout;
pub mod login;
pub mod mail;
pub mod me;
pub mod notices;
pub mod operator;
pub mod pages;
pub mod password_context;
pub mod postal;
pub mod progress;
pub mod qr;
pub mod recovery;
pub mod reminders;
pub mod required_documents;
pub mod roster;
pub mod schedule;
pub mod second_factor;
pub mod secrets;
pub mod session;
pub mod signup;
pub mod staff_session;
pub mod store;
pub mod suppression;
pub mod survey;
pub mod survey_documents;
pub mod survey_form;
pub mod terms;
pub mod throttle;
pub mod union_contact;
pub mod union_documents;
pub mod unique_keys;

pub use deps::Deps;
pub use error::Error;
