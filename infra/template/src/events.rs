//! An API Gateway v2 (HTTP API, payload 2.0) event for every route of template.yaml, as API
//! Gateway would send it to the function, for `cargo lambda invoke` and the deploy checks. Made
//! from the template and the OpenAPI document, so a new route needs no hand-written event: the
//! body is the example the document gives its request, the cookie the one its security names,
//! and each path parameter the document's example (or the parameter's name where the route is
//! not part of the API, such as the portal's pages).

use crate::{Function, Route};
use serde_json::{Map, Value, json};

/// Where an event file goes: `<folder of the function>` or, for a function with several routes,
/// `<folder>-<method or path>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    /// The binary (and package) of the function that serves the route.
    pub binary: String,
    pub route: Route,
    pub event: Value,
}

/// A made-up 256-bit token: the routes behind it answer 401, as they should to a stranger.
const MADE_UP_TOKEN: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const DOMAIN: &str = "abcdef1234.execute-api.ap-northeast-1.amazonaws.com";
const SOURCE_IP: &str = "203.0.113.10";

pub fn events(template: &str, openapi: &str) -> Result<Vec<Event>, String> {
    let document: Value = serde_json::from_str(openapi).map_err(|e| format!("the OpenAPI document: {e}"))?;
    let functions = crate::functions(template)?;
    let mut events = Vec::new();
    for function in &functions {
        for route in &function.routes {
            let operation = &document["paths"][&route.path][route.method.to_ascii_lowercase()];
            let number = events.len() + 1;
            events.push(Event {
                name: event_name(function, route),
                binary: function.binary.clone(),
                route: route.clone(),
                event: event(&document, operation, route, number)?,
            });
        }
    }
    Ok(events)
}

fn event_name(function: &Function, route: &Route) -> String {
    let folder = function.code_uri.trim_start_matches("functions/");
    if function.routes.len() == 1 {
        return folder.to_string();
    }
    let same_method = function.routes.iter().filter(|r| r.method == route.method).count();
    if same_method == 1 {
        return format!("{folder}-{}", route.method.to_ascii_lowercase());
    }
    let last = route
        .path
        .rsplit('/')
        .find(|segment| !segment.is_empty())
        .map(|segment| segment.trim_matches(['{', '}', '+']).replace('.', "-"))
        .unwrap_or_else(|| "root".to_string());
    format!("{folder}-{last}")
}

fn event(document: &Value, operation: &Value, route: &Route, number: usize) -> Result<Value, String> {
    let route_key = format!("{} {}", route.method, route.path);
    let mut parameters = Map::new();
    let mut raw_path = Vec::new();
    for segment in route.path.split('/') {
        let Some(name) = segment
            .strip_prefix('{')
            .map(|s| s.trim_end_matches('}').trim_end_matches('+'))
        else {
            raw_path.push(segment.to_string());
            continue;
        };
        let value = path_example(operation, name).unwrap_or_else(|| name.to_string());
        raw_path.push(value.clone());
        parameters.insert(name.to_string(), Value::String(value));
    }
    let raw_path = raw_path.join("/");
    let raw_path = if raw_path.is_empty() { "/".to_string() } else { raw_path };

    let mut headers = json!({
        "accept": "application/json",
        "host": DOMAIN,
        "user-agent": "Mozilla/5.0",
        "x-amzn-trace-id": "Root=1-00000000-000000000000000000000000",
        "x-forwarded-for": SOURCE_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    });
    let body = match route.method.as_str() {
        "POST" | "PUT" | "PATCH" => {
            let body = request_example(document, operation)
                .ok_or_else(|| format!("{route_key}: the OpenAPI document gives its request no example"))?
                .to_string();
            headers["content-type"] = json!("application/json");
            headers["content-length"] = json!(body.len().to_string());
            Some(body)
        }
        _ => None,
    };
    if !matches!(route.method.as_str(), "GET" | "HEAD" | "OPTIONS") {
        headers["origin"] = json!(format!("https://{DOMAIN}"));
        headers["sec-fetch-site"] = json!("same-origin");
    }

    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "domainName": DOMAIN,
            "domainPrefix": "abcdef1234",
            "http": {
                "method": route.method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": "Mozilla/5.0",
            },
            "requestId": format!("kennin-event-{number:02}"),
            "routeKey": route_key,
            "stage": "$default",
            "time": "01/Apr/2026:09:00:00 +0000",
            "timeEpoch": 1_775_034_000_000_i64,
        },
        "isBase64Encoded": false,
    });
    if let Some(cookie) = cookie(document, operation) {
        event["cookies"] = json!([format!("{cookie}={MADE_UP_TOKEN}")]);
    }
    if !parameters.is_empty() {
        event["pathParameters"] = Value::Object(parameters);
    }
    if let Some(body) = body {
        event["body"] = json!(body);
    }
    Ok(event)
}

