//! First login ①–③: identity check against the roster, account details with the user ID
//! reserved, and the emailed code that creates the account in one atomic write.

use crate::clock::Timestamp;
use crate::codes::{self, CodeInput, RESEND_INTERVAL_SECONDS};
use crate::deps::Deps;
use crate::domain::{
    BirthDate, CardNumber, CardSymbol, Email, InsurerCode, KanaName, Password, UserId, VerificationCode, card_value,
};
use crate::error::{Error, Fields};
use crate::mail::templates;
use crate::secrets::{new_token, token_hash};
use crate::store::records::{
    Account, Insurer, LoginFailures, PendingCode, Progress, ProgressCounts, RosterPerson, SignupFlow, SignupStage,
    UserIdGuard, from_item, to_item,
};
use crate::store::{Change, Cond, StoreError, Tag, Write};
use crate::throttle::{IDENTITY_PER_CARD, IDENTITY_PER_IP};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The purpose a code is bound to: a code from another purpose never verifies here.
const PURPOSE: &str = "signup";

/// The writes of the signup transactions whose failed condition the person is told about.
const GUARD: Tag = Tag("user id guard");
const FLOW: Tag = Tag("signup flow");
const ROSTER_CLAIM: Tag = Tag("roster claim");

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"insurerCode": "0904", "symbol": "1001", "number": "3", "birthDate": "1978/12/31", "nameKana": "スズキ イチロウ"}]))]
pub struct IdentityInput {
    pub insurer_code: String,
    pub symbol: String,
    pub number: String,
    pub birth_date: String,
    pub name_kana: String,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(transform = crate::api::text_fields, extend("examples" = [{"userId": "suzuki_ichiro", "password": "Tsubame#8817go", "email": "ichiro@example.com"}]))]
pub struct AccountInput {
    pub user_id: String,
    pub password: String,
    pub email: String,
}

/// The step a signup flow is at: the one the person does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub enum FlowStep {
    Identity,
    Account,
    Code,
    Done,
}

/// A new code is on its way to the masked address.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(inline)]
pub struct CodeResent {
    pub code_expires_at: Timestamp,
    pub resend_available_at: Timestamp,
    pub masked_email: String,
}

/// Where a flow stands, for the page to resume on reload.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowState {
    pub step: FlowStep,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_expires_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resend_available_at: Option<Timestamp>,
}

pub struct Started {
    pub token: String,
    pub expires_at: Timestamp,
}

async fn load_flow(deps: &Deps, token: Option<&str>) -> Result<SignupFlow, Error> {
    let token = token.ok_or(Error::FlowExpired)?;
    let item = deps
        .store
        .get(&SignupFlow::key(&token_hash(token)))
        .await?
        .ok_or(Error::FlowExpired)?;
    let flow: SignupFlow = from_item(item)?;
    if flow.expires_at <= deps.clock.unix() {
        return Err(Error::FlowExpired);
    }
    Ok(flow)
}

fn flow_state(flow: &SignupFlow) -> FlowState {
    match flow.stage {
        SignupStage::Account => FlowState {
            step: FlowStep::Account,
            expires_at: Some(Timestamp(flow.expires_at)),
            masked_email: None,
            code_expires_at: None,
            resend_available_at: None,
        },
        SignupStage::Code => FlowState {
            step: FlowStep::Code,
            expires_at: Some(Timestamp(flow.expires_at)),
            masked_email: flow.email.as_ref().map(Email::masked),
            code_expires_at: Some(Timestamp(flow.code.code_expires_at)),
            resend_available_at: Some(Timestamp(flow.code.code_issued_at + RESEND_INTERVAL_SECONDS)),
        },
        SignupStage::Done => FlowState {
            step: FlowStep::Done,
            expires_at: None,
            masked_email: None,
            code_expires_at: None,
            resend_available_at: None,
        },
    }
}

/// GET /api/signup: the step a reloaded page resumes at.
pub async fn state(deps: &Deps, token: Option<&str>) -> Result<FlowState, Error> {
    match load_flow(deps, token).await {
        Ok(flow) => Ok(flow_state(&flow)),
        Err(Error::FlowExpired) => Ok(FlowState {
            step: FlowStep::Identity,
            expires_at: None,
            masked_email: None,
            code_expires_at: None,
            resend_available_at: None,
        }),
        Err(other) => Err(other),
    }
}

