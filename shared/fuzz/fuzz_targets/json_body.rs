//! The JSON bodies the handlers read through `ApiRequest::json`, into every input type, then
//! their fields into the rule types, and the answer the HTTP edge makes of the outcome: whatever
//! the body, a 4xx with a Japanese message (per field where a field was wrong), never a 500.
#![no_main]

use kennin::account::{ContactInput, EmailInput, PasswordChangeInput, TermsInput};
use kennin::codes::CodeInput;
use kennin::config::Config;
use kennin::domain::{
    Address, BirthDate, CardNumber, CardSymbol, Email, InsurerCode, KanaName, Password, PasswordContext, PhoneNumber,
    PostalCode, UserId, VerificationCode,
};
use kennin::error::{Error, Fields};
use kennin::http::{ApiRequest, MAX_BODY_BYTES, Reply};
use kennin::recovery::{ForgotPasswordInput, ForgotUserIdInput, ResetPasswordInput};
use kennin::login::LoginInput;
use kennin::signup::{AccountInput, IdentityInput};
use kennin_fuzz::assert_japanese;
use lambda_http::{Body, http};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::macros::date;

const HOST: &str = "kennin.example";

fn same_origin_post(body: &[u8]) -> ApiRequest {
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("https://{HOST}/api"))
        .header("host", HOST)
        .header("origin", format!("https://{HOST}"))
        .header("content-type", "application/json; charset=utf-8")
        .body(Body::Binary(body.to_vec()))
        .expect("a well-formed request");
    ApiRequest::new(request, &Config::with_secret(vec![7; 32]))
}

/// Reads `body` as a `T`, checks its fields as the handler's rule types, and checks the response.
fn answer<T: DeserializeOwned>(body: &[u8], check_fields: impl FnOnce(T, &mut Fields)) {
    let request = same_origin_post(body);
    let outcome = request.json::<T>();
    match &outcome {
        Ok(_) => {
            assert!(body.len() <= MAX_BODY_BYTES);
            assert_eq!(
                body.iter().find(|b| !b.is_ascii_whitespace()),
                Some(&b'{'),
                "a non-object was read"
            );
        }
        Err(Error::TooLarge) => assert!(body.len() > MAX_BODY_BYTES),
        Err(Error::MalformedJson) => {}
        Err(other) => panic!("reading the body gave {other:?}"),
    }
    let result = outcome.and_then(|input| {
        let mut fields = Fields::default();
        check_fields(input, &mut fields);
        fields.finish()
    });
    let was_refused = result.is_err();
    let response = request.finish(result.map(|()| Reply::no_content()));
    let status = response.status().as_u16();
    if !was_refused {
        assert_eq!(status, 204);
        return;
    }
    assert!(matches!(status, 400 | 413), "status {status}");
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok());
    assert_eq!(content_type, Some("application/json; charset=utf-8"));
    let Body::Text(text) = response.body() else {
        panic!("an error without a JSON body")
    };
    let error: Value = serde_json::from_str(text).expect("the error body is JSON");
    assert!(error["code"].as_str().is_some_and(|c| !c.is_empty()), "{error}");
    assert!(error["requestId"].as_str().is_some_and(|c| !c.is_empty()), "{error}");
    assert_japanese(error["message"].as_str().expect("a message"));
    if let Some(fields) = error.get("fields") {
        let fields = fields.as_object().expect("fields are an object");
        assert!(!fields.is_empty());
        for message in fields.values() {
            assert_japanese(message.as_str().expect("a field message is a string"));
        }
    }
}

fuzz_target!(|body: &[u8]| {
    let today = date!(2036 - 06 - 01);
    answer(body, |input: IdentityInput, f: &mut Fields| {
        f.check("insurerCode", InsurerCode::parse(&input.insurer_code));
        f.check("symbol", CardSymbol::parse(&input.symbol));
        f.check("number", CardNumber::parse(&input.number));
        f.check("birthDate", BirthDate::parse(&input.birth_date, today));
        f.check("nameKana", KanaName::parse(&input.name_kana));
    });
    answer(body, |input: AccountInput, f: &mut Fields| {
        let user_id = f.check("userId", UserId::parse(&input.user_id));
        f.check(
            "password",
            Password::parse(&input.password, &PasswordContext::for_user(user_id.as_ref())),
        );
        f.check("email", Email::parse(&input.email));
    });
    answer(body, |input: CodeInput, f: &mut Fields| {
        f.check("code", VerificationCode::parse(&input.code));
    });
    answer(body, |input: LoginInput, f: &mut Fields| {
        f.check("password", Password::for_login(&input.password));
    });
    answer(body, |input: TermsInput, f: &mut Fields| {
        if input.version.trim().is_empty() {
            f.add("version", "利用規約の版が指定されていません。");
        }
    });
    answer(body, |input: ContactInput, f: &mut Fields| {
        f.check("postalCode", PostalCode::parse(&input.postal_code));
        f.check("address", Address::parse(&input.address));
        f.check("phone", PhoneNumber::parse(&input.phone));
    });
    answer(body, |input: PasswordChangeInput, f: &mut Fields| {
        f.check("currentPassword", Password::for_login(&input.current_password));
        f.check(
            "password",
            Password::parse(&input.password, &PasswordContext::for_user(None)),
        );
    });
    answer(body, |input: EmailInput, f: &mut Fields| {
        f.check("email", Email::parse(&input.email));
    });
    answer(body, |input: ForgotPasswordInput, f: &mut Fields| {
        f.check("userId", UserId::parse(&input.user_id));
        f.check("email", Email::parse(&input.email));
    });
    answer(body, |input: ResetPasswordInput, f: &mut Fields| {
        let user_id = f.check("userId", UserId::parse(&input.user_id));
        f.check("code", VerificationCode::parse(&input.code));
        f.check(
            "password",
            Password::parse(&input.password, &PasswordContext::for_user(user_id.as_ref())),
        );
    });
    answer(body, |input: ForgotUserIdInput, f: &mut Fields| {
        f.check("insurerCode", InsurerCode::parse(&input.insurer_code));
        f.check("symbol", CardSymbol::parse(&input.symbol));
        f.check("number", CardNumber::parse(&input.number));
        f.check("birthDate", BirthDate::parse(&input.birth_date, today));
        f.check("email", Email::parse(&input.email));
    });
    // The resend step takes any object.
    answer(body, |_: serde_json::Map<String, Value>, _: &mut Fields| {});
});
