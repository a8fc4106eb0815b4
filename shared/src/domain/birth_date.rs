use super::{Invalid, text};
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// 生年月日 in the Western calendar. Accepted as the manual shows it (1990/01/01) and as people
/// also type it: 1990/1/1, 1990-01-01, 19900101, full-width digits and slashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BirthDate(Date);

const MESSAGES: DateMessages = DateMessages {
    empty: "生年月日を入力してください。",
    format: "生年月日は西暦で 1990/01/01 のように入力してください。",
    year: "生年月日の年が正しくありません。",
    nonexistent: "生年月日に存在しない日付が入力されています。",
};

/// What a date field says when refused: each field names itself.
pub struct DateMessages {
    pub empty: &'static str,
    pub format: &'static str,
    pub year: &'static str,
    pub nonexistent: &'static str,
}

/// A date in the Western calendar as people and spreadsheets write it: 1990/01/01, 1990/1/1,
/// 1990-01-01, 19900101, full-width digits and slashes.
pub(crate) fn parse_date(input: &str, messages: &DateMessages) -> Result<Date, Invalid> {
    let value = text::clean(input);
    if value.is_empty() {
        return Err(Invalid(messages.empty));
    }
    let parts: Vec<&str> = if text::is_ascii_digits(&value) && value.len() == 8 {
        vec![&value[0..4], &value[4..6], &value[6..8]]
    } else {
        value.split(['/', '-', '.']).collect()
    };
    let [year, month, day] = parts.as_slice() else {
        return Err(Invalid(messages.format));
    };
    if year.len() != 4 || !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return Err(Invalid(messages.format));
    }
    let number = |s: &str| -> Result<u16, Invalid> {
        if !text::is_ascii_digits(s) {
            return Err(Invalid(messages.format));
        }
        s.parse().map_err(|_| Invalid(messages.format))
    };
    let (year, month, day) = (number(year)?, number(month)?, number(day)?);
    if year < 1900 {
        return Err(Invalid(messages.year));
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(Invalid(messages.nonexistent))?;
    let day = u8::try_from(day).map_err(|_| Invalid(messages.format))?;
    Date::from_calendar_date(i32::from(year), month, day).map_err(|_| Invalid(messages.nonexistent))
}

/// Completed years on `on`: a person is a year older on their birthday (29 February counts
/// from 1 March in common years).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        age -= 1;
    }
    age
}

impl BirthDate {
    /// `today` is the caller's clock: a birth date must lie in the past.
    pub fn parse(input: &str, today: Date) -> Result<Self, Invalid> {
        let date = Self::parse_any(input)?;
        if date >= today {
            return Err(Invalid("生年月日に今日以降の日付は入力できません。"));
        }
        Ok(Self(date))
    }

    /// The calendar rule without the "in the past" check, for stored values.
    fn parse_any(input: &str) -> Result<Date, Invalid> {
        parse_date(input, &MESSAGES)
    }

    pub fn date(&self) -> Date {
        self.0
    }

    /// The manual's notation, `1990/01/01`.
    pub fn to_display(&self) -> String {
        format!(
            "{:04}/{:02}/{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

impl TryFrom<String> for BirthDate {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse_any(&value).map(Self)
    }
}

impl From<BirthDate> for String {
    fn from(value: BirthDate) -> Self {
        value.to_display()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 26);

    #[test]
    fn accepts_the_manual_and_common_variants() {
        for input in [
            "1990/01/01",
            "1990/1/1",
            "1990-01-01",
            "19900101",
            "１９９０／０１／０１",
            "１９９０年".replace('年', "/01/01").as_str(),
            " 1990/01/01 ",
        ] {
            let parsed = BirthDate::parse(input, TODAY).unwrap();
            assert_eq!(parsed.to_display(), "1990/01/01", "{input:?}");
        }
    }

    #[test]
    fn refuses_impossible_future_and_malformed_dates() {
        for bad in [
            "",
            "1990/02/30",
            "1990/13/01",
            "2027/01/01",
            "2026/11/26",
            "90/01/01",
            "1990/01",
            "1990/01/01/01",
            "abcd/01/01",
            "1899/12/31",
            "1990/001/01",
        ] {
            assert!(BirthDate::parse(bad, TODAY).is_err(), "{bad:?}");
        }
        assert!(BirthDate::parse("2000/02/29", TODAY).is_ok());
        assert!(BirthDate::parse("2001/02/29", TODAY).is_err());
    }
}
