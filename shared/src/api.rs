//! The API description (OpenAPI 3.1), generated rather than written: each function crate
//! declares its `operations()` next to its handler, with the request and response types whose
//! JSON Schemas (derived by schemars, draft 2020-12 as OpenAPI 3.1 uses) describe the bodies.
//! What every operation shares is here: the error answers, built from `http`'s one error table;
//! the headers every answer carries; the cookies and security schemes. kennin-local, which
//! compiles every function in, pairs template.yaml's routes with the operations and writes the
//! document the portal serves.

use crate::error::Error;
use crate::http::{self, SESSION_COOKIE, SIGNUP_COOKIE, STAFF_COOKIE};
use schemars::transform::{RecursiveTransform, Transform};
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The longest text a request field is described with: far above any real value, and keeps a
/// fuzzer's bodies under the 16 KB limit. Longer values are refused by the fields' own rules.
pub const MAX_FIELD_CHARS: usize = 1000;

/// Who may call an operation, by the cookie that carries the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Only a logged-in person; anyone else is answered 401.
    Session,
    /// Anyone; a session changes the answer (the union's terms) or is ended (logout).
    OptionalSession,
    SignupFlow,
    OptionalSignupFlow,
    /// Only a signed-in staff member (the staff cookie) whose role allows the operation:
    /// anyone else is answered 401, a role that does not allow it 403.
    Staff,
    /// Anyone; a staff session is ended (the console's sign-out).
    OptionalStaff,
}

/// What an operation does to a cookie: the `Set-Cookie` header of its success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieChange {
    SetSession,
    ClearSession,
    SetSignup,
    ClearSignup,
    SetStaffSession,
    ClearStaffSession,
}

impl CookieChange {
    fn header(self) -> &'static str {
        match self {
            Self::SetSession => "Set-Session-Cookie",
            Self::ClearSession => "Clear-Session-Cookie",
            Self::SetSignup => "Set-Signup-Cookie",
            Self::ClearSignup => "Clear-Signup-Cookie",
            Self::SetStaffSession => "Set-Staff-Session-Cookie",
            Self::ClearStaffSession => "Clear-Staff-Session-Cookie",
        }
    }
}

type SchemaFor = fn(&mut SchemaGenerator) -> Schema;

/// One method of one route, as its function answers it.
pub struct Operation {
    method: &'static str,
    id: &'static str,
    summary: &'static str,
    access: Access,
    parameters: Vec<Value>,
    request: Option<SchemaFor>,
    status: u16,
    description: &'static str,
    response: Option<SchemaFor>,
    cookie: Option<CookieChange>,
    /// Its success carries a Location header.
    redirects: bool,
    /// Its success is a file of this media type.
    file: Option<&'static str>,
    /// Its success is an HTML page, served under this Content-Security-Policy.
    page: Option<&'static str>,
    errors: Vec<u16>,
}

impl Operation {
    fn new(method: &'static str, id: &'static str, summary: &'static str) -> Self {
        Self {
            method,
            id,
            summary,
            access: Access::Public,
            parameters: Vec::new(),
            request: None,
            status: 200,
            description: "OK",
            response: None,
            cookie: None,
            redirects: false,
            file: None,
            page: None,
            errors: Vec::new(),
        }
    }

    pub fn get(id: &'static str, summary: &'static str) -> Self {
        Self::new("GET", id, summary)
    }

    pub fn post(id: &'static str, summary: &'static str) -> Self {
        Self::new("POST", id, summary)
    }

    pub fn put(id: &'static str, summary: &'static str) -> Self {
        Self::new("PUT", id, summary)
    }

    pub fn delete(id: &'static str, summary: &'static str) -> Self {
        Self::new("DELETE", id, summary)
    }

