//! The texts of kennin's mails, worded after the manual's sample.

use super::Message;
use crate::clock::japanese_duration;
use crate::domain::{Email, VerificationCode};
use crate::store::records::UnionContact;

const FOOTER: &str = "本メールは送信専用のメールアドレスから配信されています。本メールに返信いただいても対応出来かねますのでご了承ください。\n\
\n\
本メールにお心当たりのない場合は、誠に恐れ入りますが破棄していただけますようお願いいたします。\n";

/// A code mail in the manual sample's words, for any purpose (`purpose` as in 「…の手続き」),
/// stating the code's lifetime (`Config::code_ttl_seconds`), sent for `account` once one exists.
fn code_mail(
    to: &Email,
    account: Option<&str>,
    subject: &str,
    purpose: &str,
    code: &VerificationCode,
    valid_seconds: i64,
) -> Message {
    let code = code.expose();
    let valid = japanese_duration(valid_seconds);
    Message {
        to: to.clone(),
        subject: subject.to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             下記の認証番号を入力して{purpose}の手続きを行ってください。\n\
             \n\
             認証番号：{code}\n\
             \n\
             上記の認証番号の有効期限は発行より{valid}となっておりますので、{valid}以内に入力して、\
             {purpose}の手続きを行ってください。{valid}以内に入力いただけなかった場合は、\
             上記の認証番号は無効になりますのでご注意ください。\n\
             \n\
             {FOOTER}"
        ),
        account: account.map(str::to_string),
    }
}

pub fn signup_code(to: &Email, code: &VerificationCode, valid_seconds: i64) -> Message {
    code_mail(
        to,
        None,
        "【ユーザーID作成用認証番号のお知らせ】",
        "ユーザーID作成",
        code,
        valid_seconds,
    )
}

pub fn password_reset_code(to: &Email, account: &str, code: &VerificationCode, valid_seconds: i64) -> Message {
    code_mail(
        to,
        Some(account),
        "【パスワード再設定用認証番号のお知らせ】",
        "パスワード再設定",
        code,
        valid_seconds,
    )
}

/// To the new address, for the account whose address it is to become.
pub fn email_change_code(to: &Email, account: &str, code: &VerificationCode, valid_seconds: i64) -> Message {
    code_mail(
        to,
        Some(account),
        "【メールアドレス変更用認証番号のお知らせ】",
        "メールアドレス変更",
        code,
        valid_seconds,
    )
}

/// Whom to ask, under a mail's 「健康保険組合へご連絡ください」: the parts the union has set.
fn contact_lines(contact: Option<&UnionContact>) -> String {
    let Some(contact) = contact else {
        return String::new();
    };
    let phone = match (&contact.phone, &contact.hours) {
        (Some(phone), Some(hours)) => Some(format!("電話：{phone}（{hours}）")),
        (Some(phone), None) => Some(format!("電話：{phone}")),
        (None, Some(hours)) => Some(format!("受付時間：{hours}")),
        (None, None) => None,
    };
    let lines: Vec<String> = [
        contact.name.clone(),
        phone,
        contact.email.as_ref().map(|e| format!("メール：{}", e.as_str())),
    ]
    .into_iter()
    .flatten()
    .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!("\n【お問い合わせ先】\n{}\n", lines.join("\n"))
}

pub fn password_changed(to: &Email, account: &str, contact: Option<&UnionContact>) -> Message {
    Message {
        to: to.clone(),
        subject: "【パスワードが変更されました】".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             ご登録のユーザーIDのパスワードが変更されました。他の端末でのログインはすべて終了しています。\n\
             \n\
             お心当たりのない場合は、第三者に利用されている可能性があります。「パスワードを忘れた方はこちら」からパスワードを再設定し、ご加入の健康保険組合へご連絡ください。\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: Some(account.to_string()),
    }
}

/// To the old address, for the account whose address it was.
pub fn email_changed(to: &Email, account: &str, new_address_masked: &str, contact: Option<&UnionContact>) -> Message {
    Message {
        to: to.clone(),
        subject: "【メールアドレスが変更されました】".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             ご登録のメールアドレスが {new_address_masked} に変更されました。今後のお知らせは新しいアドレスに送信されます。\n\
             \n\
             お心当たりのない場合は、ご加入の健康保険組合へご連絡ください。\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: Some(account.to_string()),
    }
}