/// ① The identity check. A mismatch never says which field was wrong.
pub async fn identity(deps: &Deps, input: IdentityInput, client_ip: &str) -> Result<Started, Error> {
    let mut fields = Fields::default();
    let insurer = fields.check("insurerCode", InsurerCode::parse(&input.insurer_code));
    let symbol = fields.check("symbol", CardSymbol::parse(&input.symbol));
    let number = fields.check("number", CardNumber::parse(&input.number));
    let birth_date = fields.check(
        "birthDate",
        BirthDate::parse(&input.birth_date, deps.clock.today_in_japan()),
    );
    let name_kana = fields.check("nameKana", KanaName::parse(&input.name_kana));
    fields.finish()?;
    let (Some(code), Some(symbol), Some(number), Some(birth_date), Some(name_kana)) =
        (insurer, symbol, number, birth_date, name_kana)
    else {
        unreachable!("every field parsed when no field error was recorded");
    };

    let now = deps.clock.unix();
    let store = deps.store.as_ref();
    let secret = deps.config.secret.as_slice();
    // A failure is counted before the roster is read and given back on a match, so a burst of
    // concurrent guesses gets no more evaluations than the limits allow. The counts and the
    // insurer's read are independent, so they go out together: one round trip instead of three.
    let card = card_value(&code, &symbol, &number);
    let limits = [(&IDENTITY_PER_CARD, card.as_str()), (&IDENTITY_PER_IP, client_ip)];
    let insurer_key = Insurer::key(&code);
    let (insurer, hits) = futures::join!(
        store.get(&insurer_key),
        futures::future::join_all(limits.iter().map(|(limit, value)| limit.hit(store, secret, value, now))),
    );
    let hits = hits.into_iter().collect::<Result<Vec<_>, _>>()?;
    // A limit that tripped keeps its count; the others take theirs back, as if never asked.
    let give_back = |counted: &[bool]| {
        futures::future::try_join_all(
            limits
                .iter()
                .zip(counted)
                .filter(|(_, counted)| **counted)
                .map(|((limit, value), _)| limit.give_back(store, secret, value, now)),
        )
    };
    if let Some((tripped, retry_after)) = limits
        .iter()
        .zip(&hits)
        .find_map(|((limit, _), hit)| hit.map(|r| (limit, r)))
    {
        give_back(&hits.iter().map(Option::is_none).collect::<Vec<_>>()).await?;
        tracing::warn!(event = "identity_check_throttled", "signup");
        return Err(Error::IdentityThrottled {
            retry_after,
            window_seconds: tripped.window_seconds,
        });
    }
    let all_counted = [true; 2];
    // An unknown or closed insurer is a mistyped code, not a guess at a card: it costs nothing.
    let insurer: Insurer = match insurer? {
        Some(item) => from_item(item)?,
        None => {
            give_back(&all_counted).await?;
            return Err(Error::field(
                "insurerCode",
                "保険者指定コードが見つかりません。お手元の案内をご確認ください。",
            ));
        }
    };
    let Some(year) = insurer.current_year else {
        give_back(&all_counted).await?;
        return Err(Error::field(
            "insurerCode",
            "この保険者の資格調査は現在受け付けていません。",
        ));
    };

    let person = match store.get(&RosterPerson::key(&code, year, &symbol, &number)).await? {
        Some(item) => Some(from_item::<RosterPerson>(item)?),
        None => None,
    };
    let matched = person.filter(|p| p.birth_date == birth_date && p.name_kana == name_kana);
    let Some(person) = matched else {
        tracing::info!(event = "identity_check_failed", "signup");
        return Err(Error::IdentityMismatch);
    };
    if person.claimed_by.is_some() {
        give_back(&all_counted).await?;
        return Err(Error::AlreadyRegistered);
    }

    let token = new_token();
    let flow = SignupFlow {
        id: token_hash(&token),
        insurer: code,
        year,
        symbol,
        number,
        name: person.name,
        stage: SignupStage::Account,
        expires_at: now + deps.config.flow_ttl_seconds,
        user_id: None,
        password_hash: None,
        email: None,
        code: PendingCode::default(),
    };
    // A match gives its counts back in the same round trip as the flow's write.
    let (given_back, written) = futures::join!(
        give_back(&all_counted),
        store.transact(vec![
            Write::put(SignupFlow::key(&flow.id), to_item(&flow, Some(flow.expires_at))).when(Cond::NotExists),
        ]),
    );
    given_back?;
    written?;
    tracing::info!(event = "identity_check_passed", "signup");
    Ok(Started {
        token,
        expires_at: Timestamp(flow.expires_at),
    })
}

