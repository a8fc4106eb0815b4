//! The OpenAPI document describes exactly the API that template.yaml routes, and every error
//! answer as the functions really make it: status, error code, headers. It is generated from
//! the functions' operations; the committed file the portal serves is the generated one.

use kennin::Error;
use kennin::http::ApiRequest;
use kennin_local::{TEMPLATE, template_routes};
use kennin_tests::test_config;
use lambda_http::Body;
use lambda_http::http::HeaderMap;
use serde_json::Value;
use std::collections::BTreeSet;

#[test]
fn the_served_document_is_the_generated_one() {
    let generated = kennin_local::openapi::document().expect("the document generates");
    assert!(
        generated == document(),
        "functions/portal/assets/openapi.json is not what the functions declare: run \
         `cargo run -p kennin-local -- --write-openapi` and commit the file"
    );
}

#[test]
fn the_document_and_the_route_table_agree() {
    let document: Value =
        serde_json::from_str(kennin_local::functions::kennin_portal::OPENAPI).expect("openapi.json is JSON");
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
        .filter(|r| r.is_documented())
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(documented, routed, "openapi.json and template.yaml disagree");

    let schemas = document["components"]["schemas"].as_object().unwrap();
    let text = kennin_local::functions::kennin_portal::OPENAPI;
    for reference in text.split("\"$ref\": \"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "{name} is referenced but not defined");
    }
}

/// What the API really answers for an error: status, headers and JSON body.
fn answer(error: Error) -> (u16, HeaderMap, Value) {
    let response = ApiRequest::new(lambda_http::Request::default(), &test_config()).finish(Err(error));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = match response.body() {
        Body::Text(text) => serde_json::from_str(text).expect("an error body is JSON"),
        other => panic!("an error body is text, not {other:?}"),
    };
    (status, headers, body)
}

fn document() -> Value {
    serde_json::from_str(kennin_local::functions::kennin_portal::OPENAPI).expect("openapi.json is JSON")
}

/// Follows a `$ref` inside the document.
fn resolve<'a>(document: &'a Value, node: &'a Value) -> &'a Value {
    match node["$ref"].as_str() {
        Some(reference) => document
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{reference} is not in the document")),
        None => node,
    }
}

/// Every response the document declares, as (operation, status, response).
fn declared_responses(document: &Value) -> Vec<(String, String, &Value)> {
    let mut responses = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                responses.push((
                    format!("{} {path}", method.to_uppercase()),
                    status.clone(),
                    resolve(document, response),
                ));
            }
        }
    }
    responses
}

/// The error codes a declared error response allows.
fn declared_codes(response: &Value) -> BTreeSet<String> {
    response["content"]["application/json"]["schema"]["allOf"][1]["properties"]["code"]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no code enum in {response}"))
        .iter()
        .map(|code| code.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_error_answer_is_declared_with_its_status_code_and_headers() {
    let document = document();
    let error_properties = document["components"]["schemas"]["Error"]["properties"]
        .as_object()
        .unwrap();
    for error in Error::one_of_each() {
        let described = format!("{error:?}");
        let (status, headers, body) = answer(error);
        let code = body["code"].as_str().unwrap().to_string();
        let declared: Vec<_> = declared_responses(&document)
            .into_iter()
            .filter(|(_, s, _)| *s == status.to_string())
            .collect();
        assert!(!declared.is_empty(), "{described}: no operation declares {status}");
        for (operation, _, response) in declared {
            assert!(
                declared_codes(response).contains(&code),
                "{described}: {operation} {status} does not allow the code {code}"
            );
            let declared_headers = response["headers"].as_object().unwrap();
            for name in headers.keys() {
                let name = name.as_str();
                assert!(
                    name == "content-type" || declared_headers.keys().any(|d| d.eq_ignore_ascii_case(name)),
                    "{described}: {operation} {status} does not declare the header {name}"
                );
            }
            for (name, header) in declared_headers {
                let header = resolve(&document, header);
                if header["required"] == true {
                    assert!(
                        headers.contains_key(name.as_str()),
                        "{described}: {status} lacks {name}"
                    );
                }
            }
        }
        for key in body.as_object().unwrap().keys() {
            assert!(
                error_properties.contains_key(key),
                "{described}: {key} is not in the Error schema"
            );
        }
    }
}

#[test]
fn the_document_declares_no_error_code_the_api_never_answers() {
    let document = document();
    let answered: BTreeSet<(u16, String)> = Error::one_of_each()
        .into_iter()
        .map(|error| {
            let (status, _, body) = answer(error);
            (status, body["code"].as_str().unwrap().to_string())
        })
        .collect();
    for (name, response) in document["components"]["responses"].as_object().unwrap() {
        let statuses: BTreeSet<String> = declared_responses(&document)
            .into_iter()
            .filter(|(_, _, declared)| std::ptr::eq(*declared, response))
            .map(|(_, status, _)| status)
            .collect();
        assert_eq!(statuses.len(), 1, "{name} is declared under one status: {statuses:?}");
        let status: u16 = statuses.first().unwrap().parse().unwrap();
        for code in declared_codes(response) {
            assert!(
                answered.contains(&(status, code.clone())),
                "{name} allows {code}, which the API never answers with {status}"
            );
        }
    }
}

#[test]
fn the_declared_header_values_are_the_ones_sent() {
    let document = document();
    let (_, headers, _) = answer(Error::NotFound);
    for (name, header) in document["components"]["headers"].as_object().unwrap() {
        if let Some(expected) = header["schema"]["const"].as_str()
            && let Some(sent) = headers.get(name.as_str())
        {
            assert_eq!(sent.to_str().unwrap(), expected, "{name}");
        }
    }
    for (operation, status, response) in declared_responses(&document) {
        let declared = response["headers"].as_object();
        for name in [
            "X-Request-Id",
            "Cache-Control",
            "X-Content-Type-Options",
            "Strict-Transport-Security",
        ] {
            assert!(
                declared.is_some_and(|headers| headers.contains_key(name)),
                "{operation} {status} does not declare {name}"
            );
        }
    }
}