    pub fn method(&self) -> &'static str {
        self.method
    }

    pub fn access(mut self, access: Access) -> Self {
        self.access = access;
        self
    }

    /// A path parameter, a string such as `example`.
    pub fn path_parameter(mut self, name: &str, example: &str) -> Self {
        self.parameters.push(json!({
            "name": name,
            "in": "path",
            "required": true,
            "schema": { "type": "string", "examples": [example] },
        }));
        self
    }

    /// A parameter of the query string, optional, a string such as `example`.
    pub fn query_parameter(mut self, name: &str, description: &str, example: &str) -> Self {
        self.parameters.push(json!({
            "name": name,
            "in": "query",
            "required": false,
            "description": description,
            "schema": { "type": "string", "examples": [example] },
        }));
        self
    }

    /// The JSON body it reads (as `ApiRequest::json` does).
    pub fn takes<T: JsonSchema>(mut self) -> Self {
        self.request = Some(SchemaGenerator::subschema_for::<T>);
        self
    }

    /// Its success: the status and the JSON body.
    pub fn answers<T: JsonSchema>(mut self, status: u16, description: &'static str) -> Self {
        self.status = status;
        self.description = description;
        self.response = Some(SchemaGenerator::subschema_for::<T>);
        self
    }

    /// Its success, with no body.
    pub fn answers_empty(mut self, status: u16, description: &'static str) -> Self {
        self.status = status;
        self.description = description;
        self.response = None;
        self
    }

    /// Its success is a file to save (Content-Disposition: attachment) of `media_type`.
    pub fn answers_file(mut self, media_type: &'static str, description: &'static str) -> Self {
        self.status = 200;
        self.description = description;
        self.response = None;
        self.file = Some(media_type);
        self
    }

    /// Its success is an HTML page to show (`Reply::page`), under `content_security_policy`
    /// instead of the API's.
    pub fn answers_page(mut self, content_security_policy: &'static str, description: &'static str) -> Self {
        self.status = 200;
        self.description = description;
        self.response = None;
        self.page = Some(content_security_policy);
        self
    }

    /// Its success is a redirect (the Location header), with no body.
    pub fn answers_redirect(mut self, status: u16, description: &'static str) -> Self {
        self.status = status;
        self.description = description;
        self.response = None;
        self.redirects = true;
        self
    }

    pub fn cookie(mut self, change: CookieChange) -> Self {
        self.cookie = Some(change);
        self
    }

    /// The error statuses its own step can answer, besides those `errors()` adds.
    pub fn fails_with(mut self, statuses: &[u16]) -> Self {
        self.errors.extend_from_slice(statuses);
        self
    }

    /// Every error status: its own, and those of the entry point (`http::serve`): a body is
    /// parsed (400, 413, 415), a state-changing method is refused cross-site (403), a session
    /// is required (401), and any step may meet unreadable data (500) or an outage (503).
    fn errors(&self) -> Vec<u16> {
        let mut errors = self.errors.clone();
        errors.extend([500, 503]);
        if self.method != "GET" {
            errors.push(403);
        }
        if self.request.is_some() {
            errors.extend([400, 413, 415]);
        }
        match self.access {
            Access::Session => errors.push(401),
            Access::Staff => errors.extend([401, 403]),
            _ => {}
        }
        errors.sort_unstable();
        errors.dedup();
        errors
    }

    fn security(&self) -> Value {
        match self.access {
            Access::Public => json!([]),
            Access::Session => json!([{ "session": [] }]),
            Access::OptionalSession => json!([{}, { "session": [] }]),
            Access::SignupFlow => json!([{ "signupFlow": [] }]),
            Access::OptionalSignupFlow => json!([{}, { "signupFlow": [] }]),
            Access::Staff => json!([{ "staffSession": [] }]),
            Access::OptionalStaff => json!([{}, { "staffSession": [] }]),
        }
    }

    fn describe(&self, schemas: &mut Schemas) -> Result<Value, String> {
        let mut headers = standard_headers();
        if let Some(change) = self.cookie {
            headers.insert("Set-Cookie".into(), reference("headers", change.header()));
        }
        if self.redirects {
            headers.insert(
                "Location".into(),
                json!({ "description": "Where to fetch it from", "required": true, "schema": { "type": "string" } }),
            );
        }
        if self.file.is_some() {
            headers.insert(
                "Content-Disposition".into(),
                json!({ "description": "attachment, with the file's name", "required": true, "schema": { "type": "string" } }),
            );
        }
        if let Some(policy) = self.page {
            headers.insert(
                "Content-Security-Policy".into(),
                json!({ "description": "The page's own policy: its inline stylesheet, nothing else", "required": true, "schema": { "const": policy } }),
            );
        }
        let mut success = json!({ "description": self.description, "headers": headers });
        if let Some(response) = self.response {
            success["content"] = json!({ "application/json": { "schema": schemas.describe(response) } });
        }
        if let Some(media_type) = self.file {
            success["content"] = json!({ media_type: { "schema": { "type": "string" } } });
        }
        if self.page.is_some() {
            success["content"] = json!({ "text/html": { "schema": { "type": "string" } } });
        }
        let mut responses = Map::new();
        responses.insert(self.status.to_string(), success);
        for status in self.errors() {
            let (_, name, _) = ERROR_RESPONSES
                .iter()
                .find(|(s, ..)| *s == status)
                .ok_or(format!("{}: no error response for {status}", self.id))?;
            responses.insert(status.to_string(), reference("responses", name));
        }
        let mut operation = json!({
            "summary": self.summary,
            "operationId": self.id,
            "security": self.security(),
            "responses": responses,
        });
        if let Some(request) = self.request {
            operation["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": schemas.describe(request) } },
            });
        }
        if !self.parameters.is_empty() {
            operation["parameters"] = Value::Array(self.parameters.clone());
        }
        Ok(operation)
    }
}

