#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    kennin::lambda::run_mailing(kennin_survey_submit::handle).await
}
