//! scripts/schemathesis.sh's helpers: the demo person it fuzzes with, and the counts of answers
//! it checks at the end.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const PASSWORD: &str = "Sakura#2024go";
const USER_ID: &str = "kenpo_taro";
const SESSION_COOKIE: &str = "__Host-kennin_session";

struct Api {
    base: String,
    client: reqwest::Client,
}

struct Answer {
    body: Value,
    /// The `name=value` pairs of the Set-Cookie headers.
    cookies: Vec<String>,
}

impl Answer {
    fn only_cookie(self, what: &str) -> Result<String, String> {
        match <[String; 1]>::try_from(self.cookies) {
            Ok([cookie]) => Ok(cookie),
            Err(cookies) => Err(format!("{what}: expected one cookie, got {}", cookies.len())),
        }
    }
}

impl Api {
    /// Any answer but a 2xx is an error naming the request.
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        cookie: Option<&str>,
    ) -> Result<Answer, String> {
        let method: reqwest::Method = method.parse().map_err(|_| format!("{method}: not a method"))?;
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status();
        let cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| Some(v.to_str().ok()?.split(';').next()?.to_string()))
            .collect();
        let text = response.text().await.map_err(|e| format!("{method} {path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{method} {path}: {} {text}", status.as_u16()));
        }
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| format!("{method} {path}: {e}"))?
        };
        Ok(Answer { body, cookies })
    }

    async fn login(&self) -> Result<String, String> {
        self.call(
            "POST",
            "/api/session",
            Some(json!({ "userId": USER_ID, "password": PASSWORD })),
            None,
        )
        .await?
        .only_cookie("login")
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn api(base: &str) -> Api {
    Api {
        base: base.trim_end_matches('/').to_string(),
        client: reqwest::Client::new(),
    }
}

/// ① → ④ as in the README, then ⑤ (terms and contact details).
pub fn demo_sessions(base: &str) -> Result<(), String> {
    let api = api(base);
    runtime()?.block_on(async {
        let identity = json!({ "insurerCode": "0904", "symbol": "1001", "number": "1",
                               "birthDate": "1990/01/01", "nameKana": "ｹﾝﾎﾟ ﾀﾛｳ" });
        let flow = api
            .call("POST", "/api/signup/identity", Some(identity), None)
            .await?
            .only_cookie("identity")?;
        let account = json!({ "userId": USER_ID, "password": PASSWORD, "email": "taro@example.com" });
        api.call("POST", "/api/signup/account", Some(account), Some(&flow))
            .await?;
        let mail = api.call("GET", "/_local/mail", None, None).await?.body;
        let code = mail["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|message| code_in(message["text"].as_str()?))
            .ok_or("no code in the outbox")?;
        api.call("POST", "/api/signup/code", Some(json!({ "code": code })), Some(&flow))
            .await?;

        let session = api.login().await?;
        let terms = api.call("GET", "/api/terms", None, Some(&session)).await?.body;
        api.call(
            "POST",
            "/api/me/terms",
            Some(json!({ "version": terms["version"] })),
            Some(&session),
        )
        .await?;
        let contact =
            json!({ "postalCode": "100-0001", "address": "東京都千代田区千代田1-1", "phone": "03-1234-5678" });
        let saved = api
            .call("PUT", "/api/me/contact", Some(contact), Some(&session))
            .await?;
        if saved.body["next"] != "home" {
            return Err(format!("after the contact details: {}", saved.body));
        }
        let other = json!({ "insurerCode": "0904", "symbol": "1001", "number": "2",
                            "birthDate": "1985/04/15", "nameKana": "サクラ ハナコ" });
        let open_flow = api
            .call("POST", "/api/signup/identity", Some(other), None)
            .await?
            .only_cookie("identity")?;
        let value = |cookie: &str| cookie.split_once('=').map_or(String::new(), |(_, v)| v.to_string());
        println!("MAIN_SESSION={}", value(&session));
        println!("OPEN_FLOW={}", value(&open_flow));
        println!("PASSWORD_SESSION={}", value(&api.login().await?));
        println!("LOGOUT_SESSION={}", value(&api.login().await?));
        println!("END_SESSIONS_SESSION={}", value(&api.login().await?));
        Ok(())
    })
}

/// The 6-digit code after 認証番号： in a mail's text.
fn code_in(text: &str) -> Option<String> {
    let (_, rest) = text.split_once("認証番号：")?;
    let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (code.len() == 6).then_some(code)
}

pub fn logged_in(base: &str, session: &str) -> Result<(), String> {
    let api = api(base);
    let cookie = format!("{SESSION_COOKIE}={session}");
    runtime()?.block_on(async { api.call("GET", "/api/me", None, Some(&cookie)).await.map(drop) })
}

fn json_lines(path: &Path) -> Result<impl Iterator<Item = Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .collect::<Vec<_>>()
        .into_iter())
}