/// The error answers by status: the response's name under components and what it means. The
/// codes each allows come from `http`'s error table.
const ERROR_RESPONSES: [(u16, &str, &str); 12] = [
    (
        400,
        "BadRequest",
        "Bad input: the fields, the JSON, a code or a reset code",
    ),
    (
        401,
        "Unauthorized",
        "Not logged in, the session over, the identity or the credentials not matching, an account of an earlier survey year, or an account an operator disabled",
    ),
    (
        403,
        "Forbidden",
        "Sent from another site, an earlier step of first login (⑤) is not done (then `next` says which), or the staff member's role does not allow the operation",
    ),
    (
        404,
        "NotFound",
        "Nothing there: no such route, no address for the postal code, or no such target or document of the person's",
    ),
    (409, "Conflict", "The request conflicts with the current state"),
    (
        410,
        "Gone",
        "The signup flow, the code or the reset expired, is void, or is done",
    ),
    (413, "PayloadTooLarge", "The body is over 16 KB"),
    (415, "UnsupportedMediaType", "The body is not sent as application/json"),
    (
        422,
        "UnprocessableContent",
        "An uploaded file failed the server's check (its type, size, decoding, a PDF's protection or scripts); the message says why, and the file is deleted",
    ),
    (
        429,
        "TooManyRequests",
        "Throttled. Retry-After says how many seconds to wait when waiting helps (not after the resend limit, which only a new start lifts)",
    ),
    (
        500,
        "InternalError",
        "Stored data could not be read (an internal fault, logged with the request ID); retrying does not help",
    ),
    (
        503,
        "ServiceUnavailable",
        "A dependency (the table, the mailer, the file store) failed; nothing was lost, try again after Retry-After seconds",
    ),
];

const DESCRIPTION: &str = "The JSON API of kennin's first login (①–⑥), recovery, account settings and the survey (the form, its documents). Same origin as the portal; state-changing requests need Content-Type application/json and are refused cross-site. Errors are {code, message, fields?, next?, requestId} with Japanese messages. Every answer carries the headers declared here, X-Request-Id among them. A method or path with no route is answered 404 (as API Gateway does); API Gateway itself also answers 429 when the stage's rate limit is exceeded and 413 above its 10 MB body limit, with its own body {message}.";

/// The schemas of the document: named types under components, the others inline.
struct Schemas {
    generator: SchemaGenerator,
}

impl Schemas {
    fn new() -> Self {
        let settings = SchemaSettings::draft2020_12()
            .with(|settings| {
                settings.definitions_path = "/components/schemas".into();
                settings.meta_schema = None;
            })
            // The document describes what goes over the wire, in both directions: a request's
            // fields are all expected (their serde `default` only lets a missing one be reported
            // with the others, as a 400).
            .for_serialize()
            .with_transform(RecursiveTransform(exact_objects));
        Self {
            generator: settings.into_generator(),
        }
    }

    fn describe(&mut self, schema_for: SchemaFor) -> Schema {
        let mut schema = schema_for(&mut self.generator);
        RecursiveTransform(exact_objects).transform(&mut schema);
        schema
    }
}

