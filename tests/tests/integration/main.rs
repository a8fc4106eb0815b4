//! Every black-box test of kennin, in one test binary: each module was a binary of its own, and
//! each linked the whole application again. Test names start with the module
//! (`signup_flow::sqlite::…`), which .config/nextest.toml and scripts/test.sh filter on.

mod abuse;
mod account_controls;
mod admin_documents;
mod blob_conformance;
mod brute_force;
mod campaign_targets;
mod console_access;
mod console_callcenter;
mod console_export;
mod console_lists;
mod console_review;
mod console_session;
mod console_signin;
mod dependents_import;
mod deploy;
mod documents_purge;
mod faults;
mod first_login_steps;
mod hardening;
mod leaflet;
mod local_runner;
mod log_audit;
mod login_session;
mod login_timing;
mod mail_events;
mod mail_schedule;
mod module_graph;
mod notices;
mod openapi;
mod postal;
mod readme_examples;
mod recovery_settings;
mod roster_import;
mod routes;
mod ses_moto;
mod session_limits;
mod signup_flow;
mod store_conformance;
mod survey_api;
mod survey_documents;
mod survey_form;
mod template_lint;
mod test_targets;
