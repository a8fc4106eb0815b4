//! The texts of kennin's mails, worded after the manual's sample.

use super::Message;
use crate::domain::{Email, VerificationCode};

pub fn signup_code(to: &Email, code: &VerificationCode, valid_minutes: i64) -> Message {
    let code = code.expose();
    Message {
        to: to.clone(),
        subject: "【ユーザーID作成用認証番号のお知らせ】".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             下記の認証番号を入力してユーザーID作成の手続きを行ってください。\n\
             \n\
             認証番号：{code}\n\
             \n\
             上記の認証番号の有効期限は発行より{valid_minutes}分となっておりますので、{valid_minutes}分以内に入力して、\
             ユーザーID作成の手続きを行ってください。{valid_minutes}分以内に入力いただけなかった場合は、\
             上記の認証番号は無効になりますのでご注意ください。\n\
             \n\
             本メールは送信専用のメールアドレスから配信されています。本メールに返信いただいても対応出来かねますのでご了承ください。\n\
             \n\
             本メールにお心当たりのない場合は、誠に恐れ入りますが破棄していただけますようお願いいたします。\n"
        ),
    }
}
