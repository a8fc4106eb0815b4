#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run_mailing(kennin_admin_document_refusal::handle).await
}
