#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run_with_blobs(kennin_survey_documents_create::handle).await
}
