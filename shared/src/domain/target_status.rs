use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a target dependent's survey stands: the person moves it from 未回答 to 提出済み, the
/// union sends it back (差し戻し) or confirms it (確認完了).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    NotStarted,
    InProgress,
    Submitted,
    Returned,
    Confirmed,
}

impl TargetStatus {
    pub const ALL: [Self; 5] = [
        Self::NotStarted,
        Self::InProgress,
        Self::Submitted,
        Self::Returned,
        Self::Confirmed,
    ];

    /// The label every screen and export shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "未回答",
            Self::InProgress => "回答中",
            Self::Submitted => "提出済み",
            Self::Returned => "差し戻し",
            Self::Confirmed => "確認完了",
        }
    }
}