/// Whether the user ID is free for this flow, and the guard revision to overwrite if so.
async fn claimable_guard(deps: &Deps, flow: &SignupFlow, user_id: &UserId) -> Result<Option<String>, Error> {
    let Some(item) = deps.store.get(&UserIdGuard::key(user_id)).await? else {
        return Ok(None);
    };
    let guard: UserIdGuard = from_item(item)?;
    let free = match &guard {
        UserIdGuard::Reservation {
            flow_id, expires_at, ..
        } => flow_id == &flow.id || *expires_at <= deps.clock.unix(),
        // Last year's IDs are reset: an account that no longer belongs to its union's current
        // survey year (one that could not log in any more) no longer holds its ID.
        UserIdGuard::Account { insurer, year, .. } => match deps.store.get(&Insurer::key(insurer)).await? {
            Some(item) => !from_item::<Insurer>(item)?.is_current(*year),
            None => true,
        },
    };
    if free {
        Ok(Some(guard.rev().to_string()))
    } else {
        Err(Error::UserIdTaken)
    }
}

fn guard_is(rev: Option<String>) -> Cond {
    match rev {
        None => Cond::NotExists,
        Some(rev) => Cond::eq(UserIdGuard::REV, rev),
    }
}

async fn send_code(deps: &Deps, flow_id: &str, email: &Email, code: &VerificationCode) -> Result<(), Error> {
    let message = templates::signup_code(email, code, deps.config.code_ttl_seconds);
    codes::mail(deps, &SignupFlow::key(flow_id), &message)
        .await
        .map_err(|e| Error::Unavailable(e.to_string()))
}

/// ② The account details: the user ID is reserved for this flow and a code is mailed.
pub async fn account(deps: &Deps, token: Option<&str>, input: AccountInput) -> Result<FlowState, Error> {
    let flow = load_flow(deps, token).await?;
    let now = deps.clock.unix();
    match flow.stage {
        SignupStage::Account => {}
        SignupStage::Code => codes::check_resend(&flow.code, now)?,
        SignupStage::Done => return Err(Error::FlowExpired),
    }

    let mut fields = Fields::default();
    let user_id = fields.check("userId", UserId::parse(&input.user_id));
    // The person proved their card and birth date at ①: naming them in a refusal tells nothing new.
    // Whether the ID is free is read at the same time; a field's refusal still comes first.
    let (context, seen_guard) = futures::join!(
        crate::password_context::of_person(
            deps,
            user_id.as_ref(),
            &flow.insurer,
            flow.year,
            &flow.symbol,
            &flow.number,
        ),
        async {
            match &user_id {
                Some(user_id) => claimable_guard(deps, &flow, user_id).await,
                None => Ok(None),
            }
        }
    );
    let password = fields.check("password", Password::parse(&input.password, &context?));
    let email = fields.check("email", Email::parse(&input.email));
    fields.finish()?;
    let (Some(user_id), Some(password), Some(email)) = (user_id, password, email) else {
        unreachable!("every field parsed when no field error was recorded");
    };
    let seen_guard = seen_guard?;
    let password_hash = deps.hasher.hash(password.expose()).await.map_err(Error::Unavailable)?;
    let issued = codes::issue(deps, PURPOSE, &flow.id, now);
    let mut flow_changes = vec![
        Change::set(SignupFlow::STAGE, SignupStage::Code),
        Change::set(SignupFlow::USER_ID, &user_id),
        Change::set(SignupFlow::PASSWORD_HASH, password_hash),
        Change::set(SignupFlow::EMAIL, &email),
    ];
    flow_changes.extend(issued.changes);

    let reservation = UserIdGuard::Reservation {
        flow_id: flow.id.clone(),
        expires_at: flow.expires_at,
        rev: new_token(),
    };
    let mut writes = vec![
        Write::put(UserIdGuard::key(&user_id), to_item(&reservation, Some(flow.expires_at)))
            .when(guard_is(seen_guard))
            .tagged(GUARD),
        Write::update(SignupFlow::key(&flow.id), flow_changes)
            .when(Cond::And(vec![
                Cond::Exists,
                Cond::eq(SignupFlow::STAGE, flow.stage),
                codes::unchanged_sends(&flow.code),
            ]))
            .tagged(FLOW),
    ];
    // Changing one's mind about the ID frees the one reserved before.
    if let Some(previous) = flow.user_id.as_ref().filter(|previous| previous.key() != user_id.key()) {
        writes.push(Write::delete(UserIdGuard::key(previous)).when(UserIdGuard::reserved_for(&flow.id)));
    }
    match deps.store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { failed: Some(GUARD) }) => return Err(Error::UserIdTaken),
        // Another request of this flow changed it first (a double submit): let the page reload.
        Err(StoreError::ConditionFailed { failed: Some(FLOW) }) => return Err(Error::WrongStep),
        Err(StoreError::ConditionFailed { .. }) => {}
        Err(other) => return Err(other.into()),
    }

    send_code(deps, &flow.id, &email, &issued.code).await?;
    Ok(code_sent(&flow, &email, issued.expires_at, now))
}

