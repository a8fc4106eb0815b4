//! A target's documents (添付資料): the person's files, sent straight from the browser to the
//! bucket with a presigned upload, then read and verified by the server before anyone else sees
//! them. Allowed from the first answer until the union confirms the target (確認完了), after
//! submitting too: documents often follow the form.
//!
//! Every change to a target's set rewrites its `DocumentsGuard` conditionally on its version,
//! so two tabs adding files at once cannot both pass the limits.

use crate::blobs::{BlobKey, PresignedUpload};
use crate::campaign::Window;
use crate::clock::Timestamp;
use crate::deps::Deps;
use crate::document_file::{
    self, ACCEPTED_TYPES, FileType, MAX_FILE_BYTES, MAX_FILES_PER_TARGET, MAX_TARGET_BYTES, Rejection,
};
use crate::domain::{TargetStatus, clean_text};
use crate::error::{Error, Fields};
use crate::store::records::{DocumentStatus, DocumentsGuard, Target, TargetDocument, from_item, to_item};
use crate::store::{Cond, Write, sort_key};
use crate::survey_form::{self, Form};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How long a presigned upload may be used: long enough for 10 MB on a slow phone connection.
pub const UPLOAD_URL_SECONDS: i64 = 15 * 60;
/// How long a presigned download may be used: the browser follows the redirect at once.
pub const DOWNLOAD_URL_SECONDS: i64 = 60;
/// How long a pending document waits for its file: as long as the bucket keeps a never-completed
/// upload (its lifecycle rule on `uploads/`).
pub const PENDING_SECONDS: i64 = 24 * 60 * 60;
pub const MAX_FILE_NAME_CHARS: usize = 100;
/// The kind of a document the person adds beyond the ones the answers require.
pub const OTHER_KIND: &str = "other";
/// Two tabs adding at once: the loser reads the set again and retries this often.
const GUARD_ATTEMPTS: usize = 3;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[schemars(extend("examples" = [{"kind": "income_certificate", "fileName": "課税証明書.jpg", "contentType": "image/jpeg", "size": 1_843_200, "myNumberChecked": true}]))]
pub struct UploadRequest {
    /// One of the target's required documents' kinds, or `other`.
    pub kind: String,
    pub file_name: String,
    /// image/jpeg, image/png or application/pdf
    pub content_type: String,
    /// Bytes.
    pub size: Option<i64>,
    /// The person confirmed that no My Number shows (or that it is masked).
    pub my_number_checked: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadCreated {
    pub id: String,
    /// Send the file here, with exactly these headers (or form fields), before `expiresAt`.
    pub upload: PresignedUpload,
    pub expires_at: Timestamp,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentView {
    pub id: String,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub status: DocumentStatus,
    pub uploaded_at: Option<Timestamp>,
    /// Why the union found the document 不備, when it did: send another in its place.
    pub refusal_reason: Option<String>,
}

impl From<TargetDocument> for DocumentView {
    fn from(document: TargetDocument) -> Self {
        Self {
            id: document.id,
            kind: document.kind,
            file_name: document.file_name,
            content_type: document.content_type,
            size: document.size,
            status: document.status,
            uploaded_at: document.uploaded_at.map(Timestamp),
            refusal_reason: document.refusal.map(|refusal| refusal.reason),
        }
    }
}

/// The limits, for the page to state and check before sending.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentLimits {
    pub max_file_bytes: u64,
    pub max_files: usize,
    pub max_total_bytes: u64,
    pub content_types: Vec<&'static str>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentList {
    /// Oldest first.
    pub documents: Vec<DocumentView>,
    pub limits: DocumentLimits,
}

/// Documents may change while the window is open and until the union confirms the target.
fn check_changeable(form: &Form) -> Result<(), Error> {
    match form.campaign.window(form.now) {
        Window::Upcoming => Err(Error::SurveyNotOpen),
        Window::Closed => Err(Error::SurveyClosed {
            contact: form.contact.clone(),
        }),
        Window::Open | Window::PastDue if form.target.status == TargetStatus::Confirmed => Err(Error::DocumentsLocked),
        Window::Open | Window::PastDue => Ok(()),
    }
}

/// Document ids are 128-bit random values in lowercase hex.
fn is_document_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The target's set as it stands: its guard's version (0 before the first document) and the
/// documents that count — accepted ones, and pending ones whose upload may still come.
struct DocumentSet {
    guard_version: i64,
    documents: Vec<TargetDocument>,
}

impl DocumentSet {
    async fn read(deps: &Deps, target: &Target, now: i64) -> Result<Self, Error> {
        let guard_key = DocumentsGuard::key(target);
        let items = deps
            .store
            .query(&guard_key.pk, &TargetDocument::target_prefix(&target.id))
            .await?;
        let mut set = Self {
            guard_version: 0,
            documents: Vec::new(),
        };
        for item in items {
            if sort_key(&item) == guard_key.sk {
                set.guard_version = from_item::<DocumentsGuard>(item)?.version;
                continue;
            }
            let document: TargetDocument = from_item(item)?;
            if is_live(&document, now) {
                set.documents.push(document);
            }
        }
        set.documents.sort_by_key(|document| document.created_at);
        Ok(set)
    }

