//! パスワード, the signup/reset rule (with the service words every password is checked against)
//! and the login form. The input is `USER_ID\nPASSWORD` (the
//! user ID the rule compares against) or just `PASSWORD`. A kept password is exactly what was
//! typed and meets every part of the rule; the login form takes anything from 1 to 256 bytes.
#![no_main]

use kennin::domain::{Password, PasswordContext, SERVICE_WORDS, UserId};
use kennin_fuzz::assert_japanese;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let (user_id, typed) = match input.split_once('\n') {
        Some((user_id, typed)) => (UserId::parse(user_id).ok(), typed),
        None => (None, input),
    };

    match Password::parse(typed, &PasswordContext::for_user(user_id.as_ref())) {
        Ok(password) => {
            let kept = password.expose();
            assert_eq!(kept, typed, "the password was changed on the way in");
            assert!((8..=20).contains(&kept.len()), "{} bytes", kept.len());
            assert!(kept.chars().all(|c| c.is_ascii_graphic()));
            assert!(kept.chars().any(|c| c.is_ascii_alphabetic()));
            assert!(kept.chars().any(|c| c.is_ascii_digit()));
            assert!(kept.chars().any(|c| c.is_ascii_punctuation()));
            if let Some(user_id) = &user_id {
                assert!(
                    !kept.to_ascii_lowercase().contains(&user_id.key()),
                    "contains the user ID"
                );
            }
            // Service words are refused ignoring case and whatever is not a letter or digit.
            let compact: String = kept
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            for word in SERVICE_WORDS.iter().filter(|word| word.len() >= 4) {
                assert!(!compact.contains(word), "contains the service word {word}");
            }
            assert!(!format!("{password:?}").contains(kept), "Debug shows the password");
        }
        Err(refused) => assert_japanese(refused.0),
    }

    match Password::for_login(typed) {
        Ok(password) => {
            assert_eq!(password.expose(), typed);
            assert!((1..=256).contains(&typed.len()), "{} bytes", typed.len());
        }
        Err(refused) => {
            assert!(
                typed.is_empty() || typed.len() > 256,
                "login form refused {} bytes",
                typed.len()
            );
            assert_japanese(refused.0);
        }
    }
});