fn code_sent(flow: &SignupFlow, email: &Email, code_expires_at: i64, now: i64) -> FlowState {
    FlowState {
        step: FlowStep::Code,
        expires_at: Some(Timestamp(flow.expires_at)),
        masked_email: Some(email.masked()),
        code_expires_at: Some(Timestamp(code_expires_at)),
        resend_available_at: Some(Timestamp(now + RESEND_INTERVAL_SECONDS)),
    }
}

/// ③ resend: a new code, the old one void.
pub async fn resend(deps: &Deps, token: Option<&str>) -> Result<CodeResent, Error> {
    let flow = load_flow(deps, token).await?;
    if flow.stage != SignupStage::Code {
        return Err(Error::WrongStep);
    }
    let now = deps.clock.unix();
    codes::check_resend(&flow.code, now)?;
    let email = flow.email.clone().ok_or(Error::WrongStep)?;
    let issued = codes::issue(deps, PURPOSE, &flow.id, now);
    let still = Cond::And(vec![
        Cond::Exists,
        Cond::eq(SignupFlow::STAGE, SignupStage::Code),
        codes::unchanged_sends(&flow.code),
    ]);
    match deps
        .store
        .update(&SignupFlow::key(&flow.id), &issued.changes, Some(&still))
        .await
    {
        Ok(_) => {}
        // A concurrent resend got there first: it has sent the mail.
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(Error::ResendThrottled {
                retry_after: RESEND_INTERVAL_SECONDS,
            });
        }
        Err(other) => return Err(other.into()),
    }
    send_code(deps, &flow.id, &email, &issued.code).await?;
    Ok(CodeResent {
        code_expires_at: Timestamp(issued.expires_at),
        resend_available_at: Timestamp(now + RESEND_INTERVAL_SECONDS),
        masked_email: email.masked(),
    })
}

