//! The OpenAPI document describes exactly the API that template.yaml routes.

use kennin_local::{TEMPLATE, template_routes};
use serde_json::Value;
use std::collections::BTreeSet;

#[test]
fn the_document_and_the_route_table_agree() {
    let document: Value = serde_json::from_str(kennin_portal::OPENAPI).expect("openapi.json is JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = template_routes(TEMPLATE)
        .unwrap()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/") && r.path != "/api/openapi.json")
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(documented, routed, "openapi.json and template.yaml disagree");

    let schemas = document["components"]["schemas"].as_object().unwrap();
    let text = kennin_portal::OPENAPI;
    for reference in text.split("\"$ref\": \"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "{name} is referenced but not defined");
    }
}