/// Every object the API takes or sends has exactly the properties it declares, and a property
/// it may leave out (an `Option` skipped when `None`) is never sent as null.
fn exact_objects(schema: &mut Schema) {
    if schema.get("properties").is_none() {
        return;
    }
    if schema.get("additionalProperties").is_none() {
        schema.insert("additionalProperties".into(), false.into());
    }
    let required: Vec<Value> = match schema.get("required") {
        Some(Value::Array(required)) => required.clone(),
        _ => Vec::new(),
    };
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if !required.contains(&Value::String(name.clone())) {
            drop_null(property);
        }
    }
}

/// `T` for schemars' `Option<T>`: `{"type": [T, "null"]}` or `{"anyOf": [T, {"type": "null"}]}`.
fn drop_null(property: &mut Value) {
    let null = json!({ "type": "null" });
    if let Some(Value::Array(types)) = property.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            property["type"] = only.clone();
        }
    } else if let Some(Value::Array(any_of)) = property.get("anyOf")
        && let [only] = any_of.iter().filter(|s| **s != null).collect::<Vec<_>>().as_slice()
    {
        *property = (*only).clone();
    }
}

/// For a request type (`#[schemars(transform = kennin::api::text_fields)]`): each field is a
/// text, which the API wants non-empty (an empty one is answered 400 with the field's message).
pub fn text_fields(schema: &mut Schema) {
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for property in properties.values_mut() {
        if let Value::Object(property) = property {
            property.insert("minLength".into(), 1.into());
            property.insert("maxLength".into(), MAX_FIELD_CHARS.into());
            // What a missing field reads as (serde's `default`), not a value to send.
            property.remove("default");
        }
    }
}

/// For the answers (`#[schemars(transform = crate::api::blank_is_unanswered)]`): a draft's
/// field may also be sent as null or blank text, which reads as not answered (answers/parse.rs),
/// so the description admits both beside the answer itself.
pub fn blank_is_unanswered(schema: &mut Schema) {
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for property in properties.values_mut() {
        let answer = std::mem::take(property);
        *property = json!({
            "anyOf": [answer, { "type": "null" }, { "type": "string", "pattern": "^\\s*$" }]
        });
    }
}

fn reference(kind: &str, name: &str) -> Value {
    json!({ "$ref": format!("#/components/{kind}/{name}") })
}

/// The headers of every answer, by reference.
fn standard_headers() -> Map<String, Value> {
    std::iter::once(http::REQUEST_ID_HEADER)
        .chain(http::API_HEADERS.iter().map(|(name, _)| *name))
        .map(|name| (name.to_string(), reference("headers", name)))
        .collect()
}

fn headers() -> Value {
    let mut headers = Map::new();
    headers.insert(
        http::REQUEST_ID_HEADER.into(),
        json!({
            "description": "The request ID, also in the error body and in every log line of the request",
            "required": true,
            "schema": { "type": "string", "minLength": 1 },
        }),
    );
    for (name, value) in http::API_HEADERS {
        let mut header = json!({ "required": true, "schema": { "const": value } });
        if name == "Cache-Control" {
            header["description"] = "No answer of the API is stored by a browser or a proxy".into();
        }
        headers.insert(name.into(), header);
    }
    let retry_after = |description: &str, required: bool| {
        json!({
            "description": description,
            "required": required,
            "schema": { "type": "integer", "minimum": 1 },
        })
    };
    headers.insert(
        "Retry-After".into(),
        retry_after("Seconds to wait before trying again", true),
    );
    headers.insert(
        "Retry-After-Optional".into(),
        retry_after("Seconds to wait before trying again, when waiting helps", false),
    );
    for (cookie, set, clear) in [
        (
            SESSION_COOKIE,
            (
                CookieChange::SetSession,
                "The session cookie (__Host-: Secure, Path=/, no Domain)",
            ),
            (CookieChange::ClearSession, "Clears the session cookie"),
        ),
        (
            SIGNUP_COOKIE,
            (CookieChange::SetSignup, "The signup-flow cookie"),
            (CookieChange::ClearSignup, "Clears the signup-flow cookie"),
        ),
        (
            STAFF_COOKIE,
            (
                CookieChange::SetStaffSession,
                "The staff console's session cookie (__Host-, separate from a person's)",
            ),
            (CookieChange::ClearStaffSession, "Clears the staff session cookie"),
        ),
    ] {
        // set_cookie's format, with any hex token and any lifetime.
        let pattern = format!(
            "^{}$",
            http::set_cookie(cookie, "[0-9a-f]*", 0).replace("Max-Age=0", "Max-Age=[0-9]+")
        );
        headers.insert(
            set.0.header().into(),
            json!({ "description": set.1, "required": true, "schema": { "type": "string", "pattern": pattern } }),
        );
        headers.insert(
            clear.0.header().into(),
            json!({ "description": clear.1, "required": true, "schema": { "const": http::clear_cookie(cookie) } }),
        );
    }
    Value::Object(headers)
}