    fn bytes(&self) -> u64 {
        self.documents.iter().map(|document| document.size).sum()
    }

    /// The guard's write in the same transaction as a change to the set.
    fn guard_write(&self, target: &Target) -> Write {
        let guard = DocumentsGuard {
            target_id: target.id.clone(),
            version: self.guard_version + 1,
        };
        let unchanged = if self.guard_version == 0 {
            Cond::NotExists
        } else {
            Cond::eq(DocumentsGuard::VERSION, self.guard_version)
        };
        Write::put(DocumentsGuard::key(target), to_item(&guard, None)).when(unchanged)
    }
}

/// DynamoDB deletes expired items lazily: an expired pending document no longer counts.
fn is_live(document: &TargetDocument, now: i64) -> bool {
    document.status == DocumentStatus::Accepted || now < document.created_at + PENDING_SECONDS
}

fn upload_key(form: &Form, document_id: &str) -> Result<BlobKey, Error> {
    Ok(BlobKey::upload(
        &form.target.insurer,
        form.target.year,
        &form.target.id,
        document_id,
    )?)
}

fn document_key(form: &Form, document_id: &str) -> Result<BlobKey, Error> {
    Ok(BlobKey::document(
        &form.target.insurer,
        form.target.year,
        &form.target.id,
        document_id,
    )?)
}

/// The file name as the person's device named it, without any folder, cleaned of invisible
/// characters.
fn file_name(input: &str) -> Option<String> {
    let base = input.rsplit(['/', '\\']).next().unwrap_or_default();
    let name = clean_text(base);
    let chars = name.chars().count();
    (1..=MAX_FILE_NAME_CHARS).contains(&chars).then_some(name)
}

/// POST /api/survey/targets/{id}/documents
pub async fn create(
    deps: &Deps,
    token: Option<&str>,
    id: &str,
    request: UploadRequest,
) -> Result<UploadCreated, Error> {
    let form = survey_form::open(deps, token, id).await?;
    check_changeable(&form)?;
    let answers = form.target.answers.clone().unwrap_or_default();
    let required = form.evaluate(&answers)?.required_documents;
    let mut fields = Fields::default();
    let kind = request.kind.trim();
    if kind != OTHER_KIND && !required.iter().any(|document| document.kind == kind) {
        fields.add("kind", "提出する書類を選択してください。");
    }
    let name = file_name(&request.file_name);
    if name.is_none() {
        fields.add(
            "fileName",
            crate::domain::stated!("ファイル名は1文字以上{MAX_FILE_NAME_CHARS}文字以内にしてください。"),
        );
    }
    let file_type = FileType::from_content_type(&request.content_type);
    if file_type.is_none() {
        fields.add(
            "contentType",
            format!(
                "この種類のファイルは送れません（{}）。",
                document_file::limits_description()
            ),
        );
    }
    let size = request.size.filter(|size| *size > 0).map(|size| size as u64);
    match size {
        None => fields.add(
            "size",
            "ファイルが空か、大きさを読み取れませんでした。ファイルを選び直してください。",
        ),
        Some(size) if size > MAX_FILE_BYTES => fields.add("size", Rejection::TooLarge { size }.message()),
        Some(_) => {}
    }
    if !request.my_number_checked {
        fields.add(
            "myNumberChecked",
            "マイナンバーが写っていないこと（写っている場合は隠したこと）を確認して、チェックを入れてください。",
        );
    }
    fields.finish()?;
    let (Some(name), Some(file_type), Some(size)) = (name, file_type, size) else {
        unreachable!("every missing part added a field error");
    };
    let document = TargetDocument {
        id: uuid::Uuid::new_v4().simple().to_string(),
        target_id: form.target.id.clone(),
        kind: kind.to_string(),
        file_name: name,
        content_type: file_type.content_type().to_string(),
        size,
        status: DocumentStatus::Pending,
        created_at: form.now,
        uploaded_at: None,
        refusal: None,
    };
    // Presigning first: should it fail, no pending document holds a place in the limits.
    let upload = deps
        .blobs
        .presign_upload(
            &upload_key(&form, &document.id)?,
            &document.content_type,
            size,
            UPLOAD_URL_SECONDS,
        )
        .await?;
    for attempt in 1..=GUARD_ATTEMPTS {
        let set = DocumentSet::read(deps, &form.target, form.now).await?;
        if set.documents.len() >= MAX_FILES_PER_TARGET {
            return Err(Error::TooManyDocuments);
        }
        if set.bytes() + size > MAX_TARGET_BYTES {
            return Err(Error::DocumentsTooLarge);
        }
        let writes = vec![
            set.guard_write(&form.target),
            Write::put(
                TargetDocument::key(&form.target, &document.id),
                to_item(&document, Some(form.now + PENDING_SECONDS)),
            )
            .when(Cond::NotExists),
        ];
        match deps.store.transact(writes).await {
            Ok(()) => break,
            Err(error) if error.is_condition_failed() && attempt < GUARD_ATTEMPTS => continue,
            Err(error) if error.is_condition_failed() => return Err(Error::VersionConflict),
            Err(error) => return Err(error.into()),
        }
    }
    tracing::info!(event = "document_upload_presigned", target_id = %form.target.id, document_id = %document.id, size, "documents");
    Ok(UploadCreated {
        id: document.id,
        upload,
        expires_at: Timestamp(form.now + UPLOAD_URL_SECONDS),
    })
}

/// The live documents of the form's target, oldest first.
pub(crate) async fn documents_of(deps: &Deps, form: &Form) -> Result<Vec<TargetDocument>, Error> {
    Ok(DocumentSet::read(deps, &form.target, form.now).await?.documents)
}

/// The live document `document_id` of the form's target, or `NotFound`.
pub(crate) async fn own_document(deps: &Deps, form: &Form, document_id: &str) -> Result<TargetDocument, Error> {
    if !is_document_id(document_id) {
        return Err(Error::NotFound);
    }
    match deps.store.get(&TargetDocument::key(&form.target, document_id)).await? {
        Some(item) => {
            let document: TargetDocument = from_item(item)?;
            if is_live(&document, form.now) {
                Ok(document)
            } else {
                Err(Error::NotFound)
            }
        }
        None => Err(Error::NotFound),
    }
}

/// The document as the union's purge keeps it: until the campaign's documents go.
pub(crate) fn accepted_document_write(form: &Form, document: &TargetDocument) -> Write {
    Write::put(
        TargetDocument::key(&form.target, &document.id),
        to_item(document, Some(form.campaign.documents_purge_at())),
    )
}

/// Deletes the document's record with the guard's write; its objects are gone already.
async fn forget(deps: &Deps, form: &Form, document: &TargetDocument) -> Result<(), Error> {
    for attempt in 1..=GUARD_ATTEMPTS {
        let set = DocumentSet::read(deps, &form.target, form.now).await?;
        let writes = vec![
            set.guard_write(&form.target),
            Write::delete(TargetDocument::key(&form.target, &document.id)),
        ];
        match deps.store.transact(writes).await {
            Ok(()) => return Ok(()),
            Err(error) if error.is_condition_failed() && attempt < GUARD_ATTEMPTS => continue,
            Err(error) if error.is_condition_failed() => return Err(Error::VersionConflict),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// POST /api/survey/targets/{id}/documents/{docId}/complete: reads the uploaded file, verifies
/// it and keeps it cleaned (no location or device metadata), or deletes it with the reason.
pub async fn complete(deps: &Deps, token: Option<&str>, id: &str, document_id: &str) -> Result<DocumentView, Error> {
    let form = survey_form::open(deps, token, id).await?;
    check_changeable(&form)?;
    let document = own_document(deps, &form, document_id).await?;
    if document.status == DocumentStatus::Accepted {
        return Ok(document.into());
    }
    let upload = upload_key(&form, &document.id)?;
    let bytes = deps.blobs.get(&upload).await?.ok_or(Error::DocumentNotUploaded)?;
    let declared = FileType::from_content_type(&document.content_type)
        .ok_or_else(|| Error::Internal("a stored document of a type not accepted".into()))?;
    let verified = match document_file::verify(declared, &bytes) {
        Ok(verified) => verified,
        Err(rejection) => {
            deps.blobs.delete(&upload).await?;
            forget(deps, &form, &document).await?;
            tracing::info!(event = "document_rejected", target_id = %form.target.id, document_id = %document.id, reason = ?rejection, "documents");
            return Err(Error::DocumentRejected {
                reason: rejection.message(),
            });
        }
    };
    let stored = verified.bytes.unwrap_or(bytes);
    let accepted = TargetDocument {
        size: stored.len() as u64,
        status: DocumentStatus::Accepted,
        uploaded_at: Some(form.now),
        ..document
    };
    // The file is kept before the record says so: a failure in between is retried whole.
    let kept = document_key(&form, &accepted.id)?;
    deps.blobs.put(&kept, stored, &accepted.content_type).await?;
    // The record goes when the campaign's documents are purged, as the file does.
    let write =
        accepted_document_write(&form, &accepted).when(Cond::eq(TargetDocument::STATUS, DocumentStatus::Pending));
    match deps.store.transact(vec![write]).await {
        Ok(()) => {}
        // Completed meanwhile by another request, or deleted: read what is there now. Deleted,
        // its file just kept must go too, or it would stay unseen until the campaign's purge.
        Err(error) if error.is_condition_failed() => {
            return match own_document(deps, &form, document_id).await {
                Ok(current) => Ok(current.into()),
                Err(Error::NotFound) => {
                    deps.blobs.delete(&kept).await?;
                    Err(Error::NotFound)
                }
                Err(error) => Err(error),
            };
        }
        Err(error) => return Err(error.into()),
    }
    // The bucket deletes a left-over upload after a day; the document is safe either way.
    if let Err(error) = deps.blobs.delete(&upload).await {
        tracing::warn!(event = "upload_not_deleted", target_id = %form.target.id, document_id = %accepted.id, error = %error, "documents");
    }
    tracing::info!(event = "document_accepted", target_id = %form.target.id, document_id = %accepted.id, size = accepted.size, "documents");
    Ok(accepted.into())
}

/// GET /api/survey/targets/{id}/documents
pub async fn list(deps: &Deps, token: Option<&str>, id: &str) -> Result<DocumentList, Error> {
    let form = survey_form::open(deps, token, id).await?;
    let set = DocumentSet::read(deps, &form.target, form.now).await?;
    Ok(DocumentList {
        documents: set.documents.into_iter().map(DocumentView::from).collect(),
        limits: DocumentLimits {
            max_file_bytes: MAX_FILE_BYTES,
            max_files: MAX_FILES_PER_TARGET,
            max_total_bytes: MAX_TARGET_BYTES,
            content_types: ACCEPTED_TYPES
                .iter()
                .map(|file_type| file_type.content_type())
                .collect(),
        },
    })
}

/// GET /api/survey/targets/{id}/documents/{docId}: where the browser fetches the file from, for
/// `DOWNLOAD_URL_SECONDS`.
pub async fn download(deps: &Deps, token: Option<&str>, id: &str, document_id: &str) -> Result<String, Error> {
    let form = survey_form::open(deps, token, id).await?;
    download_location(deps, &form, document_id).await
}

/// Where a browser fetches the form's accepted document `document_id` from, for
/// `DOWNLOAD_URL_SECONDS` (the person's page and the union's console alike).
pub(crate) async fn download_location(deps: &Deps, form: &Form, document_id: &str) -> Result<String, Error> {
    let document = own_document(deps, form, document_id).await?;
    if document.status != DocumentStatus::Accepted {
        return Err(Error::NotFound);
    }
    Ok(deps
        .blobs
        .presign_download(
            &document_key(form, &document.id)?,
            &document.file_name,
            &document.content_type,
            DOWNLOAD_URL_SECONDS,
        )
        .await?)
}

/// DELETE /api/survey/targets/{id}/documents/{docId}
pub async fn delete(deps: &Deps, token: Option<&str>, id: &str, document_id: &str) -> Result<(), Error> {
    let form = survey_form::open(deps, token, id).await?;
    check_changeable(&form)?;
    let document = own_document(deps, &form, document_id).await?;
    // Objects first: a failure leaves the record, and deleting again finishes the job.
    deps.blobs.delete(&document_key(&form, &document.id)?).await?;
    deps.blobs.delete(&upload_key(&form, &document.id)?).await?;
    forget(deps, &form, &document).await?;
    tracing::info!(event = "document_deleted", target_id = %form.target.id, document_id = %document.id, "documents");
    Ok(())
}
