//! The OpenAPI document tells the truth about errors and bounds.

use crate::support::TestApp;

#[tokio::test]
async fn every_operation_documents_its_error_answers_as_problem_documents() {
    let app = TestApp::empty().await;
    let doc = app.json("/api/openapi.json").await;
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("item") {
            let responses = &operation["responses"];
            let problem = |status: &str| {
                responses[status]["content"]["application/problem+json"]["schema"]["$ref"]
                    == "#/components/schemas/Problem"
            };
            assert!(problem("500") && problem("503"), "{method} {path}");
            if operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
            {
                assert!(problem("401"), "{method} {path}");
            }
            if method != "get" {
                assert!(problem("403"), "{method} {path}");
            }
            if operation.get("requestBody").is_some() {
                assert!(problem("400"), "{method} {path}");
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
    let list = &paths["/api/v1/groups"]["get"]["parameters"];
    let bound = |name: &str| {
        let p = list
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == name)
            .expect(name);
        (
            p["schema"]["minimum"].clone(),
            p["schema"]["maximum"].clone(),
        )
    };
    assert_eq!(bound("page"), (1.into(), 500.into()));
    assert_eq!(bound("starts_within"), (1.into(), 10080.into()));
    let registration = &doc["components"]["schemas"]["RegistrationJson"];
    assert_eq!(
        registration["required"],
        serde_json::json!(["handle", "email", "password"])
    );
    assert_eq!(registration["properties"]["password"]["minLength"], 10);
}