/// An answer's status, or none when the request got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Answered(u64),
    None,
}

impl Status {
    fn is_server_error(self) -> bool {
        !matches!(self, Status::Answered(status) if status < 500)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Answered(status) => write!(f, "{status}"),
            Status::None => f.write_str("no answer"),
        }
    }
}

/// Statuses per operation: every interaction (one request sent) of every finished scenario.
fn statuses_per_operation(events: &[PathBuf]) -> Result<BTreeMap<String, BTreeMap<Status, u64>>, String> {
    let mut statuses: BTreeMap<String, BTreeMap<Status, u64>> = BTreeMap::new();
    for path in events {
        for event in json_lines(path)? {
            let Some(recorder) = event.get("ScenarioFinished").map(|finished| &finished["recorder"]) else {
                continue;
            };
            let operation = recorder["label"].as_str().unwrap_or_default().to_string();
            let counts = statuses.entry(operation).or_default();
            for interaction in recorder["interactions"]
                .as_object()
                .into_iter()
                .flat_map(|i| i.values())
            {
                let status = interaction["response"]["status_code"]
                    .as_u64()
                    .map_or(Status::None, Status::Answered);
                *counts.entry(status).or_default() += 1;
            }
        }
    }
    Ok(statuses)
}

pub fn answers(events: &[PathBuf]) -> Result<(), String> {
    let statuses = statuses_per_operation(events)?;
    let (mut requests, mut server_errors) = (0, 0);
    for (operation, counts) in &statuses {
        let answers: Vec<String> = counts.iter().map(|(status, n)| format!("{status}×{n}")).collect();
        eprintln!("  {operation:<32} {}", answers.join("  "));
        for (status, n) in counts {
            requests += n;
            if status.is_server_error() {
                server_errors += n;
            }
        }
    }
    println!("{requests} {server_errors}");
    Ok(())
}

/// Shows the first lines of server errors, for the log of a failed run.
const SERVER_ERRORS_SHOWN: usize = 20;

pub fn logged_answers(log: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let (mut requests, mut server_errors) = (0, 0);
    for line in text.lines() {
        let Ok(entry) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if entry["message"].as_str().is_some_and(|m| m.starts_with("request")) {
            requests += 1;
            if entry["status"].as_u64().is_some_and(|status| status >= 500) {
                if server_errors < SERVER_ERRORS_SHOWN {
                    eprintln!("{line}");
                }
                server_errors += 1;
            }
        }
    }
    println!("{requests} {server_errors}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_follows_its_label() {
        assert_eq!(code_in("認証番号：123456\n有効期限").as_deref(), Some("123456"));
        assert_eq!(code_in("認証番号：12345"), None);
    }

    #[test]
    fn unanswered_requests_and_5xx_are_server_errors() {
        let dir = std::env::temp_dir().join(format!("xtask-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let events = dir.join("events.ndjson");
        let scenario = |label: &str, statuses: &[Option<u64>]| {
            let interactions: serde_json::Map<String, Value> = statuses
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    (
                        i.to_string(),
                        json!({ "response": s.map(|s| json!({ "status_code": s })) }),
                    )
                })
                .collect();
            json!({ "ScenarioFinished": { "recorder": { "label": label, "interactions": interactions } } }).to_string()
        };
        let lines = [
            scenario("GET /api/me", &[Some(200), Some(401), Some(200)]),
            "{\"Initialized\": {}}".to_string(),
            scenario("POST /api/session", &[Some(503), None]),
        ];
        std::fs::write(&events, lines.join("\n")).unwrap();
        let statuses = statuses_per_operation(std::slice::from_ref(&events)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(statuses["GET /api/me"][&Status::Answered(200)], 2);
        let login = &statuses["POST /api/session"];
        assert_eq!(login.keys().filter(|s| s.is_server_error()).count(), 2);
    }
}
