//! The rules of the product, one type each. A value of these types is valid by construction:
//! the `parse` constructors are the only way in, and they run the same normaliser on roster
//! import and on what a person types.

/// Serde goes through a rule type's `parse`, so invalid data cannot come in that way either; out,
/// the type is its normalised string.
macro_rules! string_form {
    ($type:ident) => {
        impl TryFrom<String> for $type {
            type Error = super::Invalid;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }
    };
}
use string_form;

/// A refusal that states a rule's numbers, written from the constants that enforce the rule, so
/// the two cannot drift apart. `Invalid` holds a `&'static str`: the text is made on first use
/// and kept.
macro_rules! stated {
    ($($format:tt)*) => {{
        static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!($($format)*));
        TEXT.as_str()
    }};
}
pub(crate) use stated;

mod birth_date;
mod card;
mod code;
mod contact;
mod day;
mod dependent;
mod email;
mod insurer_code;
mod kana_name;
mod password;
mod postal_code;
mod staff_role;
mod step;
mod target_status;
mod text;
mod user_id;

pub use birth_date::BirthDate;
pub use birth_date::DateMessages;
pub use birth_date::age_on;
pub use card::{CardNumber, CardSymbol, card_value, parse_card};
pub use code::VerificationCode;
pub use contact::{Address, PhoneNumber};
pub use day::Day;
pub use dependent::{DependentNo, InsuredKind, Living, OfficeCode, Relationship, Sex};
pub use email::Email;
pub use insurer_code::InsurerCode;
pub use kana_name::KanaName;
pub use password::{Password, PasswordContext, SERVICE_WORDS};
pub use postal_code::PostalCode;
pub use staff_role::{Permission, StaffRole};
pub use step::Next;
pub use target_status::TargetStatus;
pub use user_id::UserId;

/// Why a value was refused, in Japanese, for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Invalid {}

/// Whether a field holds nothing but white space (full-width included) and invisible characters.
pub fn is_blank(input: &str) -> bool {
    text::clean(input).is_empty()
}

/// A 0/1 flag column: 1 is yes; empty is no.
pub fn parse_flag(input: &str) -> Result<bool, Invalid> {
    match text::clean(input).as_str() {
        "" | "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(Invalid("0 または 1 で入力してください。")),
    }
}

/// Free text from a union's file or a form: NFKC, invisible characters dropped, trimmed.
pub fn clean_text(input: &str) -> String {
    text::clean(input)
}

/// A number as forms, messages and notices write it: 1,300,000.
pub fn grouped(number: i64) -> String {
    use num_format::{Locale, ToFormattedString as _};
    number.to_formatted_string(&Locale::en)
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_grouped_by_thousands() {
        for (number, shown) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (1_320_000, "1,320,000"),
            (100_000_000, "100,000,000"),
            (-1_234, "-1,234"),
        ] {
            assert_eq!(super::grouped(number), shown);
        }
    }
}
