//! お問い合わせ先 as every answer shows it: the union's desk for the survey, each part as the
//! union set it, or null. Answers that send the person to the union (a closed survey) carry it.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub hours: Option<String>,
    pub email: Option<String>,
}