/// The document's example for a path parameter of the operation.
fn path_example(operation: &Value, name: &str) -> Option<String> {
    let parameter = operation["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name && p["in"] == "path")?;
    let example = parameter["example"]
        .as_str()
        .or_else(|| parameter["schema"]["examples"][0].as_str())?;
    Some(example.to_string())
}

/// The first example of the request body's schema (followed through its `$ref`), or else the
/// smallest body the schema accepts: its required text fields at their shortest.
fn request_example(document: &Value, operation: &Value) -> Option<Value> {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(reference) => resolve(document, reference)?,
        None => schema,
    };
    if let Some(example) = schema["examples"].get(0) {
        return Some(example.clone());
    }
    if schema["type"] != "object" {
        return None;
    }
    let mut body = Map::new();
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str()?;
        let property = &schema["properties"][name];
        if property["type"] != "string" {
            return None;
        }
        let shortest = property["minLength"].as_u64().unwrap_or(0).max(1) as usize;
        body.insert(name.to_string(), Value::String("x".repeat(shortest)));
    }
    Some(Value::Object(body))
}

fn resolve<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    document.pointer(reference.strip_prefix('#')?)
}

/// The cookie the operation's security asks for: its scheme's name in the document.
fn cookie(document: &Value, operation: &Value) -> Option<String> {
    let scheme = operation["security"]
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find_map(|requirement| requirement.keys().next())?;
    let scheme = &document["components"]["securitySchemes"][scheme];
    (scheme["in"] == "cookie").then(|| scheme["name"].as_str().map(str::to_string))?
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Login:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: kennin-session-login } }
    Properties:
      CodeUri: functions/session-login
      Events:
        Post: { Type: HttpApi, Properties: { Method: post, Path: /api/session } }
  Postal:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: kennin-postal } }
    Properties:
      CodeUri: functions/postal
      Events:
        Get: { Type: HttpApi, Properties: { Method: get, Path: "/api/postal/{code}" } }
  Portal:
    Type: AWS::Serverless::Function
    Metadata: { BuildProperties: { Binary: kennin-portal } }
    Properties:
      CodeUri: functions/portal
      Events:
        Root: { Type: HttpApi, Properties: { Method: get, Path: / } }
        Pages: { Type: HttpApi, Properties: { Method: get, Path: "/portal/{proxy+}" } }
"#;

    fn document() -> String {
        json!({
            "paths": {
                "/api/session": { "post": {
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LoginInput" } } } },
                    "security": [{}, { "session": [] }],
                } },
                "/api/postal/{code}": { "get": {
                    "parameters": [{ "name": "code", "in": "path", "schema": { "examples": ["100-0001"] } }],
                } },
            },
            "components": {
                "schemas": { "LoginInput": { "examples": [{ "userId": "kenpo_taro", "password": "x" }] } },
                "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": "__Host-kennin_session" } },
            },
        })
        .to_string()
    }

    #[test]
    fn every_route_gets_an_event_with_the_documents_examples() {
        let events = events(TEMPLATE, &document()).unwrap();
        let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["session-login", "postal", "portal-root", "portal-proxy"]);

        let login = &events[0].event;
        assert_eq!(login["routeKey"], "POST /api/session");
        let body: Value = serde_json::from_str(login["body"].as_str().unwrap()).unwrap();
        assert_eq!(body, json!({ "userId": "kenpo_taro", "password": "x" }));
        assert_eq!(login["headers"]["content-type"], "application/json");
        assert_eq!(login["headers"]["sec-fetch-site"], "same-origin");
        assert_eq!(login["cookies"][0], format!("__Host-kennin_session={MADE_UP_TOKEN}"));
        assert_eq!(events[0].binary, "kennin-session-login");

        let postal = &events[1].event;
        assert_eq!(postal["rawPath"], "/api/postal/100-0001");
        assert_eq!(postal["pathParameters"]["code"], "100-0001");
        assert!(postal.get("body").is_none() && postal.get("cookies").is_none());
        assert!(
            postal["headers"].get("origin").is_none(),
            "a GET is not cross-site checked"
        );

        assert_eq!(events[2].event["rawPath"], "/");
        assert_eq!(events[3].event["rawPath"], "/portal/proxy");
    }

    #[test]
    fn without_an_example_the_body_is_the_smallest_the_schema_accepts() {
        let with_schema = |schema: Value| {
            json!({ "paths": { "/api/session": { "post": {
                "requestBody": { "content": { "application/json": { "schema": schema } } },
            } } } })
            .to_string()
        };
        let required = with_schema(json!({
            "type": "object",
            "properties": { "version": { "type": "string", "minLength": 1 }, "note": { "type": "string" } },
            "required": ["version"],
        }));
        assert_eq!(
            events(TEMPLATE, &required).unwrap()[0].event["body"],
            r#"{"version":"x"}"#
        );
        let anything = with_schema(json!({ "type": "object", "additionalProperties": true }));
        assert_eq!(events(TEMPLATE, &anything).unwrap()[0].event["body"], "{}");
        let unknowable =
            with_schema(json!({ "type": "object", "properties": { "n": { "type": "integer" } }, "required": ["n"] }));
        let error = events(TEMPLATE, &unknowable).unwrap_err();
        assert!(error.contains("POST /api/session"), "{error}");
    }
}