/// The error answers under components: per status, the codes `http` answers with it, and its
/// headers (Retry-After where the wait is known).
fn error_responses(schemas: &mut Schemas) -> Value {
    let error_schema = schemas.describe(SchemaGenerator::subschema_for::<http::ErrorBody>);
    let mut codes: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
    for (status, code) in http::error_answers(&Error::one_of_each()) {
        let codes = codes.entry(status).or_default();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let mut responses = Map::new();
    for (status, name, description) in ERROR_RESPONSES {
        let mut headers = standard_headers();
        match status {
            429 => headers.insert("Retry-After".into(), reference("headers", "Retry-After-Optional")),
            503 => headers.insert("Retry-After".into(), reference("headers", "Retry-After")),
            _ => None,
        };
        let codes = codes.get(&status).cloned().unwrap_or_default();
        responses.insert(
            name.into(),
            json!({
                "description": description,
                "headers": headers,
                "content": { "application/json": { "schema": {
                    "allOf": [error_schema, { "properties": { "code": { "enum": codes } } }],
                } } },
            }),
        );
    }
    Value::Object(responses)
}

/// The whole document, from each routed (method, path) and the operation that serves it.
pub fn document(routes: Vec<(String, Operation)>) -> Result<Value, String> {
    let mut schemas = Schemas::new();
    let mut paths: Map<String, Value> = Map::new();
    for (path, operation) in &routes {
        let item = paths.entry(path.clone()).or_insert_with(|| json!({}));
        item[operation.method.to_ascii_lowercase()] = operation.describe(&mut schemas)?;
    }
    let responses = error_responses(&mut schemas);
    Ok(json!({
        "openapi": "3.1.0",
        "info": { "title": "kennin API", "version": "1", "description": DESCRIPTION },
        "paths": paths,
        "components": {
            "schemas": schemas.generator.take_definitions(true),
            "responses": responses,
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE },
                "signupFlow": { "type": "apiKey", "in": "cookie", "name": SIGNUP_COOKIE },
                "staffSession": { "type": "apiKey", "in": "cookie", "name": STAFF_COOKIE },
            },
            "headers": headers(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    #[schemars(inline)]
    struct Answer {
        shown: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        left_out_when_none: Option<String>,
        null_when_none: Option<String>,
    }

    #[test]
    fn an_optional_property_is_left_out_never_null_and_no_other_is_allowed() {
        let schema = Schemas::new().describe(SchemaGenerator::subschema_for::<Answer>);
        assert_eq!(schema.get("additionalProperties"), Some(&json!(false)));
        assert_eq!(schema.get("required"), Some(&json!(["shown", "nullWhenNone"])));
        assert_eq!(
            schema.get("properties").unwrap()["leftOutWhenNone"],
            json!({ "type": "string" })
        );
        assert_eq!(
            schema.get("properties").unwrap()["nullWhenNone"],
            json!({ "type": ["string", "null"] })
        );
    }

    #[test]
    fn the_entry_point_adds_its_own_error_statuses() {
        let read = Operation::get("read", "A public read");
        assert_eq!(read.errors(), [500, 503]);
        let change = Operation::put("change", "A change behind a login")
            .access(Access::Session)
            .takes::<Map<String, Value>>()
            .fails_with(&[409]);
        assert_eq!(change.errors(), [400, 401, 403, 409, 413, 415, 500, 503]);
    }

    #[test]
    fn a_status_without_an_error_response_is_refused() {
        let operation = Operation::get("teapot", "No such answer").fails_with(&[418]);
        let error = document(vec![("/api/teapot".into(), operation)]).unwrap_err();
        assert!(error.contains("418"), "{error}");
    }
}
