//! The SES v2 sender through the real AWS SDK, against moto's server.

use kennin::aws::sdk_config;
use kennin::domain::{Email, VerificationCode};
use kennin::mail::Mailer;
use kennin::mail::ses::SesMailer;
use kennin::mail::templates;
use kennin_tests::{SES_ENDPOINT_VAR, endpoint};
use serde_json::Value;

const SENDER: &str = "no-reply@kennin.example";
/// The code lifetime the mails state, in seconds.
const CODE_LIFETIME: i64 = 600;

/// What moto recorded as sent.
async fn sent_messages(base: &str) -> Vec<Value> {
    let text = reqwest::get(format!("{base}/moto-api/data.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();
    data["ses"]["Message"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_code_mail_goes_out_through_ses_v2() {
    let base = endpoint(SES_ENDPOINT_VAR);
    let sdk = sdk_config(Some(&base)).await;
    let client = aws_sdk_sesv2::Client::new(&sdk);
    client
        .create_email_identity()
        .email_identity(SENDER)
        .send()
        .await
        .unwrap();

    let to = format!("{}@example.com", uuid::Uuid::new_v4().simple());
    let email = Email::parse(&to).unwrap();
    let code = VerificationCode::generate();
    let mailer = SesMailer::new(client, SENDER, None);
    mailer
        .send(&templates::signup_code(&email, &code, CODE_LIFETIME))
        .await
        .unwrap();

    let messages = sent_messages(&base).await;
    let sent = messages
        .iter()
        .find(|m| m["destinations"]["ToAddresses"][0] == to.as_str())
        .unwrap_or_else(|| panic!("no message to {to} in {messages:?}"));
    assert_eq!(sent["source"], SENDER);
    assert_eq!(sent["subject"], "【ユーザーID作成用認証番号のお知らせ】");
    let body = sent["body"].as_str().unwrap();
    assert!(body.contains(&format!("認証番号：{}", code.expose())), "{body}");
}

#[tokio::test]
async fn an_unverified_sender_is_a_mail_error_not_a_panic() {
    let base = endpoint(SES_ENDPOINT_VAR);
    let sdk = sdk_config(Some(&base)).await;
    let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), "nobody@unverified.example", None);
    let email = Email::parse("taro@example.com").unwrap();
    let error = mailer
        .send(&templates::signup_code(
            &email,
            &VerificationCode::generate(),
            CODE_LIFETIME,
        ))
        .await
        .unwrap_err();
    assert!(
        !error.to_string().contains("taro@example.com"),
        "mail errors are logged and must not carry addresses: {error}"
    );
}

#[tokio::test]
async fn an_unreachable_ses_is_a_mail_error() {
    let sdk = sdk_config(Some("http://127.0.0.1:9")).await;
    let mailer = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk), SENDER, None);
    let email = Email::parse("taro@example.com").unwrap();
    assert!(
        mailer
            .send(&templates::signup_code(
                &email,
                &VerificationCode::generate(),
                CODE_LIFETIME
            ))
            .await
            .is_err()
    );
}
