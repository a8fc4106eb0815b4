#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run(kennin_survey_documents_list::handle).await
}
