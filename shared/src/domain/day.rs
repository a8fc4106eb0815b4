use super::Invalid;
use super::birth_date::{DateMessages, parse_date};
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

/// A calendar day with no rule of its own (a certification date, a campaign's due date),
/// stored and sent as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day(Date);

const ISO: &[time::format_description::BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

impl Day {
    pub fn parse(input: &str, messages: &DateMessages) -> Result<Self, Invalid> {
        parse_date(input, messages).map(Self)
    }

    pub fn date(&self) -> Date {
        self.0
    }

    pub fn iso(&self) -> String {
        self.0.format(ISO).expect("a calendar date formats")
    }

    /// As Japanese text writes a date: 2027年1月5日.
    pub fn japanese(&self) -> String {
        format!("{}年{}月{}日", self.0.year(), u8::from(self.0.month()), self.0.day())
    }
}

impl From<Date> for Day {
    fn from(date: Date) -> Self {
        Self(date)
    }
}

impl TryFrom<String> for Day {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Date::parse(&value, ISO)
            .map(Self)
            .map_err(|_| Invalid("日付は 2027-01-05 の形で入力してください。"))
    }
}

impl From<Day> for String {
    fn from(value: Day) -> Self {
        value.iso()
    }
}