/// ③ The code; a match creates the account.
pub async fn verify_code(deps: &Deps, token: Option<&str>, input: CodeInput) -> Result<UserId, Error> {
    let flow = load_flow(deps, token).await?;
    match flow.stage {
        SignupStage::Code => {}
        SignupStage::Done => return Err(Error::FlowExpired),
        SignupStage::Account => return Err(Error::WrongStep),
    }
    let typed = VerificationCode::parse(&input.code).map_err(|e| Error::field("code", e.0))?;
    let now = deps.clock.unix();
    let slot = codes::Slot {
        key: SignupFlow::key(&flow.id),
        still: Cond::eq(SignupFlow::STAGE, SignupStage::Code),
        purpose: PURPOSE,
        owner: codes::Owner::SignupFlow(&flow.id),
        refused_event: "signup_code_refused",
    };
    let verified = codes::verify(deps, slot, &flow.code, &typed, now).await;
    let (item, matched_hash) = match verified {
        Ok(verified) => verified,
        // The tries may be used up, or another request may have finished the flow meanwhile.
        Err(Error::CodeVoid) if load_flow(deps, token).await?.stage != SignupStage::Code => {
            return Err(Error::FlowExpired);
        }
        Err(other) => return Err(other),
    };
    create_account(deps, from_item(item)?, matched_hash, now).await
}

/// The account comes to exist in one atomic write: the ID guard turns from reservation to
/// account, the account is put, the roster person is claimed and the flow consumed. Any
/// condition failing leaves all four as they were.
async fn create_account(deps: &Deps, flow: SignupFlow, verified_hash: String, now: i64) -> Result<UserId, Error> {
    let (Some(user_id), Some(email), Some(password_hash)) =
        (flow.user_id.clone(), flow.email.clone(), flow.password_hash.clone())
    else {
        return Err(Error::WrongStep);
    };
    let account = Account {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user_id.clone(),
        insurer: flow.insurer.clone(),
        year: flow.year,
        symbol: flow.symbol.clone(),
        number: flow.number.clone(),
        name: flow.name.clone(),
        email,
        password_hash,
        created_at: now,
        terms_accepted: None,
        contact: None,
        session_epoch: 0,
        disabled: false,
    };
    let guard = UserIdGuard::Account {
        account_id: account.id.clone(),
        insurer: account.insurer.clone(),
        year: account.year,
        rev: new_token(),
    };
    // The flow comes first: when two requests race with the same code, the loser fails on it
    // and learns the code was already used.
    let claim = vec![Change::set(RosterPerson::CLAIMED_BY, account.id.as_str())];
    let writes = vec![
        Write::update(
            SignupFlow::key(&flow.id),
            vec![
                Change::set(SignupFlow::STAGE, SignupStage::Done),
                Change::remove(SignupFlow::PASSWORD_HASH),
                Change::remove(PendingCode::CODE_HASH),
            ],
        )
        .when(Cond::And(vec![
            Cond::eq(SignupFlow::STAGE, SignupStage::Code),
            Cond::eq(PendingCode::CODE_HASH, verified_hash),
        ]))
        .tagged(FLOW),
        Write::put(UserIdGuard::key(&user_id), to_item(&guard, None))
            .when(UserIdGuard::reserved_for(&flow.id))
            .tagged(GUARD),
        Write::put(Account::key(&account.id), to_item(&account, None)).when(Cond::NotExists),
        Write::update(
            RosterPerson::key(&flow.insurer, flow.year, &flow.symbol, &flow.number),
            claim,
        )
        .when(Cond::And(vec![Cond::Exists, Cond::missing(RosterPerson::CLAIMED_BY)]))
        .tagged(ROSTER_CLAIM),
        // The progress page's count of registered persons, kept with the claim it counts.
        Write::update(
            Progress::counts_key(&flow.insurer, flow.year),
            vec![Change::add(ProgressCounts::REGISTERED, 1)],
        ),
        // Failures counted while nobody had the ID (or last year's holder) are not the new
        // account's: without this, anyone could lock an ID before it is taken.
        Write::delete(LoginFailures::key(&user_id.key())),
    ];
    match deps.store.transact(writes).await {
        Ok(()) => {
            tracing::info!(event = "account_created", account_id = %account.id, "signup");
            Ok(user_id)
        }
        Err(StoreError::ConditionFailed { failed: Some(GUARD) }) => Err(Error::UserIdTaken),
        Err(StoreError::ConditionFailed {
            failed: Some(ROSTER_CLAIM),
        }) => Err(Error::AlreadyRegistered),
        Err(StoreError::ConditionFailed { .. }) => Err(Error::FlowExpired),
        Err(other) => Err(other.into()),
    }
}