pub fn user_id_reminder(to: &Email, account: &str, user_id: &crate::domain::UserId) -> Message {
    let user_id = user_id.as_str();
    Message {
        to: to.clone(),
        subject: "【ユーザーIDのお知らせ】".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             ご依頼により、ご登録のユーザーIDをお知らせします。\n\
             \n\
             ユーザーID：{user_id}\n\
             \n\
             パスワードをお忘れの場合は、ログイン画面の「パスワードを忘れた方はこちら」から再設定してください。\n\
             \n\
             {FOOTER}"
        ),
        account: Some(account.to_string()),
    }
}

/// The union sent a form back (差し戻し): its reason and the form's address, nothing of the
/// answers.
pub fn answers_returned(
    to: &Email,
    account: &str,
    reason: &str,
    form_url: &str,
    contact: Option<&UnionContact>,
) -> Message {
    Message {
        to: to.clone(),
        subject: "【被扶養者資格調査】調査票が差し戻されました".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             ご提出いただいた被扶養者資格調査の調査票について、健康保険組合から差し戻しがありました。\n\
             下記の理由をご確認のうえ、回答を修正して、あらためて提出してください。\n\
             \n\
             【差し戻しの理由】\n\
             {reason}\n\
             \n\
             【調査票】\n\
             {form_url}\n\
             （ログイン後に表示されます）\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: Some(account.to_string()),
    }
}

/// The opening of the union's survey, to a roster address of a person with no account yet: the
/// signup page with the union's code filled in, and what to have at hand. Never the card number
/// or the birth date, which the person types themselves.
pub fn survey_invitation(
    to: &Email,
    union_name: &str,
    insurer_code: &str,
    survey: &SurveyDates,
    signup_url: &str,
    contact: Option<&UnionContact>,
) -> Message {
    let SurveyDates { title, window, .. } = survey;
    Message {
        to: to.clone(),
        subject: format!("【{union_name}】被扶養者資格調査 初回ログインのご案内"),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             {union_name}の「{title}」を開始しました。\n\
             回答期間：{window}\n\
             \n\
             下記のページで初回ログイン（利用者登録）を行い、被扶養者の方ごとに調査票へ回答してください。\n\
             \n\
             {signup_url}\n\
             保険者指定コード：{insurer_code}\n\
             \n\
             登録には、お手元の保険証（資格確認書）の記号・番号と、被保険者ご本人の生年月日が必要です。\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: None,
    }
}

/// What the survey's mails say of its window.
pub struct SurveyDates {
    pub title: String,
    /// 「2026年12月6日 09:00 〜 2027年1月5日（猶予 0日）」
    pub window: String,
    /// 「2027年1月5日」
    pub due: String,
}

/// A reminder of forms not yet submitted (or sent back), `days_left` before the due day.
pub fn survey_reminder(
    to: &Email,
    survey: &SurveyDates,
    days_left: i64,
    portal_url: &str,
    contact: Option<&UnionContact>,
) -> Message {
    let SurveyDates { title, due, .. } = survey;
    let (subject, when) = if days_left <= 0 {
        (
            "【被扶養者資格調査】本日が回答期限です".to_string(),
            format!("本日（{due}）が回答期限です。"),
        )
    } else {
        (
            format!("【被扶養者資格調査】回答期限まであと{days_left}日です"),
            format!("回答期限は{due}です（あと{days_left}日）。"),
        )
    };
    Message {
        to: to.clone(),
        subject,
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             「{title}」に、まだ提出されていない調査票（または差し戻された調査票）があります。\n\
             {when}\n\
             \n\
             下記からログインし、回答して提出してください。期限を過ぎると、被扶養者の資格を確認できず、\
             扶養から外れる場合があります。\n\
             \n\
             {portal_url}\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: None,
    }
}

/// 提出を受け付けました: whose form, the documents it asks for, and that they can still be
/// added. Nothing of the answers.
pub fn answers_received(
    to: &Email,
    dependent: &str,
    documents: &[String],
    form_url: &str,
    contact: Option<&UnionContact>,
) -> Message {
    let documents = if documents.is_empty() {
        "添付が必要な書類はありません。\n".to_string()
    } else {
        let lines: String = documents.iter().map(|d| format!("・{d}\n")).collect();
        format!("【添付が必要な書類】\n{lines}書類は、組合の確認が終わるまで調査票の画面から追加できます。\n")
    };
    Message {
        to: to.clone(),
        subject: "【被扶養者資格調査】提出を受け付けました".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             被扶養者（{dependent}）の調査票の提出を受け付けました。健康保険組合が内容を確認します。\n\
             \n\
             {documents}\
             \n\
             【調査票】\n\
             {form_url}\n\
             （ログイン後に表示されます）\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: None,
    }
}

