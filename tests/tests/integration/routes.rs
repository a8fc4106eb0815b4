//! template.yaml is the route table: the local runner reads it, and every function crate has
//! exactly one entry there.

use kennin_local::{TEMPLATE, handler_for, template_routes};
use std::collections::BTreeSet;

#[test]
fn template_declares_the_first_login_routes() {
    let routes: BTreeSet<(String, String, String)> = template_routes(TEMPLATE)
        .unwrap()
        .into_iter()
        .map(|r| (r.method, r.path, r.code_uri))
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        ("POST", "/api/signup/identity", "functions/signup-identity"),
        ("GET", "/api/signup", "functions/signup-state"),
        ("POST", "/api/signup/account", "functions/signup-account"),
        ("POST", "/api/signup/code", "functions/signup-code"),
        ("POST", "/api/signup/code/resend", "functions/signup-resend"),
        ("POST", "/api/session", "functions/session-login"),
        ("DELETE", "/api/session", "functions/session-logout"),
        ("GET", "/api/me", "functions/me"),
        ("GET", "/portal/{proxy+}", "functions/portal"),
        ("GET", "/api/terms", "functions/terms"),
        ("POST", "/api/me/terms", "functions/me-terms"),
        ("GET", "/api/me/contact", "functions/me-contact"),
        ("PUT", "/api/me/contact", "functions/me-contact"),
        ("POST", "/api/password/forgot", "functions/password-forgot"),
        ("POST", "/api/password/reset", "functions/password-reset"),
        ("POST", "/api/user-id/forgot", "functions/user-id-forgot"),
        ("PUT", "/api/me/password", "functions/me-password"),
        ("PUT", "/api/me/email", "functions/me-email"),
        ("POST", "/api/me/email/verify", "functions/me-email-verify"),
        ("GET", "/api/me/sessions", "functions/me-sessions"),
        ("DELETE", "/api/me/sessions", "functions/me-sessions"),
        ("GET", "/api/notices", "functions/notices"),
        ("GET", "/api/postal/{code}", "functions/postal"),
    ]
    .into_iter()
    .map(|(m, p, c)| (m.to_string(), p.to_string(), c.to_string()))
    .collect();
    assert!(
        expected.is_subset(&routes),
        "missing: {:?}",
        expected.difference(&routes).collect::<Vec<_>>()
    );
}

#[test]
fn every_function_crate_is_in_the_template_and_served_locally() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let crates: BTreeSet<String> = std::fs::read_dir(root.join("functions"))
        .unwrap()
        .map(|e| format!("functions/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    // Every function, those without a route (the scheduled purge) included.
    let in_template: BTreeSet<String> = kennin_template::functions(TEMPLATE)
        .unwrap()
        .into_iter()
        .map(|function| function.code_uri)
        .collect();
    assert_eq!(crates, in_template, "functions/ and template.yaml disagree");
    let routes = template_routes(TEMPLATE).unwrap();
    for route in &routes {
        assert!(
            handler_for(&route.code_uri).is_some(),
            "the local runner cannot serve {}",
            route.code_uri
        );
    }
    let unique: BTreeSet<(&str, &str)> = routes.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
    assert_eq!(unique.len(), routes.len(), "a route is declared twice");
}

#[test]
fn the_template_is_the_one_the_runner_embeds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    assert_eq!(std::fs::read_to_string(root.join("template.yaml")).unwrap(), TEMPLATE);
}