/// A document the union marked 不備: which, and why; another can be sent from the form.
pub fn document_refused(
    to: &Email,
    dependent: &str,
    document: &str,
    reason: &str,
    form_url: &str,
    contact: Option<&UnionContact>,
) -> Message {
    Message {
        to: to.clone(),
        subject: "【被扶養者資格調査】添付書類に不備があります".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             被扶養者（{dependent}）の調査票に添付された書類について、健康保険組合から不備のお知らせがありました。\n\
             \n\
             【書類】\n\
             {document}\n\
             \n\
             【不備の理由】\n\
             {reason}\n\
             \n\
             下記の調査票から、書類を添付し直してください。\n\
             {form_url}\n\
             （ログイン後に表示されます）\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: None,
    }
}

/// The union's decision to remove the dependent (削除): from when, and what happens next.
pub fn dependent_removed(
    to: &Email,
    dependent: &str,
    effective_date: Option<&str>,
    contact: Option<&UnionContact>,
) -> Message {
    let from = effective_date.map(|day| format!("{day}付けで")).unwrap_or_default();
    Message {
        to: to.clone(),
        subject: "【被扶養者資格調査】被扶養者の削除についてのお知らせ".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             被扶養者資格調査の結果、被扶養者（{dependent}）は{from}被扶養者の資格を喪失（削除）することになりました。\n\
             \n\
             今後の手続き（資格確認書・保険証の返却、国民健康保険などへの加入）については、\
             健康保険組合または勤務先の担当部署からご案内します。\n\
             削除日以降に受診された医療費は、後日返還をお願いする場合があります。\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: None,
    }
}

/// The union's decision to keep the dependent (継続), where the union mails it.
pub fn dependent_continued(to: &Email, dependent: &str, contact: Option<&UnionContact>) -> Message {
    Message {
        to: to.clone(),
        subject: "【被扶養者資格調査】確認が完了しました".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             被扶養者資格調査の結果、被扶養者（{dependent}）は引き続き被扶養者として認定されます。\n\
             ご協力ありがとうございました。\n\
             {}\n\
             {FOOTER}",
            contact_lines(contact)
        ),
        account: None,
    }
}

/// The console's invitation: the link holds its token after `#`, so that the token never
/// reaches a server's log; no password is ever mailed.
pub fn staff_invitation(to: &Email, name: &str, union_name: &str, link: &str, valid_seconds: i64) -> Message {
    let valid = japanese_duration(valid_seconds);
    Message {
        to: to.clone(),
        subject: "【kennin 管理画面へのご招待】".to_string(),
        text: format!(
            "本メールは被扶養者資格調査システム（kennin）から自動送信されています。\n\
             \n\
             {name} 様\n\
             \n\
             {union_name}の管理画面の利用者として登録されました。下記のリンクを開き、\
             パスワードの設定と認証アプリ（2段階認証）の登録を行ってください。\n\
             \n\
             {link}\n\
             \n\
             このリンクの有効期限は送信より{valid}で、一度だけ使えます。{valid}を過ぎた場合は、\
             組合の管理者に招待の再送を依頼してください。\n\
             \n\
             {FOOTER}"
        ),
        account: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_that_says_to_ask_the_union_carries_what_the_union_set_of_its_contact() {
        let to = Email::parse("taro@example.com").unwrap();
        let contact = UnionContact {
            name: Some("適用グループ".into()),
            phone: Some("03-1234-5678".into()),
            hours: Some("平日 10:00〜17:00".into()),
            email: None,
        };
        let mail = password_changed(&to, "a1", Some(&contact));
        assert!(
            mail.text
                .contains("【お問い合わせ先】\n適用グループ\n電話：03-1234-5678（平日 10:00〜17:00）\n"),
            "{}",
            mail.text
        );
        assert!(!mail.text.contains("メール："));
        let changed = email_changed(&to, "a1", "t***@example.org", Some(&contact));
        assert!(changed.text.contains("【お問い合わせ先】"));
        for without in [
            password_changed(&to, "a1", None),
            password_changed(&to, "a1", Some(&UnionContact::default())),
        ] {
            assert!(!without.text.contains("お問い合わせ先"));
            assert!(without.text.contains("ご連絡ください。\n\n本メールは送信専用"));
        }
    }
}
